"""Features of a page's blocks for the boilerplate classifier (plain text, plus DOM hints for HTML).

``page_features(texts, hints, lexicon)`` returns one row of floats a block (``FEATURES`` names the
columns). Everything is language-independent in form: word and character counts, sentence
punctuation, stop-word density in the page's language (guessed from the stop-word lists of
en/ru/uk/be/pl/de/cs), capitalised and short words, separators, digits and dates, list markers of
text dumps, the boilerplate lexicon's hits by kind, position on the page and distance from the
densest stretch of prose, the same for the neighbouring blocks, and for HTML blocks the tag, the
class/id tokens and the link density. Plain-text blocks get the DOM columns at their neutral value
(``has_dom`` = 0), so one model serves both inputs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .document import BlockHints

_CLOSERS = "\"'”»)]"
_ENDERS = (".", "!", "?", "…")
_SEPARATOR = re.compile(r"(?:^|\s)[|»•›·/>–—«‹](?=\s|$)|\s\|\s?|[|•·»]")
_BULLET = re.compile(r"^(?:[*+•·▪◦o-]|\d{1,2}[.)])\s")
_URLISH = re.compile(r"https?://|www\.|@\w|\.(?:com|ru|pl|ua|by|org|net|de)\b", re.IGNORECASE)
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    "september|october|november|december|"
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    "січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|"
    "студзеня|лютага|сакавіка|красавіка|траўня|чэрвеня|ліпеня|жніўня|верасня|кастрычніка|лістапада|снежня|"
    "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia|"
    "januar|februar|märz|juni|juli|oktober|dezember"
)
DATE = re.compile(
    rf"\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}:\d{{2}}\b|"
    rf"(?i:\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\b)"
)
BYLINE = re.compile(r"(?i)^(?:[*+•-]\s+)?(?:by|posted by|written by|author|автор|аўтар|автор:|autor|фото|photo|foto|текст|von)\b[:\s]")

#: tag families of HTML blocks (one column each); other tags fall into "other"
TAG_GROUPS = {
    "p": "p", "h1": "h1", "h2": "h", "h3": "h", "h4": "h", "h5": "h", "h6": "h",
    "li": "li", "dt": "li", "dd": "li", "td": "td", "th": "td", "blockquote": "p", "pre": "p",
    "div": "div", "section": "div", "article": "div", "main": "div", "span": "div",
    "a": "a", "button": "a", "label": "a", "figcaption": "caption", "caption": "caption",
}
_TAG_COLUMNS = ("p", "h1", "h", "li", "td", "div", "a", "caption", "other")


_TOKEN = re.compile(r"\w+")


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
        return cls(tuple(specs), phrases, tuple(prefixes), tuple(p for p, _ in prefixes), tuple(symbols), html_hints, html_body, stopwords)

    @property
    def all_stopwords(self) -> frozenset[str]:
        return frozenset().union(*self.stopwords.values())

    @property
    def kind_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)

    def hits(self, lowered: str, tokens: Sequence[str] | None = None) -> list[int]:
        """Phrase hits per kind (in ``kinds`` order) in a lower-cased text."""
        counts = [0] * len(self.kinds)
        if tokens is None:
            tokens = _TOKEN.findall(lowered)
        phrases, prefixes = self.phrases, self.prefixes
        n = len(tokens)
        i = 0
        while i < n:
            token = tokens[i]
            step = 1
            entries = phrases.get(token)
            matched = False
            if entries:
                for seq, prefix, k in entries:
                    m = len(seq)
                    if i + m <= n and (tuple(tokens[i : i + m]) == seq or (prefix and tuple(tokens[i : i + m - 1]) == seq[:-1] and tokens[i + m - 1].startswith(seq[-1]))):
                        counts[k] += 1
                        step, matched = m, True
                        break
            if not matched and token.startswith(self.prefix_stems):
                for stem, k in prefixes:
                    if token.startswith(stem):
                        counts[k] += 1
                        break
            i += step
        for symbol, k in self.symbols:
            if symbol in lowered:
                counts[k] += lowered.count(symbol)
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
_DIGIT = re.compile(r"\d")


def page_features(texts: Sequence[str], hints: Sequence[BlockHints | None], lexicon: Lexicon, hits_out: list[list[int] | None] | None = None) -> np.ndarray:
    """The feature matrix of a page: one row a block, columns as ``FEATURES``.

    ``hits_out``, if given, receives each block's lexicon hits per kind (None for blocks without words).
    """
    n = len(texts)
    X = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return X
    lowered = [t.lower() for t in texts]
    tokens_of = [_TOKEN.findall(t) for t in lowered]
    lang = _language_of(tokens_of, lexicon)
    own = lexicon.stopwords.get(lang, frozenset()).__contains__
    any_stop = lexicon.all_stopwords.__contains__
    seen: dict[str, int] = {}
    for t in texts:
        seen[t] = seen.get(t, 0) + 1
    lex_cols = [_INDEX[f"lex_{k}"] for k in LEXICON_KINDS]
    lex_of = [(k, _INDEX[f"lex_{spec.name}"] - _LEX0) for k, spec in enumerate(lexicon.kinds) if spec.name in LEXICON_KINDS]
    chars = np.fromiter((len(t) for t in texts), dtype=np.float64, count=n)
    words_n = np.fromiter((len(t) for t in tokens_of), dtype=np.float64, count=n)
    base: list[list[float]] = []
    lex_rows: list[list[float]] = []
    log1p = math.log1p
    for text, low, tokens in zip(texts, lowered, tokens_of):
        w = len(tokens)
        c = len(text)
        stripped = text.rstrip()
        end = stripped.rstrip(_CLOSERS)[-1:] in _ENDERS
        lex = [0.0] * len(LEXICON_KINDS)
        hits_any = 0
        if w:
            words = text.split()
            nw = len(words)
            caps = [x for x in words if x[:1].isupper()]
            digits = len(_DIGIT.findall(text))
            counts = lexicon.hits(low, tokens)
            if hits_out is not None:
                hits_out.append(counts)
            for k, col in lex_of:
                hits = counts[k]
                if hits:
                    hits_any += hits
                    spec = lexicon.kinds[k]
                    lex[col] = 1.0 if (w <= spec.max_words or (hits >= spec.long_hits and hits * spec.words_per_hit >= w)) else 0.5
            row = [
                log1p(w), log1p(c), (c - text.count(" ")) / w, end,
                (text.count(".") + text.count("!") + text.count("?")) / w, text.count(",") / w,
                sum(map(own, tokens)) / w, sum(map(any_stop, tokens)) / w,
                len(caps) / nw, sum(1 for x in caps if len(x) <= 3) / nw,
                tokens[0][:1].islower() and not tokens[0][:1].isdigit(), sum(1 for x in words if len(x) > 1 and x.isupper()) / nw,
                len(_SEPARATOR.findall(text)), digits / c, digits > 0 and DATE.search(text) is not None,
                w <= 20 and BYLINE.search(text) is not None,
            ]
        else:
            if hits_out is not None:
                hits_out.append(None)
            row = [0.0, log1p(c), 0.0, end, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, len(_SEPARATOR.findall(text)), 0.0, 0.0, 0.0]
        bullet = _BULLET.match(text)
        row += [
            bullet is not None, (1.0 if text[0] in "*•" else 2.0 if text[0] in "+-" else 3.0) if bullet else 0.0,
            ("." in text or "@" in text) and _URLISH.search(text) is not None, stripped.endswith(":"),
            stripped[:1] in "\"“«„'‘" or stripped[-1:] in "\"”»“", w == 0, seen[text] > 1,
            min(hits_any / (w or 1), 1.0), (w >= 8 and end) or w >= 30,
        ]
        base.append(row)
        lex_rows.append(lex)
    X[:, : len(_BASE)] = np.asarray(base, dtype=np.float32)
    X[:, _LEX0 : _LEX0 + len(LEXICON_KINDS)] = np.asarray(lex_rows, dtype=np.float32)
    if any(h is not None for h in hints):
        _dom_features(X, hints, lexicon)
    _context_features(X, chars, words_n, lex_cols, lexicon, texts)
    return X


def _language_of(tokens_of: Sequence[list[str]], lexicon: Lexicon) -> str:
    bag: dict[str, int] = {}
    for tokens in tokens_of:
        for t in tokens:
            bag[t] = bag.get(t, 0) + 1
    counts = {lang: sum(bag.get(w, 0) for w in words) for lang, words in lexicon.stopwords.items()}
    best = max(counts, key=counts.__getitem__, default="und")
    return best if counts.get(best) else "und"


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
    """Mean of ``values`` over the blocks within ``radius`` of each block (the block included)."""
    n = len(values)
    csum = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    idx = np.arange(n)
    lo = np.maximum(idx - radius, 0)
    hi = np.minimum(idx + radius + 1, n)
    return (csum[hi] - csum[lo]) / (hi - lo)


def _context_features(X: np.ndarray, chars: np.ndarray, words: np.ndarray, lex_cols: list[int], lexicon: Lexicon, texts: Sequence[str]) -> None:
    n = len(X)
    idx = np.arange(n, dtype=np.float64)
    X[:, _INDEX["pos"]] = idx / max(n - 1, 1)
    total_chars = chars.sum() or 1.0
    before = np.cumsum(chars) - chars
    X[:, _INDEX["pos_chars"]] = before / total_chars
    X[:, _INDEX["log_blocks"]] = math.log1p(n)
    prose = X[:, _INDEX["prose"]].astype(np.float64)
    lex_any = X[:, _INDEX["lex_any"]] > 0
    # the densest stretch: the block whose +-3 window holds the most words of prose blocks
    dense = _window(words * prose * (~lex_any), 3)
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
    com, rel = _INDEX["section_comments"], _INDEX["section_related"]
    lc, lr = _INDEX["lex_comments"], _INDEX["lex_related"]
    section = 0
    for i in range(n):
        if X[i, lc] == 1.0 and words[i] <= 6:
            section = 1
        elif X[i, lr] == 1.0 and words[i] <= 6:
            section = 2
        elif section == 2 and X[i, _INDEX["prose"]] and words[i] >= 25:
            section = 0
        elif X[i, _INDEX["lex_footer"]] == 1.0 or X[i, _INDEX["lex_cookie_notice"]] == 1.0:
            section = 0
        X[i, com] = section == 1
        X[i, rel] = section == 2
    lw = X[:, _INDEX["log_words"]].astype(np.float64)
    X[:, _INDEX["win3_words"]] = _window(lw, 3)
    X[:, _INDEX["win3_prose"]] = _window(prose, 3)
    X[:, _INDEX["win3_stop"]] = _window(X[:, _INDEX["stop_page"]].astype(np.float64), 3)
    X[:, _INDEX["win7_words"]] = _window(lw, 7)
    X[:, _INDEX["win7_prose"]] = _window(prose, 7)
    X[:, _INDEX["win7_bullet"]] = _window(X[:, _INDEX["bullet"]].astype(np.float64), 7)
    X[:, _INDEX["page_stop"]] = float(X[:, _INDEX["stop_page"]].mean())
    X[:, _INDEX["page_bullets"]] = float(X[:, _INDEX["bullet"]].mean())
    X[:, _INDEX["rel_words"]] = words / (words.max() or 1.0)
    src = [_INDEX[f] for f in _NEIGHBOUR]
    for offset in (1, 2):
        prev_cols = [_INDEX[f"prev{offset}_{f}"] for f in _NEIGHBOUR]
        next_cols = [_INDEX[f"next{offset}_{f}"] for f in _NEIGHBOUR]
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
)
_CARRIED_INDEX = [_INDEX[name] for name in _CARRIED]


def context_features(p: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Second-stage features of a page: each block's first-stage body probability, its neighbours'
    and its surroundings' (windows, the page's maximum, the likeliest article region), plus a few
    first-stage features."""
    n = len(p)
    Z = np.zeros((n, len(CONTEXT_FEATURES)), dtype=np.float32)
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
    Z[:, col] = _window(p, 2)
    Z[:, col + 1] = _window(p, 5)
    Z[:, col + 2] = _window(p, 10)
    weights = np.sqrt(words) + 0.1
    Z[:, col + 3] = _window(p * weights, 5) / _window(weights, 5)
    padded = np.concatenate([np.full(3, -1.0), p, np.full(3, -1.0)])
    Z[:, col + 4] = np.max(np.lib.stride_tricks.sliding_window_view(padded, 7), axis=1)
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
    Z[:, col + 13 :] = X[:, _CARRIED_INDEX]
    return Z


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
