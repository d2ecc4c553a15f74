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
