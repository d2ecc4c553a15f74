"""textpipe's own language model: character n-grams, a word table and diagnostic letters.

A text is cut into lower-cased words; each word gets a vector of log-likelihoods, one per language:

* the sum, over the word's character 1- to 5-grams (the word padded with a space on both sides, so
  beginnings and ends count), of each n-gram's smoothed log-probability in each language (a
  multinomial naive Bayes over n-grams, as in Cavnar & Trenkle's and Shuyo's langdetect);
* plus a *word bonus*: for words of the word table (the training sentences' words and wordfreq's
  frequency lists), ``weight * log(P(word | lang) + floor)`` minus the same for an unknown word, so a
  word attested in one language and not the other counts for it;
* plus penalties for letters a language never writes (ў is Belarusian only, ї є ґ Ukrainian only...).

The text's vector is the sum over its words; the probabilities are a softmax of it divided by a
temperature, one per length bucket (1, 2, 3-5, 6-10, 11-20, more words), and the top probability
goes through an isotonic map (both fitted on held-out sentences, so that scores are calibrated).
Words of the table have their whole vector precomputed; other words are scored from their n-grams,
looked up as numbers (``gram_key``) in a sorted array, all the words of a text in one numpy pass.
Everything is trained by ``training/train_langid.py`` and shipped as one ``.npz`` file (no pickle)
under ``textpipe/models/langid/``.
"""

from __future__ import annotations

import bisect
import re
from itertools import compress, repeat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .scripts import STRESS_MARKS

#: the languages the model tells apart, in the order of its vectors
LANGS = ("en", "ru", "pl", "uk", "be", "bg", "cs", "sk")
MAX_N = 5

WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
#: apostrophes made one; stress marks ("Москва́": combining acute or grave) dropped
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'", "‘": "'", "ʹ": "'"} | dict.fromkeys(STRESS_MARKS))

#: letters that only some of the languages write, and the languages that do
DIAGNOSTIC: dict[str, tuple[str, ...]] = {
    "ў": ("be",),
    "ї": ("uk",),
    "є": ("uk",),
    "ґ": ("uk",),
    "і": ("uk", "be"),
    "ы": ("ru", "be"),
    "э": ("ru", "be"),
    "ё": ("ru", "be"),
    "ъ": ("ru", "bg"),
    "щ": ("ru", "uk", "bg"),
    "и": ("ru", "uk", "bg"),
    "ą": ("pl",),
    "ę": ("pl",),
    "ł": ("pl",),
    "ń": ("pl",),
    "ś": ("pl",),
    "ź": ("pl",),
    "ż": ("pl",),
    "ć": ("pl",),
    "ó": ("pl", "cs", "sk"),  # English never writes these (its "café" has é, left out)
    "á": ("cs", "sk"),
    "í": ("cs", "sk"),
    "ú": ("cs", "sk"),
    "ř": ("cs",),
    "ů": ("cs",),
    "ě": ("cs",),
    "ä": ("sk",),
    "ĺ": ("sk",),
    "ľ": ("sk",),
    "ŕ": ("sk",),
    "ô": ("sk",),
    "č": ("cs", "sk"),
    "š": ("cs", "sk"),
    "ž": ("cs", "sk"),
    "ý": ("cs", "sk"),
    "ď": ("cs", "sk"),
    "ť": ("cs", "sk"),
    "ň": ("cs", "sk"),
}


def normalize(text: str) -> str:
    return text.translate(_APOSTROPHES).lower()


_LATIN_TO_CYRILLIC = str.maketrans("aceiopxyï", "асеіорхуї")
_CYRILLIC_TO_LATIN = str.maketrans("асеіорху", "aceiopxy")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_ASCII_LETTER = re.compile(r"[a-z]")


