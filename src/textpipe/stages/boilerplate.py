"""The ``boilerplate`` stage: mark each block as article body or boilerplate of some kind.

How a page is labelled:

1. **Features** (``textpipe.boilerplate_features``): per block, its length, sentence punctuation,
   stop-word density in the page's language, capitalised and short words, separators, digits and
   dates, list markers, the lexicon's hits by kind, position and distance from the densest prose,
   the same for its neighbours, and for HTML blocks the tag, class/id tokens and link density.
2. **Classifier**: boosted trees (``textpipe/models/boilerplate/model.json``, trained by
   ``training/train_boilerplate.py``) give each block a probability of being body; a second,
   stacked ensemble re-scores it from those probabilities along the page (its neighbours', the
   windows around it, the likeliest article region) and from its lexical cohesion with the likely
   article (teasers of other stories share few of its words). The HTML path uses the same model,
   with its DOM columns filled in.
3. **Rules** where a rule is clearer than a model: a block the lexicon marks strongly as one of
   ``rule_kinds`` (cookie notices, accessibility widgets) is boilerplate; a block without a single
   word is boilerplate; with ``teaser_rule``, a block that ends in a "read more" link ("... says.
   more »", "... Подробнее") is the teaser of another story: boilerplate.
4. **Smoothing**: the body is mostly one stretch, so the stage picks the article's region (the
   run of blocks with the highest total of word-weighted ``p - region_threshold``, a maximum-sum
   subarray); inside it, blocks above ``body_threshold`` are body (a title or short paragraph
   between body paragraphs stays body), outside it only blocks above ``outside_threshold`` (a stray
   prose-like line in a menu or a teaser list stays boilerplate).
   A body of fewer than ``min_body_words`` words is dropped (the page is all boilerplate: nothing
   is invented); the heading-like block just before the body is its title (if the model gives it
   ``title_min_probability`` at least: a section's name stands there too).
   With ``numbered_sections``, a list of numbered sections ("1. Northgate Bread Company", prose,
   "2. ...", prose, ...) that touches the body is body from its first heading to its last item:
   the items of a listicle look alike, and the model takes many of them for a teaser list.
   Reader comments are prose as well: once the body has ``comments_cut_words`` words, a short
   "Comments" heading (or "Reply" line) ends it, and so do ``thread_cut_dates`` comments' signatures
   (short lines of a date and a time of day, each followed by a body paragraph) without a heading.
   With ``body_once``, a body line repeated on the page (5 words or more) is body once, its last
   copy; with ``metadata_rule``, a short body block that is a photo's caption or credit, a list of
   tags, a byline or a date with a time of day is boilerplate of kind ``metadata``.
5. **Batch evidence** (``recurring_lines``): in a stream of documents, a line that recurs on
   ``recurring_min_pages`` pages of one site (URL host, or source when there is no URL) is
   boilerplate (``textpipe.recurring``). In a stream, the stage keeps a bounded LRU of line hashes
   per site and, to let the first pages of a site benefit too, holds back up to
   ``recurring_lookahead`` documents; its output then depends on which documents share a stream
   (with parallel workers, each worker sees only its own batches). With ``recurring_prepass``,
   ``textpipe run`` counts the lines of all its inputs first and every worker reads that table
   (``recurring_table``): the output depends on the inputs alone. Off in the default pipeline.
6. **Kinds**: a boilerplate block's kind comes from the lexicon (``data/boilerplate.toml``), its
   HTML hints, or its shape (dates and bylines are ``metadata``, and so, with ``metadata_rule``, are
   captions and tags; short items between separators are ``navigation``); a cookie-notice phrase in a link bar ("Terms | Privacy policy | Contact") makes
   it ``footer``; a "Comments" / "Read also" heading gives its kind to the blocks after it, and a
   consent banner's other lines take ``cookie_notice``; otherwise ``navigation`` before the body,
   ``other`` after it.

**Batches**: ``run`` labels ``batch_size`` documents at a time (``Stage.run_in_batches``): the
features of all their blocks at once, the trees once over all the rows, then each page's decisions;
what belongs to a page (its language, neighbours, windows, means, region) is computed per page
(``boilerplate_features.Pages``), so every block gets the label, kind and score it gets with its page
alone (``process``, a batch of one), to the bit. The batch evidence paths (``recurring_lines``, a
``recurring_table``) go page by page.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..boilerplate_features import FEATURES, PageExtras, Pages, along, batch_features, is_sentence
from ..boilerplate_model import BoilerplateModel, load_lexicon, load_model, main_regions, site_key
from ..document import BODY, BOILERPLATE, Block, Document
from ..recurring import RecurringLines, RecurringTable, load_table
from ..stage import Stage

_SECTION_KINDS = ("comments", "related")
_LEX_COLUMNS = {name: FEATURES.index(f"lex_{name}") for name in ("cookie_notice", "accessibility", "share", "comments", "related", "ads", "footer", "navigation")}
_DATE, _BYLINE, _SEPARATOR_COUNT, _BULLET, _SENTENCE_END, _COLON_END, _DIGITS = (
    FEATURES.index(k) for k in ("date", "byline", "separators", "bullet", "sentence_end", "colon_end", "digits")
)
_WORDS = FEATURES.index("log_words")
_BULLET_LEVEL = FEATURES.index("bullet_level")  # 3: a numbered list mark ("1. ", "12) ")
_HAS_DOM = FEATURES.index("has_dom")


@dataclass
class BoilerplateConfig:
    #: "builtin" (``textpipe/data/boilerplate.toml``) or the path of a lexicon file of that shape
    lexicon: str
    #: "builtin" (``textpipe/models/boilerplate/model.json``) or the path of a model file of that shape
    model: str
    #: kinds whose strong lexicon match makes a block boilerplate whatever the model says
    rule_kinds: list[str]
    #: smoothing: blocks score (probability - region_threshold) for the choice of the article's region
    region_threshold: float
    #: smoothing: ...weighted by their word count to this power
    region_word_exponent: float
    #: inside the region, blocks with a body probability above this are body
    body_threshold: float
    #: outside the region, blocks with a body probability above this are body too (above 1: none)
    outside_threshold: float
    #: a body of fewer words than this is no article: the page is all boilerplate
    min_body_words: int
    #: the title: how many blocks before the body to look back for a heading-like block (0: none)
    title_lookback: int
    #: the title: the longest heading-like block, in words
    title_max_words: int
    #: the title: the least body probability of a heading-like block taken for it (a section's name,
    #: "News", "CBC News", "A A A", stands there as often as the article's title, with a far lower one)
    title_min_probability: float
    #: a short "Comments" heading (or "Reply" line) after this many body words ends the body (0: never)
    comments_cut_words: int
    #: reader comments without a heading: once the body has ``comments_cut_words`` words, this many
    #: comments' signatures (short lines of a date and a time of day, a name at most), each followed
    #: by a body paragraph, end it at the first of them (0: never; never either when ``comments_cut_words`` is 0)
    thread_cut_dates: int
    #: a block that ends in a "read more" link ("... says. more »") is a teaser of another story: boilerplate
    teaser_rule: bool
    #: a short body block that is a photo's caption or credit ("... Фото: РИА Новости", "(Picture: EPA)"),
    #: a list of tags ("Tags: floods, rivers"), a byline ("By Anna Nowak") or a date with a time of
    #: day ("9 декабря 2011 года, 17:54") is metadata: boilerplate of kind ``metadata``
    metadata_rule: bool
    #: a body block of ``_COPY_MIN_WORDS`` words or more that a later body block of the page repeats
    #: character for character is boilerplate: the article's text is body once, its last copy (a
    #: table of contents' entry before its heading, a title over itself, a page dumped twice)
    body_once: bool
    #: a list of numbered sections ("1. ...", "2. ...", "3. ...", each heading followed by prose)
    #: that touches the body is body, all of it: a listicle's items (the model drops many of them)
    numbered_sections: bool
    #: blocks with more of their characters in links than this get kind "navigation" (when boilerplate)
    max_link_density: float
    #: documents labelled together (one numpy pass over all their blocks; the same labels as one by one)
    batch_size: int
    #: mark lines recurring across pages of one site as boilerplate (batch evidence)
    recurring_lines: bool
    #: on how many pages of a site (this one included) a line must appear to be boilerplate
    recurring_min_pages: int
    #: lines shorter than this (characters) are not tracked
    recurring_min_chars: int
    #: documents held back so that the first pages of a site also see the lines of later ones
    recurring_lookahead: int
    #: bounded memory: line hashes remembered per site (least recently seen dropped first)
    recurring_max_lines: int
    #: bounded memory: sites remembered (least recently seen dropped first)
    recurring_max_sites: int
    #: ``textpipe run`` counts the recurring lines of all its inputs first (a pre-pass), so that the
    #: output does not depend on how the run is batched or on its workers
    recurring_prepass: bool
    #: the path of a recurring-lines table to use instead of counting ("": none; the pre-pass fills it in)
    recurring_table: str


class Boilerplate(Stage):
    name = "boilerplate"
    Config = BoilerplateConfig

    def __init__(self, config: BoilerplateConfig) -> None:
        super().__init__(config)
        self.lexicon = load_lexicon(config.lexicon)
        self._model: BoilerplateModel | None = None
        if config.model != "builtin" and not Path(config.model).is_file():
            raise ValueError(f"boilerplate: no model file at {config.model!r}")
        if config.batch_size < 1:
            raise ValueError(f"boilerplate: batch_size must be at least 1, not {config.batch_size}")
        unknown = set(config.rule_kinds) - set(_LEX_COLUMNS)
        if unknown:
            raise ValueError(f"boilerplate: rule_kinds {sorted(unknown)} are not lexicon kinds ({', '.join(_LEX_COLUMNS)})")
        #: the lexicon's column of the kind "comments" (-1: the lexicon has none: no hit gives it)
        self._comments_kind = self.lexicon.kind_names.index("comments") if "comments" in self.lexicon.kind_names else -1
        self._lines = RecurringLines(config.recurring_min_pages, config.recurring_min_chars, config.recurring_max_lines, config.recurring_max_sites)
        self._table: RecurringTable | None = load_table(config.recurring_table) if config.recurring_table else None

    @property
    def model(self) -> BoilerplateModel:
        if self._model is None:
            self._model = load_model(self.config.model)
        return self._model

    @model.setter
    def model(self, model: BoilerplateModel) -> None:
        self._model = model

    # -- documents: one, or a batch at once ----------------------------------------------------------
    def process(self, doc: Document, recurring: set[int] | None = None) -> Document:
        """Label the blocks; ``recurring`` is the batch evidence of the stream pass, if any."""
        if doc.blocks:
            self.label([doc], [recurring])
        return doc

    def process_batch(self, docs: list[Document]) -> None:
        """Label the blocks of several documents at once (``Stage.run_in_batches``): the same labels
        as ``process`` one by one."""
        self.label([doc for doc in docs if doc.blocks], None)

    def label(self, docs: list[Document], recurring: list[set[int] | None] | None) -> None:
        """Label the blocks of ``docs`` (each with a block at least), all at once; ``recurring``:
        per document, the batch evidence of the stream pass (None: none)."""
        if not docs:
            return
        blocks = [block for doc in docs for block in doc.blocks]
        texts = [doc.text[b.start : b.end] for doc in docs for b in doc.blocks]
        pages = Pages.of([len(doc.blocks) for doc in docs])
        body, X, extras = self.classify(texts, blocks, pages)
        self._assign(blocks, texts, body, X, extras, pages, recurring)

    def classify(self, texts: list[str], blocks: list[Block], pages: Pages | None = None) -> tuple[np.ndarray, np.ndarray, PageExtras]:
        """True for the blocks the classifier and the smoothing call body; the features; the
        lexicon hits and the HTML hints' kinds (``PageExtras``). ``pages``: where the pages of a
        batch are among ``texts`` (None: they are one page)."""
        pages = Pages.of([len(texts)]) if pages is None else pages
        extras = PageExtras()
        X = batch_features(texts, [b.hints for b in blocks], self.lexicon, pages, extras)
        hits = extras.counts
        p = self.model.predict_proba(X, extras.terms, pages)
        for kind in self.config.rule_kinds:
            p[X[:, _LEX_COLUMNS[kind]] == 1.0] = 0.0
        if self.config.teaser_rule:
            p[extras.teasers] = 0.0
        body = self.smooth(p, X, pages)
        words = np.expm1(X[:, _WORDS])
        # a page's body words (sums of whole numbers, give or take a float32 rounding: the comparison
        # with a threshold halfway between two whole numbers is the same in any order)
        body_words = np.bincount(pages.page[body], weights=words[body].astype(np.float64), minlength=len(pages))
        article = body_words >= self.config.min_body_words - 0.5
        body &= article[pages.page]
        headed = self._comments_headed(X, hits, pages)
        for k in np.flatnonzero(article).tolist():
            start, end = int(pages.starts[k]), int(pages.starts[k] + pages.sizes[k])
            if self.config.title_lookback > 0:
                self._find_title(body[start:end], p[start:end], X[start:end], words[start:end], hits[start:end], blocks[start:end])
            if self.config.numbered_sections:
                _keep_numbered_sections(body[start:end], texts[start:end], words[start:end], X[start:end, _BULLET_LEVEL] == 3.0)
            if self.config.comments_cut_words > 0 and headed[k]:
                self._cut_comments(body[start:end], X[start:end], hits[start:end])
        if self.config.thread_cut_dates > 0 and self.config.comments_cut_words > 0:
            self._cut_threads(body, X, words, texts, pages)
        if self.config.body_once:
            _drop_copies(body, texts, words, pages)
        if self.config.metadata_rule:
            extras.metadata = metadata_lines(texts, X, words, body, extras.captions)
            body &= ~extras.metadata
        return body, X, extras

    def _find_title(self, body: np.ndarray, p: np.ndarray, X: np.ndarray, words: np.ndarray, hits: np.ndarray, blocks: list[Block]) -> None:
        """The heading-like block just before the body (past dates and bylines) is its title, if
        the model gives it a body probability of ``title_min_probability`` at least: a site's section
        name ("News", "CBC News") stands there as often as the article's title, with a far lower one."""
        first = int(np.argmax(body))
        for i in range(first - 1, max(-1, first - 1 - self.config.title_lookback), -1):
            hints = blocks[i].hints
            if hints is not None and hints.tag == "h1":
                body[i] = True
                return
            if X[i, _DATE] or X[i, _BYLINE] or words[i] < 0.5:
                continue
            kind = self.lexicon.kind_of(hits[i].tolist(), int(round(words[i])))
            if kind is None and words[i] <= self.config.title_max_words and not X[i, _SEPARATOR_COUNT] and not X[i, _BULLET]:
                body[i] = bool(p[i] >= self.config.title_min_probability)
            return

    def _comments_headed(self, X: np.ndarray, hits: np.ndarray, pages: Pages) -> np.ndarray:
        """Per page, whether a block of it may be a comments heading (``_cut_comments``'s
        ``headings``, for all the pages at once: on the others it has nothing to do)."""
        if self._comments_kind < 0:
            return np.zeros(len(pages), dtype=bool)
        headings = (np.expm1(X[:, _WORDS]).round() <= 6) & (hits[:, self._comments_kind] > 0)
        return np.bincount(pages.page[headings], minlength=len(pages)) > 0

    def _cut_comments(self, body: np.ndarray, X: np.ndarray, hits: np.ndarray) -> None:
        """Once the article has begun, a comments heading ends it: reader comments are prose too."""
        if self._comments_kind < 0:
            return
        words = np.expm1(X[:, _WORDS]).round()
        headings = (words <= 6) & (hits[:, self._comments_kind] > 0)  # (the lexicon gives no other block that kind)
        if not headings.any():
            return
        body_words = np.where(body, words, 0.0)
        seen = np.cumsum(body_words) - body_words  # body words before each block (whole numbers: exact)
        counter_next = np.zeros(len(body), dtype=bool)
        counter_next[:-1] = X[1:, _DIGITS] > 0.5  # "Comments" then "471": a counter
        candidates = (
            headings
            & (seen >= self.config.comments_cut_words)
            & ~((X[:, _BULLET] != 0) | (X[:, _SENTENCE_END] != 0) | (X[:, _COLON_END] != 0))  # not a share-bar item, a sentence, a counter
            & ~counter_next
        )
        for i in np.flatnonzero(candidates).tolist():
            if self.lexicon.kind_of(hits[i].tolist(), int(words[i])) == "comments":
                body[i:] = False
                return

    def _cut_threads(self, body: np.ndarray, X: np.ndarray, words: np.ndarray, texts: list[str], pages: Pages) -> None:
        """Reader comments without a heading the lexicon knows are prose too, but each comes with
        a signature: a short line of a date and a time of day, and a name at most ("Jan 16, 2012
        4:32 PM EST", "11.01.12, 10:03pm", "* January 16, 2012 - 8:06am Joe Gomer"); an article
        has one such line at most, above it. Once the body of a page has ``comments_cut_words``
        words, ``thread_cut_dates`` signatures each followed (within three blocks) by a body
        paragraph end its body at the first of them. The blocks of all the pages are screened at
        once; only the few short dated lines that pass are read (``_is_signature``)."""
        needed = self.config.thread_cut_dates
        dated = (X[:, _DATE] != 0) & (words < 15.5)
        if int(np.count_nonzero(dated)) < needed:
            return
        page = pages.page
        body_words = np.where(body, np.round(words), 0.0)
        running = np.cumsum(body_words) - body_words  # body words before each block (whole numbers: exact)
        seen = running - running[pages.starts][page]  # ...on its page
        prose = body & (words > 7.5)
        followed = along(prose, 1, pages, False) | along(prose, 2, pages, False) | along(prose, 3, pages, False)
        candidates = np.flatnonzero(dated & followed & (seen >= self.config.comments_cut_words)).tolist()
        if len(candidates) < needed:
            return
        signatures: dict[int, list[int]] = {}
        for i in candidates:
            if _is_signature(texts[i]):
                signatures.setdefault(int(page[i]), []).append(i)
        for k, found in signatures.items():
            if len(found) >= needed:
                body[found[0] : int(pages.starts[k] + pages.sizes[k])] = False

    def smooth(self, p: np.ndarray, X: np.ndarray, pages: Pages | None = None) -> np.ndarray:
        """Body blocks from the per-block probabilities: the article's region (of each page of
        ``pages``; None: one page), then thresholds."""
        c = self.config
        pages = Pages.of([len(p)]) if pages is None else pages
        words = np.expm1(X[:, _WORDS].astype(np.float64))
        start, end = (bound[pages.page] for bound in main_regions(p, words, c.region_threshold, c.region_word_exponent, pages))
        inside = (pages.local >= start) & (pages.local <= end)
        return np.where(inside, p > c.body_threshold, p > c.outside_threshold) & (words > 0)

    def _assign(
        self,
        blocks: list[Block],
        texts: list[str],
        body: np.ndarray,
        X: np.ndarray,
        extras: PageExtras,
        pages: Pages,
        recurring: list[set[int] | None] | None = None,
    ) -> None:
        """Roles and kinds of the blocks of the pages; the kinds' evidence for all the blocks at
        once, then page by page (a page's first body block, its sections)."""
        first = (pages.first(body) - pages.starts).tolist()  # per page, its first body block (its size: none)
        word_counts = np.expm1(X[:, _WORDS]).round()
        words = word_counts.astype(int).tolist()
        if recurring and any(recurring):
            body = body.copy()
            for (start, end), lines in zip(pages.spans(), recurring):
                if lines:
                    body[[start + i for i in lines if 0 <= i < end - start]] = False
        in_body = body.tolist()
        kinds = self._block_kinds(texts, body, word_counts, X, extras)
        for (start, end), page_first in zip(pages.spans(), first):
            _assign_page(blocks[start:end], kinds[start:end], in_body[start:end], words[start:end], page_first)

    def _block_kinds(self, texts: list[str], body: np.ndarray, words: np.ndarray, X: np.ndarray, extras: PageExtras) -> list[str | None]:
        """Per block, the kind its own evidence gives it (None: none, or a body block): the lexicon
        (boilerplate blocks, and short body blocks such as a "Comments" heading), else, for
        boilerplate blocks, the HTML hints (the kind of their nearest class/id token the lexicon
        knows, else ``navigation`` for a block mostly of links), else the shape. Only the blocks
        that have such evidence are visited."""
        kinds = _shape_kinds(X, texts, ~body)
        if self.config.teaser_rule:  # the teaser of another story, unless the hints or the lexicon say more
            for i in np.flatnonzero(extras.teasers & ~body).tolist():
                kinds[i] = kinds[i] or "related"
        if self.config.metadata_rule:  # the rule's lines, and the captions the model left out anyway
            for i in np.flatnonzero((extras.metadata | extras.captions) & ~body).tolist():
                kinds[i] = kinds[i] or "metadata"
        if extras.hint_kinds:
            hint_kinds = extras.hint_kinds
            for i in np.flatnonzero(~body).tolist():
                if hint_kinds[i] is not None:
                    kinds[i] = hint_kinds[i]
            links = ~body & (X[:, _HAS_DOM] != 0) & (extras.link_density > self.config.max_link_density)
            for i in np.flatnonzero(links).tolist():
                if hint_kinds[i] is None:
                    kinds[i] = "navigation"
        hits = extras.counts
        separators = X[:, _SEPARATOR_COUNT]
        rows = np.flatnonzero(hits.any(axis=1) & ~(body & (words > 6)))
        for i, kind in zip(rows.tolist(), self.lexicon.kinds_of(hits[rows], words[rows])):
            if kind == "cookie_notice" and separators[i] >= 2:
                kind = "footer"  # "Terms | Privacy policy | Contact": the site's link bar, not a banner
            if kind is not None:
                kinds[i] = kind
        return kinds

    # -- the stream: batch evidence -----------------------------------------------------------------
    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        if self._table is not None:
            yield from self._run_with_table(docs, self._table)
            return
        if not self.config.recurring_lines:
            yield from self.run_in_batches(docs, self.config.batch_size, self.process_batch)
            return
        held: deque[tuple[Document, str, list[bytes]]] = deque()
        for doc in docs:
            if doc.error is not None:
                held.append((doc, "", []))
            else:
                site = site_key(doc.meta, doc.source)
                hashes = self._lines.line_hashes(doc)
                self._lines.remember(site, doc.id, hashes)
                held.append((doc, site, hashes))
            while len(held) > self.config.recurring_lookahead:
                yield self._release(*held.popleft())
        while held:
            yield self._release(*held.popleft())

    def _run_with_table(self, docs: Iterable[Document], table: RecurringTable) -> Iterator[Document]:
        """The batch evidence of a table counted beforehand: no document is held back."""
        for doc in docs:
            if doc.error is not None or not doc.blocks:
                yield doc
                continue
            recurring_here = table.get(site_key(doc.meta, doc.source), frozenset())
            recurring = {i for i, h in enumerate(self._lines.line_hashes(doc)) if h and h in recurring_here}
            yield self.process_safely(doc, lambda d, r=recurring: self.process(d, r))  # type: ignore[misc]

    def _release(self, doc: Document, site: str, hashes: list[bytes]) -> Document:
        if doc.error is not None or not doc.blocks:
            return doc
        recurring = self._lines.recurring(site, hashes)
        return self.process_safely(doc, lambda d: self.process(d, recurring))


