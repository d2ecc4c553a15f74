"""The ``blocks`` stage: cut a plain-text document into blocks (HTML documents have theirs already)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

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
                doc.blocks = [Block(*m.span()) for m in _TRIMMED_LINE.finditer(doc.text)]
            else:
                doc.blocks = list(split_blocks(doc.text, _PARAGRAPH))
        return doc


def split_blocks(text: str, pattern: re.Pattern[str] = _LINE) -> Iterator[Block]:
    """Blocks of ``text``: each match of ``pattern`` trimmed of surrounding white space."""
    for match in pattern.finditer(text):
        start, end = match.span()
        chunk = match.group()
        start += len(chunk) - len(chunk.lstrip())
        end -= len(chunk) - len(chunk.rstrip())
        if start < end:
            yield Block(start, end)
