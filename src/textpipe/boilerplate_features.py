"""Features of a page's blocks for the boilerplate classifier (plain text, plus DOM hints for HTML).

``page_features(texts, hints, lexicon)`` returns one row of floats a block (``FEATURES`` names the
columns). Everything is language-independent in form: word and character counts, sentence
punctuation, stop-word density in the page's language (guessed from the stop-word lists of
en/ru/uk/be/pl/de/cs), capitalised and short words, separators, digits and dates, list markers of
text dumps, the boilerplate lexicon's hits by kind, position on the page and distance from the
densest stretch of prose, the same for the neighbouring blocks, and for HTML blocks the tag, the
class/id tokens and the link density. Plain-text blocks get the DOM columns at their neutral value
(``has_dom`` = 0), so one model serves both inputs.

``context_features(p, X, terms)`` gives the second (stacked) stage its columns: the first stage's
probabilities along the page, and each block's lexical cohesion with the likely article.

Speed: the counts are taken for the whole page at once (blocks joined, character classes from a
table, tallied per block with ``numpy.bincount``); regexes run only on blocks that could match
(list markers are read off the characters, not matched); loops over blocks visit only the blocks
that can change their result (section headings, lexicon hits), and numpy works on whole columns
at once (the matrices are column-major, as the trees read them). Every shortcut gives the same
floats as the plain computation it replaces (``tests/test_boilerplate.py`` checks them against it).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count, repeat
from operator import is_not, itemgetter

import numpy as np

from .document import BlockHints

_TOKEN = re.compile(r"\w+")
_CLOSERS = "\"'”»)]"
_ENDERS = (".", "!", "?", "…")
_SEPARATOR = re.compile(r"(?:^|\s)[|»•›·/>–—«‹](?=\s|$)|\s\|\s?|[|•·»]")
_BULLET = re.compile(r"^(?:[*+•·▪◦o-]|\d{1,2}[.)])\s")
#: sought in the lower-cased page (it cannot match across a newline)
_URLISH = re.compile(r"https?://|www\.|@\w|\.(?:com|ru|pl|ua|by|org|net|de)\b")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    "september|october|november|december|"
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    "січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|"
    "студзеня|лютага|сакавіка|красавіка|траўня|чэрвеня|ліпеня|жніўня|верасня|кастрычніка|лістапада|снежня|"
    "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia|"
    "januar|februar|märz|juni|juli|oktober|dezember"
)
#: a date or time: numeric forms, and a day next to a month's name (tried only on blocks with a month's name)
DATE_NUMERIC = re.compile(r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b")
DATE_WORDS = re.compile(rf"(?i:\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\b)")
MONTH_NAMES = frozenset(_MONTHS.split("|"))
_MAX_STOP_LANGS = 30
PHRASE_BIT, MONTH_BIT, BYLINE_BIT = (1 << (_MAX_STOP_LANGS + k) for k in range(3))
_BYLINE_STARTS = ("by", "posted by", "written by", "author", "автор", "аўтар", "автор:", "autor", "фото", "photo", "foto", "текст", "von")
BYLINE = re.compile(rf"(?i)^(?:[*+•-]\s+)?(?:{'|'.join(map(re.escape, _BYLINE_STARTS))})\b[:\s]")
#: the first word of a byline is one of these (lower-cased)
BYLINE_FIRST_WORDS = frozenset(_TOKEN.findall(" ".join(s.split()[0] for s in _BYLINE_STARTS)))

#: tag families of HTML blocks (one column each); other tags fall into "other"
TAG_GROUPS = {
    "p": "p", "h1": "h1", "h2": "h", "h3": "h", "h4": "h", "h5": "h", "h6": "h",
    "li": "li", "dt": "li", "dd": "li", "td": "td", "th": "td", "blockquote": "p", "pre": "p",
    "div": "div", "section": "div", "article": "div", "main": "div", "span": "div",
    "a": "a", "button": "a", "label": "a", "figcaption": "caption", "caption": "caption",
}
_TAG_COLUMNS = ("p", "h1", "h", "li", "td", "div", "a", "caption", "other")



@dataclass(frozen=True)
class KindSpec:
    name: str
    #: a block of at most this many words with a hit is this kind
    max_words: int
    #: a longer block needs this many hits, and one every ``words_per_hit`` words
    long_hits: int
    words_per_hit: int


@dataclass(frozen=True)
class Lexicon:
    """What the feature extractor needs from ``data/boilerplate.toml``."""

    #: the kinds, in file order (ties between kinds go to the first)
    kinds: tuple[KindSpec, ...]
    #: first token of a phrase -> [(its tokens, last token is a prefix, kind index)], longest first
    phrases: dict[str, list[tuple[tuple[str, ...], bool, int]]]
    #: one-token prefix phrases ("cookie*"): (prefix, kind index)
    prefixes: tuple[tuple[str, int], ...]
    #: the stems of ``prefixes``, for a quick test
    prefix_stems: tuple[str, ...]
    #: phrases without word characters ("©"): (phrase, kind index)
    symbols: tuple[tuple[str, int], ...]
    #: class/id token -> boilerplate kind
    html_hints: dict[str, str]
    #: class/id tokens of article containers
    html_body: frozenset[str]
    #: language -> stop words
    stopwords: dict[str, frozenset[str]]
    #: token -> its bits: bit k for a stop word of the k-th language of ``stopwords``, ``PHRASE_BIT``
    #: for the first token of a phrase, ``MONTH_BIT`` for a month's name, ``BYLINE_BIT`` for the first
    #: word of a byline (one lookup a token)
    token_codes: dict[str, int]
    #: derived from ``prefix_stems``: the shortest stem's length, and the stems cut to it (a token can
    #: start with a stem only if its head is one of these: one set lookup a token, not one
    #: ``startswith`` a stem); the stems' first characters as code points (the same test, for tokens
    #: whose first characters are at hand)
    prefix_head: int = field(init=False)
    prefix_heads: frozenset[str] = field(init=False)
    prefix_initials: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        head = min(map(len, self.prefix_stems), default=0)
        object.__setattr__(self, "prefix_head", head)
        object.__setattr__(self, "prefix_heads", frozenset(stem[:head] for stem in self.prefix_stems))
        object.__setattr__(self, "prefix_initials", tuple(sorted({ord(stem[0]) for stem in self.prefix_stems})))

    @classmethod
    def build(cls, kinds: dict[str, dict], html_hints: dict[str, str], html_body: frozenset[str], stopwords: dict[str, frozenset[str]]) -> Lexicon:
        specs, phrases, prefixes, symbols = [], {}, [], []
        for k, (name, spec) in enumerate(kinds.items()):
            specs.append(KindSpec(name, spec["max_words"], spec["long_hits"], spec["words_per_hit"]))
            for phrase in spec["phrases"]:
                prefix = phrase.endswith("*")
                tokens = tuple(_TOKEN.findall(phrase.lower()))
                if not tokens:
                    symbols.append((phrase.lower().rstrip("*"), k))
                elif prefix and len(tokens) == 1:
                    prefixes.append((tokens[0], k))
                else:
                    phrases.setdefault(tokens[0], []).append((tokens, prefix, k))
        for entries in phrases.values():
            entries.sort(key=lambda e: -len(e[0]))
        if len(stopwords) > _MAX_STOP_LANGS:
            raise ValueError(f"boilerplate lexicon: stop words of at most {_MAX_STOP_LANGS} languages")
        codes: dict[str, int] = {}
        words_and_bits = [(w, 1 << k) for k, words in enumerate(stopwords.values()) for w in words]
        special = [(t, PHRASE_BIT) for t in phrases] + [(m, MONTH_BIT) for m in MONTH_NAMES] + [(b, BYLINE_BIT) for b in BYLINE_FIRST_WORDS]
        for word, bit in words_and_bits + special:
            codes[word] = codes.get(word, 0) | bit
        return cls(tuple(specs), phrases, tuple(prefixes), tuple(p for p, _ in prefixes), tuple(symbols), html_hints, html_body, stopwords, codes)

    def codes_of(self, tokens: Sequence[str]) -> np.ndarray:
        """``token_codes`` of each token (0 for the others)."""
        return np.fromiter(map(self.token_codes.get, tokens, repeat(0)), dtype=np.int64, count=len(tokens))

    @property
    def kind_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)

    def hits(self, lowered: str, tokens: Sequence[str] | None = None) -> list[int]:
        """Phrase hits per kind (in ``kinds`` order) in a lower-cased text."""
        if tokens is None:
            tokens = _TOKEN.findall(lowered)
        return self.block_hits(list(tokens), [0] * len(tokens), [lowered])[0].tolist()

    def prefixed(self, tokens: Sequence[str], initials: np.ndarray | None = None) -> np.ndarray:
        """Per token, whether it starts with one of ``prefix_stems``; ``initials``: the code point
        of each token's first character, if the caller has them (then only the tokens that start
        like a stem are looked at one by one)."""
        n = len(tokens)
        if not self.prefix_stems:
            return np.zeros(n, dtype=bool)
        if initials is None:
            heads = map(itemgetter(slice(0, self.prefix_head)), tokens)
            maybe = np.fromiter(map(self.prefix_heads.__contains__, heads), dtype=bool, count=n)
        else:
            maybe = np.zeros(n, dtype=bool)
            for initial in self.prefix_initials:
                maybe |= initials == initial
        candidates = np.flatnonzero(maybe).tolist()
        if candidates:
            maybe[candidates] = [tokens[i].startswith(self.prefix_stems) for i in candidates]
        return maybe

    def block_hits(
        self,
        tokens: Sequence[str],
        token_block: Sequence[int],
        lowered: Sequence[str],
        codes: np.ndarray | None = None,
        joined: str | None = None,
        initials: np.ndarray | None = None,
    ) -> np.ndarray:
        """Phrase hits per block and kind (``len(lowered)`` x kinds) from a page's tokens in order,
        ``token_block`` naming each token's block (a phrase never spans two blocks). Tokens are
        read left to right; a matched phrase consumes its tokens; a token that starts no phrase
        may still hit a one-token prefix ("cookie*"). ``joined`` (``lowered`` joined by newlines)
        and ``initials`` (see ``prefixed``), if the caller has them, save work."""
        counts = np.zeros((len(lowered), len(self.kinds)), dtype=np.int64)
        phrases = self.phrases
        n = len(tokens)
        next_free = 0
        starts_phrase = ((self.codes_of(tokens) if codes is None else codes) & PHRASE_BIT) != 0
        prefixed = self.prefixed(tokens, initials)
        starts_phrase |= prefixed
        has_prefix = prefixed.tolist()
        for i in np.flatnonzero(starts_phrase).tolist():
            if i < next_free:
                continue
            token, block = tokens[i], token_block[i]
            for seq, prefix, k in phrases.get(token, ()):
                m = len(seq)
                if i + m <= n and token_block[i + m - 1] == block and _phrase_at(tokens, i, seq, prefix):
                    counts[block, k] += 1
                    next_free = i + m
                    break
            else:
                if not has_prefix[i]:
                    continue
                for stem, k in self.prefixes:
                    if token.startswith(stem):
                        counts[block, k] += 1
                        break
        if self.symbols and joined is None:
            joined = "\n".join(lowered)
        for symbol, k in self.symbols:
            if symbol not in joined:  # in no block
                continue
            for b, text in enumerate(lowered):
                if symbol in text:
                    counts[b, k] += text.count(symbol)
        return counts

    def kind_of(self, counts: Sequence[int], words: int) -> str | None:
        """The kind the lexicon gives a block of ``words`` words with these hits (None: no kind)."""
        best, best_hits = None, 0
        for spec, hits in zip(self.kinds, counts):
            if not hits or hits <= best_hits:
                continue
            if words <= spec.max_words or (hits >= spec.long_hits and hits * spec.words_per_hit >= words):
                best, best_hits = spec.name, hits
        return best


def _phrase_at(tokens: Sequence[str], i: int, seq: tuple[str, ...], prefix: bool) -> bool:
    m = len(seq)
    if tuple(tokens[i : i + m]) == seq:
        return True
    return prefix and tuple(tokens[i : i + m - 1]) == seq[:-1] and tokens[i + m - 1].startswith(seq[-1])


LEXICON_KINDS = ("cookie_notice", "accessibility", "share", "comments", "related", "ads", "footer", "navigation")
HINT_KINDS = ("cookie_notice", "navigation", "footer", "share", "comments", "related", "ads", "metadata", "accessibility")

_BASE = (
    "log_words", "log_chars", "word_len", "sentence_end", "sentence_punct", "commas", "stop_page", "stop_max",
    "capitalised", "short_capitalised", "lower_start", "all_caps", "separators", "digits", "date", "byline",
    "bullet", "bullet_level", "urlish", "colon_end", "quote", "no_words", "dup_in_page", "lex_any", "prose",
)
_NEIGHBOUR = ("log_words", "sentence_end", "stop_page", "bullet", "lex_any", "prose", "separators", "capitalised")
_DOM = ("has_dom", "link_density") + tuple(f"tag_{t}" for t in _TAG_COLUMNS) + tuple(f"hint_{k}" for k in HINT_KINDS) + ("hint_body",)

FEATURES: tuple[str, ...] = (
    _BASE
    + tuple(f"lex_{k}" for k in LEXICON_KINDS)
    + (
        "pos", "pos_chars", "log_blocks", "dist_dense", "dist_dense_chars", "after_dense", "in_core", "before_core", "after_core",
        "section_comments", "section_related", "win3_words", "win3_prose", "win3_stop", "win7_words", "win7_prose", "win7_bullet",
        "page_stop", "page_bullets", "rel_words",
    )
    + tuple(f"{d}{o}_{f}" for o in (1, 2) for d in ("prev", "next") for f in _NEIGHBOUR)
    + _DOM
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}
_LEX0 = _INDEX[f"lex_{LEXICON_KINDS[0]}"]


# -- character classes, looked up for a whole page at once ---------------------------------------------
(
    _WORD, _UPPER, _LOWER, _LOWER_OR_TITLE, _SPACE, _DIGIT_FLAG, _SEPARATOR_CHAR,
    _ENDER, _CLOSER, _OPENING_QUOTE, _CLOSING_QUOTE, _BULLET_MARK, _STAR_MARK, _PLUS_MARK, _DATE_MARK, _LIST_CLOSE,
) = (1 << k for k in range(16))
#: characters of the flags that are a list of characters
_CHAR_FLAGS = (
    (_SEPARATOR_CHAR, "|»•›·/>–—«‹"), (_ENDER, "".join(_ENDERS)), (_CLOSER, _CLOSERS), (_OPENING_QUOTE, "\"“«„'‘"),
    (_CLOSING_QUOTE, "\"”»“"), (_BULLET_MARK, "*+•·▪◦o-"), (_STAR_MARK, "*•"), (_PLUS_MARK, "+-"),
    (_DATE_MARK, "./-:"), (_LIST_CLOSE, ".)"),  # what follows a digit in ``DATE_NUMERIC``; ends a number in ``_BULLET``
)
_COUNTED = " .!?,"  # characters counted per block (columns of ``_PageChars.counted``)
_BMP = 0x10000
_DIGIT = re.compile(r"\d")


def _flags_of(c: str) -> int:
    return (
        (_WORD if _TOKEN.match(c) else 0) | (_UPPER if c.isupper() else 0) | (_LOWER if c.islower() else 0)
        | (_LOWER_OR_TITLE if c.islower() or unicodedata.category(c) == "Lt" else 0) | (_SPACE if c.isspace() else 0)
        | (_DIGIT_FLAG if _DIGIT.match(c) else 0) | sum(flag for flag, chars in _CHAR_FLAGS if c in chars)
    )


@lru_cache(maxsize=1)
def _bmp_flags() -> np.ndarray:
    """Character-class flags of every code point of the Basic Multilingual Plane (computed once)."""
    return np.fromiter((_flags_of(chr(c)) for c in range(_BMP)), dtype=np.uint16, count=_BMP)


@lru_cache(maxsize=1)
def _counted_codes() -> np.ndarray:
    codes = np.zeros(_BMP, dtype=np.int64)
    for k, c in enumerate(_COUNTED, start=1):
        codes[ord(c)] = k
    return codes


def _flags(cps: np.ndarray) -> np.ndarray:
    table = _bmp_flags()
    high = cps >= _BMP
    if not high.any():
        return table[cps]
    flags = table[np.where(high, 0, cps)]
    distinct, which = np.unique(cps[high], return_inverse=True)
    flags[high] = np.fromiter((_flags_of(chr(cp)) for cp in distinct.tolist()), dtype=flags.dtype, count=len(distinct))[which]
    return flags


@dataclass
class _PageChars:
    """The blocks of a page joined by newlines, as code points with their flags and block numbers."""

    cps: np.ndarray
    flags: np.ndarray
    block_of: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str], joined: str | None = None) -> _PageChars:
        """``joined``: the texts joined by newlines, if the caller has it already. A last newline
        ends the page, so that every block, an empty one too, owns at least one character."""
        joined = "\n".join(texts) if joined is None else joined
        cps = np.frombuffer((joined + "\n").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        block_of = np.repeat(np.arange(len(texts)), lengths + 1)
        return cls(cps, _flags(cps), block_of)

    def per_block(self, flag: int, n: int) -> np.ndarray:
        """Per block, its characters with ``flag``."""
        return np.bincount(self.block_of[(self.flags & flag) != 0], minlength=n).astype(np.float64)

    def runs(self, flag: int, present: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """First and last positions of each run of characters with ``flag`` (or, if not ``present``, without it)."""
        on = ((self.flags & flag) != 0) == present
        before = np.concatenate(([False], on[:-1]))
        after = np.concatenate((on[1:], [False]))
        return np.flatnonzero(on & ~before), np.flatnonzero(on & ~after)

    def counted(self, n: int) -> np.ndarray:
        """Per block (rows) the counts of each character of ``_COUNTED`` (columns)."""
        codes = _counted_codes()[np.minimum(self.cps, _BMP - 1)]
        width = len(_COUNTED) + 1
        table = np.bincount(self.block_of * width + codes, minlength=n * width)
        return table.reshape(n, width)[:, 1:].astype(np.float64)


@dataclass
class _Words:
    """Per block, its whitespace-separated words (as ``str.split`` cuts them): all, capitalised,
    capitalised of at most 3 characters, and ALL CAPS of 2 characters or more (``str.isupper``)."""

    count: np.ndarray
    capitalised: np.ndarray
    short_capitalised: np.ndarray
    all_caps: np.ndarray

    @classmethod
    def of(cls, page: _PageChars, n: int) -> _Words:
        starts, ends = page.runs(_SPACE, present=False)
        block = page.block_of[starts]
        upper = (page.flags & _UPPER) != 0
        cum_upper = np.concatenate(([0], np.cumsum(upper)))
        cum_lower = np.concatenate(([0], np.cumsum((page.flags & _LOWER_OR_TITLE) != 0)))
        length = ends - starts + 1
        caps = upper[starts]
        all_caps = (length > 1) & (cum_lower[ends + 1] == cum_lower[starts]) & (cum_upper[ends + 1] > cum_upper[starts])

        def count(mask: np.ndarray | None = None) -> np.ndarray:
            return np.bincount(block if mask is None else block[mask], minlength=n).astype(np.float64)

        return cls(count(), count(caps), count(caps & (length <= 3)), count(all_caps))


@dataclass
class _Tokens:
    """The ``\\w+`` tokens of a page's lower-cased blocks."""

    #: the blocks, lower-cased, joined by newlines; with their characters
    joined: str
    page: _PageChars
    words: list[str]
    #: each token's block
    block: np.ndarray
    #: per block, its first token's index (-1 for a block without tokens) and the flags of its first character
    first: np.ndarray
    first_flags: np.ndarray
    #: per token, whether it starts with a digit
    numeric: np.ndarray
    #: per token, its length and its first character's code point
    lengths: np.ndarray
    initials: np.ndarray

    @classmethod
    def of(cls, lowered: Sequence[str]) -> _Tokens:
        joined = "\n".join(lowered)
        words = _TOKEN.findall(joined)
        page = _PageChars.of(lowered, joined)
        starts, ends = page.runs(_WORD)
        if len(starts) != len(words):  # cannot happen: the flags are the tokenizer's own classes
            raise AssertionError("token boundaries disagree with the tokenizer")
        block = page.block_of[starts]
        first = np.searchsorted(block, np.arange(len(lowered)))  # each block's first token, if it has one
        found = first < len(block)
        found[found] = block[first[found]] == np.flatnonzero(found)
        first_flags = np.zeros(len(lowered), dtype=page.flags.dtype)
        first_flags[found] = page.flags[starts[first[found]]]
        numeric = (page.flags[starts] & _DIGIT_FLAG) != 0
        return cls(joined, page, words, block, np.where(found, first, -1), first_flags, numeric, ends - starts + 1, page.cps[starts])

    def blocks_matching(self, pattern: re.Pattern[str]) -> np.ndarray:
        """Per block, whether ``pattern`` matches in it (for patterns that cannot match across a newline)."""
        hit = np.zeros(len(self.first), dtype=bool)
        positions = [m.start() for m in pattern.finditer(self.joined)]
        hit[self.page.block_of[positions]] = True
        return hit


