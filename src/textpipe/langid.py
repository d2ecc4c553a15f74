"""Language identification of a short text: textpipe's own model first, langdetect for the rest.

* No letters: ``und``.
* Latin or Cyrillic letters: textpipe's model (``langid_model``: character 1-5-grams, a word
  table and diagnostic letters, trained by ``training/train_langid.py``) decides among the languages
  of the text's main script: en pl cs sk for Latin, ru uk be bg for Cyrillic. Its score is calibrated
  on held-out (dev) sentences: a softmax with a temperature per text length, then an isotonic map
  from that probability to the share of right answers (``benchmarks/languages.py`` prints the
  reliability table on the test part). Web addresses, e-mail addresses, tags and HTML entities are
  left out; look-alike letters inside a mixed-script word take the word's majority script. A text
  mixing scripts is read in the script of its words in lower case when they are all in one (the
  other script's words are names then: "купил YouTube Premium"), else in that of most letters.
* Other languages: a text of 30 letters or more whose words are mostly unknown to our word table,
  or that has letters none of our eight languages writes (ü, ñ, ј...), is checked against
  langdetect's language profiles (``langid_other``); when one of their languages outside ours
  explains it clearly better (German, French, Macedonian...), that language is the answer
  (Serbian Cyrillic: ``sr`` when ђ or ћ is there, since langdetect has no Serbian).
* Other scripts: the text's main script (by its letters' Unicode names; any kana makes it Japanese).
  A script that one language writes, as far as web pages go, gives that language with score 1.0
  (Greek el, Hebrew he, Hangul ko, kana ja, Thai th, Georgian ka, Armenian hy, Bengali bn...); a
  script several write (Arabic: ar fa ur; Devanagari: hi mr ne; Han: zh ja) goes to langdetect with
  the profiles of those languages only (seeded, so deterministic; its own score), which costs a few
  milliseconds to load instead of a quarter of a second for all 55; any other script is ``und``.

Transliterated Russian in Latin letters ("Privet, kak dela") is never labelled ``ru`` (its letters
are not Russian writing, and we cannot tell it from Czech or Slovak reliably enough to claim it):
Latin text of at least two words most of which are romanized frequent Russian words (two common
romanizations, BGN-like "kh, ya, yu, ts, shch" and informal "h, ja, ju, c, sch") and fewer of which
are known words of the language the model picked, is labelled ``und`` rather than cs/sk/en.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .langid_model import LANGS, WORD, NgramModel, words_of
from .resources import package_path
from .scripts import CYRILLIC, LATIN, OTHER, script_of

UNDETERMINED = "und"

#: the languages of each script that textpipe's model tells apart
SCRIPT_LANGS: dict[str, tuple[str, ...]] = {
    LATIN: ("en", "pl", "cs", "sk"),
    CYRILLIC: ("ru", "uk", "be", "bg"),
}
_INDEX = {lang: i for i, lang in enumerate(LANGS)}
_SCRIPT_INDEXES = {script: tuple((lang, _INDEX[lang]) for lang in langs) for script, langs in SCRIPT_LANGS.items()}
#: a bit per language of the script (bit i: LANGS[i])
_SCRIPT_BITS = {script: sum(1 << i for _, i in indexes) for script, indexes in _SCRIPT_INDEXES.items()}


#: Latin text with at least this share of romanized Russian words may be romanized Russian ("und")
ROMANIZED_SHARE = 0.6
#: a text with a smaller share of words known to its script's languages may be in another language
KNOWN_SHARE = 0.5
#: a word-table bonus of at least this marks a known word of the language: P(word | lang) >= 10 floors
_KNOWN_BONUS = math.log(11.0)
#: what is not language: web addresses, e-mail addresses, markup tags
_NOT_TEXT = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|<[^<>]{0,200}>|&#?\w{1,8};")


#: the letters of our eight languages; a text with others (ü, ñ, ј, ђ...) may well be in another language
_OUR_LETTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyz" "ąćęłńóśźż" "áčďéěíňóřšťúůýž" "äĺľŕô"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" "ґєії" "ў" "'-"
)


def _foreign_letters(words: list[str]) -> bool:
    return any(not _OUR_LETTERS.issuperset(word) for word in words)


def _running_text_script(text: str) -> str | None:
    """In a text mixing scripts, the script of its words in lower case when they are all in one:
    the running text, where the words of the other script are capitalized names or acronyms
    ("праз Western Union", "YouTube ставших", "на VHS"); None when both or neither have some.
    (A word whose first and last letters differ in script, "youtube-канале", tells nothing.)"""
    found = {script_of(form[0]) or OTHER for form in WORD.findall(text) if form[0].islower() and script_of(form[0]) == script_of(form[-1])}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class Identification:
    lang: str
    score: float


@lru_cache(maxsize=1)
def shipped_model() -> NgramModel:
    return NgramModel.load(package_path("models", "langid", "model.npz"))


class LanguageIdentifier:
    """Identify the language of a text, optionally restricted to candidates or weighted by a prior.

    ``other_languages``: whether a text our model explains badly may get a language outside our
    eight (from langdetect's profiles); ``other_min_letters``: the letters a text needs for that.
    """

    def __init__(self, seed: int = 0, other_languages: bool = True, other_min_letters: int = 30) -> None:
        self.seed = seed
        self.other_languages = other_languages
        self.other_min_letters = other_min_letters
        self.model = shipped_model()

    # -- the public entry points ------------------------------------------------------------
    def identify(
        self,
        text: str,
        prior: dict[str, float] | None = None,
        candidates: Iterable[str] | None = None,
    ) -> Identification:
        """The language of ``text``.

        ``candidates`` restricts the answer to those languages (of the text's script); ``prior``
        multiplies the model's probabilities by context weights (a language absent from it keeps a
        weight of ``min(prior) / 10``), as the page's languages do for its short sentences.
        """
        script, words, letters = self._analyse(text)
        if script is None:
            return Identification(UNDETERMINED, 0.0)
        if script not in SCRIPT_LANGS:
            return self._other_script(text)
        probs = self.probabilities_of_words(words, script, prior, candidates)
        best = max(probs, key=probs.__getitem__)
        if candidates is None:
            outside = self._outside(text, script, words, letters, best)
            if outside is not None:
                return outside
        return Identification(best, self.model.calibrated(probs[best]) if len(probs) > 1 else probs[best])

    def outside_language(self, text: str, words: list[str] | None = None) -> Identification | None:
        """What ``identify`` says of a Latin or Cyrillic text when it is none of our eight languages
        (another language, or ``und`` for romanized Russian); None when it is one of them. Cheaper
        than ``identify``: our model's probabilities are computed only if the answer needs them.
        ``words``: the text's words (``words_of(text)``) when the caller has them already."""
        script, words, letters = self._analyse(text, words)
        if script not in SCRIPT_LANGS:
            return None
        return self._outside(text, script, words, letters, None)

    def outside_evidence(self, groups: list[list[str]], scripts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What ``outside_language`` looks at first, for groups of words (each in its script): how
        many of a group's words are romanized Russian (Latin only), how many are known words of the
        script's languages, and whether one has letters none of our eight languages writes. (The
        languages stage sums these over a run to see whether it need ask ``outside_language`` at all.)"""
        words = [word for group in groups for word in group]
        owner = np.repeat(np.arange(len(groups)), np.fromiter(map(len, groups), dtype=np.int64, count=len(groups)))
        script_bits = np.array([_SCRIPT_BITS.get(script, 0) for script in scripts], dtype=np.int64)
        known_bits = np.fromiter(map(self.model.known_bits, words), dtype=np.int64, count=len(words))
        known = np.bincount(owner, weights=(known_bits & script_bits[owner]) != 0, minlength=len(groups))
        latin = np.array([script == LATIN for script in scripts], dtype=bool)
        romanized = np.fromiter(map(_romanized_russian().__contains__, words), dtype=bool, count=len(words))
        romanized = np.bincount(owner, weights=romanized & latin[owner], minlength=len(groups))
        foreign = np.fromiter(map(_OUR_LETTERS.issuperset, words), dtype=bool, count=len(words)) == 0
        foreign = np.bincount(owner, weights=foreign, minlength=len(groups)) > 0
        return romanized.astype(np.int64), known.astype(np.int64), foreign

    def _outside(self, text: str, script: str, words: list[str], letters: int, best: str | None) -> Identification | None:
        if script == LATIN and len(words) >= 2:
            romanized = _romanized_count(words) / len(words)
            if romanized >= ROMANIZED_SHARE:
                if best is None:
                    probs = self.probabilities_of_words(words, script)
                    best = max(probs, key=probs.__getitem__)
                if romanized > self.known_share(words, best):
                    return Identification(UNDETERMINED, romanized)
        if (
            self.other_languages
            and letters >= self.other_min_letters
            and (self.known_share(words, SCRIPT_LANGS[script]) < KNOWN_SHARE or _foreign_letters(words))
        ):
            from .langid_other import other_language

            other = other_language(text, script, SCRIPT_LANGS[script])
            if other is not None:
                lang, score = other
                if lang == "mk" and any(c in text for c in "ђћЂЋ"):  # langdetect has no Serbian
                    lang = "sr"
                return Identification(lang, score)
        return None

    def probabilities(
        self,
        text: str,
        prior: dict[str, float] | None = None,
        candidates: Iterable[str] | None = None,
    ) -> dict[str, float]:
        """Our model's calibrated probabilities over the languages of the text's main script."""
        script, words, _ = self._analyse(text)
        if script not in SCRIPT_LANGS:
            return {}
        return self.probabilities_of_words(words, script, prior, candidates)

    def known_share(self, words: list[str], langs: str | Iterable[str]) -> float:
        """The share of the words the word table knows as words of ``langs`` (a language or several;
        known: P(word | lang) >= 1e-5)."""
        if not words:
            return 0.0
        bit = 0
        for lang in [langs] if isinstance(langs, str) else langs:
            bit |= 1 << _INDEX[lang]
        known_bits = self.model.known_bits
        return sum(1 for word in words if known_bits(word) & bit) / len(words)

    # -- the work ---------------------------------------------------------------------------
    def probabilities_of_words(
        self,
        words: list[str],
        script: str,
        prior: dict[str, float] | None = None,
        candidates: Iterable[str] | None = None,
    ) -> dict[str, float]:
        """Calibrated probabilities over the script's languages (or the candidates among them)."""
        model = self.model
        scores = model.text_scores(words)
        temperature = model.temperature(len(words))
        allowed = _SCRIPT_INDEXES[script]
        if candidates is not None:
            wanted = set(candidates)
            allowed = tuple((lang, i) for lang, i in allowed if lang in wanted) or allowed
        z = [scores[i] / temperature for _, i in allowed]
        if prior:
            weights = [w for w in prior.values() if w > 0]
            if weights:
                floor = min(weights) / 10
                z = [v + math.log(prior.get(lang, 0.0) or floor) for v, (lang, _) in zip(z, allowed)]
        top = max(z)
        exp = [math.exp(v - top) for v in z]
        norm = sum(exp)
        return {lang: v / norm for (lang, _), v in zip(allowed, exp)}

    @staticmethod
    def _analyse(text: str, words: list[str] | None = None) -> tuple[str | None, list[str], int]:
        """The text's main script, its words in that script, and its number of letters
        (``words``: the text's words, if the caller has them; unused when URLs and the like are
        taken out of the text first)."""
        if "/" in text or "@" in text or "<" in text or "&" in text:
            stripped = _NOT_TEXT.sub(" ", text)
            if any(c.isalpha() for c in stripped):
                text, words = stripped, None
        if words is None:
            words = words_of(text)
        if not words:
            return None, [], 0
        scripts = [script_of(w[0]) or OTHER for w in words]
        first = scripts[0]
        if all(s == first for s in scripts):
            return first, words, sum(map(len, words))
        letters: dict[str, int] = {}
        for word, script in zip(words, scripts):
            letters[script] = letters.get(script, 0) + len(word) - word.count("-") - word.count("'")
        running = _running_text_script(text)
        main = running if running in letters else max(letters, key=letters.__getitem__)
        return main, [w for w, s in zip(words, scripts) if s == main], sum(letters.values())

    def _other_script(self, text: str) -> Identification:
        """A text in a script other than Latin and Cyrillic: by its script, else by langdetect among
        the languages that write it."""
        script = other_script_of(text)
        if script in SCRIPT_LANGUAGE:
            return Identification(SCRIPT_LANGUAGE[script], 1.0)
        if script not in LANGDETECT_SCRIPTS:
            return Identification(UNDETERMINED, 0.0)
        from langdetect.lang_detect_exception import LangDetectException

        detector = _factory(self.seed, LANGDETECT_SCRIPTS[script]).create()
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError, ZeroDivisionError, ValueError):
            return Identification(UNDETERMINED, 0.0)
        return Identification(best.lang.split("-")[0], float(best.prob))


