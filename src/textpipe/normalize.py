"""Text normalization, applied once when a document is read; offsets index its result.

What it does, in order: lone surrogates become U+FFFD; CRLF, CR, NEL, LS and PS become ``\\n``;
control characters other than ``\\n`` and ``\\t`` (NUL included) and the BOM are dropped; the text
is put into Unicode NFC.
"""

from __future__ import annotations

import re
import unicodedata

_NEWLINES = re.compile("\r\n|[\r\x85\u2028\u2029]")
# C0 and C1 controls except tab and newline, DEL, and a stray BOM / zero-width no-break space.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
#: any character that one of the substitutions below would touch
_TOUCHED = re.compile("[\ud800-\udfff\r\x85\u2028\u2029\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ufeff]")


def normalize_text(text: str) -> str:
    """Return ``text`` in the form every stage sees: NFC, ``\\n`` newlines, no stray controls."""
    if _TOUCHED.search(text) is None:  # the common case: one scan instead of three
        return unicodedata.normalize("NFC", text)
    text = _SURROGATES.sub("\ufffd", text)
    text = _NEWLINES.sub("\n", text)
    text = _CONTROLS.sub("", text)
    return unicodedata.normalize("NFC", text)


def clean_json_value(value: object) -> object:
    """``value`` (parsed JSON) with lone surrogates in its strings replaced, so it can be written."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, list):
        return [clean_json_value(v) for v in value]
    if isinstance(value, dict):
        return {clean_json_value(k): clean_json_value(v) for k, v in value.items()}
    return value
