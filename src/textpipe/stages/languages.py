"""The ``languages`` stage: language segments over every letter of the page, and the page's language.

Each block is cut into *pieces*: runs of words that do not cross a change of script, a sentence
end, a bracket or a quote. A sentence is identified from its pieces in its main script; a piece in
another script (a Cyrillic name inside English prose) is identified from its own letters, and a
bracketed or quoted piece of some length gets its own identification if that one is confident.
Short sentences lean on the page's dominant language as a prior. Adjacent pieces of one language
are merged into a segment; segments never cross blocks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..document import Block, Document, Segment
from ..langid import UNDETERMINED, Identification, LanguageIdentifier
from ..pieces import Piece, main_script, main_text, pieces_of, sentences_of
from ..stage import Stage



@dataclass
class LanguagesConfig:
    #: seed of langdetect's random sampling, so that runs are reproducible
    seed: int
    #: a sentence with fewer letters than this is identified with the page's language as a prior
    short_letters: int
    #: prior weight of the page's dominant language for short sentences (0 disables the prior)
    context_prior: float
    #: a bracketed or quoted piece with at least this many words is identified on its own ...
    own_piece_min_words: int
    #: ... and keeps its own language if the identification scores at least this
    own_piece_min_score: float


class Languages(Stage):
    name = "languages"
    Config = LanguagesConfig

    def __init__(self, config: LanguagesConfig) -> None:
        super().__init__(config)
        self.identifier = LanguageIdentifier(seed=config.seed)

    def process(self, doc: Document) -> Document:
        per_block = [pieces_of(doc.text, block) for block in doc.blocks]
        sentences = [sentence for pieces in per_block for sentence in sentences_of(pieces)]
        mains = [main_text(doc.text, sentence) for sentence in sentences]
        is_long = [_letters(main) >= self.config.short_letters for main in mains]
        tally: dict[str, Counter[str]] = {}  # script -> language -> letters, of long sentences
        for sentence, main, long in zip(sentences, mains, is_long):
            if long:
                found = self._label_sentence(doc.text, sentence, main, None)
                tally.setdefault(main_script(sentence), Counter())[found.lang] += _letters(main)
        for sentence, main, long in zip(sentences, mains, is_long):
            if not long:
                self._label_sentence(doc.text, sentence, main, self._prior(tally.get(main_script(sentence))))
        doc.segments = [seg for pieces in per_block for seg in merge_pieces(pieces)]
        doc.lang = dominant_language(doc)
        return doc

    def _prior(self, tally: Counter[str] | None) -> dict[str, float] | None:
        """The languages of the page's long sentences in one script, as the candidates and prior for
        its short ones: the dominant one weighs ``context_prior``, the others share the rest."""
        if not tally or self.config.context_prior <= 0:
            return None
        ranked = [lang for lang, _ in tally.most_common() if lang != UNDETERMINED]
        if not ranked:
            return None
        rest = (1 - self.config.context_prior) / max(len(ranked) - 1, 1)
        return {lang: self.config.context_prior if i == 0 else rest for i, lang in enumerate(ranked)}

    def _label_sentence(self, text: str, sentence: list[Piece], main: str, prior: dict[str, float] | None) -> Identification:
        found = self.identifier.identify(main, prior)
        script = main_script(sentence)
        for piece in sentence:
            piece_text = text[piece.start : piece.end]
            if piece.script != script:
                _assign(piece, self.identifier.identify(piece_text))
            elif piece.delimited and piece.words >= self.config.own_piece_min_words and len(sentence) > 1:
                own = self.identifier.identify(piece_text)
                _assign(piece, own if own.score >= self.config.own_piece_min_score else found)
            else:
                _assign(piece, found)
        return found


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def _assign(piece: Piece, found: Identification) -> None:
    piece.lang, piece.score = found.lang, found.score


def merge_pieces(pieces: list[Piece]) -> list[Segment]:
    """Adjacent pieces of one language become one segment; its score is letter-weighted."""
    segments: list[Segment] = []
    weight = 0
    for piece in pieces:
        size = piece.end - piece.start
        if segments and segments[-1].lang == piece.lang:
            last = segments[-1]
            last.score = (last.score * weight + piece.score * size) / (weight + size)
            last.end = piece.end
            weight += size
        else:
            segments.append(Segment(piece.start, piece.end, piece.lang, piece.score))
            weight = size
    return segments


def dominant_language(doc: Document) -> str:
    """The language holding most letters of the body; "und" when the body has no letters."""
    spans = [(b.start, b.end) for b in doc.body_blocks]
    letters: Counter[str] = Counter()
    for seg in doc.segments:
        if seg.lang == UNDETERMINED:
            continue
        inside = sum(max(0, min(seg.end, end) - max(seg.start, start)) for start, end in spans)
        letters[seg.lang] += inside
    letters = Counter({lang: n for lang, n in letters.items() if n > 0})
    return letters.most_common(1)[0][0] if letters else UNDETERMINED
