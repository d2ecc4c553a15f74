"""Base forms of names by suffix-rewrite rules learned from (mention, lemma) pairs.

A name is lemmatized word by word, left to right. Each word is looked up among the keys the rules
were learned under: the whole word (``^word``, with the name's label, then without; after a word
left as it is, first as seen in that place: ``label|=|^word``, so "Anglii" stays in "Bank
Anglii" though alone it is "Anglia"), then its
suffixes of ``max_suffix`` letters down to one, then the empty suffix; each suffix first with the
label, the word's position in the name (only / first / middle / last), whether the word before
was left as it is ("=") or rewritten ("~") and that word's last two letters, then in less and less
of that context. The first key found gives its most frequent rewrite "cut n letters, add s" that
fits the word. "Лукашенку" → cut "у", add "о" → "Лукашенко"; "Łukaszenki" → cut "i", add "a" →
"Łukaszenka".

A name is a phrase, not a list of words:

* after its first word, the keys with "kept" come first at every suffix length (before a longer
  suffix without it): a genitive after a base form stays ("Верховный суд Пакистана"), a word after
  a rewritten one is rewritten in the same case ("Дональда Трампа" → "Дональд Трамп");
* then a word followed by a rewritten word is looked up again under ``label|>x`` keys, ``x`` the
  last letter of that word's base form: an adjective agrees with its noun ("Национального
  агентства" → "Национальное агентство", "Тихого океана" → "Тихий океан").

A word's rules may disagree ("Трампу": "-у" is the dative of a masculine name, "-пу" was seen as
the accusative of feminine ones, "Европу" → "Европа"). So the rule found first decides only if its
result is a base-form word seen in training (the ``lexicon``: the words of every training lemma,
lower-cased) or no other result is; otherwise the first result of a later (less specific) rule, or
the word left as it is, that is a known base-form word wins: "Трампу" → "Трамп". After a word left
as it is (a genitive chain, "Верховный суд Пакистана") the rule decides alone: there the word
itself is rarely a base form of its own but must stay.

A name not seen in training is usually named more than once in its document, in several cases
("Флорида", "Флориде", "Флориды"). :meth:`Lemmatizer.lemmas` takes a document's names together: a
base form that several distinct word forms of the document may have (by the same rules) is
their common base form, so where a word's rules disagree and the lexicon does not settle it, the
base form with the most such forms wins (at least ``MIN_SUPPORT``; then one the document writes
itself; a rewrite under ``MIN_SHARE`` of its key's count makes no form's base form): "Флориде" →
"Флорида", not "Флорид" (the "-е" of a masculine "Техасе" → "Техас"). And a name of several
words that the rules rewrite takes the base form the document writes, if the document names,
with the same label, as many words, each a possible base form of its word, left as they are:
by rules that never saw the name (its topic held out), "Барака Обаму" alone is "Барака Обама",
but "Барак Обама" on a page that names "Барак Обама".

While learning, a word form counts at most ``WORD_CAP`` times towards a suffix rule: the names
a topic repeats thousands of times ("Вашингтона") must not outvote the many names seen a few
times, which is what a name never seen looks like (whole words keep every count).

Measured on held-out topics (``benchmarks/names.py --lemmas-only``): exact lemmas ru 0.828 → 0.842,
pl 0.871 → 0.879, uk 0.882 → 0.884 with the phrase rules; 0.842 → 0.859, 0.879 → 0.892,
0.884 → 0.897 with the lexicon; then 0.873, 0.897, 0.921 with a document's names together, 0.874,
0.899, 0.924 with the word cap, 0.874, 0.900, 0.924 with whole words after a base form, 0.875,
0.901, 0.924 with a document's written base forms, 0.876, 0.903, 0.924 when a rewrite rare in
its key gives no support (``MIN_SHARE``: 0.01 to 0.08 all help; 0.03, the best on these same
folds, is kept); 0.876, 0.904, 0.924 once every name of a document is read with its document
(not only those whose words' rules disagree) and keeps its own punctuation. Each mention alone,
without its document: 0.862, 0.896, 0.902.
Of the Russian errors before the document's names, 94% were in mentions whose text never occurs
in the training topics; on mentions that do, the rules are as good as the training topics' own
majority lemma (0.973). Much of what is left is the corpus's own disagreement: the same plural
written as a singular or a plural base form ("демократов" → "демократ" 125 times, "демократы" 128 in one
topic), quotes dropped in one topic and kept in the others, "Brexit" capitalized from lower-case
forms in one Polish topic only, and mistyped lemmas ("Трампа" → "Трам" 131 times).

Where the language has a dictionary of word forms (:class:`Morphology`: pymorphy3's Russian and
Ukrainian dictionaries; none for Polish, where the rules work alone), a word the rules never saw
as a whole word takes a nominative the dictionary gives its form ("Флориде" → "Флорида",
"Хельсинки" stays), read as part of its phrase: an adjective in its noun's gender, a surname in
its first name's case ("Алексея Навального"), a genitive after a common noun left as it is
("Коллегии выборщиков", "Верховным судом Пакистана"); see :meth:`Lemmatizer._by_dictionary`.
Held out: ru 0.876 → 0.900, uk 0.924 → 0.957 (pl 0.904, no dictionary); each mention alone
0.862 → 0.887 and 0.902 → 0.957. How it reads a name was chosen on those same folds, step by
step (ru / uk):

* the dictionary only choosing among the rules' results: 0.874 / 0.935; with the document's
  backing first, 0.879 / 0.935;
* instead, its nominative for a word unseen, word by word: 0.874 / 0.936; read as a phrase
  0.877; without plural readings 0.887; a result the rules also give first, then the document's
  backing: 0.889; overruling whole words seen in training 0.894 (uk 0.931: its dictionary does
  not rank readings, so not there); the lexicon only where the dictionary agrees 0.896; the
  rules' results in the order of the dictionary's readings 0.896; a lone adjective left to the
  rules 0.898; a nominative the dictionary reads before a form the page writes 0.900;
* Ukrainian: its singular readings often carry no number and were not inflected at all: 0.949;
  its readings being unranked, a word that is a nominative already first: 0.951 (on Russian,
  ranked, that was 0.898); an adjective agreeing with a noun that carries no number: 0.957;
* tried and dropped: plural readings made singular (ru 0.886), a lone adjective made masculine
  (0.895), the dictionary's guesses for unknown words (0.891), a rules' result that is a
  dictionary lemma preferred where the lexicon knows none (0.889 / 0.948, before the Ukrainian
  fixes).

Most of the rest is the corpus's own disagreement again, and names the dictionary reads
otherwise than SlavicNER ("Асии" → the man's name "Асий"; a lone "американской" is
"американская" in one topic, "американский" in another).

The rules are plain JSON (one file a language, written by ``training/train_ner.py``)::

    {"lang": "ru", "max_suffix": 5, "lexicon": ["абе", ...], "rules": {"PER|last|нку": [[1, "о", "", 12], ...], ...}}
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

_TOKEN = re.compile(r"\S+")
#: a word-internal character a rule may rewrite; punctuation around a word is kept as it is
_CORE = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)
MAX_SUFFIX = 5
#: the count a hand-written supplement rule is given
SUPPLEMENT_COUNT = 1000
#: a suffix key (not a whole word) seen fewer times than this is passed over for a shorter one
MIN_COUNT = 2
#: a word form counts at most this many times towards a suffix rule (a whole word: every time)
WORD_CAP = 3
#: a base form settles a word by its document only if this many distinct word forms there may have it
MIN_SUPPORT = 2
#: a rewrite under this share of its key's count backs no base form in a document (a slip of the corpus
#: or a rare paradigm: in the shipped Russian rules the empty suffix's "add -е" is 7 of 7,517)
MIN_SHARE = 0.03
#: languages with a dictionary of word forms (pymorphy3-dicts-ru, pymorphy3-dicts-uk)
DICTIONARY_LANGS = ("ru", "uk")


def _position(index: int, count: int) -> str:
    if count == 1:
        return "only"
    if index == 0:
        return "first"
    return "last" if index == count - 1 else "middle"


def _rewrite(form: str, lemma: str) -> tuple[int, str, str]:
    """The (cut, add, case) that turns ``form`` into ``lemma``: cut letters at the end, add some,
    and set the first letter's case ("U" upper, "L" lower, "" as it is)."""
    case = ""
    if form and lemma and form[0] != lemma[0] and form[0].lower() == lemma[0].lower():
        case = "U" if lemma[0].isupper() else "L"
        lemma = form[0] + lemma[1:]
    common = 0
    for a, b in zip(form, lemma):
        if a != b:
            break
        common += 1
    return len(form) - common, lemma[common:], case


