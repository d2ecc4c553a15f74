"""The ``names`` stage: find names. For now: every Cyrillic run inside non-Cyrillic text.

A run of Cyrillic words in a sentence whose main script is not Cyrillic ("Movement of the Future
(Движение Будущего)") is a name in the page's foreign script; its label is ``MISC`` because no rule
here can tell a person from an organisation (the trained recognizers of a later stage can).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..document import Document, Name, Segment
from ..langid import UNDETERMINED
from ..pieces import main_script, pieces_of, sentences_of
from ..scripts import CYRILLIC
from ..stage import Stage

#: letters that settle a Cyrillic name's language whatever its segment says
_LETTER_LANGS = (("ў", "be"), ("ї", "uk"), ("є", "uk"), ("ґ", "uk"))
RUN_LABEL = "MISC"


@dataclass
class NamesConfig:
    #: look for names in the body blocks only, or in every block
    scope: Literal["body", "all"]
    #: longest run, in words, that is still taken for a name (longer ones are quotations)
    max_words: int
    #: a run must start with a capital letter to be a name
    require_capital: bool


class Names(Stage):
    name = "names"
    Config = NamesConfig

    def process(self, doc: Document) -> Document:
        blocks = doc.blocks if self.config.scope == "all" else doc.body_blocks
        names: list[Name] = []
        for block in blocks:
            for sentence in sentences_of(pieces_of(doc.text, block)):
                if main_script(sentence) == CYRILLIC:
                    continue
                for piece in sentence:
                    if piece.script == CYRILLIC and self._is_name(doc.text[piece.start : piece.end], piece.words):
                        names.append(self._name(doc, piece.start, piece.end))
        doc.names = names
        return doc

    def _is_name(self, text: str, words: int) -> bool:
        return words <= self.config.max_words and (not self.config.require_capital or text[0].isupper())

    def _name(self, doc: Document, start: int, end: int) -> Name:
        text = doc.text[start:end]
        return Name(start, end, text, RUN_LABEL, name_language(text, doc.segments, start))


def name_language(text: str, segments: list[Segment], start: int) -> str:
    """The language of a name: its segment's, unless its letters settle it."""
    lowered = text.lower()
    for letter, lang in _LETTER_LANGS:
        if letter in lowered:
            return lang
    for segment in segments:
        if segment.start <= start < segment.end:
            return segment.lang
    return UNDETERMINED
