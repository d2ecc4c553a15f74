"""Writing systems of characters: the cheapest and surest signal about a stretch of text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LATIN, CYRILLIC, OTHER = "Latn", "Cyrl", "Zyyy"
#: every character ``script_of`` calls Cyrillic (and a few non-letters of those blocks): a block
#: this finds nothing in has no Cyrillic word
CYRILLIC_LETTER = re.compile("[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f\u1d2b\u1d78]")


@lru_cache(maxsize=4096)
def script_of(char: str) -> str | None:
    """The script of a letter (Latn, Cyrl, or Zyyy for any other script); None for a non-letter."""
    if not char.isalpha():
        return None
    code = ord(char)
    if code < 0x250 or 0x1E00 <= code < 0x1F00 or 0xFF21 <= code <= 0xFF5A:
        return LATIN
    if 0x400 <= code < 0x530 or 0x1C80 <= code < 0x1C90 or 0x2DE0 <= code < 0x2E00 or 0xA640 <= code < 0xA6A0:
        return CYRILLIC
    name = unicodedata.name(char, "")
    if name.startswith("LATIN"):
        return LATIN
    if name.startswith("CYRILLIC"):
        return CYRILLIC
    return OTHER


def letter_counts(text: str) -> dict[str, int]:
    """How many letters of each script ``text`` holds."""
    counts: dict[str, int] = {}
    for char in text:
        script = script_of(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    return counts


def main_script(text: str) -> str | None:
    counts = letter_counts(text)
    return max(counts, key=counts.__getitem__) if counts else None


def _combining_marks() -> str:
    """The combining marks of the Basic Multilingual Plane (Unicode categories Mn, Mc, Me), as the
    inside of a regex character class: vowel signs of Indic scripts, accents written apart."""
    ranges: list[list[int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


#: see ``_combining_marks``; a word's letters may carry them (``pieces``: "हिंदी", "Москва́" are one word)
COMBINING_MARKS = _combining_marks()
#: the combining acute and grave accents, which Russian, Ukrainian and Belarusian dictionaries,
#: encyclopaedias and learners' texts put on a stressed vowel ("Алекса́ндр"); no romanization
#: standard writes them, and the name models never saw them
STRESS_MARKS = "\u0301\u0300"
_STRESS_AFTER_CYRILLIC = re.compile(f"(?<=[\u0400-\u052f])[{STRESS_MARKS}]+")


def without_stress(text: str) -> tuple[str, list[int] | None]:
    """``text`` without the stress marks that follow Cyrillic letters, and for each character left
    its place in ``text`` (None when there were none: the same text)."""
    if "\u0301" not in text and "\u0300" not in text:
        return text, None
    kept: list[int] = []
    last = 0
    for match in _STRESS_AFTER_CYRILLIC.finditer(text):
        kept.extend(range(last, match.start()))
        last = match.end()
    if last == 0:  # marks after other letters only
        return text, None
    kept.extend(range(last, len(text)))
    return "".join(text[i] for i in kept), kept


def stressed_span(text: str, kept: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """A span ``[start, end)`` of ``without_stress(text)`` as a span of ``text``, the stress marks
    on its last letter included."""
    if kept is None:
        return start, end
    first, last = kept[start], kept[end - 1] + 1
    while last < len(text) and text[last] in STRESS_MARKS:
        last += 1
    return first, last