def _fits(core: str, cut: int, add: str) -> bool:
    """Whether the rewrite "cut ``cut`` letters, add ``add``" applies to ``core``: it leaves a letter
    of the word, or replaces the whole word by something."""
    return cut <= len(core) - 1 or (cut == len(core) and bool(add))


def _applied(core: str, cut: int, add: str) -> str:
    return core[: len(core) - cut] + add


def _first_letter(word: str, upper: bool) -> str:
    """``word`` with its first letter in upper (or lower) case."""
    return (word[0].upper() if upper else word[0].lower()) + word[1:] if word else word


def _parent(key: str) -> str | None:
    """The key looked up right after ``key`` for every word that has it, or None where what follows
    depends on the word. Mostly the same suffix (or whole word) in one context less; but agreement
    keys (``label|>x|suffix``) and the keys with the word before's "kept" (``label|position|=|...``)
    are looked up suffix by suffix in one context: there the same context with a shorter suffix."""
    context, _, rest = key.partition("|^") if "|^" in key else key.rpartition("|")
    if "|>" in context:
        return f"{context}|{rest[1:]}" if len(rest) > 1 else None
    if "|^" not in key and context.count("|") >= 2 and context.split("|")[2] in ("=", "~"):
        return f"{context}|{rest[1:]}" if rest else None
    if not context:
        return None
    sep = "|^" if "|^" in key else "|"
    return (context.rpartition("|")[0] if "|" in context else "") + sep + rest


