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

import numpy as np

from .document import Block
from .langid import UNDETERMINED
from .scripts import COMBINING_MARKS, CYRILLIC, LATIN, OTHER, STRESS_MARKS, script_of

#: a word: letters, each perhaps with combining marks ("Москва́", "हिंदी"), and inner apostrophes or hyphens
_LETTERS = f"[^\\W\\d_]+(?:[{COMBINING_MARKS}]+[^\\W\\d_]*)*"
_WORD = re.compile(f"{_LETTERS}(?:['’ʼ\\-]{_LETTERS})*")
_SENTENCE_BREAK = re.compile(r"[.!?…]|\n")
_QUOTE_BREAK = re.compile(r"[()\[\]{}«»\"“”„‘’‹›:;|•–—]")
_OPENING = re.compile(r"[(\[{«\"“„‘‹]")
_CLOSING = re.compile(r"[)\]}»\"”“’›]")


@dataclass(slots=True)
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
    piece: Piece | None = None
    for match in _WORD.finditer(text, block.start, block.end):
        start, end = match.span()
        script = _word_script(match.group())
        if piece is not None and start == previous_end + 1 and text[previous_end] == " ":
            sentence_break = quote_break = False  # most gaps: one space
            gap = " "
        else:
            gap = text[previous_end:start]
            sentence_break = piece is not None and bool(_SENTENCE_BREAK.search(gap))
            quote_break = bool(_QUOTE_BREAK.search(gap))
        if piece is not None and not sentence_break and not quote_break and piece.script == script:
            piece.end = end
            piece.words += 1
        else:
            if piece is not None:
                _close(piece, gap)
            sentence += sentence_break
            piece = Piece(start, end, script, 1, sentence, bool(_OPENING.search(gap)))
            pieces.append(piece)
        previous_end = end
    if piece is not None:
        _close(piece, text[previous_end : block.end])
    return pieces


def _close(piece: Piece, gap_after: str) -> None:
    piece.delimited = piece.delimited and bool(_CLOSING.search(gap_after))


#: words all of whose letters are Cyrillic, or Latin (every \\w character of these ranges but the
#: digits is a letter, so a word of the pattern that matches is all letters of one script)
_CYRILLIC_WORD = re.compile(f"[\u0400-\u052f{STRESS_MARKS}'’ʼ\\-]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff'’ʼ\-]+")


@lru_cache(maxsize=1 << 16)
def _word_script(word: str) -> str:
    """The script most of a word's letters are in (cached: words repeat all over a corpus)."""
    if word.isascii():  # a word of the pattern: ASCII letters, perhaps an apostrophe or hyphen
        return LATIN if any(c.isalpha() for c in word) else OTHER
    if _CYRILLIC_WORD.fullmatch(word):
        return CYRILLIC
    if _LATIN_WORD.fullmatch(word):
        return LATIN
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


#: bits of the characters that cut pieces (see ``pieces_of``), for ``page_words``
_SENTENCE_BIT, _QUOTE_BIT = 1, 2


def _break_table() -> np.ndarray:
    """Per code point below U+2100 (the last entry stands for every one above): its break bits."""
    table = np.zeros(0x2101, dtype=np.uint8)
    every = "".join(map(chr, range(0x2100)))  # character i at place i
    for pattern, bit in ((_SENTENCE_BREAK, _SENTENCE_BIT), (_QUOTE_BREAK, _QUOTE_BIT)):
        table[[match.start() for match in pattern.finditer(every)]] |= bit
    return table


_BREAKS = _break_table()


@dataclass
class PageWords:
    """The words of a page's blocks as arrays, one entry a word in text order, with the same
    pieces and sentences as ``pieces_of`` and ``sentences_of`` give block by block (a piece and a
    sentence never cross a block). Written forms are numbered: ``forms[form[i]]`` is word i."""

    start: np.ndarray
    end: np.ndarray
    block: np.ndarray
    form: np.ndarray
    forms: list[str]
    #: the page-wide number of the word's piece, and of its sentence
    piece: np.ndarray
    sentence: np.ndarray

    @property
    def size(self) -> int:
        return len(self.start)


