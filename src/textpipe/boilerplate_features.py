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
table, tallied per block with ``numpy.bincount``); the page is lower-cased at once and its words
cut at the character classes (``str.split``, not a regex); regexes run only on blocks that could
match (list markers and separators are read off the characters, not matched; dates only where a
digit stands next to the right characters); loops over blocks visit only the blocks that can
change their result (section headings, lexicon hits), the DOM hints are worked out once per
distinct class/id token list, and numpy works on whole columns at once (the matrices are
column-major, as the trees read them). Every shortcut gives the same floats as the plain
computation it replaces (``tests/test_boilerplate.py`` checks them against it).

Batches: ``batch_features`` does all this for the blocks of many pages at once (a numpy call costs
a fixed overhead, paid once a batch instead of once a page); the page-level columns are computed
per page from where each page's blocks lie (``Pages``), with the same floats as page by page: sums
and means that numpy would round otherwise over a whole batch (running sums of fractions, pairwise
means) are taken page by page, one call a page.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise, repeat
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
#: ``_URLISH``'s alternatives apart: a block has a match of it exactly when it has one of theirs
#: (none spans a newline); each starts with a fixed character, which the regex engine skips to
#: (together, twice as fast as ``_URLISH``)
_URLISH_PARTS = tuple(re.compile(part) for part in (r"https?://", r"www\.", r"@\w", r"\.(?:com|ru|pl|ua|by|org|net|de)\b"))
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
#: ``DATE_NUMERIC`` written to start with its first digit (``\\b`` before a digit: no word character
#: before it), so that the regex engine skips to the digits of a text (2x faster, the same matches)
DATE_NUMERIC_FAST = re.compile(r"\d(?<!\w\d)(?:\d?[./-]\d{1,2}[./-]\d{2,4}\b|\d{3}-\d{2}-\d{2}\b|\d?:\d{2}\b)")
MONTH_NAMES = frozenset(_MONTHS.split("|"))


