"""The ``languages`` stage: language segments over every letter of the page, and the page's language.

Each block is cut into *pieces* (runs of words in one script that cross no sentence end, bracket or
quote; ``textpipe.pieces``), and the pieces into sentences. Within a sentence, the words of each
script are labelled together:

* Latin and Cyrillic words: each word gets the identifier's per-language log-likelihoods (its
  letters, n-grams, whether it is a known word of a language), and a Viterbi pass picks the labels
  that best explain the words, where changing language between two words costs ``switch_cost``
  inside a piece and ``boundary_switch_cost`` across a bracket, quote or other piece boundary. So a
  Polish phrase in an English sentence gets its own label when its words are Polish enough to pay
  for two changes, and a Cyrillic name inside English prose is labelled by its own letters among the
  Cyrillic languages (ў, і → be; ї, є, ґ → uk; ы, э, ъ → ru...).
  One word's evidence against a language is capped (``max_word_evidence``: names, loans), except
  that a word is never labelled a language that does not write one of its letters (ł, ó are not
  English; ї is not Russian), and a lower-case word unknown to the run's language and best in an
  unrelated one (Polish "zadzwoni" in English) counts twice the cap against it.
  A run whose every word is best in the run's language is labelled whole, with no search.
  When the whole run is in a language outside textpipe's eight (German, French, ...; see
  ``textpipe.langid_other``), it takes that label whole.
* Words of other scripts (Greek, Arabic, CJK): each piece is identified by langdetect.

Short sentences (fewer than ``short_letters`` letters in one script) take the page's languages of
that script, from its long sentences, as a prior (the dominant one weighs ``context_prior``).
Adjacent words of one language become one segment; segments never cross blocks and cover every
letter of every block. The page's language is the dominant language of its body.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..document import Document, Segment
from ..langid import SCRIPT_LANGS, UNDETERMINED, LanguageIdentifier
from ..langid_model import LANGS, excluded_bits, words_of
from ..pieces import Piece, pieces_of, sentences_of, word_spans
from ..stage import Stage

_INDEX = {lang: i for i, lang in enumerate(LANGS)}
#: the emission (calibrated nats) of a language a word's letters rule out: no path takes it
_IMPOSSIBLE = 1e6
#: groups of closely related languages
_RELATED = (frozenset({"pl", "cs", "sk"}), frozenset({"ru", "uk", "be", "bg"}))


@dataclass
class LanguagesConfig:
    #: seed of langdetect's random sampling (used for scripts other than Latin and Cyrillic)
    seed: int
    #: a sentence's run of one script with fewer letters than this takes the page's languages as a prior
    short_letters: int
    #: prior weight of the page's dominant language of the script for short runs (0 disables the prior)
    context_prior: float
    #: cost, in calibrated nats, of a change of language between two words of one piece
    switch_cost: float
    #: cost of a change of language across a piece boundary (bracket, quote, colon, dash...)
    boundary_switch_cost: float
    #: most evidence, in calibrated nats, one word gives against a language (so that one odd word,
    #: a name say, cannot pay for two changes of language on its own)
    max_word_evidence: float
    #: ...except a foreign word in lower case (unknown to the host's word table, best in an unrelated
    #: language), which may count this many times ``max_word_evidence`` against its host
    foreign_word_cap_factor: float
    #: a stretch of words labelled otherwise than the run it sits in keeps its label only if its own
    #: calibrated score reaches this (else it takes the run's language)
    own_stretch_min_score: float
    #: recognise languages outside textpipe's eight (de, fr, ...) from langdetect's profiles
    other_languages: bool


@dataclass
class _Word:
    start: int
    end: int
    piece: int
    words: list[str]
    #: written with a capital (a name, often): its evidence is capped at ``max_word_evidence``
    capitalized: bool = False
    #: the languages (bits of LANGS) that never write one of its letters
    excluded: int = 0
    lang: str = UNDETERMINED
    score: float = 0.0


class Languages(Stage):
    name = "languages"
    Config = LanguagesConfig

    def __init__(self, config: LanguagesConfig) -> None:
        super().__init__(config)
        self.identifier = LanguageIdentifier(seed=config.seed, other_languages=config.other_languages)

    def process(self, doc: Document) -> Document:
        text = doc.text
        runs: list[tuple[str, list[Piece]]] = []  # (script, pieces of one sentence in that script)
        blocks_of_run: list[int] = []
        for number, block in enumerate(doc.blocks):
            for sentence in sentences_of(pieces_of(text, block)):
                by_script: dict[str, list[Piece]] = {}
                for piece in sentence:
                    by_script.setdefault(piece.script, []).append(piece)
                runs.extend(by_script.items())
                blocks_of_run.extend([number] * len(by_script))
        tokens: dict[str, tuple[list[str], int]] = {}  # a page's words repeat: each is read once
        words_of_run = [self._words(text, pieces, tokens) for _, pieces in runs]
        letters = [sum(w.end - w.start for w in words) for words in words_of_run]
        tally: dict[str, Counter[str]] = {}
        for (script, pieces), words, size in zip(runs, words_of_run, letters):
            if size >= self.config.short_letters or script not in SCRIPT_LANGS:
                self._label(text, script, pieces, words, None)
                for word in words:
                    tally.setdefault(script, Counter())[word.lang] += word.end - word.start
        for (script, pieces), words, size in zip(runs, words_of_run, letters):
            if size < self.config.short_letters and script in SCRIPT_LANGS:
                self._label(text, script, pieces, words, self._prior(tally.get(script)))
        per_block: dict[int, list[_Word]] = {}
        for number, words in zip(blocks_of_run, words_of_run):
            per_block.setdefault(number, []).extend(words)
        doc.segments = []
        for number in sorted(per_block):
            doc.segments.extend(merge_units(sorted(per_block[number], key=lambda w: w.start)))
        doc.lang = dominant_language(doc)
        return doc

    @staticmethod
    def _words(text: str, pieces: list[Piece], tokens: dict[str, tuple[list[str], int]]) -> list[_Word]:
        """The words of the pieces; ``tokens`` keeps each written form's lower-cased words and the
        languages its letters exclude."""
        out = []
        for index, piece in enumerate(pieces):
            for start, end in word_spans(text, piece):
                form = text[start:end]
                found = tokens.get(form)
                if found is None:
                    lowered = words_of(form)
                    found = tokens[form] = (lowered, excluded_bits(lowered))
                out.append(_Word(start, end, index, found[0], form[0].isupper(), found[1]))
        return out

    def _prior(self, tally: Counter[str] | None) -> dict[str, float] | None:
        """The page's languages of a script (from its long runs), as a prior for its short runs:
        the dominant one weighs ``context_prior``, the others share the rest."""
        if not tally or self.config.context_prior <= 0:
            return None
        ranked = [lang for lang, _ in tally.most_common() if lang in _INDEX]
        if not ranked:
            return None
        if len(ranked) == 1:
            return {ranked[0]: self.config.context_prior}
        rest = (1 - self.config.context_prior) / (len(ranked) - 1)
        return {lang: self.config.context_prior if i == 0 else rest for i, lang in enumerate(ranked)}

    def _label(self, text: str, script: str, pieces: list[Piece], words: list[_Word], prior: dict[str, float] | None) -> None:
        ident = self.identifier
        if script not in SCRIPT_LANGS:
            for index, piece in enumerate(pieces):
                found = ident.identify(text[piece.start : piece.end])
                _set(piece, found.lang, found.score)
                for word in words:
                    if word.piece == index:
                        word.lang, word.score = found.lang, found.score
            return
        run_text = " ".join(text[p.start : p.end] for p in pieces)
        if self.config.other_languages and sum(w.end - w.start for w in words) >= ident.other_min_letters:
            whole = ident.outside_language(run_text)
            if whole is not None:  # another language, or romanized Russian ("und")
                for word in words:
                    word.lang, word.score = whole.lang, whole.score
                for piece in pieces:
                    _set(piece, whole.lang, whole.score)
                return
        labels = self._viterbi(script, words, prior)
        # each stretch of one label gets the calibrated probability of that label for its words
        start = 0
        for i in range(1, len(words) + 1):
            if i == len(words) or labels[i] != labels[start]:
                stretch = [t for w in words[start:i] for t in w.words]
                probs = ident.probabilities_of_words(stretch, script, prior)
                lang = labels[start]
                score = probs.get(lang, 0.0)
                if lang == max(probs, key=probs.__getitem__):
                    score = ident.model.calibrated(score)
                for word in words[start:i]:
                    word.lang, word.score = lang, score
                start = i
        by_piece: dict[int, list[_Word]] = {}
        for word in words:
            by_piece.setdefault(word.piece, []).append(word)
        for index, mine in by_piece.items():
            letters: Counter[str] = Counter()
            for word in mine:
                letters[word.lang] += word.end - word.start
            lang = letters.most_common(1)[0][0]
            _set(pieces[index], lang, max(w.score for w in mine if w.lang == lang))

    def _emissions(self, words: list[_Word], langs: tuple[str, ...], prior_logs: np.ndarray) -> tuple[np.ndarray, int]:
        """The words' emissions (calibrated nats, one column per language of the script) and the
        run's host (its best language as a whole).

        Each word's evidence against a language is capped at ``max_word_evidence`` (names, loans),
        except a foreign word in lower case against the host (``_uncap_foreign_words``), and a
        language that does not write one of the word's letters, which it can never be (``_rule_out``)."""
        model = self.identifier.model
        columns = [_INDEX[lang] for lang in langs]
        raw = model.word_matrix([w.words for w in words])[:, columns] / model.temperature(1)
        capped = np.maximum(raw, raw.max(axis=1, keepdims=True) - self.config.max_word_evidence)
        host = int(np.argmax(capped.sum(axis=0) + prior_logs))
        self._uncap_foreign_words(words, raw, capped, langs, host)
        _rule_out(capped, [w.excluded for w in words], columns)
        return capped, host

    def _uncap_foreign_words(self, words: list[_Word], raw: np.ndarray, capped: np.ndarray, langs: tuple[str, ...], host: int) -> None:
        """Let a word count more against the host when it is unlikely to be a name or a host word.

        The cap on a word's evidence is there for names and loans; a word in lower case that the
        host's word table does not know and whose best language is unrelated to the host's (Polish
        "prowadzi" in English) gets ``foreign_word_cap_factor`` times the cap against the host. Between
        related languages (ru uk be bg; pl cs sk) single-word evidence stays capped: they share
        most words, and their word tables are uneven (Belarusian has no frequency list).
        """
        host_lang = langs[host]
        host_bit = 1 << _INDEX[host_lang]
        known_bits = self.identifier.model.known_bits
        wide = self.config.foreign_word_cap_factor * self.config.max_word_evidence
        tops = raw.argmax(axis=1)
        for i in np.flatnonzero(tops != host).tolist():
            word, top = words[i], int(tops[i])
            if word.capitalized or len(word.words) != 1 or _related(langs[top], host_lang):
                continue
            if not known_bits(word.words[0]) & host_bit:
                capped[i, host] = max(raw[i, host], raw[i, top] - wide)

    def _viterbi(self, script: str, words: list[_Word], prior: dict[str, float] | None) -> list[str]:
        """The labels of the words that maximise emissions minus the costs of changing language.

        The run's *host* is its best language as a whole; starting or ending the run in another
        language costs ``switch_cost`` as well, so an inserted stretch always pays for two changes.
        When every word's best emission is the host's, no change of language can pay: the whole
        run is the host's, with no search (most sentences of a page).
        A stretch not in the host keeps its label only if it is unlikely to be in the host
        language on its own (``own_stretch_min_score``).
        """
        langs = SCRIPT_LANGS[script]
        prior_logs = np.zeros(len(langs))
        if prior:
            floor_weight = min(w for w in prior.values() if w > 0) / 10
            prior_logs = np.log([prior.get(lang, 0.0) or floor_weight for lang in langs])
        emissions, host = self._emissions(words, langs, prior_logs)
        if (emissions[:, host] >= emissions.max(axis=1)).all():
            return [langs[host]] * len(words)
        path = _best_path(
            emissions.tolist(),
            prior_logs.tolist(),
            host,
            [self.config.switch_cost if a.piece == b.piece else self.config.boundary_switch_cost for a, b in zip(words, words[1:])],
            self.config.switch_cost,
        )
        labels = [langs[s] for s in path]
        # a stretch off the host must also be convincing on its own: unlikely to be in the host
        # language (whichever of the others it is: "na nich" is Polish or Czech, but not English)
        host_lang = langs[host]
        start = 0
        for i in range(1, len(words) + 1):
            if i == len(words) or labels[i] != labels[start]:
                impossible = (emissions[start:i, host] <= -_IMPOSSIBLE).any()
                if labels[start] != host_lang and i - start < len(words) and not impossible:
                    stretch = [t for w in words[start:i] for t in w.words]
                    own = self.identifier.probabilities_of_words(stretch, script)
                    if 1.0 - own.get(host_lang, 0.0) < self.config.own_stretch_min_score:
                        labels[start:i] = [host_lang] * (i - start)
                start = i
        return labels