def words_of(text: str) -> list[str]:
    """The lower-cased words of a text (letters, with inner apostrophes and hyphens). In a word
    mixing Latin and Cyrillic letters, look-alike letters take the script of the majority
    ("iндывiдуальнымi" with Latin i is read as Belarusian "індывідуальнымі")."""
    words = WORD.findall(normalize(text))
    for k, word in enumerate(words):
        if not word.isascii() and _ASCII_LETTER.search(word) and _CYRILLIC_LETTER.search(word):
            cyrillic = len(_CYRILLIC_LETTER.findall(word))
            latin = len(_ASCII_LETTER.findall(word))
            words[k] = word.translate(_LATIN_TO_CYRILLIC if cyrillic >= latin else _CYRILLIC_TO_LATIN)
    return words


def words_of_many(texts: list[str]) -> list[list[str]]:
    """``words_of`` of each text, cheaper for many short ones (the written forms of a page): one
    normalization for all, and a text that is one word once normalized needs no search."""
    normalized = normalize("\n".join(texts)).split("\n")
    if len(normalized) != len(texts):  # a text holds a line break
        return [words_of(text) for text in texts]
    whole_word = WORD.fullmatch
    out: list[list[str]] = []
    for text in normalized:
        if whole_word(text) and (text.isascii() or not (_ASCII_LETTER.search(text) and _CYRILLIC_LETTER.search(text))):
            out.append([text])
        else:
            out.append(words_of(text))
    return out


def ngrams_of(word: str, max_n: int = MAX_N) -> list[str]:
    """The character 1- to ``max_n``-grams of `` word `` (1-grams of the letters only)."""
    padded = f" {word} "
    size = len(padded)
    grams = list(word)
    for n in range(2, max_n + 1):
        grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def gram_key(gram: str, codes: dict[str, int]) -> int | None:
    """An n-gram as a number: its length in the low byte, then one byte a character (0 for the
    padding space, else the character's place in the model's alphabet); None for a character
    outside the alphabet."""
    key = len(gram)
    for i, char in enumerate(gram):
        code = 0 if char == " " else codes.get(char)
        if code is None:
            return None
        key |= code << (8 * (i + 1))
    return key


#: for each diagnostic letter, a bit per language of LANGS that never writes it
_EXCLUDED_BITS = {
    char: sum(1 << i for i, lang in enumerate(LANGS) if lang not in allowed) for char, allowed in DIAGNOSTIC.items()
}


def excluded_bits(words: list[str]) -> int:
    """Bit i set: some letter of the words is one LANGS[i] never writes (ł for English, ў for Russian)."""
    bits = 0
    for word in words:
        for char in word:
            bits |= _EXCLUDED_BITS.get(char, 0)
    return bits


#: per code point below U+0531: 1 for each language of LANGS that never writes it (a diagnostic letter)
_NEVER_WRITES = np.zeros((0x531, len(LANGS)))
for _char, _allowed in DIAGNOSTIC.items():
    _NEVER_WRITES[ord(_char)] = [lang not in _allowed for lang in LANGS]
_IS_DIAGNOSTIC = _NEVER_WRITES.any(axis=1)
#: ``_EXCLUDED_BITS`` by code point: the same table as bits
_EXCLUDED_LUT = (_NEVER_WRITES @ (1 << np.arange(len(LANGS)))).astype(np.uint8)


def excluded_bits_many(groups: list[list[str]]) -> np.ndarray:
    """``excluded_bits`` of each group of words, all at once."""
    if not groups:
        return np.zeros(0, dtype=np.int64)
    texts = [" ".join(words) + "\n" for words in groups]  # one character more a group: none is empty
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bits = _EXCLUDED_LUT[np.minimum(codes, len(_EXCLUDED_LUT) - 1)]
    starts = np.concatenate(([0], np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))[:-1]))
    return np.bitwise_or.reduceat(bits, starts).astype(np.int64)


