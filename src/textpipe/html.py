"""HTML to blocks of text: the reader for scraped web pages.

:func:`html_to_page` parses with selectolax (Lexbor) and walks the tree iteratively (no recursion,
so 10,000 levels of nesting are fine), turning it into paragraph-like blocks much as a text dump
of the page would show them: one block a line, a blank line between blocks.

Rules:

* **Dropped** with everything inside: ``script``, ``style``, ``noscript``, ``template``, ``svg``,
  ``iframe``, ``object``, ``embed``, ``canvas``, ``audio``, ``video``, ``head`` (its ``<title>`` is
  read separately), ``select``, ``datalist``, ``textarea``, ``noframes``, comments.
* **Block elements** (``p``, ``h1``-``h6``, ``li``, ``dt``, ``dd``, ``blockquote``, ``pre``,
  ``figcaption``, ``caption``, ``address``, ``td``/``th``, and containers such as ``div``,
  ``section``, ``article``, ``nav``, ``ul``, ``table``, ``body``...) end the block before them and
  their own block when they close. Text sitting directly in a container, between its child blocks,
  is an *anonymous block* owned by the container (``tag="div"``, ``"td"``, ``"body"``...).
* **Everything else is inline** (``a``, ``span``, ``b``, ``em``, ``code``, ``font``, unknown and
  custom elements...): its text joins the surrounding block with no added space, so
  ``<b>Mo</b>scow`` is "Moscow".
* ``<br>`` (and ``<hr>``) ends the current block; the text after it starts a new block of the
  same element.
* **Tables**: a row whose cells hold only inline content (no block elements, no ``<br>``) is one
  block, ``tag="tr"``, its non-empty cells joined by ``" | "`` ("Population | 9.2 million"). A row
  with block content inside its cells (layout tables) is not joined: each cell is a container.
* **Whitespace**: in each block, runs of whitespace (anything ``str.split`` splits on: ASCII
  whitespace, no-break and other Unicode spaces, line separators) become one space and the ends
  are trimmed, and the text is put through :func:`normalize_text`, so a block never contains a
  newline. In ``pre`` (and ``xmp``, ``listing``, ``plaintext``) every line is a block,
  trimmed at both ends, its inner spacing kept. Empty blocks are dropped.
* ``HtmlPage.text`` is the blocks' texts joined by ``"\\n\\n"``; ``text[b.start:b.end]`` is exactly
  block ``b``'s text.
* :class:`BlockHints` per block: ``tag`` of the block element (or the container for anonymous
  text); ``attrs``: class and id tokens of the element and its ancestors up to ``<body>``,
  nearest first, lower-cased, split on whitespace and also on ``-`` and ``_`` (``cookie-banner``
  gives ``cookie-banner``, ``cookie``, ``banner``), deduplicated, at most 30 of them; among them,
  without counting against the 30, the semantic tags of the element and its ancestors as
  ``"<nav>"``, ``"<header>"``, ``"<footer>"``, ``"<aside>"``, ``"<form>"``, ``"<article>"``,
  ``"<main>"``, ``"<menu>"``, ``"<dialog>"``, ``"<figure>"``, ``"<address>"``, ``"<details>"``;
  ``role`` attributes as ``"role=navigation"`` (landmark roles also give the matching semantic
  tag: ``navigation`` -> ``"<nav>"``, ``contentinfo`` -> ``"<footer>"``, ``banner`` ->
  ``"<header>"``, ``complementary`` -> ``"<aside>"``, ``main``, ``article``, ``form``/``search``
  -> ``"<form>"``); the words of ``aria-label`` as plain tokens. ``link_density``: the share of
  the block's non-whitespace characters that sit inside ``<a>`` elements.
* ``title``: the ``<title>`` text, whitespace-collapsed (``None`` if absent or empty); ``lang``:
  the primary subtag of ``<html lang>`` (or ``xml:lang``), lower-cased, if it looks like one.

Blocks with the same hints share one (immutable) :class:`BlockHints` object.

Not done: CSS (``display:none``, ``hidden``) is not evaluated, so hidden text is kept; ``alt``
texts of images are not included.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .document import Block, BlockHints
from .normalize import normalize_text

try:  # selectolax >= 0.3.13 has the Lexbor backend
    from selectolax.lexbor import LexborHTMLParser as _Parser
except ImportError:  # pragma: no cover - old selectolax
    from selectolax.parser import HTMLParser as _Parser

__all__ = ["HtmlPage", "html_to_page"]


@dataclass(frozen=True)
class HtmlPage:
    #: normalized text: the blocks' texts joined by "\n\n"
    text: str
    #: one per block, spans into ``text``, role "body", with hints
    blocks: list[Block]
    #: the <title>, whitespace-collapsed
    title: str | None
    #: the primary subtag of <html lang>, lower-cased
    lang: str | None


_DROP = frozenset(
    "script style noscript template svg iframe object embed canvas audio video head title "
    "select datalist textarea noframes -comment -doctype !doctype".split()
)
_BLOCK = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup html "
    "legend li listing main menu nav ol p plaintext pre search section summary table tbody td "
    "tfoot th thead tr ul xmp".split()
)
_BREAK = frozenset(("br", "hr"))
_PRE = frozenset(("pre", "xmp", "listing", "plaintext"))
_CELLS = frozenset(("td", "th"))
_SEMANTIC = frozenset("nav header footer aside form article main menu dialog figure address details".split())
_ROLE_TAGS = {
    "navigation": "<nav>",
    "contentinfo": "<footer>",
    "banner": "<header>",
    "complementary": "<aside>",
    "main": "<main>",
    "article": "<article>",
    "form": "<form>",
    "search": "<form>",
}
#: a row is joined into one "a | b" block only if its cells hold none of these
_ROW_BREAKERS = (_BLOCK - _CELLS - {"tr"}) | _BREAK
_MAX_CLASS_TOKENS = 30
#: what the walk does with an element: one lookup instead of one per set
_INLINE, _DROPPED, _BREAKS, _BLOCK_ELEMENT = range(4)
_KINDS = {
    **dict.fromkeys(_BLOCK, _BLOCK_ELEMENT),
    **dict.fromkeys(_BREAK, _BREAKS),
    **dict.fromkeys(_DROP, _DROPPED),
}

_SURROGATES = re.compile("[\ud800-\udfff]")
_LANG = re.compile(r"[a-z]{2,8}")
_CELL = object()  # separator between the cells of a joined table row


def _collapse(text: str) -> str:
    """Whitespace runs to one space and trimmed, then :func:`normalize_text`.

    Collapsing first keeps the normalizer's work small (scraped HTML is mostly indentation), and
    ``str.split`` also removes the characters that normalization would turn into newlines.
    """
    text = _normalize(" ".join(text.split()))
    if "  " in text or text[:1] == " " or text[-1:] == " ":  # a dropped control stood by a space
        text = " ".join(text.split())
    return text


def _normalize(text: str) -> str:
    """:func:`normalize_text`, skipped when it could not change anything (the common case).

    Printable text has none of the characters it removes or rewrites (controls, line separators,
    surrogates, BOM), so only NFC is left to check. The batch separator is not printable.
    """
    probe = text.replace(_BATCH_SEP, "") if _BATCH_SEP in text else text
    if probe.isprintable() and unicodedata.is_normalized("NFC", probe):
        return text
    return normalize_text(text)


def _visible(text: str) -> int:
    """Characters that are not whitespace."""
    return len("".join(text.split()))


class _Frame:
    """An open element on the walk's stack."""

    __slots__ = ("node", "tag", "parent", "block", "tokens", "capped", "row")

    def __init__(self, node, tag: str, parent: _Frame | None, block: bool) -> None:
        self.node = node
        self.tag = tag
        self.parent = parent
        self.block = block
        self.tokens: tuple[str, ...] | None = None  # own + ancestors', computed on demand
        self.capped = 0  # how many of ``tokens`` count against the cap
        self.row = False  # a table row joined into one block