def _best_path(emissions: list[list[float]], prior_logs: list[float], host: int, costs: list[float], edge_cost: float) -> list[int]:
    """Viterbi: the states maximising the emissions less ``costs[i]`` for each change between
    words i and i+1, and less ``edge_cost`` for starting or ending in a state other than ``host``."""
    states = range(len(prior_logs))
    edge = [0.0 if j == host else -edge_cost for j in states]
    best = [edge[j] + prior_logs[j] + emissions[0][j] for j in states]
    back: list[list[int]] = []
    for emit, cost in zip(emissions[1:], costs):
        top = max(states, key=best.__getitem__)
        new, pointers = [], []
        for j in states:
            if best[j] >= best[top] - cost or top == j:
                new.append(best[j] + emit[j])
                pointers.append(j)
            else:
                new.append(best[top] - cost + emit[j])
                pointers.append(top)
        best = new
        back.append(pointers)
    best = [b + edge[j] for j, b in enumerate(best)]
    state = max(states, key=best.__getitem__)
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    path.reverse()
    return path


def _related(a: str, b: str) -> bool:
    return any(a in group and b in group for group in _RELATED)


def _rule_out(emissions: np.ndarray, ruled_out: list[int], columns: list[int]) -> None:
    """A word is never labelled a language that does not write one of its letters (ł is not
    English, ў not Russian): such emissions drop far below any cost of changing language, whatever
    the cap on a word's evidence. A word every candidate excludes (odd spelling) keeps its scores."""
    for i, bits in enumerate(ruled_out):
        if not bits or all(bits >> c & 1 for c in columns):
            continue
        for j, c in enumerate(columns):
            if bits >> c & 1:
                emissions[i, j] = -_IMPOSSIBLE