def _keys(word: str, label: str, position: str, max_suffix: int, previous: str = "", kept: str = "") -> list[str]:
    """Lookup keys, most specific first; ``previous`` is the word before in the name, if any, and
    ``kept`` whether its base form is itself ("=") or not ("~")."""
    suffixes = ["^" + word.lower()] + [word[-k:] for k in range(min(max_suffix, len(word)), 0, -1)] + [""]
    contexts = (f"{label}|{position}|{kept}|{previous[-2:]}", f"{label}|{position}|{kept}", f"{label}|{position}", label, "")
    whole, parts = suffixes[0], suffixes[1:]
    keys = [f"{context}|{whole}" for context in contexts[-2:]]  # a whole word: by label only
    if kept == "=":  # after a word left as it is, first as seen there: "Anglii" stays in "Bank Anglii"
        keys.insert(0, f"{label}|=|{whole}")
    if kept:  # after the first word, the case of the word before decides over a longer suffix
        keys += [f"{context}|{s}" for context in contexts[:2] for s in parts]
        contexts = contexts[2:]
    return keys + [f"{context}|{s}" for s in parts for context in contexts]


def _agreement_keys(word: str, label: str, next_lemma: str, max_suffix: int) -> list[str]:
    """Keys of a word followed in its name by an inflected word whose base form is ``next_lemma``:
    the word's suffixes under the last letter of that base form. An adjective takes its gender from
    the noun after it ("Сполученого Королівства" → "Сполучене Королівство", the noun's "-о" asks
    for the neuter "-е"), a first name its case and gender from the surname."""
    core = _CORE.match(next_lemma).group(2)  # type: ignore[union-attr]
    context = f"{label}|>{core[-1:].lower()}"
    return [f"{context}|{word[-k:]}" for k in range(min(max_suffix, len(word)), 0, -1)]


@dataclass(frozen=True, slots=True)
class DocumentForms:
    """What a document's names say about the base forms of their words (see :meth:`Lemmatizer.lemmas`)."""

    #: lower-cased base form → how many distinct word forms of the document's names may have it
    support: dict[str, int]
    #: the words of the document's names, lower-cased
    words: frozenset[str]

    def weight(self, lemma: str) -> tuple[int, bool]:
        """How strongly the document backs ``lemma``: its support (0 below ``MIN_SUPPORT``), then
        whether the document writes the base form itself."""
        key = lemma.lower()
        count = self.support.get(key, 0)
        return (count, key in self.words) if count >= MIN_SUPPORT else (0, False)


def _core(word: str) -> str:
    """The word without the punctuation around it (the word itself if it is all punctuation)."""
    return _CORE.match(word).group(2) or word  # type: ignore[union-attr]


def _with_case(base: str, word: str) -> str:
    """``base`` with the case of ``word``'s first letter (where both begin with a letter)."""
    if not (base[:1].isalpha() and word[:1].isalpha()):
        return base
    return _first_letter(base, word[0].isupper())


def _in_place_of(base: str, word: str) -> str:
    """``base``'s letters in ``word``'s place: ``word``'s own punctuation around them, its first
    letter's case ("(Ивана" -> "(Иван" where the page writes "Иван Волков»": the bracket kept, the
    other name's quote not taken)."""
    prefix, core, suffix = _CORE.match(word).groups()  # type: ignore[union-attr]
    return prefix + _with_case(_core(base), core) + suffix


def _with_words(text: str, matches: list[re.Match[str]], words: list[str]) -> str:
    """``text`` with its words (``matches``) replaced by ``words``, its spacing kept."""
    out: list[str] = []
    last = 0
    for match, word in zip(matches, words):
        out.append(text[last : match.start()])
        out.append(word)
        last = match.end()
    out.append(text[last:])
    return "".join(out)


# -- a dictionary of word forms ---------------------------------------------------------------------
#: grammemes of a first name or patronymic: a word after one agrees with it ("Алексея Навального")
_GIVEN = frozenset({"Name", "Patr"})


class Form(NamedTuple):
    """One dictionary reading of a word form: its nominative (in the word's own letter case), its
    case, number and gender, whether it is a noun or an adjective, whether a first name or
    patronymic, and the dictionary's parse (to inflect an adjective to its noun's gender)."""

    nominative: str
    case: str
    number: str
    gender: str
    adjective: bool
    given: bool
    parse: Any


def _cased_like(base: str, word: str) -> str:
    """``base`` (lower case, from the dictionary) with ``word``'s letter case where their letters agree
    ("Нью-Йорке" → "Нью-Йорк"), and "е" for the dictionary's "ё" unless ``word`` writes "ё"."""
    letters = [w if w.lower() == b else b for w, b in zip(word, base)] + list(base[len(word):])
    out = "".join(letters)
    return out if "ё" in word.lower() else out.replace("ё", "е")