def alternation(words: Sequence[str]) -> str:
    """A regex matching exactly the strings of ``words``, their common beginnings factored out
    ("j(?:an(?:uary)?|u...)"): the same strings as ``"|".join(words)``, but the regex engine tries
    one branch a first letter instead of every word at every place (``DATE_WORDS``: 2x faster)."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for c in word:
            node = node.setdefault(c, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(tree)


_MONTH = alternation(_MONTHS.split("|"))
DATE_WORDS = re.compile(rf"(?i:\b(?:{_MONTH})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(?:{_MONTH})\b)")
_MAX_STOP_LANGS = 30
PHRASE_BIT, MONTH_BIT, BYLINE_BIT, SECOND_BIT, ALONE_BIT, TEASER_BIT, CAPTION_BIT = (1 << (_MAX_STOP_LANGS + k) for k in range(7))
#: ``Lexicon.prefixed`` checks at most this many first characters of a token at once
_PREFIX_COLUMNS = 4
_TEASER_MARKERS = (
    "read more", "continue reading", "full story", "more", "читать далее", "читать полностью", "подробнее", "далее",
    "читати далі", "докладніше", "czytaj dalej", "czytaj więcej", "więcej", "weiterlesen",
)
#: the words a "read more" link ends with: a block whose last token is one of these is tried against
#: ``TEASER_END`` (``TEASER_BIT`` marks them among the token codes)
_TEASER_LAST_WORDS = frozenset(marker.split()[-1] for marker in _TEASER_MARKERS)
#: a photo's caption or credit, in a lower-cased block: "Фото: РИА Новости", "Фото с сайта ...",
#: "Кадр телеканала ...", "(Picture: EPA)", "(Photo via ...)", "Photo credit: ...", "Credit: Reuters",
#: "fot. PAP", "Zdjęcie: ...", "... | Photo by Anna Nowak". An English marker with a colon or "by"
#: (the group "lead") counts only at the block's start or after a sentence, a bracket, a dash, a bar
#: or a list mark (``_LEAD_AFTER``): "Has nice images: ..." is a list item's lead-in, "a photo by her
#: son won" a sentence. (Every branch starts with a letter or a bracket, without "(?i)" or "\b": the
#: regex engine skips to the places that can start one, several times faster on short blocks.)
CREDIT = re.compile(
    r"фото\s*(?::|—|с сайта|пользовател|из архива|автора)|кадр (?:телеканала|из\b)|\((?:ap |afp )?(?:photo|picture|image)s?\b"
    r"|view full caption|fot\.|(?:fot|foto|zdjęcie|zdjęcia)\s*:"
    r"|(?P<lead>(?:(?:photo|picture|image)s?(?: credit)?|credit)\s*:|(?:photo|picture|image)s? (?:by|courtesy of|via)\b)"
)
#: what may stand before an English credit's marker (the group "lead"; past the white space before it)
_LEAD_AFTER = (".", "(", "|", "—", "–", "-", "*", "+", "•")
#: a list of tags, in a lower-cased block: "Tags: floods, rivers", "Теги: ...", "Метки: ...", "tagi: ...",
#: "Więcej o: ..." (a word of its own, in a block that is no sentence: "Optimize the title tags: use
#: ..." is a paragraph's lead-in)
TAGS = re.compile(r"(?<!\w)(?:tags?|tagi|тэги|теги|метки|ключевые слова|keywords|słowa kluczowe|więcej o)\s*:")
#: a match of ``CREDIT`` or ``TAGS`` holds one of these words (``CAPTION_BIT`` marks them among the
#: token codes): only the blocks with one are searched
CAPTION_WORDS = frozenset((
    "фото", "кадр", "photo", "photos", "picture", "pictures", "image", "images", "credit", "caption", "fot", "foto", "zdjęcie", "zdjęcia",
    "tag", "tags", "tagi", "тэги", "теги", "метки", "ключевые", "keywords", "kluczowe", "więcej",
))
#: a caption or a list of tags has at most this many words
CAPTION_MAX_WORDS = 25
#: a block that ends in one of these (before closing quotes and brackets) is a sentence
_SENTENCE_ENDS = (".", "!", "?", "…")
_CLOSING_MARKS = "\"'”»)"
#: a block that ends in a "read more" link: the marker after the end of a sentence ("...says. Read more",
#: "... правительства. Подробнее"), or followed by an arrow ("more »", "Więcej»"): the teaser of another story.
#: Not a marker after a word and before an ellipsis: "...boats and more...", "и так далее…" end sentences.
TEASER_END = re.compile(
    rf"(?i)(?:[.!?…][\"'”»)\]]*\s*(?:{'|'.join(_TEASER_MARKERS)})\s*[»›>→…]*|(?:^|\s)(?:{'|'.join(_TEASER_MARKERS)})\s*(?:[»›→]|>+)[\s»›>→]*)$"
)
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
    #: word of a byline (one lookup a token); ``ALONE_BIT`` for the first token of a phrase that
    #: may match whatever token follows (a one-token phrase, "word prefix*"), ``SECOND_BIT`` for
    #: the second token of the others (a token can start one of those only before such a token)
    token_codes: dict[str, int]
    #: derived from ``prefix_stems``: the shortest stem's length, and the stems cut to it (a token can
    #: start with a stem only if its head is one of these: one set lookup a token, not one
    #: ``startswith`` a stem); per place among the first (up to ``_PREFIX_COLUMNS``) of the head,
    #: the code points the stems have there, as a table (True at those code points; the same test,
    #: loosened, for tokens whose first characters are at hand as arrays)
    prefix_head: int = field(init=False)
    prefix_heads: frozenset[str] = field(init=False)
    prefix_columns: tuple[np.ndarray, ...] = field(init=False, compare=False)
    #: derived: the class/id tokens of ``html_hints`` and ``html_body`` (a block's tokens are
    #: intersected with them first: most know none)
    html_tokens: frozenset[str] = field(init=False)
    #: derived: the kinds of ``LEXICON_KINDS`` (their places in ``kinds`` and among the ``lex_*``
    #: columns) and their rules (``max_words``, ``long_hits``, ``words_per_hit``, a row each)
    lexicon_columns: tuple[list[int], list[int], np.ndarray] = field(init=False, compare=False)
    #: derived from ``token_codes``: the same codes looked up for a page's tokens as numbers (``codes_at``)
    code_table: _CodeTable = field(init=False, compare=False, repr=False)
    #: derived: per first token of a phrase of three tokens or more, its longest phrase's tokens
    long_phrases: dict[str, int] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        head = min(map(len, self.prefix_stems), default=0)
        object.__setattr__(self, "prefix_head", head)
        object.__setattr__(self, "prefix_heads", frozenset(stem[:head] for stem in self.prefix_stems))
        columns = []
        for k in range(min(head, _PREFIX_COLUMNS)):
            found = [ord(stem[k]) for stem in self.prefix_stems]
            column = np.zeros(max(found) + 2, dtype=bool)  # (its last entry, False, stands for every code point beyond)
            column[found] = True
            columns.append(column)
        object.__setattr__(self, "prefix_columns", tuple(columns))
        object.__setattr__(self, "html_tokens", frozenset(self.html_hints) | self.html_body)
        kinds = [k for k, spec in enumerate(self.kinds) if spec.name in LEXICON_KINDS]
        rules = np.array([[getattr(self.kinds[k], a) for k in kinds] for a in ("max_words", "long_hits", "words_per_hit")], dtype=np.float64)
        object.__setattr__(self, "lexicon_columns", (kinds, [LEXICON_KINDS.index(self.kinds[k].name) for k in kinds], rules.reshape(3, len(kinds))))
        object.__setattr__(self, "code_table", _CodeTable.of(self.token_codes))
        longest = {first: max(len(seq) for seq, _, _ in entries) for first, entries in self.phrases.items()}
        object.__setattr__(self, "long_phrases", {first: m for first, m in longest.items() if m > 2})

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
        for first, entries in phrases.items():
            for seq, prefix, _ in entries:
                special.append((first, ALONE_BIT) if len(seq) <= 1 + prefix else (seq[1], SECOND_BIT))
        special += [(t, TEASER_BIT) for t in _TEASER_LAST_WORDS] + [(t, CAPTION_BIT) for t in CAPTION_WORDS]
        for word, bit in words_and_bits + special:
            codes[word] = codes.get(word, 0) | bit
        return cls(tuple(specs), phrases, tuple(prefixes), tuple(p for p, _ in prefixes), tuple(symbols), html_hints, html_body, stopwords, codes)

    def codes_of(self, tokens: Sequence[str]) -> np.ndarray:
        """``token_codes`` of each token (0 for the others)."""
        return np.fromiter(map(self.token_codes.get, tokens, repeat(0)), dtype=np.int64, count=len(tokens))

    def codes_at(self, tokens: _Tokens) -> np.ndarray:
        """``codes_of`` the tokens of a page, read off its characters (``code_table``) instead of
        looked up one by one: no token needs to be cut out of the page as a string."""
        return self.code_table.codes(tokens.page.cps, tokens.starts, tokens.lengths, tokens.joined, self.token_codes)

    def phrase_starts(self, codes: np.ndarray, tokens: Sequence[str], heads: Sequence[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per token, whether it can start a phrase or hit a one-token prefix (the tokens
        ``block_hits`` visits), and whether it starts with one of ``prefix_stems`` (``prefixed``)."""
        following = np.zeros_like(codes)
        following[:-1] = codes[1:]
        starts = ((codes & ALONE_BIT) != 0) | (((codes & PHRASE_BIT) != 0) & ((following & SECOND_BIT) != 0))
        prefixed = self.prefixed(tokens, heads)
        return starts | prefixed, prefixed

    def phrase_words(self, tokens: _Tokens, codes: np.ndarray, heads: Sequence[np.ndarray]) -> tuple[list[str | None], list[int | None]]:
        """The tokens of a page ``block_hits`` may read, and their blocks (None for the others):
        those that may start a phrase (``maybe_phrase_starts``) and the next, and the rest of the
        longest phrase a token of them starts (``long_phrases``)."""
        maybe = self.maybe_phrase_starts(codes, heads)
        wanted = maybe.copy()
        wanted[1:] |= maybe[:-1]
        words = tokens.words_at(wanted)
        long_phrases = self.long_phrases
        for i in np.flatnonzero(maybe).tolist():
            m = long_phrases.get(words[i])  # type: ignore[arg-type]
            if m is not None:
                tokens.fill(words, i + 2, i + m)
                wanted[i + 2 : i + m] = True
        places = np.flatnonzero(wanted)
        return words, _sparse_list(places, tokens.block[places].tolist(), len(wanted))

    def maybe_phrase_starts(self, codes: np.ndarray, heads: Sequence[np.ndarray]) -> np.ndarray:
        """Per token, whether ``phrase_starts`` may call it a start, from its code and its first
        characters alone (a superset of them)."""
        following = np.zeros_like(codes)
        following[:-1] = codes[1:]
        maybe = ((codes & ALONE_BIT) != 0) | (((codes & PHRASE_BIT) != 0) & ((following & SECOND_BIT) != 0))
        if self.prefix_stems:
            maybe |= self._maybe_prefixed(len(codes), heads)
        return maybe

    def _maybe_prefixed(self, n: int, heads: Sequence[np.ndarray]) -> np.ndarray:
        maybe = np.ones(n, dtype=bool)
        for column, allowed in zip(heads, self.prefix_columns):
            maybe &= allowed.take(np.minimum(column, len(allowed) - 1))
        return maybe

    @property
    def kind_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)

    def hits(self, lowered: str, tokens: Sequence[str] | None = None) -> list[int]:
        """Phrase hits per kind (in ``kinds`` order) in a lower-cased text."""
        if tokens is None:
            tokens = _TOKEN.findall(lowered)
        return self.block_hits(list(tokens), [0] * len(tokens), lowered, np.zeros(len(lowered) + 1, dtype=np.intp))[0].tolist()

    def prefixed(self, tokens: Sequence[str], heads: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """Per token, whether it starts with one of ``prefix_stems``; ``heads``, if the caller has
        them: the code points of the tokens' first characters, one array a place (the first
        ``len(prefix_columns)`` places; any code point past a token's end), then only the tokens
        whose characters there are among the stems' are looked at one by one."""
        n = len(tokens)
        if not self.prefix_stems:
            return np.zeros(n, dtype=bool)
        if heads is None:
            cut = map(itemgetter(slice(0, self.prefix_head)), tokens)
            maybe = np.fromiter(map(self.prefix_heads.__contains__, cut), dtype=bool, count=n)
        else:
            maybe = self._maybe_prefixed(n, heads)
        candidates = np.flatnonzero(maybe).tolist()
        if candidates:
            maybe[candidates] = [tokens[i].startswith(self.prefix_stems) for i in candidates]
        return maybe

    def block_hits(
        self,
        tokens: Sequence[str],
        token_block: Sequence[int],
        joined: str,
        block_of: np.ndarray,
        codes: np.ndarray | None = None,
        heads: Sequence[np.ndarray] | None = None,
    ) -> np.ndarray:
        """Phrase hits per block and kind (blocks x kinds) from a page's tokens in order,
        ``token_block`` naming each token's block (a phrase never spans two blocks). Tokens are
        read left to right; a matched phrase consumes its tokens; a token that starts no phrase
        may still hit a one-token prefix ("cookie*"). ``joined``: the page's blocks, lower-cased,
        joined by newlines (symbols are found in it); ``block_of``: the block of each of its
        characters and of one more, the newline that ends the last block (as ``_PageChars``).
        ``codes`` and ``heads`` (see ``prefixed``), if the caller has them, save work. Only the tokens
        that can start a phrase are visited (``ALONE_BIT``, or ``PHRASE_BIT`` before a ``SECOND_BIT``
        token) and those with a prefix (``phrase_starts``); only they and the tokens of the phrases
        they may start are read (the others, in ``tokens`` and ``token_block``, may be None: see
        ``phrase_words``)."""
        counts = np.zeros((int(block_of[-1]) + 1, len(self.kinds)), dtype=np.int64)
        phrases = self.phrases
        n = len(tokens)
        next_free = 0
        codes = self.codes_of(tokens) if codes is None else codes
        starts_phrase, prefixed = self.phrase_starts(codes, tokens, heads)
        has_prefix = prefixed.tolist()
        for i in np.flatnonzero(starts_phrase).tolist():
            if i < next_free:
                continue
            token, block = tokens[i], token_block[i]
            for seq, prefix, k in phrases.get(token, ()):
                m = len(seq)
                if (
                    i + m <= n
                    and token_block[i + m - 1] == block
                    and (m <= 1 + prefix or tokens[i + 1] == seq[1])  # (most candidates fail at their second token)
                    and _phrase_at(tokens, i, seq, prefix)
                ):
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
        for symbol, k in self.symbols:
            if symbol not in joined:  # in no block
                continue
            if "\n" not in symbol:  # then no occurrence spans two blocks
                counts[:, k] += np.bincount(block_of[_occurrences(joined, symbol)], minlength=len(counts))
                continue
            for b, text in enumerate(_blocks_of(joined, block_of)):
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

    def kinds_of(self, counts: np.ndarray, words: np.ndarray) -> list[str | None]:
        """``kind_of`` of each row of ``counts`` (blocks x kinds) with its number of ``words``
        (whole numbers), all the rows at once: the same rule, a kind at a time."""
        best = np.full(len(counts), -1)
        best_hits = np.zeros(len(counts), dtype=np.int64)
        for k, spec in enumerate(self.kinds):
            hits = counts[:, k].astype(np.int64)
            wins = (hits > best_hits) & ((words <= spec.max_words) | ((hits >= spec.long_hits) & (hits * spec.words_per_hit >= words)))
            best[wins], best_hits[wins] = k, hits[wins]
        names = self.kind_names
        return [None if k < 0 else names[k] for k in best.tolist()]


def _blocks_of(joined: str, block_of: np.ndarray) -> list[str]:
    """The blocks joined in ``joined``, cut where ``block_of`` (see ``Lexicon.block_hits``) says."""
    starts = np.searchsorted(block_of, np.arange(int(block_of[-1]) + 2)).tolist()  # (and the end of the last block's newline)
    return [joined[start : end - 1] for start, end in zip(starts, starts[1:])]


def _occurrences(text: str, part: str) -> list[int]:
    """Where ``part`` starts in ``text``, as ``str.count`` counts it (not overlapping)."""
    found, at = [], text.find(part)
    while at >= 0:
        found.append(at)
        at = text.find(part, at + len(part))
    return found


def _phrase_at(tokens: Sequence[str], i: int, seq: tuple[str, ...], prefix: bool) -> bool:
    m = len(seq)
    if tuple(tokens[i : i + m]) == seq:
        return True
    return prefix and tuple(tokens[i : i + m - 1]) == seq[:-1] and tokens[i + m - 1].startswith(seq[-1])


_EMPTY = -1  # a free place of ``_CodeTable.keys`` (no key is negative)
_VERIFY = -1  # ``_CodeTable.codes``: a token this long is looked up by its string
_HASH = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: a key times this, its top bits


@dataclass(frozen=True)
class _CodeTable:
    """``Lexicon.token_codes`` as a hash table of numbers, for a page's tokens at once.

    A word's key: the alphabet numbers (from 1; the alphabet: the characters of the words of
    ``token_codes``) of its first ``places`` characters, ``bits`` bits each, and its length (more
    than ``places``: ``places + 1``) above them. Two words of at most ``places`` characters have the
    same key exactly when they are the same word, and a token with a character outside the alphabet
    among its first ``places`` (number 0) has no word's key; the few tokens whose key is a longer
    word's (``_VERIFY``) are looked up by their string. The table is open-addressed (linear
    probing): a key sits at most ``probes`` places after its hash."""

    alphabet: np.ndarray  # code point -> its number (0: not in the alphabet; the last entry stands for every code point beyond)
    bits: int
    places: int
    hash_bits: int
    keys: np.ndarray
    #: the code of the key in the same place of ``keys``
    key_codes: np.ndarray
    probes: int

    @classmethod
    def of(cls, token_codes: dict[str, int]) -> _CodeTable:
        letters = sorted(set("".join(token_codes)))
        bits = max(1, len(letters).bit_length())
        places = max(1, min(14, 59 // bits))  # (the length in 4 bits above: a key below 2 ** 63)
        alphabet = np.zeros(max(map(ord, letters), default=0) + 2, dtype=np.int64)
        alphabet[[ord(c) for c in letters]] = np.arange(1, len(letters) + 1)
        table = cls(alphabet, bits, places, 0, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0)
        words = list(token_codes)
        letters = np.zeros((places, len(words)), dtype=np.int64)
        for j, word in enumerate(words):
            letters[: min(len(word), places), j] = [alphabet[ord(c)] for c in word[:places]]
        entries: dict[int, int] = {}
        for key, word in zip(table.keys_of(list(letters), np.array([len(w) for w in words], dtype=np.int64)).tolist(), words):
            entries[key] = _VERIFY if len(word) > places else token_codes[word]
        hash_bits = max(4, (4 * len(entries)).bit_length())  # a table at most a quarter full
        keys = np.full(1 << hash_bits, _EMPTY, dtype=np.int64)
        codes = np.zeros(1 << hash_bits, dtype=np.int64)
        probes, mask = 0, (1 << hash_bits) - 1
        listed = np.array(list(entries), dtype=np.int64)
        for key, place in zip(listed.tolist(), _hashed(listed, hash_bits).tolist()):
            step = 0
            while keys[(place + step) & mask] != _EMPTY:
                step += 1
            keys[(place + step) & mask], codes[(place + step) & mask] = key, entries[key]
            probes = max(probes, step)
        return cls(alphabet, bits, places, hash_bits, keys, codes, probes)

    def keys_of(self, letters: Sequence[np.ndarray], lengths: np.ndarray) -> np.ndarray:
        """The keys of words given the alphabet numbers of their first ``places`` characters (one
        array a place; past a word's end, anything) and their lengths."""
        key = letters[0].copy()
        for k in range(1, self.places):
            key |= letters[k] << (self.bits * k)
        places = np.minimum(lengths, self.places)
        key &= (np.int64(1) << (self.bits * places)) - 1  # (what lies past a word's end)
        return key | (np.minimum(lengths, self.places + 1) << (self.bits * self.places))

    def codes(self, cps: np.ndarray, starts: np.ndarray, lengths: np.ndarray, joined: str, token_codes: dict[str, int]) -> np.ndarray:
        """The codes of the tokens at ``starts`` (``lengths`` long) among the code points ``cps`` of
        ``joined`` (which ends with a character after the last token)."""
        n = len(starts)
        if n == 0 or not token_codes:
            return np.zeros(n, dtype=np.int64)
        # (``clip``: a place past the page is its last; a code point past the alphabet's table, its last entry)
        letters = [self.alphabet.take(cps.take(starts + k, mode="clip"), mode="clip") for k in range(self.places)]
        key = self.keys_of(letters, lengths)
        place = _hashed(key, self.hash_bits)
        found = self.keys.take(place)
        hit = found == key
        out = np.where(hit, self.key_codes.take(place), 0)
        pending = np.flatnonzero(~hit & (found != _EMPTY))  # the keys further along, or in no place
        place, mask = place[pending], (1 << self.hash_bits) - 1
        for _ in range(self.probes):
            if not len(pending):
                break
            place = (place + 1) & mask
            found = self.keys.take(place)
            hit = found == key[pending]
            out[pending[hit]] = self.key_codes.take(place[hit])
            going = ~hit & (found != _EMPTY)
            pending, place = pending[going], place[going]
        verify = np.flatnonzero(out == _VERIFY)
        if len(verify):
            ends = starts[verify] + lengths[verify]
            out[verify] = [token_codes.get(joined[a:b], 0) for a, b in zip(starts[verify].tolist(), ends.tolist())]
        return out


def _hashed(keys: np.ndarray, hash_bits: int) -> np.ndarray:
    """The first place of each key in a table of ``2 ** hash_bits`` places."""
    return ((keys.astype(np.uint64) * _HASH) >> np.uint64(64 - hash_bits)).astype(np.intp)


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
_DIGIT = re.compile(r"\d")


def _flags_of(c: str) -> int:
    """The character-class flags of one character (``_string_flags`` gives them for many at once)."""
    return (
        (_WORD if _TOKEN.match(c) else 0) | (_UPPER if c.isupper() else 0) | (_LOWER if c.islower() else 0)
        | (_LOWER_OR_TITLE if c.islower() or unicodedata.category(c) == "Lt" else 0) | (_SPACE if c.isspace() else 0)
        | (_DIGIT_FLAG if _DIGIT.match(c) else 0) | sum(flag for flag, chars in _CHAR_FLAGS if c in chars)
    )


def _string_flags(chars: str) -> np.ndarray:
    """``_flags_of`` of each character of ``chars``, a class at a time, with the ``str`` tests
    ``re`` itself uses for them (``\\w``: ``isalnum`` or "_"; ``\\d``: ``isdecimal``) mapped over
    the characters, and the listed characters found by code point: the flags of the table (``_TABLED``) in
    a fraction of the time of a call a character (``tests/test_boilerplate.py`` checks that they
    are the same)."""
    n = len(chars)
    each = list(chars)
    cps = np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    def passing(test: Callable[[str], bool]) -> np.ndarray:
        return np.fromiter(map(test, each), dtype=bool, count=n)

    lower = passing(str.islower)
    title = np.fromiter(map("Lt".__eq__, map(unicodedata.category, each)), dtype=bool, count=n)
    flags = np.zeros(n, dtype=np.uint16)
    classes = (
        (_WORD, passing(str.isalnum) | (cps == ord("_"))), (_UPPER, passing(str.isupper)), (_LOWER, lower),
        (_LOWER_OR_TITLE, lower | title), (_SPACE, passing(str.isspace)), (_DIGIT_FLAG, passing(str.isdecimal)),
    )
    for flag, has in classes + tuple((flag, np.isin(cps, [ord(c) for c in listed])) for flag, listed in _CHAR_FLAGS):
        flags[has] |= flag
    return flags


#: the flags of the code points below this come from a table computed once (every alphabet of the
#: pages we see, and the punctuation, symbols and spaces around them: a page in Chinese or with
#: emoji looks its other characters up one by one, once a page each)
_TABLED = 0x3000


@lru_cache(maxsize=1)
def _table_flags() -> np.ndarray:
    """Character-class flags of the code points below ``_TABLED`` (computed once)."""
    return _string_flags("".join(map(chr, range(_TABLED))))


@lru_cache(maxsize=1)
def _counted_codes() -> np.ndarray:
    """Per ASCII code point, its place (from 1) in ``_COUNTED``, 0 if not there (DEL, 127, is not)."""
    codes = np.zeros(128, dtype=np.uint8)
    for k, c in enumerate(_COUNTED, start=1):
        codes[ord(c)] = k
    return codes


def _flags(cps: np.ndarray) -> np.ndarray:
    table = _table_flags()
    if not len(cps) or int(cps.max()) < _TABLED:
        return table.take(cps.astype(np.intp))  # (``take`` of native indices: twice as fast as ``table[cps]``)
    high = cps >= _TABLED
    flags = table[np.where(high, 0, cps)]
    distinct, which = np.unique(cps[high], return_inverse=True)
    flags[high] = _string_flags("".join(map(chr, distinct.tolist())))[which]
    return flags


@dataclass
class _PageChars:
    """The blocks of a page joined by newlines, as code points with their flags and block numbers."""

    cps: np.ndarray
    flags: np.ndarray
    block_of: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str], joined: str | None = None, lengths: np.ndarray | None = None) -> _PageChars:
        """``joined``: the texts joined by newlines, and ``lengths`` theirs, if the caller has them
        already. A last newline ends the page, so that every block, an empty one too, owns at least
        one character."""
        joined = "\n".join(texts) if joined is None else joined
        cps = np.frombuffer((joined + "\n").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if lengths is None:
            lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        block_of = np.repeat(np.arange(len(texts)), lengths + 1)
        return cls(cps, _flags(cps), block_of)

    def words(self, word: np.ndarray | None = None) -> list[str]:
        """The page's ``\\w+`` tokens, as ``_TOKEN.findall`` gives them: every character that is not
        a word character made a space, then ``str.split`` (no word character is white space, so it
        cuts exactly between the runs of word characters; several times faster than the regex).
        ``word``: which characters are word characters, if the caller has it."""
        spaced = np.where((self.flags & _WORD) != 0 if word is None else word, self.cps, np.uint32(ord(" ")))
        return spaced.tobytes().decode("utf-32-le").split()

    def per_block(self, flag: int, n: int) -> np.ndarray:
        """Per block, its characters with ``flag``."""
        return np.bincount(self.block_of[(self.flags & flag) != 0], minlength=n).astype(np.float64)

    def runs(self, flag: int, present: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """First and last positions of each run of characters with ``flag`` (or, if not ``present``, without it)."""
        return _runs(((self.flags & flag) != 0) == present)

    def counted(self, n: int) -> np.ndarray:
        """Per block (rows) the counts of each character of ``_COUNTED`` (columns)."""
        # (all of them ASCII; ``take`` of native indices from a table of bytes: a third of the time
        # of indexing a table of int64 with the code points)
        codes = _counted_codes().take(np.minimum(self.cps, 127).astype(np.intp))
        width = len(_COUNTED) + 1
        counted = np.flatnonzero(codes)  # (a few characters in five)
        table = np.bincount(self.block_of.take(counted) * width + codes.take(counted), minlength=n * width)
        return table.reshape(n, width)[:, 1:].astype(np.float64)


def _runs(on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last positions of each run of True in ``on``: where it changes (one pass), a run's
    start and the place after its end taking turns."""
    edges = np.flatnonzero(on[1:] != on[:-1]) + 1
    if len(on) and on[0]:
        edges = np.concatenate(([0], edges))
    if len(on) and on[-1]:
        edges = np.concatenate((edges, [len(on)]))
    return edges[0::2], edges[1::2] - 1


@dataclass
class _Words:
    """Per block, its whitespace-separated words (as ``str.split`` cuts them): all, capitalised,
    capitalised of at most 3 characters, and ALL CAPS of 2 characters or more (``str.isupper``)."""

    count: np.ndarray
    capitalised: np.ndarray
    short_capitalised: np.ndarray
    all_caps: np.ndarray
    #: per block, whether it has a character that is not white space, and the place of its last one
    has_text: np.ndarray
    last: np.ndarray

    @classmethod
    def of(cls, page: _PageChars, n: int) -> _Words:
        starts, ends = page.runs(_SPACE, present=False)
        block = page.block_of[starts]
        k = np.searchsorted(block, np.arange(n), side="right") - 1  # each block's last word, if it has one
        has_text = k >= 0
        has_text[has_text] = block[k[has_text]] == np.flatnonzero(has_text)
        last = np.where(has_text, ends[np.maximum(k, 0)] if len(ends) else 0, 0)
        length = ends - starts + 1
        caps = (page.flags[starts] & _UPPER) != 0
        # per word, the case flags of its characters OR-ed together: over [start, end + 1) of each
        # word (the slices between words, taking turns with them, are dropped; a word ends before
        # the page's last character, a newline)
        bounds = np.empty(2 * len(starts), dtype=np.intp)
        bounds[0::2], bounds[1::2] = starts, ends + 1
        cased = np.bitwise_or.reduceat(page.flags & (_UPPER | _LOWER_OR_TITLE), bounds)[0::2] if len(starts) else np.zeros(0, dtype=page.flags.dtype)
        all_caps = (length > 1) & ((cased & _LOWER_OR_TITLE) == 0) & ((cased & _UPPER) != 0)

        def count(mask: np.ndarray | None = None) -> np.ndarray:
            return np.bincount(block if mask is None else block[mask], minlength=n).astype(np.float64)

        return cls(count(), count(caps), count(caps & (length <= 3)), count(all_caps), has_text, last)


@dataclass
class _Tokens:
    """The ``\\w+`` tokens of a page's lower-cased blocks."""

    #: the blocks, lower-cased, joined by newlines; with their characters
    joined: str
    page: _PageChars
    #: each token's block
    block: np.ndarray
    #: per block, its first token's index (-1 for a block without tokens) and the flags of its first character
    first: np.ndarray
    first_flags: np.ndarray
    #: per token, whether it starts with a digit
    numeric: np.ndarray
    #: per token, its length and its first character's place in ``page``
    lengths: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, joined: str, page: _PageChars) -> _Tokens:
        """From the lower-cased blocks joined by newlines, and their characters."""
        starts, ends = _runs((page.flags & _WORD) != 0)
        block = page.block_of[starts]
        n = int(page.block_of[-1]) + 1
        first = np.searchsorted(block, np.arange(n))  # each block's first token, if it has one
        found = first < len(block)
        found[found] = block[first[found]] == np.flatnonzero(found)
        first_flags = np.zeros(n, dtype=page.flags.dtype)
        first_flags[found] = page.flags[starts[first[found]]]
        numeric = (page.flags[starts] & _DIGIT_FLAG) != 0
        return cls(joined, page, block, np.where(found, first, -1), first_flags, numeric, ends - starts + 1, starts)

    @property
    def words(self) -> list[str]:
        """The tokens (``_PageChars.words``; the features read only a few of them: ``words_at``)."""
        return self.page.words()

    def words_at(self, wanted: np.ndarray) -> list[str | None]:
        """The tokens where ``wanted``; None elsewhere."""
        places = np.flatnonzero(wanted)
        starts = self.starts[places]
        return _sparse_list(places, list(map(self.joined.__getitem__, map(slice, starts.tolist(), (starts + self.lengths[places]).tolist()))), len(wanted))

    def fill(self, words: list[str | None], start: int, end: int) -> None:
        """Cut out the tokens ``start:end`` (within the page's tokens) into ``words``."""
        end = min(end, len(words))
        for i, at, length in zip(range(start, end), self.starts[start:end].tolist(), self.lengths[start:end].tolist()):
            words[i] = self.joined[at : at + length]

    def heads(self, places: int) -> list[np.ndarray]:
        """Per place up to ``places``, the code point there in each token (past a token's end: a
        character after it, the page's last newline at most)."""
        return [self.page.cps.take(self.starts + k, mode="clip") for k in range(places)]

    def blocks_matching(self, *patterns: re.Pattern[str]) -> np.ndarray:
        """Per block, whether one of ``patterns`` matches in it (for patterns that cannot match across a newline)."""
        hit = np.zeros(len(self.first), dtype=bool)
        for pattern in patterns:
            positions = [m.start() for m in pattern.finditer(self.joined)]
            hit[self.page.block_of[positions]] = True
        return hit


def _sparse_list(places: np.ndarray, values: list, n: int) -> list:
    """A list of ``n`` Nones but ``values`` at ``places`` (quicker than a whole array's ``tolist``)."""
    out = np.empty(n, dtype=object)  # (all None)
    out[places] = values
    return out.tolist()


@dataclass
class Terms:
    """The content words of a page's blocks, for lexical cohesion: which block holds which term
    (a term: the first 5 letters of a word of 4 letters or more that is no stop word and no number;
    the cut stands in for a stemmer in inflected languages). One pair per (block, term)."""

    block: np.ndarray
    term: np.ndarray

    @classmethod
    def of(cls, tokens: _Tokens, codes: np.ndarray, stop_langs: int, token_page: np.ndarray | None = None) -> Terms:
        """``token_page``: each token's page, for a batch of pages (a term is a stem of one page: the
        same stem on two pages is two terms, so that the cohesion of a page reads its own blocks only)."""
        content = (tokens.lengths >= 4) & ((codes & ((1 << stop_langs) - 1)) == 0) & ~tokens.numeric
        page = None if token_page is None else token_page[content]
        first = _first_occurrences(*_stem_keys(tokens, content), page)  # per content word, where its stem (on its page) first occurs
        # a stem's id: how many distinct stems first occur before it (pages in order: a page's ids follow the previous page's)
        leads = first == np.arange(len(first))
        term = (np.cumsum(leads) - 1)[first]
        types = max(int(np.count_nonzero(leads)), 1)
        pairs = _sorted_unique(tokens.block[content] * types + term, len(tokens.first) * types)
        return cls(pairs // types, pairs % types)


def _stem_keys(tokens: _Tokens, content: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The stems (first 5 characters) of the ``content`` tokens as integers, equal exactly when the
    stems are: one integer a stem when every code point fits in 12 bits (Latin, Greek, Cyrillic...),
    else two (code points of 21 bits: the first three, then the last two). A 4-letter word's fifth
    code point is 0, which no word holds."""
    at, length, cps = tokens.starts[content], tokens.lengths[content], tokens.page.cps
    c = [cps.take(at + k).astype(np.int64) for k in range(5)]  # (a word of 4 is followed by a character: the page ends with a newline)
    c[4][length < 5] = 0
    if len(at) == 0 or max(int(column.max()) for column in c) < 1 << 12:
        return (c[0] << 48) | (c[1] << 36) | (c[2] << 24) | (c[3] << 12) | c[4], None
    return (c[0] << 42) | (c[1] << 21) | c[2], (c[3] << 21) | c[4]


def _first_occurrences(high: np.ndarray, low: np.ndarray | None = None, page: np.ndarray | None = None) -> np.ndarray:
    """Per element, the index of the first element with the same key (``high``, or the pair
    (``high``, ``low``)) on the same page (``page``: non-decreasing along the elements, or None).
    The elements are sorted by key alone: a stable sort keeps equal keys in index order, so in
    page order, and a key's elements of one page stand together."""
    m = len(high)
    order = np.argsort(high, kind="stable") if low is None else np.lexsort((low, high))  # both stable: equal keys in index order
    leads = np.zeros(m, dtype=bool)  # the first element of each key (and page), in sorted order
    leads[:1] = True
    for key in (high, low, page):
        if key is not None:
            ordered = key[order]
            leads[1:] |= ordered[1:] != ordered[:-1]
    first = np.empty(m, dtype=np.int64)
    first[order] = order[leads][np.cumsum(leads) - 1]
    return first


#: ``_sorted_unique`` marks values in a table of booleans when the table has at most this many
#: entries a value (and at most ``_MARK_LIMIT``), else it sorts
_MARK_RATIO = 64
_MARK_LIMIT = 1 << 22


def _sorted_unique(values: np.ndarray, bound: int) -> np.ndarray:
    """``np.unique(values)`` for non-negative ints below ``bound``: marked in a table of booleans
    when ``bound`` is small for their number, else sorted (both faster than ``np.unique``)."""
    if bound > min(_MARK_LIMIT, _MARK_RATIO * len(values)):
        ordered = np.sort(values)
        keep = np.ones(len(ordered), dtype=bool)
        keep[1:] = ordered[1:] != ordered[:-1]
        return ordered[keep]
    seen = np.zeros(bound, dtype=bool)
    seen[values] = True
    return np.flatnonzero(seen)


@dataclass
class PageExtras:
    """What ``page_features`` can hand back besides the matrix: each block's lexicon hits per kind
    (``counts``, blocks x kinds, 0 for blocks without words; ``hits`` as lists), the page's terms,
    and what the stage reads of the HTML hints."""

    counts: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    has_words: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    terms: Terms | None = None
    #: HTML pages: per block, the kind of its nearest class/id token the lexicon knows
    #: (the kind of its nearest class/id token ``html_hints`` knows; None for none, or no hints) and its link density (0 without hints);
    #: empty for pages without hints
    hint_kinds: list[str | None] = field(default_factory=list)
    link_density: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: per block, whether it ends in a "read more" link (a teaser of another story)
    teasers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: per block, whether it is a photo's caption or credit or a list of tags (``is_caption``, for
    #: the blocks of at most ``CAPTION_MAX_WORDS`` words)
    captions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    #: per block, whether the stage's metadata rule took it for a caption, tags, a byline or a
    #: date line (set by the stage; empty without the rule)
    metadata: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def hits(self) -> list[list[int] | None]:
        """Per block, its hits per kind (None for a block without words)."""
        return [row if ok else None for row, ok in zip(self.counts.tolist(), self.has_words.tolist())]


_SHARES = [_INDEX[name] for name in ("word_len", "sentence_punct", "commas", "stop_page", "stop_max", "capitalised", "short_capitalised", "all_caps", "digits")]


@dataclass(frozen=True)
class Pages:
    """Where the pages of a batch lie among its blocks (the rows of its matrices, page after page).
    A batch is computed at once, each numpy call over the blocks of all its pages; what belongs to
    a page (its language, its neighbours and windows, its densest stretch, its means) is computed
    per page, from these, never across two pages. Every page has at least one block."""

    #: per page, its first row and its number of rows
    starts: np.ndarray
    sizes: np.ndarray
    #: per row, its page, its place in its page, and its page's number of rows
    page: np.ndarray
    local: np.ndarray
    size: np.ndarray

    @classmethod
    def of(cls, sizes: Sequence[int]) -> Pages:
        counts = np.asarray(sizes, dtype=np.intp).reshape(-1)
        if len(counts) and int(counts.min()) < 1:
            raise ValueError("every page of a batch has at least one block")
        starts = np.cumsum(counts) - counts
        page = np.repeat(np.arange(len(counts)), counts)
        return cls(starts, counts, page, np.arange(len(page)) - starts[page], counts[page])

    def __len__(self) -> int:
        return len(self.sizes)

    def first(self, chosen: np.ndarray) -> np.ndarray:
        """Per page, the first of its rows (an index into the batch) where ``chosen`` (a bool per
        row); the row after the page if none."""
        rows = np.where(chosen, np.arange(len(chosen)), len(chosen))
        return np.minimum(np.minimum.reduceat(rows, self.starts), self.starts + self.sizes)

    def spans(self) -> list[tuple[int, int]]:
        """Per page, ``(start, end)``: its rows are ``start:end``."""
        starts = self.starts.tolist()
        return [(start, start + size) for start, size in zip(starts, self.sizes.tolist())]


def page_features(texts: Sequence[str], hints: Sequence[BlockHints | None], lexicon: Lexicon, extras: PageExtras | None = None) -> np.ndarray:
    """The feature matrix of a page: one row a block, columns as ``FEATURES``.

    Counts are taken for the whole page at once (its blocks joined, character classes looked up
    in a table, tallied per block with ``bincount``); only a few string tests run block by block.
    ``extras``, if given, receives the lexicon hits and the terms (see ``PageExtras``).
    """
    if not texts:
        return np.zeros((0, len(FEATURES)), dtype=np.float32, order="F")
    return batch_features(texts, hints, lexicon, Pages.of([len(texts)]), extras)


def batch_features(texts: Sequence[str], hints: Sequence[BlockHints | None], lexicon: Lexicon, pages: Pages, extras: PageExtras | None = None) -> np.ndarray:
    """The feature matrices of a batch of pages, stacked (``page_features`` of each page, row for
    row, the same floats): ``texts`` and ``hints`` are the blocks of all the pages, page after
    page, ``pages`` says where each page's blocks are. The blocks are joined and counted at once, as
    a page's are (a block is a block wherever it stands: no character, token or phrase spans two);
    the page-level columns are computed per page (``Pages``). ``extras`` covers all the blocks (the
    terms of different pages are different terms)."""
    n = len(texts)
    X = np.zeros((n, len(FEATURES)), dtype=np.float32, order="F")  # filled column by column; the trees read it by column
    if n == 0:
        return X
    single = len(pages) == 1
    joined = "\n".join(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    page = _PageChars.of(texts, joined, lengths)
    tok = _Tokens.of(*_lowered(texts, joined, page))
    token_block, first_token, first_flags = tok.block, tok.first, tok.first_flags
    w = np.bincount(token_block, minlength=n).astype(np.float64)
    has_words = w > 0
    codes = lexicon.codes_at(tok)
    token_page = pages.page[token_block]
    stop_own, stop_any = _stop_counts(codes, token_block, n, len(lexicon.stopwords), token_page, len(pages))
    words = _Words.of(page, n)
    counted = page.counted(n)
    digits = page.per_block(_DIGIT_FLAG, n)
    chars = lengths.astype(np.float64)
    heads = tok.heads(len(lexicon.prefix_columns))
    tokens, blocks_of_tokens = lexicon.phrase_words(tok, codes, heads)  # (the only ones read)
    hits = lexicon.block_hits(tokens, blocks_of_tokens, tok.joined, tok.page.block_of, codes, heads)
    hits[~has_words] = 0
    if extras is not None:
        extras.counts, extras.has_words = hits, has_words
        extras.terms = Terms.of(tok, codes, len(lexicon.stopwords), None if single else token_page)
    lex, hits_any = _lexicon_columns(hits, w, lexicon)

    col = _INDEX
    X[:, col["log_words"]] = np.log1p(w)
    X[:, col["log_chars"]] = np.log1p(chars)
    # the shares (0 for a block without words), all at once: the columns of ``_SHARES``, over
    # the words (``w``, or whitespace-separated for the capitals) or the characters
    counts = np.stack((chars - counted[:, 0], counted[:, 1:4].sum(axis=1), counted[:, 4], stop_own, stop_any, words.capitalised, words.short_capitalised, words.all_caps, digits), axis=1)
    of = np.stack((w, w, w, w, w, words.count, words.count, words.count, chars), axis=1)
    X[:, _SHARES] = np.where(has_words[:, None], counts / np.maximum(of, 1.0), 0.0)
    X[:, col["lower_start"]] = has_words & ((first_flags & _LOWER) != 0)
    X[:, col["no_words"]] = ~has_words
    X[:, col["lex_any"]] = np.minimum(hits_any / np.maximum(w, 1.0), 1.0)
    X[:, _LEX0 : _LEX0 + len(LEXICON_KINDS)] = lex
    months = np.bincount(token_block, weights=(codes & MONTH_BIT) != 0, minlength=n)
    _ends_features(X, page, chars, w, words)
    first_code = np.zeros(n, dtype=np.int64)
    first_code[first_token >= 0] = codes[first_token[first_token >= 0]]
    bylines = (w <= 20) & ((first_code & BYLINE_BIT) != 0)
    candidates = _Candidates.of(page, n, has_words & (digits > 0), months > 0, bylines)
    _regex_features(X, texts, candidates, None if single else pages.page)
    X[:, col["urlish"]] = tok.blocks_matching(*_URLISH_PARTS)
    if extras is not None:
        extras.teasers = _teaser_ends(texts, tok, codes, has_words)
        extras.captions = _captions(texts, tok, codes, w)
    if any(map(is_not, hints, repeat(None))):
        _dom_features(X, hints, lexicon, extras)
    _context_features(X, chars, w, pages)
    return X


def _teaser_ends(texts: Sequence[str], tok: _Tokens, codes: np.ndarray, has_words: np.ndarray) -> np.ndarray:
    """Per block, whether it ends in a "read more" link (``TEASER_END``): tried only on the blocks
    whose last token is one of the words such a link ends with."""
    n = len(texts)
    teasers = np.zeros(n, dtype=bool)
    if not len(codes):
        return teasers
    last = np.searchsorted(tok.block, np.arange(n), side="right") - 1  # each block's last token, if it has words
    candidates = np.flatnonzero(has_words & ((codes[np.maximum(last, 0)] & TEASER_BIT) != 0)).tolist()
    for i in candidates:
        text = texts[i].rstrip()
        teasers[i] = TEASER_END.search(text, max(0, len(text) - 80)) is not None  # (not at a cut: "^" is the block's start)
    return teasers


def is_sentence(text: str) -> bool:
    """Whether a block ends like a sentence ("...", "?", "." before closing quotes and brackets)."""
    return text.rstrip().rstrip(_CLOSING_MARKS).endswith(_SENTENCE_ENDS)


def is_caption(text: str) -> bool:
    """Whether a (short) block is a photo's caption or credit, or a list of tags that is no sentence."""
    lowered = text.lower()
    for match in CREDIT.finditer(lowered):
        if match.group("lead") is None:
            return True
        before = lowered[: match.start()].rstrip()
        if not before or before.endswith(_LEAD_AFTER):
            return True
    return TAGS.search(lowered) is not None and not is_sentence(text)


def _captions(texts: Sequence[str], tok: _Tokens, codes: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per block, ``is_caption`` for the blocks of at most ``CAPTION_MAX_WORDS`` words with a word of
    ``CAPTION_WORDS`` (False for the others, without a look at their text)."""
    marked = np.zeros(len(texts), dtype=bool)
    marked[tok.block[(codes & CAPTION_BIT) != 0]] = True
    captions = np.zeros(len(texts), dtype=bool)
    for i in np.flatnonzero(marked & (w <= CAPTION_MAX_WORDS)).tolist():
        captions[i] = is_caption(texts[i])
    return captions


def _lowered(texts: Sequence[str], joined: str, page: _PageChars) -> tuple[str, _PageChars]:
    """The blocks lower-cased, joined by newlines, and as characters. Lower-casing the joined blocks
    at once gives the same as one by one (the only context ``str.lower`` reads, for a final sigma,
    ends at a newline); when no character changes its length (almost always), the blocks keep
    their places, and only the characters that changed are looked up again (a character's flags
    depend on it alone). The characters are lower-cased by a table (``_lower_cps``) when none
    needs ``str.lower`` itself."""
    cps = _lower_cps(page.cps)
    if cps is not None:
        lowered_joined = cps[:-1].tobytes().decode("utf-32-le", "surrogatepass")
    else:
        lowered_joined = joined.lower()
        if len(lowered_joined) != len(joined):
            lowered = list(map(str.lower, texts))
            lowered_joined = "\n".join(lowered)
            return lowered_joined, _PageChars.of(lowered, lowered_joined)
        cps = np.frombuffer((lowered_joined + "\n").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    changed = np.flatnonzero(cps != page.cps)
    flags = page.flags.copy()
    flags[changed] = _flags(cps[changed])
    return lowered_joined, _PageChars(cps, flags, page.block_of)


#: ``_lower_table``: a character that ``str.lower`` does not map to one character by itself (a
#: capital sigma, whose lower case depends on what follows; a character whose lower case is longer)
_NO_LOWER = 0x110000


@lru_cache(maxsize=1)
def _lower_table() -> np.ndarray:
    """Per code point below ``_TABLED``, its lower case (``str.lower``), or ``_NO_LOWER``."""
    return np.array([_lower_of(chr(c)) for c in range(_TABLED)], dtype=np.uint32)


def _lower_of(c: str) -> int:
    lowered = c.lower()
    return ord(lowered) if len(lowered) == 1 and c != "\u03a3" else _NO_LOWER


def _lower_cps(cps: np.ndarray) -> np.ndarray | None:
    """The code points lower-cased as ``str.lower`` does them, one by one from a table (the code
    points beyond it: one lookup each of the distinct ones); None if one of them needs
    ``str.lower`` itself (see ``_NO_LOWER``)."""
    if not len(cps):
        return cps
    if int(cps.max()) < _TABLED:
        lowered = _lower_table().take(cps)
    else:
        high = cps >= _TABLED
        lowered = _lower_table().take(np.where(high, 0, cps))
        distinct, which = np.unique(cps[high], return_inverse=True)
        lowered[high] = np.array([_lower_of(chr(c)) for c in distinct.tolist()], dtype=np.uint32)[which]
    return None if int(lowered.max()) >= _NO_LOWER else lowered


def _stop_counts(codes: np.ndarray, token_block: np.ndarray, n: int, langs: int, token_page: np.ndarray, page_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per block, its stop words of its page's language (the language with the most stop-word
    tokens on the page; ties to the first in the lexicon) and its stop words of any language.
    ``token_page``: each token's page, for a batch of ``page_count`` pages."""
    stop_any = codes & ((1 << langs) - 1)
    if not (langs and len(codes)):
        return np.zeros(n), np.bincount(token_block, weights=stop_any != 0, minlength=n)
    stop = np.flatnonzero(stop_any)
    stop_codes, stop_page = codes[stop], token_page[stop]
    per_lang = np.stack([np.bincount(stop_page, weights=(stop_codes >> k) & 1, minlength=page_count) for k in range(langs)], axis=1)
    best = np.argmax(per_lang, axis=1)  # pages: the first of their most frequent languages (whole numbers: exact)
    some = per_lang.max(axis=1) > 0
    own = np.bincount(token_block, weights=((codes >> best[token_page]) & 1) * some[token_page], minlength=n)
    return own, np.bincount(token_block, weights=stop_any != 0, minlength=n)


def _lexicon_columns(hits: np.ndarray, w: np.ndarray, lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray]:
    """The ``lex_*`` columns (1: the block is that kind by the lexicon's rule, 0.5: a weaker hit)
    and each block's hits over those kinds."""
    lex = np.zeros((len(w), len(LEXICON_KINDS)), dtype=np.float32)
    kinds, columns, (max_words, long_hits, words_per_hit) = lexicon.lexicon_columns
    if not kinds:
        return lex, np.zeros(len(w))
    h = hits[:, kinds].astype(np.float64)  # all the kinds at once: one column each
    words = w[:, None]
    strong = (words <= max_words) | ((h >= long_hits) & (h * words_per_hit >= words))
    lex[:, columns] = np.where(h > 0, np.where(strong, 1.0, 0.5), 0.0)
    return lex, h.sum(axis=1)  # whole numbers: the sum is exact in any order


def _ends_features(X: np.ndarray, page: _PageChars, chars: np.ndarray, w: np.ndarray, words: _Words) -> None:
    """The features read off each block's first and last characters: it ends a sentence (past
    closing quotes and brackets), ends in a colon, opens or closes a quote, starts with a list
    marker (then ``bullet_level``: 1 for "*" "•", 2 for "+" "-", 3 otherwise); and ``prose``.
    (A block's last character that is not white space ends its last word, in ``words``.)"""
    start = (np.cumsum(chars + 1) - (chars + 1)).astype(np.int64)
    flags = page.flags
    has_text = words.has_text
    last = np.where(has_text, words.last, start)
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
    """Per block, whether a regex could match it: a date needs a digit, a numeric date a digit,
    one of "./-:" and a digit in a row, a day-and-month date a month's name and a digit next to white space
    (``\\s+\\d`` or ``\\d\\.?\\s``), a byline its first word. And the number of matches of
    ``_SEPARATOR`` in each block, counted without it: one a character of "|•·»", and one a
    separator character with white space (or the block's edge) on both sides. (Every match holds
    one separator character, the rest is white space; "|•·»" always match; the others only in
    the first alternative, whose white space before cannot have gone to an earlier match: the
    second alternative's optional white space after "|" is never there, as the first alternative
    takes "|" followed by white space first.)"""

    dated: np.ndarray
    numeric: np.ndarray
    months: np.ndarray
    bylines: np.ndarray
    #: per block, the matches of ``_SEPARATOR``
    separators: np.ndarray

    @classmethod
    def of(cls, page: _PageChars, n: int, dated: np.ndarray, month_names: np.ndarray, bylines: np.ndarray) -> _Candidates:
        """From the page's characters (``page``: the blocks as they are, joined by newlines, a
        newline after the last: a block's neighbouring characters in the page are white space
        exactly where its own edges are)."""
        flags, cps = page.flags, page.cps
        digit = (flags & _DIGIT_FLAG) != 0
        space = (flags & _SPACE) != 0

        def blocks_at(positions: np.ndarray) -> np.ndarray:
            found = np.zeros(n, dtype=bool)
            found[page.block_of[positions]] = True
            return found

        numeric = blocks_at(np.flatnonzero(digit[:-2] & ((flags[1:-1] & _DATE_MARK) != 0) & digit[2:]))
        if month_names.any():  # a white space and a digit side by side, or a digit, "." and a white space
            pairs = (space[:-1] & digit[1:]) | (digit[:-1] & space[1:])
            pairs[:-1] |= digit[:-2] & (cps[1:-1] == ord(".")) & space[2:]
            month_names = month_names & blocks_at(np.flatnonzero(pairs))
        marks = np.flatnonzero((flags & _SEPARATOR_CHAR) != 0)  # never the page's last character (a newline)
        spaced = space[marks + 1] & ((marks == 0) | space[marks - 1])
        mark_cps = cps[marks]
        lone = (mark_cps == ord("|")) | (mark_cps == ord("•")) | (mark_cps == ord("·")) | (mark_cps == ord("»"))
        separators = np.bincount(page.block_of[marks[spaced | lone]], minlength=n)
        return cls(dated, numeric, month_names, bylines, separators)




def _regex_features(X: np.ndarray, texts: Sequence[str], candidates: _Candidates, block_page: np.ndarray | None = None) -> None:
    """The features that need a regex, tried only on the blocks that could match; and ``dup_in_page``
    (``block_page``: each block's page, for a batch of pages; a block repeats on its own page)."""
    col = _INDEX
    X[:, col["dup_in_page"]] = _repeated_on_page(texts, block_page)
    months, numeric = candidates.months.tolist(), candidates.numeric.tolist()
    tried = np.flatnonzero(candidates.dated & (candidates.numeric | candidates.months)).tolist()
    dated = [i for i in tried if (numeric[i] and DATE_NUMERIC_FAST.search(texts[i])) or (months[i] and DATE_WORDS.search(texts[i]))]
    X[dated, col["date"]] = 1.0
    bylines = [i for i in np.flatnonzero(candidates.bylines).tolist() if BYLINE.search(texts[i])]
    X[bylines, col["byline"]] = 1.0
    X[:, col["separators"]] = candidates.separators


def _repeated_on_page(texts: Sequence[str], block_page: np.ndarray | None = None) -> np.ndarray:
    """Per block, whether another block of its page has its text: each block's first block of the
    same text on its page (one dict a page), then how many blocks share that first one."""
    n = len(texts)
    bounds = [0, n] if block_page is None else [0, *(np.flatnonzero(block_page[1:] != block_page[:-1]) + 1).tolist(), n]
    first: list[int] = []
    for start, end in pairwise(bounds):
        seen: dict[str, int] = {}
        first += map(seen.setdefault, texts[start:end], range(start, end))
    firsts = np.array(first, dtype=np.intp)
    return np.bincount(firsts, minlength=n)[firsts] > 1


_TAG_COLUMN = {tag: _INDEX[f"tag_{group}"] for tag, group in TAG_GROUPS.items()}
#: the ``hint_*`` columns and ``hint_body``, side by side
_HINT0 = _INDEX[f"hint_{HINT_KINDS[0]}"]
_HINT_SLOT = {kind: k for k, kind in enumerate(HINT_KINDS)}
_BODY_SLOT = len(HINT_KINDS)
assert [_INDEX[f"hint_{kind}"] for kind in HINT_KINDS] + [_INDEX["hint_body"]] == list(range(_HINT0, _HINT0 + _BODY_SLOT + 1))


def _dom_features(X: np.ndarray, hints: Sequence[BlockHints | None], lexicon: Lexicon, extras: PageExtras | None = None) -> None:
    """The DOM columns of the blocks with hints, written column by column; the ``hint_*`` weights
    are worked out once per distinct class/id token list (siblings share theirs). ``extras``, if
    given, receives each block's hint kind and link density."""
    dom = [i for i, h in enumerate(hints) if h is not None]
    present = [hints[i] for i in dom]
    distinct: dict[tuple[str, ...], int] = {}  # token list -> its number (in order of first place)
    which = [distinct.setdefault(h.attrs, len(distinct)) for h in present]  # type: ignore[union-attr]
    rows: list[int] = []
    slots: list[int] = []
    depths: list[int] = []
    kinds: list[str | None] = []
    for k, tokens in enumerate(distinct):
        nearest, kind = _attr_hints(tokens, lexicon)
        kinds.append(kind)
        rows.extend(repeat(k, len(nearest)))
        slots.extend(nearest)
        depths.extend(nearest.values())
    table = np.zeros((len(distinct), _BODY_SLOT + 1))
    table[rows, slots] = [1.0 / (1 + 0.25 * depth) for depth in depths]
    other = _INDEX["tag_other"]
    densities = [h.link_density for h in present]  # type: ignore[union-attr]
    X[dom, _INDEX["has_dom"]] = 1.0
    X[dom, _INDEX["link_density"]] = densities
    X[dom, [_TAG_COLUMN.get(h.tag, other) for h in present]] = 1.0  # type: ignore[union-attr]
    X[dom, _HINT0 : _HINT0 + _BODY_SLOT + 1] = table[which]
    if extras is not None:
        block_kinds = list(map(kinds.__getitem__, which))
        if len(dom) == len(hints):
            extras.hint_kinds = block_kinds
        else:
            extras.hint_kinds = [None] * len(hints)
            for i, kind in zip(dom, block_kinds):
                extras.hint_kinds[i] = kind
        extras.link_density = np.zeros(len(hints))
        extras.link_density[dom] = densities


def _attr_hints(attrs: tuple[str, ...], lexicon: Lexicon) -> tuple[dict[int, int], str | None]:
    """What a block's class/id tokens (nearest first) say: the hint kinds they name (their slots in
    ``HINT_KINDS``, then ``_BODY_SLOT`` for an article container), each with the depth of its
    nearest token (its weight is the largest); and the kind of the nearest token ``html_hints``
    knows."""
    nearest: dict[int, int] = {}
    kind = None
    known = lexicon.html_tokens.intersection(attrs)
    if not known:
        return nearest, kind
    for depth, token in sorted(zip(map(attrs.index, known), known)):  # nearest first (a token's first place)
        token_kind = lexicon.html_hints.get(token)
        if token_kind is not None:
            if kind is None:
                kind = token_kind
            slot = _HINT_SLOT.get(token_kind)
            if slot is not None and slot not in nearest:
                nearest[slot] = depth
        if _BODY_SLOT not in nearest and token in lexicon.html_body:
            nearest[_BODY_SLOT] = depth
    return nearest, kind


def _windows(values: np.ndarray, radii: Sequence[int], pages: Pages | None = None) -> list[np.ndarray]:
    """For each radius of ``radii``: the mean of ``values`` (one value or one row a block) over the
    blocks within that radius of each block (the block included), from one running sum (a column's
    running sum is the same whether it is summed alone or beside other columns); over each page of
    ``pages`` apart (None: one page)."""
    if len(values) == 0:
        return [np.zeros(values.shape) for _ in radii]
    pages = Pages.of([len(values)]) if pages is None else pages
    return _windows_of(_running_sums(values, pages), radii, pages)


def _running_sums(values: np.ndarray, pages: Pages) -> np.ndarray:
    """The running sums (float64) of ``values`` along each page, from 0 at its first block. One
    numpy call a page: a running sum over the whole batch, less the sum before the page, would not
    round as the page's own does."""
    if len(pages) == 1:
        return np.cumsum(values, axis=0, dtype=np.float64)
    out = np.empty(values.shape, dtype=np.float64)
    for start, end in pages.spans():
        np.cumsum(values[start:end], axis=0, dtype=np.float64, out=out[start:end])
    return out


def _windows_of(running: np.ndarray, radii: Sequence[int], pages: Pages) -> list[np.ndarray]:
    """The windows of ``_windows`` from the running sums along the pages: the window of radius r
    of block i of a page of n blocks is ``S(min(i + r + 1, n)) - S(max(i - r, 0))``, with ``S(j)``
    the sum of the page's first j blocks (0 for j = 0), over the blocks in it."""
    n = len(running)
    padded = np.empty((n + 1,) + running.shape[1:])  # row 0: S(0) of every page; row start + j: S(j) of the page at start
    padded[0] = 0.0
    padded[1:] = running
    local, size, start = pages.local, pages.size, pages.starts[pages.page]
    out = []
    for radius in radii:
        high = np.minimum(local + radius + 1, size)
        low = np.maximum(local - radius, 0)
        width = (high - low).reshape((n,) + (1,) * (running.ndim - 1))
        out.append((padded.take(start + high, axis=0) - padded.take(np.where(low > 0, start + low, 0), axis=0)) / width)
    return out


def along(values: np.ndarray, offset: int, pages: Pages, fill: float) -> np.ndarray:
    """Per row, the row ``offset`` places away on its page (``values[i + offset]``), ``fill`` past
    the page's ends."""
    n, k = len(values), min(abs(offset), len(values))
    out = np.empty_like(values)
    if offset >= 0:
        out[: n - k], out[n - k :] = values[k:], fill
    else:
        out[k:], out[:k] = values[: n - k], fill
    if len(pages) > 1:  # the rows whose neighbour is on another page
        out[(pages.local >= pages.size - offset) if offset >= 0 else (pages.local < -offset)] = fill
    return out


def _page_means(values: np.ndarray, pages: Pages) -> np.ndarray:
    """Per page, ``values[start:end].mean()`` (numpy's own pairwise sum of the page's values: a
    sum over the batch in another order would round otherwise). One numpy call a page."""
    return np.array([values[start:end].mean() for start, end in pages.spans()], dtype=values.dtype)


def _page_sums(values: np.ndarray, pages: Pages) -> np.ndarray:
    """Per page, ``values[start:end].sum()`` (see ``_page_means``)."""
    return np.array([values[start:end].sum() for start, end in pages.spans()], dtype=values.dtype)


def _page_argmax(values: np.ndarray, pages: Pages) -> np.ndarray:
    """Per page, the row of its largest value (the first of equal ones, as ``np.argmax``)."""
    return pages.first(values == np.maximum.reduceat(values, pages.starts)[pages.page])


def _sections(X: np.ndarray, words: np.ndarray, pages: Pages | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """Per block: inside a comments section, inside a related-links section (each opened by a short
    heading the lexicon knows; a related section ends at a long prose paragraph, any section at a
    footer or a consent notice, and at the end of its page of ``pages``; None: one page). None
    when no block opens a section (nothing is inside one). Only the blocks that can change the
    section are visited."""
    short = words <= 6
    opens_comments = (X[:, _INDEX["lex_comments"]] == 1.0) & short
    opens_related = (X[:, _INDEX["lex_related"]] == 1.0) & short
    if not (opens_comments.any() or opens_related.any()):
        return None
    closes = (X[:, _INDEX["lex_footer"]] == 1.0) | (X[:, _INDEX["lex_cookie_notice"]] == 1.0)
    long_prose = (X[:, _INDEX["prose"]] != 0) & (words >= 25)
    events = np.flatnonzero(opens_comments | opens_related | closes | long_prose)
    comments, related, prose, close = opens_comments.tolist(), opens_related.tolist(), long_prose.tolist(), closes.tolist()
    changes: list[tuple[int, int]] = []  # (block, section from it on): 0 none, 1 comments, 2 related
    section = 0
    ends = [len(words)] * len(events) if pages is None else (pages.starts + pages.sizes)[pages.page[events]].tolist()
    page_end = ends[0] if ends else len(words)
    for i, end in zip(events.tolist(), ends):
        if end != page_end:  # the first event on another page: the section ended with its page
            if section:
                changes.append((page_end, 0))
            section, page_end = 0, end
        if comments[i]:
            section = 1
        elif related[i]:
            section = 2
        elif (section == 2 and prose[i]) or close[i]:
            section = 0
        else:
            continue
        changes.append((i, section))
    if section:  # (and no later page is in it)
        changes.append((page_end, 0))
    state = np.zeros(len(words), dtype=np.int8)
    for (i, value), (end, _) in zip(changes, changes[1:] + [(len(words), 0)]):
        state[i:end] = value
    return state == 1, state == 2


_NEAR_COLUMNS = [_INDEX[f] for f in ("log_words", "prose", "stop_page")]
_NEAR_WINDOWS = [_INDEX[f] for f in ("win3_words", "win3_prose", "win3_stop")]
_WIDE_COLUMNS = [_INDEX[f] for f in ("log_words", "prose", "bullet")]
_WIDE_WINDOWS = [_INDEX[f] for f in ("win7_words", "win7_prose", "win7_bullet")]
_NEIGHBOUR_COLUMNS = [_INDEX[f] for f in _NEIGHBOUR]
#: the neighbours' columns, side by side: prev1, next1, prev2, next2 (each in ``_NEIGHBOUR`` order)
_NEIGHBOURS0 = _INDEX[f"prev1_{_NEIGHBOUR[0]}"]
assert [_INDEX[f"{d}{o}_{f}"] for o in (1, 2) for d in ("prev", "next") for f in _NEIGHBOUR] == list(range(_NEIGHBOURS0, _NEIGHBOURS0 + 4 * len(_NEIGHBOUR)))


def _context_features(X: np.ndarray, chars: np.ndarray, words: np.ndarray, pages: Pages) -> None:
    """The columns of each block's place in its page, for the pages of a batch at once: the page's
    quantities (its size, its characters, its densest stretch, its core of prose, its means) per
    page, then spread to its blocks."""
    n = len(X)
    page, starts = pages.page, pages.starts
    idx = pages.local.astype(np.float64)
    last = np.maximum(pages.size - 1, 1)
    X[:, _INDEX["pos"]] = idx / last
    total_chars = np.add.reduceat(chars, starts)  # (whole numbers: exact in any order)
    total_chars = np.where(total_chars == 0, 1.0, total_chars)[page]
    before = np.cumsum(chars) - chars  # the characters of the blocks before, on the batch, then on the page
    before -= before[starts][page]
    X[:, _INDEX["pos_chars"]] = before / total_chars
    X[:, _INDEX["log_blocks"]] = np.array([math.log1p(size) for size in pages.sizes.tolist()])[page]
    prose = X[:, _INDEX["prose"]].astype(np.float64)
    lex_any = X[:, _INDEX["lex_any"]] > 0
    # the densest stretch: the block whose +-3 window holds the most words of prose blocks; and the
    # windows of ``_NEAR_COLUMNS`` (+-3) and ``_WIDE_COLUMNS`` (+-7), all from one running sum
    columns = np.empty((n, 1 + len(_NEAR_COLUMNS) + len(_WIDE_COLUMNS)))
    columns[:, 0] = words * prose * (~lex_any)
    columns[:, 1 : 1 + len(_NEAR_COLUMNS)] = X[:, _NEAR_COLUMNS]
    columns[:, 1 + len(_NEAR_COLUMNS) :] = X[:, _WIDE_COLUMNS]
    near, wide = _windows(columns, (3, 7), pages)
    dense = near[:, 0]
    some_dense = np.maximum.reduceat(dense, starts) > 0
    centre = _page_argmax(np.where(some_dense[page], dense, words), pages)[page]  # rows of the batch
    centre_idx = (centre - starts[page]).astype(np.float64)
    X[:, _INDEX["dist_dense"]] = np.abs(idx - centre_idx) / last
    X[:, _INDEX["dist_dense_chars"]] = np.abs(before - before[centre]) / total_chars
    X[:, _INDEX["after_dense"]] = idx > centre_idx
    core = prose * (~lex_any) != 0
    first = pages.first(core)
    with_core = (first < pages.starts + pages.sizes)[page]
    if with_core.any():
        first_idx = (first - starts)[page]
        last_idx = (np.maximum.reduceat(np.where(core, np.arange(n), -1), starts) - starts)[page]
        X[:, _INDEX["in_core"]] = with_core & (idx >= first_idx) & (idx <= last_idx)
        X[:, _INDEX["before_core"]] = np.where(with_core, np.minimum((first_idx - idx).clip(0), 20) / 20, 0.0)
        X[:, _INDEX["after_core"]] = np.where(with_core, np.minimum((idx - last_idx).clip(0), 20) / 20, 0.0)
    # sections opened by a short "Comments" / "Read also" heading (the pages with one such heading)
    sections = _sections(X, words, pages)  # (the pages of a batch at once)
    if sections is not None:
        X[:, _INDEX["section_comments"]], X[:, _INDEX["section_related"]] = sections
    X[:, _NEAR_WINDOWS] = near[:, 1 : 1 + len(_NEAR_COLUMNS)]
    X[:, _WIDE_WINDOWS] = wide[:, 1 + len(_NEAR_COLUMNS) :]
    X[:, _INDEX["page_stop"]] = _page_means(X[:, _INDEX["stop_page"]], pages)[page]
    # the bullets' mean: a whole number of them (exact) over the blocks, rounded once to float32 as numpy's mean is
    X[:, _INDEX["page_bullets"]] = (np.add.reduceat(X[:, _INDEX["bullet"]].astype(np.float64), starts) / pages.sizes)[page]
    largest = np.maximum.reduceat(words, starts)
    X[:, _INDEX["rel_words"]] = words / np.where(largest == 0, 1.0, largest)[page]
    # the neighbours' columns (-1 past the page's ends)
    neighbours = X[:, _NEIGHBOUR_COLUMNS]
    X[:, _NEIGHBOURS0 : _NEIGHBOURS0 + 4 * len(_NEIGHBOUR)] = np.concatenate([along(neighbours, offset, pages, -1.0) for offset in (-1, 1, -2, 2)], axis=1)


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


def context_features(p: np.ndarray, X: np.ndarray, terms: Terms | None = None, pages: Pages | None = None) -> np.ndarray:
    """Second-stage features of a page: each block's first-stage body probability, its neighbours'
    and its surroundings' (windows, the page's maximum, the likeliest article region), a few
    first-stage features, and its lexical cohesion with the likely article (``cohesion``).
    ``pages``: the pages of a batch (``batch_features``), each of them on its own (None: one page)."""
    n = len(p)
    Z = np.zeros((n, len(CONTEXT_FEATURES)), dtype=np.float32, order="F")  # filled column by column; the trees read it by column
    if n == 0:
        return Z
    pages = Pages.of([n]) if pages is None else pages
    page, starts, idx = pages.page, pages.starts, pages.local
    p = p.astype(np.float64)
    words = np.expm1(X[:, _INDEX["log_words"]].astype(np.float64))
    q = np.clip(p, 1e-4, 1 - 1e-4)
    Z[:, 0] = p
    Z[:, 1] = np.log(q / (1 - q))
    around = {offset: along(p, offset, pages, -1.0) for offset in (-3, -2, -1, 1, 2, 3)}  # -1 past the page's ends
    col = 2
    for offset in (1, 2, 3):
        Z[:, col], Z[:, col + 1] = around[-offset], around[offset]
        col += 2
    weights = np.sqrt(words) + 0.1
    mass = p * words
    running = _running_sums(np.stack([p, p * weights, weights, mass], axis=1), pages)
    around2, around5, around10 = _windows_of(running[:, :3], (2, 5, 10), pages)
    Z[:, col] = around2[:, 0]
    Z[:, col + 1] = around5[:, 0]
    Z[:, col + 2] = around10[:, 0]
    Z[:, col + 3] = around5[:, 1] / around5[:, 2]
    window_max = p
    for offset in (-3, -2, -1, 1, 2, 3):  # the maximum over the 7 blocks around each
        window_max = np.maximum(window_max, around[offset])
    Z[:, col + 4] = window_max
    page_max = np.maximum.reduceat(p, starts)[page]
    Z[:, col + 5] = page_max
    Z[:, col + 6] = _page_means(p, pages)[page]
    Z[:, col + 7] = p / np.maximum(page_max, 1e-6)
    start, end = (bound[page] for bound in max_sum_runs((np.maximum(words, 1.0) ** 0.5) * (p - 0.3), pages))
    region = start >= 0
    Z[:, col + 8] = region & (idx >= start) & (idx <= end)
    Z[:, col + 9] = np.where(region, np.minimum(np.maximum(start - idx, idx - end).clip(0), 20) / 20, 1.0)
    Z[:, col + 10] = np.where(region, (end - start + 1) / pages.size, 0.0)
    total = _page_sums(mass, pages)
    total = np.where(total == 0, 1.0, total)[page]
    before = running[:, 3] - mass
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


def max_sum_runs(scores: np.ndarray, pages: Pages) -> tuple[np.ndarray, np.ndarray]:
    """Per page of a batch, ``start`` and ``end`` (places in the page) of its consecutive run of
    blocks with the highest positive sum (``-1``, ``-2`` if none)."""
    values = scores.tolist()
    positive = np.flatnonzero(scores > 0)
    cuts = np.searchsorted(positive, pages.starts).tolist() + [len(positive)]
    positives = (positive - pages.starts[pages.page[positive]]).tolist() if len(positive) else []  # (places in their pages)
    runs = [_max_sum_run_from(values[start:end], positives[cut:next_cut]) for (start, end), cut, next_cut in zip(pages.spans(), cuts, cuts[1:])]
    return np.array([run[0] for run in runs], dtype=np.intp), np.array([run[1] for run in runs], dtype=np.intp)


def _max_sum_run_from(scores: list[float], positives: list[int]) -> tuple[int, int]:
    """``_max_sum_run`` of ``scores``, given the places of its positive ones: a run of scores
    that are not positive, after a total that is not, only starts the total afresh at each (to a
    total that is not positive, which beats no best): it is skipped to the next positive score.
    The totals of the runs in between are summed as ``_max_sum_run`` sums them."""
    best, best_start, best_end = 0.0, -1, -2
    n, after = len(scores), 0  # (the positive scores before ``after`` are in runs already summed)
    for start in positives:
        if start < after:
            continue
        current = scores[start]  # (a total that was not positive starts afresh here)
        if current > best:
            best, best_start, best_end = current, start, start
        i = start + 1
        while i < n and current > 0:
            current += scores[i]
            if current > best:
                best, best_start, best_end = current, start, i
            i += 1
        after = i  # (the score at ``i`` starts afresh: skipped to the next positive one if it is not)
    return best_start, best_end


def _max_sum_run(scores: list[float]) -> tuple[int, int]:
    best, current, start, best_start, best_end = 0.0, 0.0, 0, -1, -2
    for i, v in enumerate(scores):
        if current <= 0:
            current, start = v, i
        else:
            current += v
        if current > best:
            best, best_start, best_end = current, start, i
    return best_start, best_end