def _assign_page(blocks: list[Block], kinds: list[str | None], in_body: list[bool], words: list[int], first: int) -> None:
    """A page's roles and kinds, block after block: a body block is body; a boilerplate block takes
    the kind of its own evidence (``kinds``), else its section's (after a "Comments" or "Read also"
    heading, in a consent banner), else ``navigation`` before the body (``first``: the page's first
    body block) and ``other`` after it."""
    section: str | None = None
    for i, (block, kind, is_body) in enumerate(zip(blocks, kinds, in_body)):
        if kind is None:  # the common case: only a body block moves the section
            if is_body:
                section = None if words[i] >= 25 or section == "cookie_notice" else section
                block.role, block.kind = BODY, None
            else:
                block.role = BOILERPLATE
                block.kind = section or ("navigation" if i < first else "other")
            continue
        if kind in _SECTION_KINDS and words[i] <= 6:
            section = kind
        elif kind == "cookie_notice":
            section = kind  # a consent banner's other lines (explanations, buttons) are part of it
        elif is_body:
            section = None if words[i] >= 25 or section == "cookie_notice" else section
        elif kind not in _SECTION_KINDS:
            section = None
        if is_body:
            block.role, block.kind = BODY, None
        else:
            block.role = BOILERPLATE
            block.kind = kind


