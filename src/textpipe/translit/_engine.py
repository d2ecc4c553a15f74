"""The one engine that runs every scheme: compile a scheme's data once, then convert words.

A compiled scheme maps *every* Cyrillic letter (see :data:`CYRILLIC_LETTERS`) to an output, so
the converter never meets a letter it cannot romanize; how letters outside the scheme's own
table get their output is the fallback policy described in the package docstring.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from . import _data
from ._data import APOSTROPHE, APOSTROPHES, END, START, RuleData, SchemeData


def _cyrillic_chars(letters: bool) -> str:
    blocks = (
        (0x0400, 0x0530),
        (0x1C80, 0x1C90),
        (0x2DE0, 0x2E00),
        (0xA640, 0xA6A0),
        (0x1E030, 0x1E090),
    )
    out = []
    for lo, hi in blocks:
        for cp in range(lo, hi):
            ch = chr(cp)
            cat = unicodedata.category(ch)
            if _data.is_cyrillic(ch) and cat.startswith("L" if letters else "M"):
                out.append(ch)
    return "".join(out)


#: Every Cyrillic letter Unicode (as known to this Python) has; computed once at import.
CYRILLIC_LETTERS = _cyrillic_chars(letters=True)
_CYRILLIC_MARKS = _cyrillic_chars(letters=False)
_MARKS = "\u0300-\u036f" + re.escape(_CYRILLIC_MARKS)
_LETTER = "[" + re.escape(CYRILLIC_LETTERS) + "]"
#: A word: Cyrillic letters (with combining marks), apostrophes allowed between letters.
_WORD = re.compile(
    f"{_LETTER}[{_MARKS}]*(?:(?:{_LETTER}|[{APOSTROPHES}](?={_LETTER}))[{_MARKS}]*)*"
)
_UNIT = re.compile(f".[{_MARKS}]*", re.DOTALL)
_HAS_MARK = re.compile(f"[{_MARKS}]")
_CANON_APOSTROPHE = str.maketrans({a: APOSTROPHE for a in APOSTROPHES})

#: Output forms of one output string: (lowercase, Title, UPPER), each NFC.
Forms = tuple[str, str, str]


@dataclass(frozen=True)
class Rule:
    match: str
    after: frozenset[str] | None  # previous letter must be in it; "" stands for the word start
    before: frozenset[str] | None  # next letter must be in it; "" stands for the word end
    forms: Forms


@dataclass(frozen=True)
class Compiled:
    """A scheme ready to run: a total letter map plus the context rules by first letter."""

    lang: str
    name: str
    letters: Mapping[str, Forms]
    rules: Mapping[str, tuple[Rule, ...]]
    #: some output starts with a combining mark, so joined outputs need NFC
    needs_nfc: bool


def forms(text: str) -> Forms:
    """The lowercase, Title and UPPER forms of an output string."""
    low = unicodedata.normalize("NFC", text.lower())
    title = low
    for k, ch in enumerate(low):
        if ch.lower() != ch.upper():
            title = unicodedata.normalize("NFC", low[:k] + ch.upper() + low[k + 1 :])
            break
    return low, title, unicodedata.normalize("NFC", text.upper())


# --- compiling -------------------------------------------------------------------------------


@cache
def compiled(lang: str, scheme: str) -> Compiled:
    """Compile scheme ``scheme`` of language ``lang`` (cached: each scheme is built once)."""
    data = _data.scheme_data(lang, scheme)
    info = _data.language(lang)
    missing = [ch for ch in info.alphabet if ch not in data.letters]
    if missing:
        raise _data.SchemeDataError(f"{lang} {scheme}: [letters] lacks {''.join(missing)}")
    table = _total_table(lang, scheme, data)
    classes = _classes(info, data)
    rules: dict[str, list[Rule]] = {}
    for rd in sorted(data.rules, key=lambda r: -len(r.match)):  # longest match first, stable
        rules.setdefault(rd.match[0], []).append(_compile_rule(rd, classes))
    letters = {key: forms(out) for key, out in table.items()}
    every = list(table.values()) + [r.out for r in data.rules]
    needs_nfc = any(out and unicodedata.combining(out[0]) for out in every)
    return Compiled(lang, scheme, letters, {k: tuple(v) for k, v in rules.items()}, needs_nfc)


def _classes(info: _data.Language, data: SchemeData) -> dict[str, str]:
    classes = {"vowel": info.vowels, "consonant": info.consonants, "apostrophe": APOSTROPHE}
    classes.update(data.classes)
    return classes


def _expand(items: tuple[str, ...], edge: str, classes: Mapping[str, str]) -> frozenset[str]:
    chars: set[str] = set()
    for item in items:
        if item == edge:
            chars.add("")
        elif item.startswith("<"):
            chars.update(classes[item[1:-1]])
        else:
            chars.update(item)
    return frozenset(chars)


def _compile_rule(rd: RuleData, classes: Mapping[str, str]) -> Rule:
    after = None if rd.after is None else _expand(rd.after, START, classes)
    before = None if rd.before is None else _expand(rd.before, END, classes)
    return Rule(rd.match, after, before, forms(rd.out))


def _total_table(lang: str, scheme: str, data: SchemeData) -> dict[str, str]:
    """The scheme's letters plus a fallback output for every other Cyrillic letter."""
    table = dict(data.letters)
    for key, out in data.other_letters.items():
        table.setdefault(key, out)
    resolve = _fallback_resolver(lang, scheme, table)
    for ch in CYRILLIC_LETTERS:
        key = ch.lower()
        if key not in table and len(key) == 1:
            table[key] = resolve(key)
    return table