#: scripts (named as ``other_script_of`` names them) that one language writes, as far as web pages
#: go, and that language
SCRIPT_LANGUAGE: dict[str, str] = {
    "GREEK": "el", "HEBREW": "he", "HANGUL": "ko", "KANA": "ja", "THAI": "th", "LAO": "lo",
    "KHMER": "km", "MYANMAR": "my", "GEORGIAN": "ka", "ARMENIAN": "hy", "BENGALI": "bn",
    "GURMUKHI": "pa", "GUJARATI": "gu", "ORIYA": "or", "TAMIL": "ta", "TELUGU": "te",
    "KANNADA": "kn", "MALAYALAM": "ml", "SINHALA": "si", "TIBETAN": "bo", "ETHIOPIC": "am",
}  # fmt: skip
#: scripts that several languages write: langdetect decides among its profiles of them
LANGDETECT_SCRIPTS: dict[str, tuple[str, ...]] = {
    "ARABIC": ("ar", "fa", "ur"),
    "DEVANAGARI": ("hi", "mr", "ne"),
    "HAN": ("zh-cn", "zh-tw", "ja"),
}


def other_script_of(text: str) -> str:
    """The script most of the text's letters outside Latin and Cyrillic are in ("GREEK", "ARABIC",
    "HAN"...; "KANA" as soon as there is one kana: Japanese writes Han and kana together)."""
    counts: dict[str, int] = {}
    for char in text:
        if script_of(char) == OTHER:
            name = _unicode_script(char)
            counts[name] = counts.get(name, 0) + 1
    if "KANA" in counts:
        return "KANA"
    return max(counts, key=counts.__getitem__) if counts else ""