#: a time of day ("4:32", "10:03pm"), and a word without digits
_TIME_OF_DAY = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
_WORD_WITHOUT_DIGITS = re.compile(r"\b[^\W\d_]+\b")
#: a signature has at most this many words without digits besides its date and time (a weekday, a
#: month, "PM EST", a name)
_SIGNATURE_WORDS = 5


def _is_signature(text: str) -> bool:
    """A line of a date and a time of day with a few words at most: a reader comment's signature
    (not a headline of a news feed with its time, nor a related link with its date)."""
    return _TIME_OF_DAY.search(text) is not None and len(_WORD_WITHOUT_DIGITS.findall(text)) <= _SIGNATURE_WORDS


#: a byline has at most this many words, a line of a date and a time of day at most this many (and
#: at most ``_SIGNATURE_WORDS`` words without digits: "Data publikacji: 2012-01-03 09:38 | Data aktualizacji: ...")
_BYLINE_MAX_WORDS = 10
_DATELINE_MAX_WORDS = 20


def metadata_lines(texts: list[str], X: np.ndarray, words: np.ndarray, body: np.ndarray, captions: np.ndarray) -> np.ndarray:
    """The body blocks that are the article's metadata, not its text: a photo's caption or credit
    and a list of tags (``captions``: ``PageExtras.captions``), a byline (the ``byline`` feature)
    and a date with a time of day (the ``date`` feature and ``_is_signature``), neither of them a
    sentence. Only the short dated body blocks are read."""
    found = body & captions
    bylines = (X[:, _BYLINE] != 0) & (words < _BYLINE_MAX_WORDS + 0.5)
    dated = (X[:, _DATE] != 0) & (words < _DATELINE_MAX_WORDS + 0.5)
    for i in np.flatnonzero(body & (bylines | dated) & ~found).tolist():
        text = texts[i]
        found[i] = not is_sentence(text) and (bool(bylines[i]) or _is_signature(text))
    return found