def _fallback_resolver(lang: str, scheme: str, own: Mapping[str, str]) -> Callable[[str], str]:
    """Build the fallback chain (see the package docstring, "Letters outside the alphabet")."""
    others = [
        _data.scheme_data(other, scheme)
        for other in _data.LANGUAGES
        if other != lang and scheme in _data.language(other).schemes
    ]
    iso = _data.load_scheme("iso9.toml")
    tables: list[Mapping[str, str]] = [own]
    tables += [d.letters for d in others] + [d.other_letters for d in others]
    tables += [iso.letters, iso.other_letters]

    def resolve(key: str, depth: int = 0) -> str:
        for table in tables:
            if key in table:
                return table[key]
        if depth < 3:
            decomposed = unicodedata.normalize("NFD", key)
            if len(decomposed) > 1 and _data.is_cyrillic_letter(decomposed[0]):
                return unicodedata.normalize(
                    "NFC", resolve(decomposed[0], depth + 1) + decomposed[1:]
                )
            base = _base_by_name(key)
            if base is not None:
                return resolve(base, depth + 1)
        return _last_resort(key)

    return resolve


def _base_by_name(key: str) -> str | None:
    """A plainer letter named inside ``key``'s Unicode name (``... LETTER KOMI DE`` -> д)."""
    head, words = _name_words(key)
    for k in range(len(words)):
        try:
            cand = unicodedata.lookup(f"{head} LETTER {' '.join(words[k:])}")
        except KeyError:
            continue
        if cand != key:
            return cand.lower()
    return None


def _last_resort(key: str) -> str:
    """The letter's own Unicode name word in ASCII (``CYRILLIC SMALL LETTER DWE`` -> ``dwe``)."""
    words = _name_words(key)[1]
    return re.sub("[^a-z]", "", words[-1].lower()) if words else "?"


def _name_words(key: str) -> tuple[str, list[str]]:
    """``CYRILLIC SMALL LETTER EL WITH TAIL`` -> (``CYRILLIC SMALL``, [``EL``])."""
    name = unicodedata.name(key, "")
    for kind in (" LETTER ", " LIGATURE "):
        head, sep, rest = name.partition(kind)
        if sep:
            return head, rest.split(" WITH ")[0].split()
    return name, []


# --- converting ------------------------------------------------------------------------------


def convert(text: str, cs: Compiled) -> str:
    """Romanize every Cyrillic word of ``text``; everything else is left as it is."""
    return _WORD.sub(lambda m: convert_word(m.group(), cs), text)


