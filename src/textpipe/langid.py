"""Language identification of a short text: alphabets first, then a statistical detector.

Cyrillic languages are told apart by their alphabets where the letters decide (ў is Belarusian;
ї, є, ґ are Ukrainian; ы, э, ё, ъ are not Ukrainian; и, щ, ъ are not Belarusian...), and by
langdetect (seeded, so deterministic) among the languages the letters still allow. langdetect has
no Belarusian: Belarusian is decided by its letters and spelling alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .scripts import CYRILLIC, letter_counts

UNDETERMINED = "und"

#: lower-case alphabets of the Cyrillic languages we tell apart
ALPHABETS: dict[str, frozenset[str]] = {
    "ru": frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
    "uk": frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
    "be": frozenset("абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
    "bg": frozenset("абвгдежзийклмнопрстуфхцчшщъьюя"),
    "mk": frozenset("абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
    "sr": frozenset("абвгдђежзијклљмнњопрстћуфхцчџш"),
}
_CYRILLIC_ORDER = ("ru", "uk", "be", "bg", "mk", "sr")
# Belarusian spells э and е after hardened consonants where Russian has е: "шэ", "чэ", "рэ", "цэ"...
_BELARUSIAN_SPELLING = re.compile(r"[бвгджзклмнпрстфхцчш]э|дз[еёюяі]|ць|[аеёіоуыэюя]ў")


@dataclass(frozen=True)
class Identification:
    lang: str
    score: float


class LanguageIdentifier:
    """Identify the language of a text, optionally with prior probabilities from its context."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def identify(self, text: str, prior: dict[str, float] | None = None) -> Identification:
        """The language of ``text``. A ``prior`` (language weights from the text's context, say the
        page's languages) restricts the candidates to its languages when the letters do not decide."""
        counts = letter_counts(text)
        if not counts:
            return Identification(UNDETERMINED, 0.0)
        if max(counts, key=counts.__getitem__) == CYRILLIC:
            return self._identify_cyrillic(text, prior)
        return self._langdetect(text, list(prior) if prior else None, prior)

    def _identify_cyrillic(self, text: str, prior: dict[str, float] | None) -> Identification:
        letters = {c for c in text.lower() if c.isalpha()}
        fits = [lang for lang in _CYRILLIC_ORDER if letters <= ALPHABETS[lang]]
        if not fits:  # letters from several alphabets: take the one that explains the most
            best = max(_CYRILLIC_ORDER, key=lambda lang: len(letters & ALPHABETS[lang]))
            return Identification(best, 0.5)
        if len(fits) == 1:
            return Identification(fits[0], 0.99)
        if "be" in fits and _BELARUSIAN_SPELLING.search(text.lower()):
            return Identification("be", 0.9)
        candidates = [lang for lang in fits if lang != "be"]
        if prior and "be" in fits and max(prior, key=prior.__getitem__) == "be":
            return Identification("be", 0.6)
        if prior and any(lang in prior for lang in candidates):
            candidates = [lang for lang in candidates if lang in prior]
        return self._langdetect(text, candidates, prior)

    def _langdetect(self, text: str, candidates: list[str] | None, prior: dict[str, float] | None) -> Identification:
        from langdetect.lang_detect_exception import LangDetectException

        detector = _factory(self.seed).create()
        detector.append(text)
        weights = _prior_weights(detector.langlist, candidates, prior)
        if weights:
            detector.set_prior_map(weights)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return Identification(candidates[0] if candidates else UNDETERMINED, 0.0)
        return Identification(_iso_639_1(best.lang), float(best.prob))


def _prior_weights(langlist: list[str], candidates: list[str] | None, prior: dict[str, float] | None) -> dict[str, float]:
    """langdetect's prior map: the candidates only, weighted by the prior where it has them."""
    if candidates is None:
        return {}
    allowed = [lang for lang in langlist if lang in candidates]
    weights = {lang: (prior or {}).get(lang, 0.0) + 0.1 / len(allowed) for lang in allowed}
    return weights if weights else {}


def _iso_639_1(code: str) -> str:
    """langdetect names Chinese by region; everything else is already ISO 639-1."""
    return code.split("-")[0]


@lru_cache(maxsize=4)
def _factory(seed: int):  # type: ignore[no-untyped-def]
    """langdetect's profiles, loaded once per process (about half a second)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(seed)
    return factory


@lru_cache(maxsize=1)
def default_identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


def identify(text: str) -> tuple[str, float]:
    """The language of ``text`` as (ISO 639-1 code, score); ``("und", 0.0)`` without letters."""
    result = default_identifier().identify(text)
    return result.lang, result.score