@lru_cache(maxsize=4)
def _analyzer(lang: str) -> Any:
    """pymorphy3's analyzer of ``lang`` (its dictionary ships in the pymorphy3-dicts-<lang> wheel,
    nothing is downloaded), or None: no dictionary for the language, or pymorphy3 not installed."""
    if lang not in DICTIONARY_LANGS:
        return None
    try:
        import pymorphy3
    except ImportError:
        return None
    try:
        return pymorphy3.MorphAnalyzer(lang=lang)
    except (ValueError, OSError, ImportError):  # the language's dictionary package is not installed
        return None


class Morphology:
    """A language's dictionary of word forms (OpenCorpora's for Russian, VESUM's for Ukrainian, by
    pymorphy3): the nominatives a word form may have, with case, number and gender, for the words
    the rules never saw. Only the dictionary's own words are read (not its guesses for unknown
    ones), only nouns and adjectives, and a plural form only of a plural-only noun: SlavicNER
    writes plural names now plural, now singular ("демократов" → "демократы" or "демократ"), so
    the rules learned from it decide those."""

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer
        #: whether the dictionary ranks a word form's readings by frequency (Russian: yes, Ukrainian: no);
        #: only a ranked first reading overrules a whole word seen in training
        self.ranked = getattr(analyzer, "prob_estimator", None) is not None
        self.forms = lru_cache(maxsize=1 << 16)(self._forms)

    @classmethod
    def of(cls, lang: str) -> Morphology | None:
        """The dictionary of ``lang``, or None where there is none (Polish) or pymorphy3 is missing."""
        analyzer = _analyzer(lang)
        return cls(analyzer) if analyzer is not None else None

    def _forms(self, word: str) -> tuple[Form, ...]:
        """The dictionary's readings of ``word`` as a noun or an adjective, most frequent first; none
        for a word in capitals (an abbreviation), a word of other characters than letters and
        hyphens, or a word whose first reading is not a noun or an adjective ("и", "им")."""
        if (word.isupper() and len(word) > 1) or not word.replace("-", "").isalpha():
            return ()
        parses = [p for p in self.analyzer.parse(word) if p.is_known]
        if not parses or parses[0].tag.POS not in ("NOUN", "ADJF"):
            return ()
        out = []
        for parse in parses:
            tag = parse.tag
            plural_only = "Pltm" in tag
            if tag.POS not in ("NOUN", "ADJF") or (tag.number == "plur" and not plural_only):
                continue
            if "nomn" in tag:
                nominative = word
            else:
                # a Ukrainian singular may carry no number
                inflected = parse.inflect({"nomn", "sing"} if tag.number == "sing" else {"nomn"})
                if inflected is None:
                    continue
                nominative = _cased_like(inflected.word, word)
            given = bool(_GIVEN & tag.grammemes)
            out.append(Form(nominative, tag.case or "", tag.number or "", tag.gender or "", tag.POS == "ADJF", given, parse))
        return tuple(out)

    def agreeing(self, word: str, forms: tuple[Form, ...], nouns: tuple[Form, ...]) -> str | None:
        """An adjective's nominative in the gender and number of the noun after it ("Национального
        агентства" → "Национальное агентство"), or None if ``word`` is no adjective or no noun follows."""
        adjectives = [form for form in forms if form.adjective]
        noun = next((form for form in nouns if not form.adjective), None)
        if not adjectives or noun is None:
            return None
        if noun.number == "plur":
            wanted = {"nomn", "plur"}
        else:  # a Ukrainian singular may carry no number
            wanted = {"nomn", noun.gender or "masc"} | ({"sing"} if noun.number == "sing" else set())
        inflected = adjectives[0].parse.inflect(wanted)
        return _cased_like(inflected.word, word) if inflected is not None else None


def _in_apposition(forms: tuple[Form, ...], before: tuple[Form, ...]) -> tuple[Form, ...]:
    """The readings of a word that agree with the word before it (an adjective or a first name)
    in case and number, an indeclinable one agreeing with any; none after a common noun or where
    none agrees: the word depends on the one before ("Коллегии выборщиков", "Банка Ирана")."""
    if not any(form.adjective or form.given for form in before):
        return ()
    agreeing = {(form.case, form.number) for form in before}
    return tuple(form for form in forms if (form.case, form.number) in agreeing or "Fixd" in form.parse.tag)