def convert_word(word: str, cs: Compiled) -> str:
    """Romanize one word: Cyrillic letters, inner apostrophes, maybe combining marks."""
    if _HAS_MARK.search(word):
        units = _UNIT.findall(word)
        letters = "".join(u[0] for u in units)
        out = _convert_letters(letters, cs, [u[1:] for u in units])
        return unicodedata.normalize("NFC", out)
    out = _convert_letters(word, cs, None)
    return unicodedata.normalize("NFC", out) if cs.needs_nfc else out


def _convert_letters(word: str, cs: Compiled, marks: list[str] | None) -> str:
    low = word.lower().translate(_CANON_APOSTROPHE)
    n = len(low)
    letters, rules = cs.letters, cs.rules
    out: list[str] = []
    i = 0
    while i < n:
        c = low[i]
        j = i + 1
        found = None
        candidates = rules.get(c)
        if candidates:
            for rule in candidates:
                end = i + len(rule.match)
                if (
                    (end == j or low.startswith(rule.match, i))
                    and (rule.after is None or (low[i - 1] if i else "") in rule.after)
                    and (rule.before is None or (low[end] if end < n else "") in rule.before)
                ):
                    found, j = rule.forms, end
                    break
        if found is None:
            found = letters.get(c)
        if found is None:  # an apostrophe the scheme does not map
            out.append(word[i])
        elif word[i] == c:
            out.append(found[0])
        elif found[1] == found[2] or not _caps(word, i, n):
            out.append(found[1])
        else:
            out.append(found[2])
        if marks is not None:
            out.append("".join(marks[i:j]))
        i = j
    return "".join(out)


def _caps(word: str, i: int, n: int) -> bool:
    """Is the capital at ``word[i]`` part of an ALL-CAPS run (next letter, else previous)?"""
    if i + 1 < n:
        nxt = word[i + 1]
        if nxt.isupper():
            return True
        if nxt.islower():
            return False
    return i > 0 and word[i - 1].isupper()


# --- reversing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reverser:
    pattern: re.Pattern[str]
    table: Mapping[str, str]
    #: Latin outputs without case (ʺ, ʹ) whose Cyrillic letter has a capital
    caseless: frozenset[str]

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self._replace, unicodedata.normalize("NFC", text))

    def _replace(self, m: re.Match[str]) -> str:
        cyr = self.table[m.group()]
        if m.group() in self.caseless and _caps_around(m.string, m.start(), m.end()):
            return cyr.upper()
        return cyr


def _caps_around(text: str, start: int, end: int) -> bool:
    """Like :func:`_caps` for an uncased span: is it inside an ALL-CAPS word?"""
    if end < len(text):
        nxt = text[end]
        if nxt.isupper():
            return True
        if nxt.islower():
            return False
    return start > 0 and text[start - 1].isupper()


@cache
def reverser(lang: str, scheme: str) -> Reverser:
    """Latin -> Cyrillic for a reversible (one letter per letter, context-free) scheme."""
    data = _data.scheme_data(lang, scheme)
    if not data.reversible:
        reversible = [
            s for s in _data.language(lang).schemes if _data.scheme_data(lang, s).reversible
        ]
        raise ValueError(
            f"scheme {scheme!r} of {lang!r} is not reversible (it maps several letters alike "
            f"or depends on context); reversible schemes for {lang!r}: {', '.join(reversible)}"
        )
    own = set(_data.language(lang).alphabet)
    table: dict[str, str] = {}
    # the language's own letters first, so they win should two letters ever share an output
    for key in sorted(data.letters, key=lambda k: k not in own):
        out = data.letters[key]
        low, _, up = forms(out)
        for latin, cyr in ((low, key), (up, key.upper())):
            if latin and latin not in table:
                table[latin] = cyr
    alternatives = sorted(table, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, alternatives)))
    caseless = frozenset(
        k for k, v in table.items() if k.lower() == k.upper() and v.lower() != v.upper()
    )
    return Reverser(pattern, table, caseless)


__all__ = ["Compiled", "compiled", "convert", "reverser", "CYRILLIC_LETTERS"]