def page_words(text: str, blocks: list[Block], script_codes: dict[str, int]) -> tuple[PageWords, np.ndarray]:
    """The page's words (``PageWords``) and each written form's script, as its code in ``script_codes``
    (a script not in it gets the next free code, added to it)."""
    words, start, end, counts = _words_of_blocks(text, blocks)
    index = {word: number for number, word in enumerate(dict.fromkeys(words))}
    form = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
    forms = list(index)
    scripts = list(map(_word_script, forms))
    codes = {script: script_codes.setdefault(script, len(script_codes)) for script in dict.fromkeys(scripts)}
    form_scripts = np.fromiter(map(codes.__getitem__, scripts), dtype=np.int64, count=len(forms))
    block = np.repeat(np.arange(len(blocks)), counts)
    block_starts = np.array([b.start for b in blocks], dtype=np.int64)[block]
    if not words:
        empty = np.zeros(0, dtype=np.int64)
        return PageWords(start, end, block, form, forms, empty, empty), form_scripts
    # what lies in the gap before each word: a sentence end? a bracket or quote?
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bits = _BREAKS[np.minimum(codes, len(_BREAKS) - 1)]
    sentence_ends = np.concatenate(([0], np.cumsum(bits & _SENTENCE_BIT, dtype=np.int64)))
    quotes = np.concatenate(([0], np.cumsum(bits & _QUOTE_BIT, dtype=np.int64)))
    first_in_block = np.ones(len(start), dtype=bool)
    first_in_block[1:] = block[1:] != block[:-1]
    gap_start = np.where(first_in_block, block_starts, np.concatenate(([0], end[:-1])))
    sentence_break = sentence_ends[start] > sentence_ends[gap_start]  # (before a block's first word: no matter)
    quote_break = quotes[start] > quotes[gap_start]
    script = form_scripts[form]
    script_change = np.ones(len(start), dtype=bool)
    script_change[1:] = script[1:] != script[:-1]
    piece = np.cumsum(first_in_block | sentence_break | quote_break | script_change) - 1
    sentence = np.cumsum(first_in_block | sentence_break) - 1
    return PageWords(start, end, block, form, forms, piece, sentence), form_scripts


_WORD_SPLIT = re.compile(f"({_WORD.pattern})")


def _words_of_blocks(text: str, blocks: list[Block]) -> tuple[list[str], np.ndarray, np.ndarray, list[int]]:
    """The words of the blocks (``_WORD`` matches, in text order), their starts and ends, and each
    block's number of words. (One ``re.split`` a block: its parts alternate gap, word, gap...; the
    offsets come from the parts' lengths, with no match object made per word.)"""
    words: list[str] = []
    lengths: list[int] = []
    counts: list[int] = []
    firsts: list[int] = []  # each block's first part
    for block in blocks:
        parts = _WORD_SPLIT.split(text[block.start : block.end])
        firsts.append(len(lengths))
        lengths += map(len, parts)
        words += parts[1::2]
        counts.append(len(parts) // 2)
    ends = np.cumsum(np.array(lengths, dtype=np.int64))
    part_counts = np.diff(np.array(firsts + [len(lengths)], dtype=np.int64))
    part_block = np.repeat(np.arange(len(blocks)), part_counts)
    before = np.concatenate(([0], ends))[firsts]  # the parts' length before each block's first part
    starts_of_blocks = np.array([b.start for b in blocks], dtype=np.int64)
    ends = ends - before[part_block] + starts_of_blocks[part_block]
    place = np.arange(len(lengths)) - np.array(firsts, dtype=np.int64)[part_block]
    word_ends = ends[place % 2 == 1]
    word_starts = word_ends - np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    return words, word_starts, word_ends, counts
