"""Pieces: runs of words in one script that cross no sentence end, bracket or quote.

The unit that the names stage scans for foreign-script runs, and that language segmentation starts
from: it labels the words of a sentence's pieces of one script together (a language may change
inside a piece, at a cost; more cheaply between pieces), see ``textpipe.stages.languages``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .document import Block
from .langid import UNDETERMINED
from .scripts import OTHER, script_of

_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ\-][^\W\d_]+)*")
_SENTENCE_BREAK = re.compile(r"[.!?…]|\n")
_QUOTE_BREAK = re.compile(r"[()\[\]{}«»\"“”„‘’‹›:;|•–—]")
_OPENING = re.compile(r"[(\[{«\"“„‘‹]")
_CLOSING = re.compile(r"[)\]}»\"”“’›]")


@dataclass
class Piece:
    start: int
    end: int
    script: str
    words: int
    sentence: int
    delimited: bool
    lang: str = UNDETERMINED
    score: float = 0.0


def pieces_of(text: str, block: Block) -> list[Piece]:
    """The pieces of a block: runs of words in one script, cut at sentence ends, brackets, quotes.

    A piece is *delimited* when an opening bracket or quote stands before it and a closing one
    after it: "(Движение Будущего)".
    """
    pieces: list[Piece] = []
    sentence = 0
    previous_end = block.start
    for match in _WORD.finditer(text, block.start, block.end):
        start, end = match.span()
        script = _word_script(match.group())
        gap = text[previous_end:start]
        sentence_break = bool(pieces) and bool(_SENTENCE_BREAK.search(gap))
        quote_break = bool(_QUOTE_BREAK.search(gap))
        if pieces and not sentence_break and not quote_break and pieces[-1].script == script:
            pieces[-1].end = end
            pieces[-1].words += 1
        else:
            if pieces:
                _close(pieces[-1], gap)
            sentence += sentence_break
            pieces.append(Piece(start, end, script, 1, sentence, delimited=bool(_OPENING.search(gap))))
        previous_end = end
    if pieces:
        _close(pieces[-1], text[previous_end : block.end])
    return pieces


def _close(piece: Piece, gap_after: str) -> None:
    piece.delimited = piece.delimited and bool(_CLOSING.search(gap_after))


@lru_cache(maxsize=1 << 16)
def _word_script(word: str) -> str:
    """The script most of a word's letters are in (cached: words repeat all over a corpus)."""
    counts = Counter(script_of(c) for c in word if c.isalpha())
    if not counts:  # a "word" of no letters at all (², ⅷ...: \w but not alphabetic)
        return OTHER
    return counts.most_common(1)[0][0] or OTHER


def sentences_of(pieces: list[Piece]) -> list[list[Piece]]:
    sentences: list[list[Piece]] = []
    for piece in pieces:
        if sentences and sentences[-1][-1].sentence == piece.sentence:
            sentences[-1].append(piece)
        else:
            sentences.append([piece])
    return sentences


def main_script(sentence: list[Piece]) -> str:
    letters: Counter[str] = Counter()
    for piece in sentence:
        letters[piece.script] += piece.end - piece.start
    return letters.most_common(1)[0][0]


def word_spans(text: str, piece: Piece) -> list[tuple[int, int]]:
    """The ``[start, end)`` spans of the piece's words, in order (they cover all of its letters)."""
    return [m.span() for m in _WORD.finditer(text, piece.start, piece.end)]