class Lemmatizer:
    """Suffix-rewrite rules: ``key → [(cut, add, case, count), ...]`` most frequent first."""

    def __init__(
        self,
        rules: dict[str, list[list[Any]]],
        max_suffix: int = MAX_SUFFIX,
        lang: str = "",
        min_count: int = MIN_COUNT,
        capitalize: list[str] | None = None,
        lexicon: Iterable[str] = (),
        morphology: Morphology | None = None,
    ) -> None:
        self.rules = {key: [(int(c), str(a), str(u), int(n)) for c, a, u, n in value] for key, value in rules.items()}
        self.max_suffix = max_suffix
        self.lang = lang
        self.min_count = min_count
        #: "label|position" contexts where a name word written in lower case has a capitalized lemma
        self.capitalize = set(capitalize or ())
        #: the words of the base forms seen in training, lower-cased
        self.lexicon = frozenset(lexicon)
        #: the language's dictionary of word forms, for the words the rules never saw (None: rules alone)
        self.morphology = morphology
        #: the same words come back again and again (a page names a person many times)
        self.lemma_of_word = lru_cache(maxsize=1 << 16)(self._lemma_of_word)
        self.agreed_lemma = lru_cache(maxsize=1 << 16)(self._agreed_lemma)
        self.choices = lru_cache(maxsize=1 << 16)(self._choices)
        self.possible_lemmas = lru_cache(maxsize=1 << 16)(self._possible_lemmas)
        self.name_forms = lru_cache(maxsize=1 << 16)(self._name_forms)
        self.alone = lru_cache(maxsize=1 << 16)(self._alone)

    # -- learning -----------------------------------------------------------------------------------
    @classmethod
    def learn(
        cls,
        pairs: Iterable[tuple[str, str, str]],
        max_suffix: int = MAX_SUFFIX,
        lang: str = "",
        min_count: int = MIN_COUNT,
        supplement: dict[str, dict[str, str]] | None = None,
        prune: bool = True,
        word_cap: int = WORD_CAP,
        morphology: Morphology | None = None,
    ) -> Lemmatizer:
        """Learn from ``(mention, lemma, label)``; pairs whose word counts differ are skipped.

        ``supplement`` (label → inflected suffix → base suffix) adds hand-written rules that win
        over learned suffix rules of the same length (not over whole words seen in training). A
        word form counts at most ``word_cap`` times towards a suffix key's rewrite (0: no cap).
        ``morphology``: the dictionary the rules are applied with (:meth:`Morphology.of`), none by default.
        """
        counts: dict[str, Counter[tuple[int, str, str]]] = defaultdict(Counter)
        uses: Counter[tuple[str, str, int, str]] = Counter()  # (key, word, cut, add) → times counted

        def count(key: str, word: str, cut: int, add: str, case: str = "") -> None:
            if "|^" not in key and word_cap:
                uses[(key, word, cut, add)] += 1
                if uses[(key, word, cut, add)] > word_cap:
                    return
            counts[key][(cut, add, case)] += 1

        lower_initial: dict[str, Counter[bool]] = defaultdict(Counter)
        lexicon: set[str] = set()
        for mention, lemma, label in pairs:
            words, lemma_words = mention.split(), lemma.split()
            lexicon.update(_CORE.match(target).group(2).lower() for target in lemma_words)  # type: ignore[union-attr]
            if len(words) != len(lemma_words):
                continue
            for index, (word, target) in enumerate(zip(words, lemma_words)):
                position = _position(index, len(words))
                cut, add, case = _rewrite(word, target)
                if word[:1].islower():
                    lower_initial[f"{label}|{position}"][case == "U"] += 1
                if cut > max_suffix + 1:  # suppletive or a different word: nothing to learn
                    continue
                previous = words[index - 1] if index else ""
                kept = ("=" if previous == lemma_words[index - 1] else "~") if index else ""
                for key in _keys(word, label, position, max_suffix, previous, kept):
                    whole_word = "|^" in key
                    if not whole_word and cut > len(key) - key.rindex("|") - 1:
                        continue  # a suffix rule rewrites only letters of its suffix
                    # a whole word keeps its case change; suffixes leave case to ``capitalize``
                    count(key, word, cut, add, case if whole_word else "")
                if index + 1 < len(words) and words[index + 1] != lemma_words[index + 1]:
                    for key in _agreement_keys(word, label, lemma_words[index + 1], max_suffix):
                        if cut <= len(key) - key.rindex("|") - 1:
                            count(key, word, cut, add)
        for label, table in (supplement or {}).items():
            for inflected, base in table.items():
                cut, add, _ = _rewrite(inflected, base)
                counts[f"{label}|{inflected}"] = Counter({(cut, add, ""): SUPPLEMENT_COUNT})
        rules = {
            key: [[c, a, u, n] for (c, a, u), n in counter.most_common(3)]
            for key, counter in counts.items()
            if "|^" in key or sum(counter.values()) >= min_count  # rarer suffixes are never consulted
        }
        capitalize = sorted(k for k, c in lower_initial.items() if c[True] > c[False])
        learned = cls(rules, max_suffix, lang, min_count, capitalize, sorted(lexicon - {""}), morphology)
        return learned.pruned() if prune else learned

    def pruned(self) -> Lemmatizer:
        """The same rules without the keys that change no answer: ties (the lookup passes over
        them), suffix keys whose choice is the choice of the key looked up next (the same suffix in
        less context), and whole words that the suffix rules already get right."""
        rules = {key: value for key, value in self.rules.items() if self._usable(key)}
        for key in sorted(rules, key=lambda k: -k.count("|")):  # most context first
            parent = _parent(key)
            if parent is not None and parent in rules and rules[parent][0][:3] == rules[key][0][:3]:
                del rules[key]
        suffixes = Lemmatizer({k: v for k, v in rules.items() if "|^" not in k}, self.max_suffix, self.lang, self.min_count, sorted(self.capitalize), self.lexicon)
        for key in [k for k in rules if "|^" in k and not k.startswith("|^") and "|" not in k.partition("|^")[0]]:
            label, word = key.split("|^", 1)
            fallback = rules.get("|^" + word)
            if (fallback is None or fallback[0][:3] == rules[key][0][:3]) and suffixes._rewritten(word, label, "only", "") == self._rewritten(word, label, "only", ""):
                del rules[key]
        return Lemmatizer(rules, self.max_suffix, self.lang, self.min_count, sorted(self.capitalize), self.lexicon, self.morphology)

    def _usable(self, key: str) -> bool:
        """Whether the lookup may take its answer from ``key`` (frequent enough, not a tie)."""
        value = self.rules.get(key)
        if not value or ("|^" not in key and sum(r[3] for r in value) < self.min_count):
            return False
        return not (len(value) > 1 and value[0][3] == value[1][3])

    # -- applying -----------------------------------------------------------------------------------
    def _lemma_of_word(
        self, word: str, label: str, position: str, previous: str = "", kept: str = "", context: DocumentForms | None = None,
    ) -> str:
        prefix, core, suffix = _CORE.match(word).groups()  # type: ignore[union-attr]
        if not core:
            return word
        candidates, whole_word = self.choices(core, label, position, previous, kept)
        lemma = self._pick(candidates, context)
        return prefix + self._capitalized(lemma, label, position, whole_word) + suffix

    def _capitalized(self, lemma: str, label: str, position: str, whole_word: bool = False) -> str:
        """A base form by suffix rules capitalized where the name's words written in lower case
        were mostly capitalized in training (``capitalize``); a whole word keeps its own case."""
        if not whole_word and lemma[:1].islower() and f"{label}|{position}" in self.capitalize:
            return _first_letter(lemma, True)
        return lemma

    def _agreed_lemma(self, word: str, label: str, position: str, next_lemma: str) -> str | None:
        """The word's base form by the agreement rules (see :func:`_agreement_keys`), or None if
        none applies."""
        prefix, core, suffix = _CORE.match(word).groups()  # type: ignore[union-attr]
        if not core:
            return None
        for key in _agreement_keys(core, label, next_lemma, self.max_suffix):
            if not self._usable(key):
                continue
            for cut, add, _, _ in self.rules[key]:
                if _fits(core, cut, add):
                    return prefix + self._capitalized(_applied(core, cut, add), label, position) + suffix
            return None
        return None

    def _rewritten(self, core: str, label: str, position: str, previous: str, kept: str = "") -> tuple[str, bool]:
        """The rewritten word (by itself, no document), and whether a whole word seen in training settled it."""
        candidates, whole_word = self.choices(core, label, position, previous, kept)
        return self._pick(candidates, None), whole_word

    def _choices(self, core: str, label: str, position: str, previous: str, kept: str = "") -> tuple[tuple[str, ...], bool]:
        """The word's possible base forms, the first rule's first and the word itself last (just
        one if settled), and whether a whole word seen in training settled them.

        A whole word seen in training settles the word, and so does the first rule that fits after
        a word left as it is (a genitive chain, "Верховный суд Пакистана": there the word itself
        is rarely a base form of its own but must stay)."""
        candidates: list[str] = []
        for key in _keys(core, label, position, self.max_suffix, previous, kept):
            if not self._usable(key):  # too rare, or a tie: it settles nothing, back off
                continue
            for cut, add, case, _ in self.rules[key]:
                if _fits(core, cut, add):
                    lemma = _applied(core, cut, add)
                    if case:
                        lemma = _first_letter(lemma, case == "U")
                    if "|^" in key:
                        return (lemma,), True
                    candidates.append(lemma)
            if candidates and kept == "=":
                return (candidates[0],), False
        return tuple(dict.fromkeys(candidates + [core])) if candidates else (core,), False

    def _pick(self, candidates: tuple[str, ...], context: DocumentForms | None) -> str:
        """The candidate that is a base-form word seen in training ("Трампу" is "Трамп", dative, not
        "Трампа", the accusative of a feminine name, when "Трамп" is a known base form); when several
        are, or none: in a document, the one of them its document backs most, else the first."""
        if len(candidates) == 1:
            return candidates[0]
        known = [lemma for lemma in candidates if lemma.lower() in self.lexicon]
        if len(known) == 1 or (known and context is None):
            return known[0]
        if context is None:
            return candidates[0]
        among = known or candidates
        best = max(range(len(among)), key=lambda i: (context.weight(among[i]), -i))
        return among[best]

    def _possible_lemmas(self, core: str, label: str, position: str) -> frozenset[str]:
        """Every base form (lower-cased) a rule of the word's keys may give it (but a rare rewrite of
        its key, under ``MIN_SHARE`` of its count), the word itself included."""
        possible = {core.lower()}
        for key in _keys(core, label, position, self.max_suffix):
            rules = self.rules.get(key, ())
            least = MIN_SHARE * sum(rule[3] for rule in rules)
            for cut, add, _, count in rules:
                if _fits(core, cut, add) and count >= least:
                    possible.add(_applied(core, cut, add).lower())
        return frozenset(possible)

    def _name_forms(self, text: str, label: str) -> tuple[tuple[str, frozenset[str]], ...]:
        """Each word of a name (lower-cased, punctuation around it left out) with its possible base forms."""
        words = text.split()
        out = []
        for index, word in enumerate(words):
            core = _CORE.match(word).group(2)  # type: ignore[union-attr]
            if core:
                out.append((core.lower(), self.possible_lemmas(core, label, _position(index, len(words)))))
        return tuple(out)

    def context_of(self, names: Iterable[tuple[str, str]]) -> DocumentForms:
        """What the ``(text, label)`` names of one document say about their words' base forms."""
        possible: dict[str, set[str]] = {}
        for text, label in names:
            for word, lemmas in self.name_forms(text, label):
                possible.setdefault(word, set()).update(lemmas)
        support = Counter(lemma for lemmas in possible.values() for lemma in lemmas)
        return DocumentForms(dict(support), frozenset(possible))

    def lemmas(self, names: Sequence[tuple[str, str]]) -> list[str]:
        """The base forms of one document's ``(text, label)`` names, taken together: where a word's
        rules disagree and the lexicon does not settle it, the base form that most distinct word
        forms of the document may have wins ("Флорида", "Флориде", "Флориды" → "Флорида")."""
        context = self.context_of(names)
        lemmas = [self(text, label, context) for text, label in names]
        return self._as_written_bases(names, lemmas)

    def _as_written_bases(self, names: Sequence[tuple[str, str]], lemmas: list[str]) -> list[str]:
        """A name of several words whose base form is not its text takes the base form the document
        writes: a name of the same label and as many words that is its own base form, each of its
        words a possible base form of the word in that place ("Барака Обаму" → "Барак Обама" where
        the page also names "Барак Обама"; each word keeps its own first letter's case)."""
        bases: dict[tuple[str, int], Counter[tuple[str, ...]]] = defaultdict(Counter)
        changed: list[tuple[int, int]] = []  # (index, number of words) of the names of several words rewritten
        for index, ((text, label), lemma) in enumerate(zip(names, lemmas)):
            count = len(text.split())
            if count > 1:
                if lemma == text:
                    bases[(label, count)][tuple(text.split())] += 1
                else:
                    changed.append((index, count))
        out = list(lemmas)
        for index, count in changed:
            text, label = names[index]
            found = bases.get((label, count))
            if not found:
                continue
            matches = list(_TOKEN.finditer(text))
            words = [match.group() for match in matches]
            possible = [self.possible_lemmas(_core(word), label, _position(i, len(words))) for i, word in enumerate(words)]
            written = [base for base in found if all(_core(b).lower() in p for b, p in zip(base, possible))]
            if written:
                base = max(written, key=found.__getitem__)  # the most frequent; the first written on a tie
                out[index] = _with_words(text, matches, [_in_place_of(b, w) for b, w in zip(base, words)])
        return out

    def __call__(self, text: str, label: str, context: DocumentForms | None = None) -> str:
        """The base form of a name, its spacing kept; ``context``: its document's (:meth:`lemmas`)."""
        return self.alone(text, label) if context is None else self._in_context(text, label, context)

    def _alone(self, text: str, label: str) -> str:
        """The base form of a name by itself (cached: a page names a person many times)."""
        return self._in_context(text, label, None)

    def _in_context(self, text: str, label: str, context: DocumentForms | None) -> str:
        matches = list(_TOKEN.finditer(text))
        if not matches:
            return text
        words = [match.group() for match in matches]
        positions = [_position(index, len(words)) for index in range(len(words))]
        lemmas: list[str] = []
        readings: list[tuple[Form, ...]] = []  # each word's dictionary readings that give its base form
        previous = kept = ""
        for word, position in zip(words, positions):
            if context is None:
                lemma = self.lemma_of_word(word, label, position, previous, kept)
            else:
                lemma = self._lemma_of_word(word, label, position, previous, kept, context)
            forms: tuple[Form, ...] = ()
            if self.morphology is not None:
                before = readings[-1] if readings else None
                lemma, forms = self._by_dictionary(word, lemma, label, position, previous, kept, before, context)
            lemmas.append(lemma)
            readings.append(forms)
            previous, kept = word, ("=" if lemma == word else "~")
        for index in range(len(words) - 1):  # a word agrees with the inflected word after it
            if lemmas[index + 1] != words[index + 1]:
                agreed = self._agreeing(words[index], label, positions[index], lemmas[index + 1], readings[index : index + 2])
                lemmas[index] = agreed or lemmas[index]
        return _with_words(text, matches, lemmas)

    def _agreeing(self, word: str, label: str, position: str, next_lemma: str, readings: list[tuple[Form, ...]]) -> str | None:
        """The word's base form in agreement with the inflected word after it: by the dictionary
        where it read both (an adjective before its noun), else by the agreement rules."""
        if self.morphology is not None and readings[0] and readings[1]:
            prefix, core, suffix = _CORE.match(word).groups()  # type: ignore[union-attr]
            agreed = self.morphology.agreeing(core, readings[0], readings[1])
            if agreed is not None:
                return prefix + agreed + suffix
        return self.agreed_lemma(word, label, position, next_lemma)

    def _by_dictionary(
        self, word: str, lemma: str, label: str, position: str, previous: str, kept: str,
        before: tuple[Form, ...] | None, context: DocumentForms | None,
    ) -> tuple[str, tuple[Form, ...]]:
        """The word's base form as the dictionary reads it (``lemma``: the rules' answer, kept where
        the dictionary has nothing to say), and the readings that give it.

        The dictionary reads a word the rules never saw as a whole word (and, where it ranks its
        readings, one they did: the training topics' slips, "Техаса" given as its own base form), but not a
        word after one left as it is (a genitive chain: the rules decide) nor an abbreviation
        ("им."). After a word it read, a word stays as it is where it follows a common noun or
        cannot be in that word's case and number: a dependent genitive ("Коллегии выборщиков",
        "Верховным судом Пакистана"), not a surname after a first name ("Алексея Навального").
        Of the nominatives it may have, a base-form word seen in training, else the one its
        document backs most (:meth:`DocumentForms.weight`), else the most frequent reading's, wins;
        a reading the rules also give comes before one they do not."""
        prefix, core, suffix = _CORE.match(word).groups()  # type: ignore[union-attr]
        morphology = self.morphology
        if morphology is None or not core or kept == "=" or suffix.startswith("."):
            return lemma, ()
        candidates, whole_word = self.choices(core, label, position, previous, kept)
        if whole_word and not morphology.ranked:
            return lemma, ()
        forms = morphology.forms(core)
        if forms and before:
            forms = _in_apposition(forms, before)
            if not forms:
                return word, ()
        if not forms or (position == "only" and all(form.adjective for form in forms)):
            return lemma, ()
        if not morphology.ranked:  # readings in no order of frequency: a word that is a nominative first
            forms = tuple(sorted(forms, key=lambda form: form.case != "nomn"))
        nominatives = list(dict.fromkeys(form.nominative for form in forms))
        rank: dict[str, int] = {}  # lower-cased nominative → its best reading's place
        for place, nominative in enumerate(nominatives):
            rank.setdefault(nominative.lower(), place)
        ruled = _core(lemma)
        if whole_word:
            base = ruled if ruled.lower() in rank else nominatives[0]
        else:
            both = sorted((c for c in candidates if c.lower() in rank), key=lambda c: rank[c.lower()])
            base = self._pick_known(list(dict.fromkeys(both + nominatives + list(candidates))), set(rank), context)
        return prefix + base + suffix, tuple(form for form in forms if form.nominative.lower() == base.lower())

    def _pick_known(self, pool: list[str], readable: set[str], context: DocumentForms | None) -> str:
        """Of ``pool`` (best first), the one base-form word seen in training that the dictionary
        also reads (``readable``; the lexicon holds the training topics' slips too), else the one
        the document backs most: by how many of its forms may have it, then a nominative the
        dictionary reads before one the page writes ("Висконсина" → "Висконсин" on a page that
        never writes the nominative), else the first."""
        known = [lemma for lemma in pool if lemma.lower() in self.lexicon and lemma.lower() in readable]
        if len(known) == 1:
            return known[0]
        among = known or pool
        if context is None:
            return among[0]
        def backing(i: int) -> tuple[int, bool, bool, int]:
            count, written = context.weight(among[i])
            return count, among[i].lower() in readable, written, -i

        return among[max(range(len(among)), key=backing)]

    # -- storage ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang, "max_suffix": self.max_suffix, "min_count": self.min_count,
            "capitalize": sorted(self.capitalize), "lexicon": sorted(self.lexicon), "rules": self.rules,
        }

    def to_disk(self, path: str | Path) -> None:
        data = self.to_dict()
        data["rules"] = {k: [list(r) for r in v] for k, v in sorted(self.rules.items())}
        Path(path).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def from_disk(cls, path: str | Path, dictionary: bool = True) -> Lemmatizer:
        """The rules at ``path``, with their language's dictionary of word forms if there is one
        (:meth:`Morphology.of`) and ``dictionary``."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        lang = str(data.get("lang", ""))
        return cls(
            data["rules"], int(data["max_suffix"]), lang, int(data["min_count"]), list(data["capitalize"]),
            data.get("lexicon", ()), Morphology.of(lang) if dictionary else None,
        )


def load_supplement(path: str | Path, lang: str) -> dict[str, dict[str, str]]:
    """The hand-written rules of ``lang`` in a supplement TOML file (label → suffix → suffix)."""
    from .resources import load_toml

    return {label: dict(table) for label, table in load_toml(path).get(lang, {}).items()}


@lru_cache(maxsize=8)
def load_lemmatizer(path: str) -> Lemmatizer | None:
    """The rules at ``path`` (cached per process), or None if there is no such file."""
    p = Path(path)
    return Lemmatizer.from_disk(p) if p.is_file() else None
