"""The ``boilerplate`` stage: mark each block as article body or boilerplate of some kind.

Rules, in the spirit of trafilatura's heuristics, each backed by a test case:

1. A block gets a *kind* from the lexicon (``data/boilerplate.toml``: phrases per kind and language),
   from its HTML hints (class/id tokens, ancestor tags, link density), or from its shape (a date or
   byline line is ``metadata``, a line of short items between separators is ``navigation``).
   Headings that open a comments or related-links section give that kind to what follows.
2. Prose blocks without a kind (sentences of some length) are the article's core; the *region*
   runs from the first to the last of them. Inside the region, blocks without a kind are body
   (subheadings, short paragraphs); outside it, everything is boilerplate, except the title: the
   heading-like block just before the region (past bylines and dates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..document import BODY, BOILERPLATE, Block, Document
from ..resources import load_package_toml, load_toml
from ..stage import Stage

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”»)\]]*$")
_SEPARATORS = re.compile(r"(?:^|\s)[|»•›·/>–—](?=\s|$)|\s\|\s?")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|january|february|march|april|june|july|august|"
    "september|october|november|december|"
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    "січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|"
    "студзеня|лютага|сакавіка|красавіка|траўня|чэрвеня|ліпеня|жніўня|верасня|кастрычніка|лістапада|снежня|"
    "stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}:\d{{2}}\b|"
    rf"(?i:\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\b)"
)
_BYLINE = re.compile(r"(?i)^(?:by|author|автор|аўтар|autor|фото|photo|foto|текст)\b[:\s]")
_SECTION_KINDS = ("comments", "related")


@dataclass
class BoilerplateConfig:
    #: "builtin" (``textpipe/data/boilerplate.toml``) or the path of a lexicon file of that shape
    lexicon: str
    #: fewest words for a block to count as prose (the article's core) when it ends a sentence
    prose_min_words: int
    #: a block this long is prose even without a sentence end
    prose_long_words: int
    #: blocks with more of their characters in links than this are navigation or related links
    max_link_density: float
    #: how many blocks before the body region to look back for the title
    title_lookback: int
    #: longest title, in words
    title_max_words: int


@dataclass(frozen=True)
class _Kind:
    name: str
    pattern: re.Pattern[str]
    max_words: int
    long_hits: int
    words_per_hit: int


class Boilerplate(Stage):
    name = "boilerplate"
    Config = BoilerplateConfig

    def __init__(self, config: BoilerplateConfig) -> None:
        super().__init__(config)
        self.kinds, self.html_hints = _lexicon(config.lexicon)

    def process(self, doc: Document) -> Document:
        texts = [doc.text[b.start : b.end] for b in doc.blocks]
        kinds = self._kinds(doc.blocks, texts)
        prose = [kind is None and self._is_prose(text, block) for block, text, kind in zip(doc.blocks, texts, kinds)]
        labels = self._label(doc.blocks, texts, kinds, prose)
        for block, (role, kind) in zip(doc.blocks, labels):
            block.role, block.kind = role, kind
        return doc

    # -- step 1: kinds --------------------------------------------------------------------------
    def _kinds(self, blocks: list[Block], texts: list[str]) -> list[str | None]:
        kinds: list[str | None] = []
        section: str | None = None
        for block, text in zip(blocks, texts):
            kind = self.block_kind(text, block)
            if kind in _SECTION_KINDS and _word_count(text) <= 6:
                section = kind  # a "Comments" / "Read also" heading opens a section
            elif kind is not None and kind not in _SECTION_KINDS:
                section = None  # footer, navigation... close it
            elif section == "related" and self._is_prose(text, block):
                section = None  # related links are short; prose means the list ended
            kinds.append(kind or section)
        return kinds

    def block_kind(self, text: str, block: Block | None = None) -> str | None:
        """The boilerplate kind a block shows on its own (None: nothing marks it)."""
        words = _word_count(text)
        kind = self._lexicon_kind(text, words)
        if kind is None and block is not None and block.hints is not None:
            kind = self._hint_kind(block, text, words)
        if kind is None:
            kind = _shape_kind(text, words)
        return kind

    def _lexicon_kind(self, text: str, words: int) -> str | None:
        best, best_hits = None, 0
        for kind in self.kinds:
            hits = len(kind.pattern.findall(text))
            if not hits or hits <= best_hits:
                continue
            if words <= kind.max_words or (hits >= kind.long_hits and hits * kind.words_per_hit >= words):
                best, best_hits = kind.name, hits
        return best

    def _hint_kind(self, block: Block, text: str, words: int) -> str | None:
        assert block.hints is not None
        prose = self._is_prose(text, block)
        for token in block.hints.attrs:
            kind = self.html_hints.get(token)
            if kind is None:
                continue
            # Structural containers outweigh prose; a stray "date" or "share" class does not.
            if not prose or kind in ("cookie_notice", "comments", "footer", "navigation", "related"):
                return kind
        if block.hints.link_density > self.config.max_link_density and words <= 25:
            return "navigation"
        return None

    def _is_prose(self, text: str, block: Block | None = None) -> bool:
        words = _word_count(text)
        if block is not None and block.hints is not None and block.hints.link_density > self.config.max_link_density:
            return False
        if words >= self.config.prose_long_words:
            return True
        return words >= self.config.prose_min_words and bool(_SENTENCE_END.search(text))

    # -- step 2: region ---------------------------------------------------------------------------
    def _label(self, blocks: list[Block], texts: list[str], kinds: list[str | None], prose: list[bool]) -> list[tuple[str, str | None]]:
        core = [i for i, is_prose in enumerate(prose) if is_prose]
        if not core:
            return [(BOILERPLATE, kind or "other") for kind in kinds]
        first, last = core[0], core[-1]
        labels: list[tuple[str, str | None]] = []
        for i, kind in enumerate(kinds):
            if kind is None and first <= i <= last:
                labels.append((BODY, None))
            else:
                labels.append((BOILERPLATE, kind or ("navigation" if i < first else "other")))
        title = self._title_index(blocks, texts, kinds, first)
        if title is not None:
            labels[title] = (BODY, None)
        return labels

    def _title_index(self, blocks: list[Block], texts: list[str], kinds: list[str | None], first: int) -> int | None:
        for i in range(first - 1, max(-1, first - 1 - self.config.title_lookback), -1):
            hints = blocks[i].hints
            if hints is not None and hints.tag == "h1":
                return i
            if kinds[i] == "metadata":
                continue
            words = _word_count(texts[i])
            if kinds[i] is None and 0 < words <= self.config.title_max_words and not _SEPARATORS.search(texts[i]):
                return i
            return None
        return None


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _shape_kind(text: str, words: int) -> str | None:
    if words <= 15 and (_DATE.search(text) or _BYLINE.search(text)) and not (words >= 8 and text.rstrip().endswith(".")):
        return "metadata"
    separators = len(_SEPARATORS.findall(text))
    if separators >= 2 and words <= 4 * (separators + 1):
        return "navigation"
    return None


@lru_cache(maxsize=8)
def _lexicon(source: str) -> tuple[tuple[_Kind, ...], dict[str, str]]:
    data = load_package_toml("data", "boilerplate.toml") if source == "builtin" else load_toml(source)
    hints: dict[str, str] = {}
    for kind, tokens in data.pop("html_hints").items():
        for token in tokens:
            hints.setdefault(token, kind)
    kinds = tuple(_compile_kind(name, spec) for name, spec in data.items())
    return kinds, hints


def _compile_kind(name: str, spec: dict[str, Any]) -> _Kind:
    alternatives = []
    for phrase in sorted(spec["phrases"], key=len, reverse=True):
        prefix = phrase.endswith("*")
        body = re.escape(phrase.rstrip("*"))
        alternatives.append(rf"(?<!\w){body}" + ("" if prefix or not phrase[-1].isalnum() else r"(?!\w)"))
    pattern = re.compile("|".join(alternatives), re.IGNORECASE)
    return _Kind(name, pattern, spec["max_words"], spec["long_hits"], spec["words_per_hit"])
