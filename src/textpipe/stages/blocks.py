"""The ``blocks`` stage: cut a plain-text document into blocks (HTML documents have theirs already)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ..document import Block, Document
from ..stage import Stage

_LINE = re.compile(r"[^\n]+")
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
            pattern = _LINE if self.config.split == "lines" else _PARAGRAPH
            doc.blocks = list(split_blocks(doc.text, pattern))
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
