"""Languages outside textpipe's eight, recognised with langdetect's shipped profiles.

langdetect ships character 1-3-gram counts of 55 languages. We read those of the Latin- and
Cyrillic-script languages once (case folded), score a text with a plain naive Bayes over them
(deterministic: no random sampling), and report another language only when it explains the text
clearly better than the best of ours, by at least ``MARGIN`` nats per n-gram on average.

An n-gram's probability in a language is its share of the language's n-grams of its length plus
langdetect's own smoothing weight (0.5 / 10,000), the same for every language: a floor that grew
with the size of a language's profile (add-one style) let the smaller profiles win on rare
n-grams ("Karzai condemns desecration of bodies" came out Romanian).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from .langid_model import normalize, words_of
from .scripts import CYRILLIC, LATIN

#: nats per n-gram by which another language must beat ours: with none of the lid-dev development
#: sentences of our eight languages relabelled from 0.15 up (Belarusian, which langdetect lacks,
#: scores as close to Russian or Ukrainian) and English headlines safe from 0.2 up ("Hirequip
#: Wanaka Equipment & Machinery" was Swahili at 0.15), 0.2 keeps most other-language sentences
MARGIN = 0.2
#: langdetect's smoothing: its alpha over its base frequency
_FLOOR = 0.5 / 10_000
#: words whose n-gram rows a script's profiles keep (bounded memory: ~6 MB a script when full)
_CACHED_WORDS = 20_000

_SCRIPT_PROFILES = {
    LATIN: (
        "af", "ca", "cs", "cy", "da", "de", "en", "es", "et", "fi", "fr", "hr", "hu", "id", "it", "lt",
        "lv", "nl", "no", "pl", "pt", "ro", "sk", "sl", "so", "sq", "sv", "sw", "tl", "tr", "vi",
    ),
    CYRILLIC: ("bg", "mk", "ru", "uk"),
}


class _Profiles:
    """The profiles of a script's languages as one matrix: a row per n-gram that some of them has,
    a column per language, each cell the n-gram's smoothed log-probability in that language."""

    def __init__(self, langs: tuple[str, ...]) -> None:
        self.langs = langs
        rows: dict[str, int] = {}
        places: list[np.ndarray] = []  # per language: the rows of its n-grams...
        counts: list[np.ndarray] = []  # ...and their counts
        totals: list[list[float]] = []
        for lang in langs:
            data = langdetect_profile(lang)
            folded: dict[str, float] = {}
            for gram, count in data["freq"].items():
                key = gram.lower()
                if len(key) == len(gram):
                    folded[key] = folded.get(key, 0) + count
            for gram in folded:
                if gram not in rows:
                    rows[gram] = len(rows)
            places.append(np.fromiter(map(rows.__getitem__, folded), dtype=np.int64, count=len(folded)))
            counts.append(np.fromiter(folded.values(), dtype=np.float64, count=len(folded)))
            totals.append([float(n) for n in data["n_words"]])
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        matrix = np.zeros((len(rows), len(langs)))
        for column, (where, count) in enumerate(zip(places, counts)):
            matrix[where, column] = count
        self.rows = rows
        self.logp = np.log(matrix / np.array(totals).T[lengths - 1] + _FLOOR)
        #: a word's n-gram rows, kept per instance (a batch run asks about the same words again and again)
        self.word_rows = lru_cache(maxsize=_CACHED_WORDS)(self._word_rows)

    def scores(self, text: str) -> tuple[np.ndarray, int]:
        """The text's summed log-likelihood per language, and the number of its n-grams that count."""
        found = [row for word in words_of(normalize(text)) for row in self.word_rows(word)]
        if not found:
            return np.zeros(len(self.langs)), 0
        return self.logp.take(found, axis=0).sum(axis=0), len(found)

    def _word_rows(self, word: str) -> tuple[int, ...]:
        """The rows of the word's n-grams that some profile has: its letters, then the 2- and 3-grams
        of the word padded with a space on each side."""
        padded = f" {word} "
        grams = [*word, *(padded[i : i + 2] for i in range(len(padded) - 1)), *(padded[i : i + 3] for i in range(len(padded) - 2))]
        return tuple(row for row in map(self.rows.get, grams) if row is not None)


def langdetect_profile(lang: str) -> dict:  # type: ignore[type-arg]
    """langdetect's shipped profile of ``lang`` (its n-gram counts ``freq``, ``n_words``, ``name``)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return json.loads((Path(PROFILES_DIRECTORY) / lang).read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _profiles(script: str) -> _Profiles:
    return _Profiles(_SCRIPT_PROFILES[script])


def other_language(text: str, script: str, ours: tuple[str, ...], margin: float = MARGIN) -> tuple[str, float] | None:
    """(language, score) when a language outside ``ours`` explains the text clearly better, else None."""
    if script not in _SCRIPT_PROFILES:
        return None
    profiles = _profiles(script)
    scores, n = profiles.scores(text)
    if n == 0:
        return None
    ours_mask = np.array([lang in ours for lang in profiles.langs])
    if ours_mask.all():
        return None
    best_ours = scores[ours_mask].max() if ours_mask.any() else -math.inf
    others = np.flatnonzero(~ours_mask)
    best = others[np.argmax(scores[others])]
    best_other, lang = scores[best], profiles.langs[best]
    gap = (best_other - best_ours) / n
    if gap < margin:
        return None
    # a rough confidence: the gap in units of the margin, squashed into (0.5, 1)
    return lang, float(1.0 - 0.5 * math.exp(-(gap - margin) * 10 - 0.7))