def diagnostic_counts(words: list[str]) -> np.ndarray:
    """Per word and language: how many distinct diagnostic letters of the word the language never
    writes (``diagnostic_penalty`` is minus the penalty times this)."""
    out = np.zeros((len(words), len(LANGS)))
    codes = np.frombuffer("\n".join(words).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    owner = np.cumsum(codes == 10)  # words hold no line break
    codes = np.minimum(codes, len(_NEVER_WRITES) - 1)
    marked = _IS_DIAGNOSTIC[codes]
    if marked.any():
        pairs = np.unique(owner[marked] * len(_NEVER_WRITES) + codes[marked])  # each letter once a word
        np.add.at(out, pairs // len(_NEVER_WRITES), _NEVER_WRITES[pairs % len(_NEVER_WRITES)])
    return out


def diagnostic_penalty(word: str, penalty: float) -> list[float] | None:
    """Per-language penalties for the word's diagnostic letters (None when no language is ruled
    out by one): what training adds to a word's scores, the same table the stage reads at run time."""
    counts = diagnostic_counts([word])[0]
    return (-penalty * counts).tolist() if counts.any() else None


_SHIFTS = np.array([8 * (i + 1) for i in range(MAX_N)], dtype=np.uint64)
_LENGTHS = np.arange(1, MAX_N + 1, dtype=np.uint64)
_BITS = (1 << np.arange(MAX_N)).astype(np.uint8)


def _valid_lengths(pattern: int) -> list[bool]:
    """For a window whose spaces are the bits of ``pattern``: which of its n-grams (n = 1..MAX_N)
    are real ones (a 1-gram is a letter; a longer one has spaces only at its ends, and a letter)."""
    space = [bool(pattern >> i & 1) for i in range(MAX_N)]
    out = [not space[0]]
    for n in range(2, MAX_N + 1):
        out.append(not any(space[1 : n - 1]) and not all(space[:n]))
    return out


_VALID = np.array([_valid_lengths(p) for p in range(1 << MAX_N)], dtype=bool)
_WINDOWS = np.arange(4096)[:, None] + np.arange(MAX_N)[None, :]

#: texts are calibrated by their number of words: 1, 2, 3-5, 6-10, 11-20, more
LENGTH_BUCKETS = (1, 2, 5, 10, 20)


def length_bucket(n_words: int) -> int:
    for i, top in enumerate(LENGTH_BUCKETS):
        if n_words <= top:
            return i
    return len(LENGTH_BUCKETS)


@dataclass
class ModelParams:
    word_weight: float
    word_floor: float
    diag_penalty: float
    #: one softmax temperature per length bucket, fitted on the dev sentences
    temperatures: tuple[float, ...]


class NgramModel:
    """The shipped model, loaded from its ``.npz``; ``text_scores`` scores a list of words.

    Its arrays: ``alphabet``, ``gram_keys`` / ``gram_logp`` (n-grams as numbers, see ``gram_key``,
    sorted, and their log-probability per language, shifted so each row's maximum is 0), ``word_keys`` / ``word_vectors`` (for the words of the word table, the
    whole per-word vector: n-grams + word bonus + diagnostic letters, precomputed), ``word_known``
    (a bit per language: the word is a known word of it), ``params``.
    """

    def __init__(self, data: dict[str, np.ndarray]) -> None:
        langs = tuple(bytes(data["langs"]).decode("ascii").split(","))
        if langs != LANGS:
            raise ValueError(f"model languages {langs} are not {LANGS}")
        alphabet = bytes(data["alphabet"]).decode("utf-8")
        # code point -> alphabet code (0: space, 255: a character outside the alphabet)
        self.lut = np.full(0x110000, 255, dtype=np.uint8)
        self.lut[ord(" ")] = 0
        for i, char in enumerate(alphabet):
            self.lut[ord(char)] = i + 1
        self.codes = {char: i + 1 for i, char in enumerate(alphabet)}
        self.gram_keys = np.asarray(data["gram_keys"], dtype=np.uint64)
        self.gram_logp = np.asarray(data["gram_logp"], dtype=np.float16)  # compact: fewer cache misses
        words = bytes(data["word_keys"]).decode("utf-8").split("\n")
        self.word_index = {w: i for i, w in enumerate(words)}
        self.word_vectors = np.asarray(data["word_vectors"], dtype=np.float32)
        self.word_known = np.asarray(data["word_known"], dtype=np.uint8)
        self._known = self.word_known.tobytes()  # indexing bytes gives an int: no numpy scalar per word
        p = [float(x) for x in data["params"]]
        self.params = ModelParams(p[0], p[1], p[2], tuple(p[3:]))
        self._cache: dict[str, tuple[float, ...]] = {}  # vectors of words outside the table
        self.calibration_x = np.asarray(data["calibration_x"], dtype=np.float64).tolist()
        self.calibration_y = np.asarray(data["calibration_y"], dtype=np.float64).tolist()

    @classmethod
    def load(cls, path: Path) -> NgramModel:
        with np.load(path, allow_pickle=False) as data:
            return cls({key: data[key] for key in data.files})

    def gram_rows(self, words: list[str], with_words: bool = False):  # type: ignore[no-untyped-def]
        """The model rows of all the n-grams of the words (each padded with spaces), vectorised:
        the same n-grams as ``ngrams_of`` gives, looked up as numbers in the sorted key array.
        With ``with_words``, also the index of the word each row comes from."""
        padded = "".join(f" {w} " for w in words) + "    "  # 4 more spaces: every start has 5 places
        codes = self.lut[np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)]
        m = len(codes) - MAX_N + 1
        index = _WINDOWS[:m] if m <= len(_WINDOWS) else np.arange(m)[:, None] + np.arange(MAX_N)
        windows = codes[index]
        # which n-grams are real: the window's pattern of spaces -> valid lengths (a 32-entry table)
        valid = _VALID[(windows == 0).view(np.uint8) @ _BITS]
        # keys[s, n-1]: the n-gram starting at s (the bytes of its characters, its length below)
        keys = (np.cumsum(windows.astype(np.uint64) << _SHIFTS, axis=1) | _LENGTHS)[valid]
        hit, rows = self.find_grams(keys)
        if not with_words:
            return rows
        starts = np.nonzero(valid)[0][hit]
        offsets = np.cumsum([0] + [len(w) + 2 for w in words[:-1]])
        return rows, np.searchsorted(offsets, starts, side="right") - 1

    def word_gram_rows(self, word: str) -> np.ndarray:
        """The model rows of one word's n-grams: ``gram_rows([word])`` without its fixed cost of a
        dozen numpy calls (most words are short: building their few dozen keys in Python is faster)."""
        alphabet = self.codes
        codes = [0, *(alphabet.get(c, 255) for c in word), 0]
        size = len(codes)
        keys = [1 | code << 8 for code in codes[1:-1]]  # 1-grams: the letters
        for start in range(size - 1):
            key = codes[start] << 8
            for n in range(2, min(MAX_N, size - start) + 1):
                key |= codes[start + n - 1] << (8 * n)
                keys.append(key | n)
        return self.find_grams(np.array(keys, dtype=np.uint64))[1]

    def find_grams(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of the wanted n-gram keys the model has, and the rows of those it has."""
        where = np.searchsorted(self.gram_keys, wanted)
        where[where == len(self.gram_keys)] = 0
        hit = self.gram_keys[where] == wanted
        return hit, where[hit]

    def _unknown_vectors(self, words: list[str]) -> list[tuple[float, ...]]:
        """Per-word vectors of words outside the table: n-grams plus diagnostic letters."""
        if len(words) == 1:
            rows = self.word_gram_rows(words[0])
            totals = self.gram_logp.take(rows, axis=0).sum(axis=0, dtype=np.float64)[None, :]
        else:
            rows, owners = self.gram_rows(words, with_words=True)
            totals = np.zeros((len(words), len(LANGS)))
            if len(rows):  # owners ascend: sum each word's run of rows
                first = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1])))
                totals[owners[first]] = np.add.reduceat(self.gram_logp.take(rows, axis=0).astype(np.float64), first, axis=0)
        totals += diagnostic_counts(words) * -self.params.diag_penalty
        return list(map(tuple, totals.tolist()))

    def text_scores(self, words: list[str]) -> list[float]:
        """The summed log-likelihoods of the words, one per language of LANGS (zeros for none)."""
        table = self.word_index
        cache = self._cache
        if len(words) == 1:
            word = words[0]
            row = table.get(word)
            if row is not None:
                return self.word_vectors[row].tolist()
            vector = cache.get(word)
            if vector is None:
                vector = self._remember([word])[0]
            return list(vector)
        word_rows: list[int] = []
        known: list[tuple[float, ...]] = []
        unknown: list[str] = []
        for word in words:
            row = table.get(word)
            if row is not None:
                word_rows.append(row)
                continue
            vector = cache.get(word)
            if vector is None:
                unknown.append(word)
            else:
                known.append(vector)
        if unknown:
            self._remember(list(dict.fromkeys(unknown)))
            known.extend(cache[w] for w in unknown)
        total = np.zeros(len(LANGS))
        if word_rows:
            total += self.word_vectors.take(word_rows, axis=0).sum(axis=0, dtype=np.float64)
        if known:
            total += np.sum(known, axis=0)
        return total.tolist()

    def word_matrix(self, groups: list[list[str]]) -> np.ndarray:
        """One row per group of words: the sum of their vectors (``text_scores`` of each group,
        all groups at once: the table's rows in one ``take``, the other words in one batch)."""
        out = np.zeros((len(groups), len(LANGS)))
        words = [word for group in groups for word in group]
        owners = np.repeat(np.arange(len(groups)), np.fromiter(map(len, groups), dtype=np.int64, count=len(groups)))
        rows = np.fromiter(map(self.word_index.get, words, repeat(-1)), dtype=np.int64, count=len(words))
        outside = rows < 0
        if outside.any():  # first the words outside the table, in order...
            cache = self._cache
            others = list(compress(words, outside.tolist()))
            missing = [word for word in dict.fromkeys(others) if word not in cache]
            if missing:
                self._remember(missing)
            np.add.at(out, owners[outside], np.array([cache[word] for word in others]))
        inside = ~outside
        if inside.any():  # ...then the table's
            vectors = self.word_vectors.take(rows[inside], axis=0)
            mine = owners[inside]
            if (np.diff(mine) > 0).all():  # one table word a group, as a rule: no need to add up
                out[mine] += vectors
            else:
                np.add.at(out, mine, vectors)
        return out

    def _remember(self, words: list[str]) -> list[tuple[float, ...]]:
        vectors = self._unknown_vectors(words)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache.update(zip(words, vectors))
        return vectors

    def known_bits(self, word: str) -> int:
        """Bit i set: the word is a known word of LANGS[i] (0 for a word outside the table)."""
        row = self.word_index.get(word)
        return 0 if row is None else self._known[row]

    def calibrated(self, probability: float) -> float:
        """The share of right answers among dev answers given with this top probability (isotonic)."""
        xs, ys = self.calibration_x, self.calibration_y
        i = bisect.bisect_left(xs, probability)
        if i <= 0:
            return ys[0]
        if i >= len(xs):
            return ys[-1]
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (probability - x0) / (x1 - x0)

    def calibrated_many(self, probabilities: np.ndarray) -> np.ndarray:
        """``calibrated`` of each probability (the same arithmetic, vectorised)."""
        xs, ys = np.array(self.calibration_x), np.array(self.calibration_y)
        i = np.searchsorted(xs, probabilities, side="left")
        inner = np.clip(i, 1, len(xs) - 1)
        x0, x1, y0, y1 = xs[inner - 1], xs[inner], ys[inner - 1], ys[inner]
        with np.errstate(divide="ignore", invalid="ignore"):
            between = np.where(x1 == x0, y0, y0 + (y1 - y0) * (probabilities - x0) / (x1 - x0))
        return np.where(i <= 0, ys[0], np.where(i >= len(xs), ys[-1], between))

    def temperature(self, n_words: int) -> float:
        return self.params.temperatures[length_bucket(n_words)]

    def temperatures(self, n_words: np.ndarray) -> np.ndarray:
        """``temperature`` of each number of words."""
        return np.array(self.params.temperatures)[np.searchsorted(LENGTH_BUCKETS, n_words, side="left")]
