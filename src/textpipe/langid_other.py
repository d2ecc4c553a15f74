"""Languages outside textpipe's eight, recognised with langdetect's shipped profiles.

langdetect ships character 1-3-gram counts of 55 languages. We read those of the Latin- and
Cyrillic-script languages once (case folded), score a text with a plain naive Bayes over them
(deterministic: no random sampling), and report another language only when it explains the text
clearly better than the best of ours, by at least ``MARGIN`` nats per n-gram on average. The margin
was chosen so that none of the lid-dev development sentences of our eight languages gets relabelled
(Belarusian, which langdetect lacks, scores as close to Russian or Ukrainian).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from .langid_model import normalize, words_of
from .scripts import CYRILLIC, LATIN

#: nats per n-gram by which another language must beat ours
MARGIN = 0.5
_ALPHA = 0.5

_SCRIPT_PROFILES = {
    LATIN: (
        "af", "ca", "cs", "cy", "da", "de", "en", "es", "et", "fi", "fr", "hr", "hu", "id", "it", "lt",
        "lv", "nl", "no", "pl", "pt", "ro", "sk", "sl", "so", "sq", "sv", "sw", "tl", "tr", "vi",
    ),
    CYRILLIC: ("bg", "mk", "ru", "uk"),
}


class _Profiles:
    def __init__(self, langs: tuple[str, ...]) -> None:
        from langdetect.detector_factory import PROFILES_DIRECTORY

        self.langs = langs
        counts: list[dict[str, float]] = []
        totals: list[list[float]] = []
        for lang in langs:
            data = json.loads((Path(PROFILES_DIRECTORY) / lang).read_text(encoding="utf-8"))
            folded: dict[str, float] = {}
            for gram, count in data["freq"].items():
                key = gram.lower()
                if len(key) != len(gram):
                    continue
                folded[key] = folded.get(key, 0) + count
            counts.append(folded)
            totals.append([float(n) for n in data["n_words"]])
        self.counts = counts
        vocab = [0, 0, 0]
        for gram in {g for c in counts for g in c}:
            vocab[len(gram) - 1] += 1
        self.denominators = np.log(np.array([[t[n] + _ALPHA * vocab[n] for n in range(3)] for t in totals]))  # langs x 3
        self._cache: dict[str, np.ndarray | None] = {}

    def gram_vector(self, gram: str) -> np.ndarray | None:
        found = self._cache.get(gram, False)
        if found is not False:
            return found  # type: ignore[return-value]
        raw = [c.get(gram, 0.0) for c in self.counts]
        if not any(raw):
            vector = None
        else:
            vector = np.log(np.array(raw) + _ALPHA) - self.denominators[:, len(gram) - 1]
        if len(self._cache) < 500_000:
            self._cache[gram] = vector
        return vector

    def scores(self, text: str) -> tuple[np.ndarray, int]:
        vectors = []
        for word in words_of(normalize(text)):
            padded = f" {word} "
            for n in (1, 2, 3):
                for i in range(len(padded) - n + 1):
                    gram = padded[i : i + n]
                    if gram.isspace():
                        continue
                    v = self.gram_vector(gram)
                    if v is not None:
                        vectors.append(v)
        if not vectors:
            return np.zeros(len(self.langs)), 0
        return np.sum(vectors, axis=0), len(vectors)


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
    best_ours = max((s for lang, s in zip(profiles.langs, scores) if lang in ours), default=-math.inf)
    others = [(s, lang) for lang, s in zip(profiles.langs, scores) if lang not in ours]
    if not others:
        return None
    best_other, lang = max(others)
    gap = (best_other - best_ours) / n
    if gap < margin:
        return None
    # a rough confidence: the gap in units of the margin, squashed into (0.5, 1)
    return lang, float(1.0 - 0.5 * math.exp(-(gap - margin) * 10 - 0.7))