def _is_free(token: str) -> bool:
    """Semantic-tag and role tokens do not count against the cap."""
    return token[0] == "<" or token[:5] == "role="


def _count_capped(tokens: tuple[str, ...]) -> int:
    """How many of ``tokens`` count against the cap. Tokens hold no spaces, so in the tokens
    joined by spaces, a space followed by ``<`` or ``role=`` is the start of a free token."""
    joined = " " + " ".join(tokens)
    return len(tokens) - joined.count(" <") - joined.count(" role=")


def _value_tokens(value: str, words: dict[str, list[str]]) -> list[str]:
    """Tokens of a ``class`` or ``id`` value: lower-cased words, each followed by its ``-``/``_``
    parts. Memoized in ``words`` per value and per word: a page repeats its class values, and
    unique ones (``post-1234 type-post status-publish``) still repeat their words."""
    tokens = words.get(value)
    if tokens is None:
        tokens = []
        for raw in value.lower().split():
            expanded = words.get(raw)
            if expanded is None:
                expanded = [raw]
                if "-" in raw or "_" in raw:
                    expanded += [part for part in raw.replace("_", "-").split("-") if part]
                words[raw] = expanded
            tokens += expanded
        words[value] = tokens
    return tokens


def _own_tokens(tag: str, attributes: dict, words: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(free tokens, class/id/aria tokens) of one element, each deduplicated, in order."""
    free: list[str] = []
    if tag in _SEMANTIC:
        free.append(f"<{tag}>")
    role = attributes.get("role")
    if role:
        for value in role.lower().split():
            free.append(f"role={value}")
            landmark = _ROLE_TAGS.get(value)
            if landmark and landmark not in free:
                free.append(landmark)
    capped: list[str] = []
    for name in ("class", "id"):
        value = attributes.get(name)
        if value:
            capped += _value_tokens(value, words)
    label = attributes.get("aria-label")
    if label:
        capped += label.lower().split()
    if len(capped) > 1:
        capped = list(dict.fromkeys(capped))
    if free and capped:
        capped = [token for token in capped if not _is_free(token)]
    return free, capped[:_MAX_CLASS_TOKENS]


class _OwnTokens:
    """An element's own tokens, ready to be put in front of its parent's."""

    __slots__ = ("tokens", "seen", "capped")

    def __init__(self, free: list[str], capped: list[str]) -> None:
        self.tokens = tuple(free + capped)
        self.seen = frozenset(self.tokens)
        self.capped = len(capped)  # how many count against the cap

    def merge(self, inherited: tuple[str, ...], inherited_capped: int) -> tuple[tuple[str, ...], int]:
        """(tokens, how many count against the cap) of the element, given its parent's."""
        own = self.tokens
        if not own:
            return inherited, inherited_capped
        if not inherited:
            return own, self.capped
        seen = self.seen
        if self.capped + inherited_capped <= _MAX_CLASS_TOKENS:
            if seen.isdisjoint(inherited):
                return own + inherited, self.capped + inherited_capped
            merged = own + tuple([token for token in inherited if token not in seen])
            return merged, _count_capped(merged)
        # Over the cap: keep the inherited semantic tokens, and class tokens while there is room.
        room = _MAX_CLASS_TOKENS - self.capped
        kept = []
        for token in inherited:
            if token in seen:
                continue
            if not (token[0] == "<" or token[:5] == "role="):
                if room <= 0:
                    continue
                room -= 1
            kept.append(token)
        return own + tuple(kept), _MAX_CLASS_TOKENS - room


_NO_OWN_TOKENS = (None, None, None, None, None)


class _TokenMemo:
    """Class/id/semantic tokens of frames, worked out once per page for each distinct case.

    An element's own tokens depend only on its tag (if semantic), ``class``, ``id``, ``role`` and
    ``aria-label``: they are memoized on those values. Its tokens are its own put in front of its
    parent's; sibling menu items, cards and table cells repeat the same, so that is memoized too,
    on (those values, the parent's token tuple). The parent's tuple is keyed by identity and kept
    alive in the memo, so an id is never reused.
    """

    __slots__ = ("own", "merged", "words")

    def __init__(self) -> None:
        self.own: dict[tuple, _OwnTokens] = {}
        self.merged: dict[tuple, tuple[tuple[str, ...], int, tuple[str, ...]]] = {}
        self.words: dict[str, list[str]] = {}

    def tokens(self, frame: _Frame) -> tuple[str, ...]:
        """Tokens of ``frame``'s element and its ancestors, nearest first."""
        if frame.tokens is not None:
            return frame.tokens
        # Walk up to the nearest frame that already knows its tokens (iteratively: deep trees).
        chain = []
        f: _Frame | None = frame
        while f is not None and f.tokens is None:
            chain.append(f)
            f = f.parent
        inherited: tuple[str, ...] = f.tokens if f is not None else ()
        inherited_capped = f.capped if f is not None else 0
        merged = self.merged
        for f in reversed(chain):
            tag = f.tag
            if tag == "body" or tag == "html":
                inherited, inherited_capped = (), 0
            else:
                try:
                    attributes = f.node.attributes
                except Exception:  # pragma: no cover - defensive: odd nodes from broken markup
                    attributes = None
                if attributes:
                    get = attributes.get
                    key = (tag if tag in _SEMANTIC else None, get("class"), get("id"), get("role"), get("aria-label"))
                elif tag in _SEMANTIC:
                    key = (tag, None, None, None, None)
                else:
                    key = _NO_OWN_TOKENS
                if key != _NO_OWN_TOKENS:
                    memo_key = (key, id(inherited), inherited_capped)
                    known = merged.get(memo_key)
                    if known is None:
                        own = self.own.get(key)
                        if own is None:
                            own = self.own[key] = _OwnTokens(*_own_tokens(tag, attributes or {}, self.words))
                        known = merged[memo_key] = (*own.merge(inherited, inherited_capped), inherited)
                    inherited, inherited_capped = known[0], known[1]
            f.tokens = inherited
            f.capped = inherited_capped
        return frame.tokens  # type: ignore[return-value]


class _Builder:
    """Collects inline text into blocks and lays the blocks out in the page text.

    Ordinary blocks are normalized in one batch at the end (one :func:`normalize_text` call per
    page instead of one per block): their raw texts are joined by U+FDD0, a noncharacter that
    nothing in normalization touches or composes with, and split again afterwards.
    """

    __slots__ = ("pieces", "linked", "entries", "memo")

    def __init__(self) -> None:
        self.memo = _TokenMemo()
        #: the texts of the block being collected (and _CELL between the cells of a joined row);
        #: emptied in place by :meth:`flush`, so the walk can hold on to the list
        self.pieces: list = []
        #: positions in ``pieces`` of the texts inside ``<a>``
        self.linked: list[int] = []
        #: (text, owner, link_density, final): raw text to normalize, or final text
        self.entries: list[tuple[str, _Frame, float, bool]] = []

    def flush(self, owner: _Frame, pre: bool) -> None:
        """End the block being collected (if any), owned by ``owner``."""
        pieces = self.pieces
        if not pieces:
            return
        if pre:
            self._flush_pre(owner)
        elif owner.row:
            self._flush_row(owner)
        else:
            raw = pieces[0] if len(pieces) == 1 else "".join(pieces)
            if not raw.isspace():
                density = self._density(raw) if self.linked else 0.0
                self.entries.append((raw, owner, density, False))
        pieces.clear()
        if self.linked:
            self.linked.clear()

    def _density(self, raw: str) -> float:
        """The link density of the pieces, whose texts joined are ``raw`` (cells left out)."""
        total = _visible(raw)
        pieces = self.pieces
        linked = _visible("".join([pieces[i] for i in self.linked]))
        return linked / total if total else 0.0

    def _flush_row(self, owner: _Frame) -> None:
        cells: list[str] = []
        current: list[str] = []
        for piece in self.pieces:
            if piece is _CELL:
                cells.append("".join(current))
                current = []
            else:
                current.append(piece)
        cells.append("".join(current))
        text = " | ".join(c for c in (_collapse(cell) for cell in cells) if c)
        if text:
            self.entries.append((text, owner, self._density("".join(cells)), True))

    def _flush_pre(self, owner: _Frame) -> None:
        # Split into lines, keeping track of which characters were inside links.
        in_links = set(self.linked)
        line: list[tuple[str, bool]] = []
        for number, piece in enumerate(self.pieces):
            if piece is _CELL:
                continue
            in_link = number in in_links
            chunks = normalize_text(piece).split("\n")
            for i, chunk in enumerate(chunks):
                if i:
                    self._add_pre_line(line, owner)
                    line = []
                if chunk:
                    line.append((chunk, in_link))
        self._add_pre_line(line, owner)

    def _add_pre_line(self, line: list[tuple[str, bool]], owner: _Frame) -> None:
        text = normalize_text("".join(chunk for chunk, _ in line)).replace("\n", " ").strip()
        if text:
            self.entries.append((text, owner, _link_density(line), True))

    def finish(self) -> tuple[str, list[Block]]:
        entries = self.entries
        raws = [entry[0] for entry in entries if not entry[3]]
        batch = _BATCH_SEP.join(raws)
        if raws and batch.count(_BATCH_SEP) == len(raws) - 1:  # no raw text holds the separator
            done = iter(_collapse(batch).split(_BATCH_SEP))
        else:
            done = iter([_collapse(raw) for raw in raws])
        parts: list[str] = []
        blocks: list[Block] = []
        pos = 0
        shared: dict[tuple[str, int, float], BlockHints] = {}  # hints are immutable: share them
        tokens = self.memo.tokens
        for text, owner, density, final in entries:
            if not final:
                text = next(done).strip()
                if not text:
                    continue
            if parts:
                pos += 2  # the "\n\n" between blocks
            parts.append(text)
            attrs = owner.tokens if owner.tokens is not None else tokens(owner)
            key = (owner.tag, id(attrs), density)
            hints = shared.get(key)
            if hints is None:
                hints = shared[key] = BlockHints(tag=owner.tag, attrs=attrs, link_density=density)
            end = pos + len(text)
            blocks.append(Block(start=pos, end=end, hints=hints))
            pos = end
        return "\n\n".join(parts), blocks


_BATCH_SEP = "\ufdd0"


def _link_density(pieces: list[tuple[str, bool]]) -> float:
    """The share of visible characters in linked pieces, for (text, in_link) pieces."""
    total = linked = 0
    for text, in_link in pieces:
        n = _visible(text)
        total += n
        if in_link:
            linked += n
    return linked / total if total else 0.0


def _title(parser) -> str | None:
    node = parser.css_first("head > title") or parser.css_first("title")
    if node is None:
        return None
    title = _collapse(node.text(deep=True))
    return title or None


def _lang(parser) -> str | None:
    root = parser.root
    if root is None:
        return None
    try:
        attributes = root.attributes
    except Exception:  # pragma: no cover
        return None
    value = attributes.get("lang") or attributes.get("xml:lang")
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return primary if _LANG.fullmatch(primary) else None


def _simple_row(node) -> bool:
    """True if the table row's cells hold only inline content (checked up to 200 nodes)."""
    breakers = _ROW_BREAKERS
    for seen, descendant in enumerate(node.traverse(include_text=False)):
        if seen > 200:
            return False
        if descendant.tag in breakers:
            return False
    return True


def html_to_page(html: str) -> HtmlPage:
    """Parse ``html`` into normalized text and blocks (see the module docstring for the rules)."""
    if not html or not html.strip():
        return HtmlPage(text="", blocks=[], title=None, lang=None)
    if not html.isascii():
        try:
            html.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: U+FFFD, as normalize_text would make them
            html = _SURROGATES.sub("\ufffd", html)
    parser = _Parser(html)
    title = _title(parser)
    lang = _lang(parser)
    start = parser.body if parser.body is not None else parser.root
    if start is None:  # pragma: no cover - Lexbor always builds <html>
        return HtmlPage(text="", blocks=[], title=title, lang=lang)

    builder = _Builder()
    root = _Frame(start, start.tag or "body", None, True)
    owner = root  # innermost open block element: owns the text being collected
    owners: list[_Frame] = []  # the block elements enclosing ``owner``
    stack: list[_Frame] = []  # open elements
    parent = root  # the innermost open element
    in_link = 0
    pre = 0
    row: _Frame | None = None  # the joined table row we are in, if any
    node = start.child
    pieces = builder.pieces  # emptied in place by builder.flush
    linked = builder.linked
    kinds = _KINDS

    while True:
        if node is None:
            if not stack:
                break
            frame = stack.pop()
            parent = frame.parent  # the innermost open element again
            if frame.block:
                if pieces:
                    builder.flush(owner, pre > 0)
                owner = owners.pop()
                if frame.tag in _PRE:
                    pre -= 1
                if frame is row:
                    row = None
            elif frame.tag == "a":
                in_link -= 1
            node = frame.node.next
            continue

        tag = node.tag
        if tag == "-text":
            text = node.text_content
            # Whitespace before a block's first text changes nothing (it is trimmed): skip it.
            if text and (pieces or pre or row is not None or not text.isspace()):
                if in_link:
                    linked.append(len(pieces))
                pieces.append(text)
            node = node.next
            continue
        kind = kinds.get(tag, _INLINE)
        if kind == _INLINE:
            if tag is None or tag[0] in "-!":
                node = node.next  # comments, doctype
                continue
        elif kind == _DROPPED:
            node = node.next
            continue
        elif kind == _BREAKS:
            if pieces and (row is None or pre):
                builder.flush(owner, pre > 0)
            node = node.next
            continue
        elif row is not None and tag in _CELLS:
            kind = _INLINE  # a cell of a joined row

        child = node.child
        if child is None:  # an empty element (img, input, icon...): nothing to open and close
            if kind == _BLOCK_ELEMENT:
                if pieces:
                    builder.flush(owner, pre > 0)
            elif row is not None and tag in _CELLS:
                pieces.append(_CELL)
            node = node.next
            continue
        if kind == _BLOCK_ELEMENT:
            frame = _Frame(node, tag, parent, True)
            if pieces:
                builder.flush(owner, pre > 0)
            owners.append(owner)
            owner = frame
            if tag in _PRE:
                pre += 1
            elif tag == "tr" and row is None and _simple_row(node):
                frame.row = True
                row = frame
        else:
            frame = _Frame(node, tag, parent, False)
            if tag == "a":
                in_link += 1
            elif row is not None and tag in _CELLS:
                pieces.append(_CELL)  # a cell of a joined row: inline, marked off
        stack.append(frame)
        parent = frame
        node = child

    builder.flush(owner, pre > 0)
    text, blocks = builder.finish()
    return HtmlPage(text=text, blocks=blocks, title=title, lang=lang)