#: a body block repeated on its page is body once if it has at least this many words (shorter ones,
#: "Share", "* Average cost: $200", repeat in a page's own lists)
_COPY_MIN_WORDS = 5


def _drop_copies(body: np.ndarray, texts: list[str], words: np.ndarray, pages: Pages) -> None:
    """Of the body blocks of ``_COPY_MIN_WORDS`` words or more that are the same text on one page,
    all but the last become boilerplate (``body`` in place, for all the pages at once: a block is
    only compared with the blocks of its own page)."""
    candidates = np.flatnonzero(body & (words > _COPY_MIN_WORDS - 0.5))
    if len(candidates) < 2:
        return
    last: dict[tuple[int, str], int] = {}
    for i, page in zip(candidates.tolist(), pages.page[candidates].tolist()):
        key = (page, texts[i])
        earlier = last.get(key)
        if earlier is not None:
            body[earlier] = False
        last[key] = i


def _shape_kinds(X: np.ndarray, texts: list[str], boilerplate: np.ndarray) -> list[str | None]:
    """Per boilerplate block, the kind its shape gives it: a short block with a date or a byline
    (not a sentence of 8 words or more) is ``metadata``; a few short items between separators are
    ``navigation``. Computed for the whole page at once; only the dated short blocks read their text."""
    words = np.expm1(X[:, _WORDS]).round()
    separators = X[:, _SEPARATOR_COUNT]
    dated = boilerplate & (words <= 15) & ((X[:, _DATE] != 0) | (X[:, _BYLINE] != 0))
    navigation = boilerplate & (separators >= 2) & (words <= 4 * (separators + 1.0))
    kinds: list[str | None] = [None] * len(texts)
    for i in np.flatnonzero(navigation).tolist():
        kinds[i] = "navigation"
    for i in np.flatnonzero(dated).tolist():
        if not (words[i] >= 8 and texts[i].rstrip().endswith(".")):
            kinds[i] = "metadata"
    return kinds