@dataclass
class Terms:
    """The content words of a page's blocks, for lexical cohesion: which block holds which term
    (a term: the first 5 letters of a word of 4 letters or more that is no stop word and no number;
    the cut stands in for a stemmer in inflected languages). One pair per (block, term)."""

    block: np.ndarray
    term: np.ndarray

    @classmethod
    def of(cls, tokens: _Tokens, codes: np.ndarray, stop_langs: int) -> Terms:
        content = (tokens.lengths >= 4) & ((codes & ((1 << stop_langs) - 1)) == 0) & ~tokens.numeric
        stems = map(_FIRST_5, compress(tokens.words, content.tolist()))
        first_seen: dict[str, int] = {}  # stem -> where it first occurs
        first = np.fromiter(map(first_seen.setdefault, stems, count()), dtype=np.int64, count=int(np.count_nonzero(content)))
        # a stem's id: how many distinct stems first occur before it
        term = (np.cumsum(first == np.arange(len(first))) - 1)[first]
        types = max(len(first_seen), 1)
        pairs = _sorted_unique(tokens.block[content] * types + term, len(tokens.first) * types)
        return cls(pairs // types, pairs % types)


_FIRST_5 = itemgetter(slice(0, 5))
#: ``_sorted_unique`` marks values in a table of booleans up to this size, else it sorts
_MARK_LIMIT = 1 << 22


def _sorted_unique(values: np.ndarray, bound: int) -> np.ndarray:
    """``np.unique(values)`` for non-negative ints below ``bound``, without a sort when ``bound`` is small."""
    if bound > _MARK_LIMIT:
        return np.unique(values)
    seen = np.zeros(bound, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


@dataclass
class PageExtras:
    """What ``page_features`` can hand back besides the matrix: each block's lexicon hits per kind
    (None for blocks without words) and the page's terms."""

    hits: list[list[int] | None] = field(default_factory=list)
    terms: Terms | None = None


def page_features(texts: Sequence[str], hints: Sequence[BlockHints | None], lexicon: Lexicon, extras: PageExtras | None = None) -> np.ndarray:
    """The feature matrix of a page: one row a block, columns as ``FEATURES``.

    Counts are taken for the whole page at once (its blocks joined, character classes looked up
    in a table, tallied per block with ``bincount``); only a few string tests run block by block.
    ``extras``, if given, receives the lexicon hits and the terms (see ``PageExtras``).
    """
    n = len(texts)
    X = np.zeros((n, len(FEATURES)), dtype=np.float32, order="F")  # filled column by column; the trees read it by column
    if n == 0:
        return X
    lowered = list(map(str.lower, texts))
    tok = _Tokens.of(lowered)
    tokens, token_block, first_token, first_flags = tok.words, tok.block, tok.first, tok.first_flags
    w = np.bincount(token_block, minlength=n).astype(np.float64)
    has_words = w > 0
    codes = lexicon.codes_of(tokens)
    stop_own, stop_any = _stop_counts(codes, token_block, n, len(lexicon.stopwords))
    page = _PageChars.of(texts)
    words = _Words.of(page, n)
    counted = page.counted(n)
    digits = page.per_block(_DIGIT_FLAG, n)
    chars = np.fromiter(map(len, texts), dtype=np.float64, count=n)
    hits = lexicon.block_hits(tokens, token_block.tolist(), lowered, codes, tok.joined, tok.initials)
    hits[~has_words] = 0
    if extras is not None:
        extras.hits = [row if ok else None for row, ok in zip(hits.tolist(), has_words.tolist())]
        extras.terms = Terms.of(tok, codes, len(lexicon.stopwords))
    lex, hits_any = _lexicon_columns(hits, w, lexicon)

    def per_word(values: np.ndarray, of: np.ndarray = w) -> np.ndarray:
        return np.where(has_words, values / np.maximum(of, 1.0), 0.0)

    col = _INDEX
    X[:, col["log_words"]] = np.log1p(w)
    X[:, col["log_chars"]] = np.log1p(chars)
    X[:, col["word_len"]] = per_word(chars - counted[:, 0])
    X[:, col["sentence_punct"]] = per_word(counted[:, 1:4].sum(axis=1))
    X[:, col["commas"]] = per_word(counted[:, 4])
    X[:, col["stop_page"]] = per_word(stop_own)
    X[:, col["stop_max"]] = per_word(stop_any)
    X[:, col["capitalised"]] = per_word(words.capitalised, words.count)
    X[:, col["short_capitalised"]] = per_word(words.short_capitalised, words.count)
    X[:, col["lower_start"]] = has_words & ((first_flags & _LOWER) != 0)
    X[:, col["all_caps"]] = per_word(words.all_caps, words.count)
    X[:, col["digits"]] = per_word(digits, chars)
    X[:, col["no_words"]] = ~has_words
    X[:, col["lex_any"]] = np.minimum(hits_any / np.maximum(w, 1.0), 1.0)
    X[:, _LEX0 : _LEX0 + len(LEXICON_KINDS)] = lex
    months = np.bincount(token_block, weights=(codes & MONTH_BIT) != 0, minlength=n)
    _ends_features(X, page, chars, w)
    first_code = np.zeros(n, dtype=np.int64)
    first_code[first_token >= 0] = codes[first_token[first_token >= 0]]
    bylines = (w <= 20) & ((first_code & BYLINE_BIT) != 0)
    numeric = np.zeros(n, dtype=bool)
    numeric[page.block_of[:-1][((page.flags[:-1] & _DIGIT_FLAG) != 0) & ((page.flags[1:] & _DATE_MARK) != 0)]] = True
    candidates = _Candidates(has_words & (digits > 0), numeric, months > 0, bylines, page.per_block(_SEPARATOR_CHAR, n) > 0)
    _regex_features(X, texts, candidates)
    X[:, col["urlish"]] = tok.blocks_matching(_URLISH)
    if any(map(is_not, hints, repeat(None))):
        _dom_features(X, hints, lexicon)
    _context_features(X, chars, w)
    return X


def _stop_counts(codes: np.ndarray, token_block: np.ndarray, n: int, langs: int) -> tuple[np.ndarray, np.ndarray]:
    """Per block, its stop words of the page's language (the language with the most stop-word
    tokens on the page; ties to the first in the lexicon) and its stop words of any language."""
    per_lang = [int(np.count_nonzero(codes & (1 << k))) for k in range(langs)]
    own = np.zeros(n)
    if per_lang and max(per_lang) > 0:
        best = per_lang.index(max(per_lang))
        own = np.bincount(token_block, weights=(codes >> best) & 1, minlength=n)
    return own, np.bincount(token_block, weights=(codes & ((1 << langs) - 1)) != 0, minlength=n)


def _lexicon_columns(hits: np.ndarray, w: np.ndarray, lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray]:
    """The ``lex_*`` columns (1: the block is that kind by the lexicon's rule, 0.5: a weaker hit)
    and each block's hits over those kinds."""
    lex = np.zeros((len(w), len(LEXICON_KINDS)), dtype=np.float32)
    kinds = [k for k, spec in enumerate(lexicon.kinds) if spec.name in LEXICON_KINDS]
    if not kinds:
        return lex, np.zeros(len(w))
    specs = [lexicon.kinds[k] for k in kinds]
    h = hits[:, kinds].astype(np.float64)  # all the kinds at once: one column each
    words = w[:, None]
    max_words, long_hits, words_per_hit = (np.array([getattr(spec, a) for spec in specs], dtype=np.float64) for a in ("max_words", "long_hits", "words_per_hit"))
    strong = (words <= max_words) | ((h >= long_hits) & (h * words_per_hit >= words))
    lex[:, [LEXICON_KINDS.index(spec.name) for spec in specs]] = np.where(h > 0, np.where(strong, 1.0, 0.5), 0.0)
    return lex, h.sum(axis=1)  # whole numbers: the sum is exact in any order


def _ends_features(X: np.ndarray, page: _PageChars, chars: np.ndarray, w: np.ndarray) -> None:
    """The features read off each block's first and last characters: it ends a sentence (past
    closing quotes and brackets), ends in a colon, opens or closes a quote, starts with a list
    marker (then ``bullet_level``: 1 for "*" "•", 2 for "+" "-", 3 otherwise); and ``prose``."""
    n = len(chars)
    start = (np.cumsum(chars + 1) - (chars + 1)).astype(np.int64)
    flags = page.flags
    solid = np.flatnonzero((flags & _SPACE) == 0)
    k = np.searchsorted(page.block_of[solid], np.arange(n), side="right") - 1
    has_text = k >= 0
    has_text[has_text] = page.block_of[solid[k[has_text]]] == np.flatnonzero(has_text)
    last = np.where(has_text, solid[np.maximum(k, 0)] if len(solid) else 0, start)
    end = last.copy()
    while True:  # str.rstrip(_CLOSERS)
        closing = has_text & (end >= start) & ((flags[np.maximum(end, 0)] & _CLOSER) != 0)
        if not closing.any():
            break
        end[closing] -= 1
    sentence_end = has_text & (end >= start) & ((flags[np.maximum(end, 0)] & _ENDER) != 0)
    first = np.where(chars > 0, flags[np.minimum(start, len(flags) - 1)], 0)
    last_flags = np.where(has_text, flags[last], 0)
    bullet = _list_markers(page, start, chars, (chars > 1) & ((first & (_BULLET_MARK | _DIGIT_FLAG)) != 0))
    X[:, _INDEX["sentence_end"]] = sentence_end
    X[:, _INDEX["colon_end"]] = has_text & (page.cps[last] == ord(":"))
    X[:, _INDEX["quote"]] = ~has_text | ((first & _OPENING_QUOTE) != 0) | ((last_flags & _CLOSING_QUOTE) != 0)
    X[:, _INDEX["prose"]] = ((w >= 8) & sentence_end) | (w >= 30)
    X[:, _INDEX["bullet"]] = bullet
    X[:, _INDEX["bullet_level"]] = np.where(bullet, np.where(first & _STAR_MARK, 1.0, np.where(first & _PLUS_MARK, 2.0, 3.0)), 0.0)


def _list_markers(page: _PageChars, start: np.ndarray, chars: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Which of the candidate blocks ``_BULLET`` matches (a list mark, or one or two digits and "."
    or ")", then white space), read off the page's first characters of each block."""
    idx = np.flatnonzero(candidates)
    if not len(idx):
        return candidates
    first, length, last = start[idx], chars[idx], len(page.flags) - 1
    f0, f1, f2, f3 = (page.flags[np.minimum(first + k, last)] for k in range(4))
    digit0 = (f0 & _DIGIT_FLAG) != 0
    marked = ((f0 & _BULLET_MARK) != 0) & (length >= 2) & ((f1 & _SPACE) != 0)
    one_digit = digit0 & (length >= 3) & ((f1 & _LIST_CLOSE) != 0) & ((f2 & _SPACE) != 0)
    two_digits = digit0 & ((f1 & _DIGIT_FLAG) != 0) & (length >= 4) & ((f2 & _LIST_CLOSE) != 0) & ((f3 & _SPACE) != 0)
    out = np.zeros(len(candidates), dtype=bool)
    out[idx] = marked | one_digit | two_digits
    return out


@dataclass
class _Candidates:
    """Per block, whether a regex could match it: a date needs a digit, a numeric date a digit
    followed by one of "./-:", a day-and-month date a month's name, a byline its first word, a
    separator a separator character."""

    dated: np.ndarray
    numeric: np.ndarray
    months: np.ndarray
    bylines: np.ndarray
    separators: np.ndarray


def _regex_features(X: np.ndarray, texts: Sequence[str], candidates: _Candidates) -> None:
    """The features that need a regex, tried only on the blocks that could match; and ``dup_in_page``."""
    col = _INDEX
    seen = Counter(texts)
    if len(seen) < len(texts):  # else no block repeats (the column is 0)
        X[:, col["dup_in_page"]] = np.fromiter(map(seen.__getitem__, texts), dtype=np.int64, count=len(texts)) > 1
    months, numeric = candidates.months, candidates.numeric
    for i in np.flatnonzero(candidates.dated & (numeric | months)).tolist():
        X[i, col["date"]] = (numeric[i] and DATE_NUMERIC.search(texts[i]) is not None) or (months[i] and DATE_WORDS.search(texts[i]) is not None)
    for i in np.flatnonzero(candidates.bylines).tolist():
        X[i, col["byline"]] = BYLINE.search(texts[i]) is not None
    for i in np.flatnonzero(candidates.separators).tolist():
        X[i, col["separators"]] = len(_SEPARATOR.findall(texts[i]))


def _dom_features(X: np.ndarray, hints: Sequence[BlockHints | None], lexicon: Lexicon) -> None:
    tag_col = {t: _INDEX[f"tag_{t}"] for t in _TAG_COLUMNS}
    hint_col = {k: _INDEX[f"hint_{k}"] for k in HINT_KINDS}
    for i, h in enumerate(hints):
        if h is None:
            continue
        row = X[i]
        row[_INDEX["has_dom"]] = 1.0
        row[_INDEX["link_density"]] = h.link_density
        row[tag_col[TAG_GROUPS.get(h.tag, "other")]] = 1.0
        for depth, token in enumerate(h.attrs):
            kind = lexicon.html_hints.get(token)
            weight = 1.0 / (1 + 0.25 * depth)
            if kind in hint_col and row[hint_col[kind]] < weight:
                row[hint_col[kind]] = weight
            if token in lexicon.html_body and row[_INDEX["hint_body"]] < weight:
                row[_INDEX["hint_body"]] = weight


def _window(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean of ``values`` (one value or one row a block) over the blocks within ``radius`` of each
    block (the block included)."""
    return _windows(values, (radius,))[0]


def _windows(values: np.ndarray, radii: Sequence[int]) -> list[np.ndarray]:
    """``_window(values, radius)`` for each of ``radii``, from one running sum (a column's running
    sum is the same whether it is summed alone or beside other columns)."""
    n = len(values)
    csum = np.concatenate((np.zeros((1,) + values.shape[1:]), np.cumsum(values, axis=0, dtype=np.float64)))
    idx = np.arange(n)
    out = []
    for radius in radii:
        lo = np.maximum(idx - radius, 0)
        hi = np.minimum(idx + radius + 1, n)
        width = (hi - lo).reshape((n,) + (1,) * (values.ndim - 1))
        out.append((csum[hi] - csum[lo]) / width)
    return out


def _sections(X: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Per block: inside a comments section, inside a related-links section (each opened by a short
    heading the lexicon knows; a related section ends at a long prose paragraph, any section at a
    footer or a consent notice). None when no block opens a section (nothing is inside one).
    Only the blocks that can change the section are visited."""
    short = words <= 6
    opens_comments = (X[:, _INDEX["lex_comments"]] == 1.0) & short
    opens_related = (X[:, _INDEX["lex_related"]] == 1.0) & short
    if not (opens_comments.any() or opens_related.any()):
        return None
    closes = (X[:, _INDEX["lex_footer"]] == 1.0) | (X[:, _INDEX["lex_cookie_notice"]] == 1.0)
    long_prose = (X[:, _INDEX["prose"]] != 0) & (words >= 25)
    events = np.flatnonzero(opens_comments | opens_related | closes | long_prose).tolist()
    comments, related, prose, close = opens_comments.tolist(), opens_related.tolist(), long_prose.tolist(), closes.tolist()
    changes: list[tuple[int, int]] = []  # (block, section from it on): 0 none, 1 comments, 2 related
    section = 0
    for i in events:
        if comments[i]:
            section = 1
        elif related[i]:
            section = 2
        elif (section == 2 and prose[i]) or close[i]:
            section = 0
        else:
            continue
        changes.append((i, section))
    state = np.zeros(len(words), dtype=np.int8)
    for (i, value), (end, _) in zip(changes, changes[1:] + [(len(words), 0)]):
        state[i:end] = value
    return state == 1, state == 2


_NEAR_COLUMNS = [_INDEX[f] for f in ("log_words", "prose", "stop_page")]
_NEAR_WINDOWS = [_INDEX[f] for f in ("win3_words", "win3_prose", "win3_stop")]
_WIDE_COLUMNS = [_INDEX[f] for f in ("log_words", "prose", "bullet")]
_WIDE_WINDOWS = [_INDEX[f] for f in ("win7_words", "win7_prose", "win7_bullet")]
_NEIGHBOUR_COLUMNS = [_INDEX[f] for f in _NEIGHBOUR]
_PREV_COLUMNS = {offset: [_INDEX[f"prev{offset}_{f}"] for f in _NEIGHBOUR] for offset in (1, 2)}
_NEXT_COLUMNS = {offset: [_INDEX[f"next{offset}_{f}"] for f in _NEIGHBOUR] for offset in (1, 2)}


def _context_features(X: np.ndarray, chars: np.ndarray, words: np.ndarray) -> None:
    n = len(X)
    idx = np.arange(n, dtype=np.float64)
    X[:, _INDEX["pos"]] = idx / max(n - 1, 1)
    total_chars = chars.sum() or 1.0
    before = np.cumsum(chars) - chars
    X[:, _INDEX["pos_chars"]] = before / total_chars
    X[:, _INDEX["log_blocks"]] = math.log1p(n)
    prose = X[:, _INDEX["prose"]].astype(np.float64)
    lex_any = X[:, _INDEX["lex_any"]] > 0
    # the densest stretch: the block whose +-3 window holds the most words of prose blocks; and the
    # windows of ``_NEAR_COLUMNS`` (+-3) and ``_WIDE_COLUMNS`` (+-7), all from one running sum
    columns = np.empty((n, 1 + len(_NEAR_COLUMNS) + len(_WIDE_COLUMNS)))
    columns[:, 0] = words * prose * (~lex_any)
    columns[:, 1 : 1 + len(_NEAR_COLUMNS)] = X[:, _NEAR_COLUMNS]
    columns[:, 1 + len(_NEAR_COLUMNS) :] = X[:, _WIDE_COLUMNS]
    near, wide = _windows(columns, (3, 7))
    dense = near[:, 0]
    centre = int(np.argmax(dense)) if dense.max() > 0 else int(np.argmax(words))
    X[:, _INDEX["dist_dense"]] = np.abs(idx - centre) / max(n - 1, 1)
    X[:, _INDEX["dist_dense_chars"]] = np.abs(before - before[centre]) / total_chars
    X[:, _INDEX["after_dense"]] = idx > centre
    core = np.flatnonzero(prose * (~lex_any))
    if len(core):
        first, last = core[0], core[-1]
        X[:, _INDEX["in_core"]] = (idx >= first) & (idx <= last)
        X[:, _INDEX["before_core"]] = np.minimum((first - idx).clip(0), 20) / 20
        X[:, _INDEX["after_core"]] = np.minimum((idx - last).clip(0), 20) / 20
    # sections opened by a short "Comments" / "Read also" heading
    sections = _sections(X, words)
    if sections is not None:
        X[:, _INDEX["section_comments"]], X[:, _INDEX["section_related"]] = sections
    X[:, _NEAR_WINDOWS] = near[:, 1 : 1 + len(_NEAR_COLUMNS)]
    X[:, _WIDE_WINDOWS] = wide[:, 1 + len(_NEAR_COLUMNS) :]
    X[:, _INDEX["page_stop"]] = float(X[:, _INDEX["stop_page"]].mean())
    X[:, _INDEX["page_bullets"]] = float(X[:, _INDEX["bullet"]].mean())
    X[:, _INDEX["rel_words"]] = words / (words.max() or 1.0)
    src = _NEIGHBOUR_COLUMNS
    for offset in (1, 2):
        prev_cols, next_cols = _PREV_COLUMNS[offset], _NEXT_COLUMNS[offset]
        if n > offset:
            X[offset:, prev_cols] = X[:-offset, src]
            X[:-offset, next_cols] = X[offset:, src]
        X[:offset, prev_cols] = -1.0
        X[-offset:, next_cols] = -1.0


# -- second stage: the first stage's probabilities in their context -----------------------------------
_CARRIED = ("log_words", "sentence_end", "stop_page", "bullet", "lex_any", "prose", "pos", "has_dom", "link_density", "tag_h1", "tag_h", "lex_cookie_notice", "section_comments")
CONTEXT_FEATURES: tuple[str, ...] = (
    ("p", "logit")
    + tuple(f"p{d}{o}" for o in (1, 2, 3) for d in ("prev", "next"))
    + ("mean2", "mean5", "mean10", "wmean5", "max3", "page_max", "page_mean", "p_rel", "in_region", "region_dist", "region_share", "mass_before", "mass_after")
    + tuple(f"x_{name}" for name in _CARRIED)
    + ("cohesion", "cohesion_core")
)
_CARRIED_INDEX = [_INDEX[name] for name in _CARRIED]


def context_features(p: np.ndarray, X: np.ndarray, terms: Terms | None = None) -> np.ndarray:
    """Second-stage features of a page: each block's first-stage body probability, its neighbours'
    and its surroundings' (windows, the page's maximum, the likeliest article region), a few
    first-stage features, and its lexical cohesion with the likely article (``cohesion``)."""
    n = len(p)
    Z = np.zeros((n, len(CONTEXT_FEATURES)), dtype=np.float32, order="F")  # filled column by column; the trees read it by column
    if n == 0:
        return Z
    p = p.astype(np.float64)
    words = np.expm1(X[:, _INDEX["log_words"]].astype(np.float64))
    q = np.clip(p, 1e-4, 1 - 1e-4)
    Z[:, 0] = p
    Z[:, 1] = np.log(q / (1 - q))
    col = 2
    for offset in (1, 2, 3):
        prev = np.full(n, -1.0)
        nxt = np.full(n, -1.0)
        if n > offset:
            prev[offset:] = p[:-offset]
            nxt[:-offset] = p[offset:]
        Z[:, col], Z[:, col + 1] = prev, nxt
        col += 2
    weights = np.sqrt(words) + 0.1
    columns = np.stack([p, p * weights, weights], axis=1)
    around2, around5, around10 = _windows(columns, (2, 5, 10))
    Z[:, col] = around2[:, 0]
    Z[:, col + 1] = around5[:, 0]
    Z[:, col + 2] = around10[:, 0]
    Z[:, col + 3] = around5[:, 1] / around5[:, 2]
    padded = np.concatenate([np.full(3, -1.0), p, np.full(3, -1.0)])
    window_max = padded[:n]
    for shift in range(1, 7):  # the maximum over the 7 blocks around each
        window_max = np.maximum(window_max, padded[shift : shift + n])
    Z[:, col + 4] = window_max
    page_max = float(p.max())
    Z[:, col + 5] = page_max
    Z[:, col + 6] = float(p.mean())
    Z[:, col + 7] = p / max(page_max, 1e-6)
    start, end = max_sum_run((np.maximum(words, 1.0) ** 0.5) * (p - 0.3))
    idx = np.arange(n)
    if start >= 0:
        Z[:, col + 8] = (idx >= start) & (idx <= end)
        Z[:, col + 9] = np.minimum(np.maximum(start - idx, idx - end).clip(0), 20) / 20
        Z[:, col + 10] = (end - start + 1) / n
    else:
        Z[:, col + 9] = 1.0
    mass = p * words
    total = mass.sum() or 1.0
    before = np.cumsum(mass) - mass
    Z[:, col + 11] = before / total
    Z[:, col + 12] = (total - before - mass) / total
    Z[:, col + 13 : col + 13 + len(_CARRIED)] = X[:, _CARRIED_INDEX]
    Z[:, -2:] = cohesion(p, terms) if terms is not None else -1.0
    return Z


def cohesion(p: np.ndarray, terms: Terms) -> np.ndarray:
    """Per block: the share of its terms found in the other blocks, weighted by their body
    probability (capped at 1), and the share found in another block of probability above 0.5;
    -1 for a block without terms. An article's paragraphs share their topic's words; teasers of
    other stories, comments about everything and menus share few of them."""
    n = len(p)
    out = np.full((n, 2), -1.0)
    if len(terms.block) == 0:
        return out
    types = int(terms.term.max()) + 1
    own = p[terms.block]
    core = (p > 0.5).astype(np.float64)
    soft = np.bincount(terms.term, weights=own, minlength=types)[terms.term] - own
    hard = np.bincount(terms.term, weights=core[terms.block], minlength=types)[terms.term] - core[terms.block]
    count = np.bincount(terms.block, minlength=n)
    has = count > 0
    out[has, 0] = (np.bincount(terms.block, weights=np.minimum(soft, 1.0), minlength=n) / np.maximum(count, 1))[has]
    out[has, 1] = (np.bincount(terms.block, weights=(hard > 0.5).astype(np.float64), minlength=n) / np.maximum(count, 1))[has]
    return out


def max_sum_run(scores: np.ndarray) -> tuple[int, int]:
    """``[start, end]`` of the consecutive run with the highest positive sum (``(-1, -2)`` if none)."""
    best, current, start, best_start, best_end = 0.0, 0.0, 0, -1, -2
    for i, v in enumerate(scores.tolist()):
        if current <= 0:
            current, start = v, i
        else:
            current += v
        if current > best:
            best, best_start, best_end = current, start, i
    return best_start, best_end