def _set(piece: Piece, lang: str, score: float) -> None:
    piece.lang, piece.score = lang, score


def merge_units(units: list[_Word]) -> list[Segment]:
    """Adjacent words of one language become one segment; its score is letter-weighted."""
    segments: list[Segment] = []
    weight = 0
    for unit in units:
        size = unit.end - unit.start
        if segments and segments[-1].lang == unit.lang:
            last = segments[-1]
            last.score = (last.score * weight + unit.score * size) / (weight + size)
            last.end = unit.end
            weight += size
        else:
            segments.append(Segment(unit.start, unit.end, unit.lang, unit.score))
            weight = size
    return segments


def dominant_language(doc: Document) -> str:
    """The language holding most letters of the body; "und" when the body has no letters."""
    spans = sorted((b.start, b.end) for b in doc.body_blocks)
    letters: Counter[str] = Counter()
    first = 0  # segments and blocks are both in order: one sweep over the two
    for seg in sorted(doc.segments, key=lambda s: s.start):
        while first < len(spans) and spans[first][1] <= seg.start:
            first += 1
        if seg.lang == UNDETERMINED:
            continue
        inside = 0
        k = first
        while k < len(spans) and spans[k][0] < seg.end:
            inside += min(seg.end, spans[k][1]) - max(seg.start, spans[k][0])
            k += 1
        if inside > 0:
            letters[seg.lang] += inside
    return letters.most_common(1)[0][0] if letters else UNDETERMINED