@lru_cache(maxsize=4096)
def _unicode_script(char: str) -> str:
    """A letter's script, by the first word of its Unicode name (kana and Han ideographs grouped)."""
    name = unicodedata.name(char, "")
    if "HIRAGANA" in name or "KATAKANA" in name:
        return "KANA"
    if name.startswith(("CJK", "IDEOGRAPHIC")):
        return "HAN"
    return name.split(" ", 1)[0]


#: two romanizations of Russian letters ("" drops the letter), as ``str.translate`` tables
_ROMAN = tuple(
    str.maketrans(dict(zip("абвгдежзийклмнопрстуфхцчшщъыьэюяё", latin.split(), strict=True)) | {"ъ": "", "ь": ""})
    for latin in (
        "a b v g d e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya e",
        "a b v g d e zh z i j k l m n o p r s t u f h c ch sh sch _ y _ e ju ja jo",
    )
)


def _romanized_count(words: list[str]) -> int:
    table = _romanized_russian()
    return sum(1 for w in words if w in table)


@lru_cache(maxsize=1)
def _romanized_russian() -> frozenset[str]:
    """Two romanizations of the word table's known Russian words (built once, when first needed)."""
    model = shipped_model()
    bit = 1 << _INDEX["ru"]
    known = model.word_known
    russian = [word for word, row in model.word_index.items() if known[row] & bit and len(word) > 1]
    out = {word.translate(table) for table in _ROMAN for word in russian}
    out.discard("")
    return frozenset(w for w in out if w.isascii())


@lru_cache(maxsize=8)
def _factory(seed: int, langs: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """langdetect with the profiles of ``langs`` only, loaded once per process."""
    from langdetect.detector_factory import DetectorFactory
    from langdetect.utils.lang_profile import LangProfile

    from .langid_other import langdetect_profile

    factory = DetectorFactory()
    for index, lang in enumerate(langs):
        factory.add_profile(LangProfile(**langdetect_profile(lang)), index, len(langs))
    factory.set_seed(seed)
    return factory


@lru_cache(maxsize=1)
def default_identifier() -> LanguageIdentifier:
    return LanguageIdentifier()


def identify(text: str) -> tuple[str, float]:
    """The language of ``text`` as (ISO 639-1 code, calibrated score); ``("und", 0.0)`` without letters."""
    result = default_identifier().identify(text)
    return result.lang, result.score

