"""The ``blocks`` stage: cut a plain-text document into blocks (HTML documents have theirs already)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from ..document import Block, Document
from ..stage import Stage

_LINE = re.compile(r"[^\n]+")
#: a line from its first to its last non-space character (what ``_LINE`` gives, trimmed)
_TRIMMED_LINE = re.compile(r"\S(?:[^\n]*\S)?")
_PARAGRAPH = re.compile(r"[^\n]+(?:\n[ \t]*[^\s][^\n]*)*")


@dataclass
class BlocksConfig:
    #: "lines": every non-blank line is a block (scrapers' dumps: one block a line);
    #: "paragraphs": runs of non-blank lines separated by blank lines (hard-wrapped text)
    split: Literal["lines", "paragraphs"]


class Blocks(Stage):
    name = "blocks"
    Config = BlocksConfig

    def process(self, doc: Document) -> Document:
        if not doc.blocks:
            if self.config.split == "lines":
                doc.blocks = line_blocks(doc.text)
            else:
                doc.blocks = list(split_blocks(doc.text, _PARAGRAPH))
        return doc


#: every white space character (``str.isspace``, ``\\s``) is below this code point
_SPACES_BELOW = 0x3001


@lru_cache(maxsize=1)
def _is_space() -> np.ndarray:
    """Per code point below ``_SPACES_BELOW``, whether it is white space; and False past them."""
    return np.array([chr(c).isspace() for c in range(_SPACES_BELOW)] + [False])


def line_blocks(text: str) -> list[Block]:
    """The blocks of ``_TRIMMED_LINE`` in ``text``: its non-blank lines without the white space
    around them. The lines are found by their newlines at once; a line that starts and ends with
    a character that is not white space (almost every one) is its own block, the others are
    matched (the same spans as the regex over the whole text: no match spans a newline)."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    newlines = np.flatnonzero(cps == ord("\n"))
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(cps)]))
    filled = ends > starts
    starts, ends = starts[filled], ends[filled]
    space = _is_space()
    edged = np.flatnonzero(space.take(cps.take(starts), mode="clip") | space.take(cps.take(ends - 1), mode="clip"))
    first, last = starts.tolist(), ends.tolist()
    if len(edged):
        for k in edged.tolist():
            match = _TRIMMED_LINE.search(text, first[k], last[k])
            first[k], last[k] = match.span() if match is not None else (-1, -1)
        kept = [k for k, start in enumerate(first) if start >= 0]
        first, last = [first[k] for k in kept], [last[k] for k in kept]
    return list(map(Block, first, last))


def split_blocks(text: str, pattern: re.Pattern[str] = _LINE) -> Iterator[Block]:
    """Blocks of ``text``: each match of ``pattern`` trimmed of surrounding white space."""
    for match in pattern.finditer(text):
        start, end = match.span()
        chunk = match.group()
        start += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if start < end:
            yield Block(start, end)