#: a numbered heading: "1. Title", "12) Title" (a number of one or two digits, a dot or a bracket, a word)
_NUMBERED_HEADING = re.compile(r"\s*(\d{1,2})[.)]\s+\w")
#: a numbered heading has at most this many words
_HEADING_MAX_WORDS = 15
#: two headings of one list are at most this many blocks apart
_SECTION_GAP = 25
#: a list of sections has at least this many headings ...
_SECTION_MIN_HEADINGS = 3
#: ... and at least this many words between each two of them (prose, not a list of headlines)
_SECTION_MIN_WORDS = 15
#: a list touches the body when a body block is at most this many blocks before or after it
_SECTION_REACH = 3


def numbered_lists(texts: list[str], words: list[int], candidates: Iterable[int] | None = None) -> list[list[int]]:
    """The lists of numbered headings of a page ("1. ...", "2. ...", "3. ..."), each as the places
    of its headings, at least ``_SECTION_MIN_HEADINGS`` of them. A heading numbered n continues
    the innermost open list whose last heading is n - 1 (closing the lists opened inside it), else
    it opens a list: so a list nested in a section ("1. Write down every key" under "3. Keep a record")
    does not break the outer one. A list whose last heading is ``_SECTION_GAP`` blocks back is closed,
    and so is a tight list (two headings or more, one line after the other: a plain numbered list)
    at the first other line with a word: the section after it goes on the outer list.
    ``candidates``: the only blocks (in order) that may be headings (None: all), e.g. those with a
    numbered list mark."""
    with_words = np.cumsum(np.asarray(words) > 0)  # blocks with a word up to each block
    open_lists: list[list[tuple[int, int]]] = []
    closed: list[list[tuple[int, int]]] = []
    for i in range(len(texts)) if candidates is None else candidates:
        match = _NUMBERED_HEADING.match(texts[i]) if 0 < words[i] <= _HEADING_MAX_WORDS else None
        if match is None:
            continue
        if open_lists and with_words[i - 1] > with_words[open_lists[-1][-1][0]]:  # a line with a word since the last heading
            closed.extend(run for run in open_lists if _is_tight(run))
            open_lists = [run for run in open_lists if not _is_tight(run)]
        number = int(match.group(1))
        closed.extend(run for run in open_lists if i - run[-1][0] > _SECTION_GAP)
        open_lists = [run for run in open_lists if i - run[-1][0] <= _SECTION_GAP]
        at = next((k for k in range(len(open_lists) - 1, -1, -1) if open_lists[k][-1][1] == number - 1), None)
        if at is None:
            open_lists.append([(i, number)])
        else:
            closed.extend(open_lists[at + 1 :])
            del open_lists[at + 1 :]
            open_lists[at].append((i, number))
    closed.extend(open_lists)
    runs = [[i for i, _ in run] for run in closed if len(run) >= _SECTION_MIN_HEADINGS]
    return sorted(runs)


def _is_tight(run: list[tuple[int, int]]) -> bool:
    """Two headings or more, each on the line after the last: a plain numbered list, not sections."""
    return len(run) >= 2 and run[-1][0] - run[0][0] == len(run) - 1


def _keep_numbered_sections(body: np.ndarray, texts: list[str], words: np.ndarray, numbered: np.ndarray) -> None:
    """A list of numbered sections that touches the body (a body block within ``_SECTION_REACH``
    blocks of it) is body from its first heading to the end of its last section (taken as long as
    its sections are on average), every block with a word. A list without prose between its
    headings (the numbered headlines of "Most read") is left alone. ``body``: one page's, in place;
    ``numbered``: its blocks that start with a numbered list mark (the ``bullet_level`` feature 3)."""
    if not body.any() or int(np.count_nonzero(numbered)) < _SECTION_MIN_HEADINGS:
        return
    counts = np.round(words).astype(int).tolist()
    for headings in numbered_lists(texts, counts, np.flatnonzero(numbered).tolist()):
        if min(sum(counts[a + 1 : b]) for a, b in zip(headings, headings[1:])) < _SECTION_MIN_WORDS:
            continue
        first, last = headings[0], headings[-1]
        end = min(len(texts), last + max(1, round((last - first) / (len(headings) - 1))))
        if body[max(0, first - _SECTION_REACH) : end + _SECTION_REACH].any():
            body[first:end] |= words[first:end] > 0.5
