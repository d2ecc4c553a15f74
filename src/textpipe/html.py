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

_TOKEN_PARTS = re.compile(r"[-_]+")
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


def _own_tokens(tag: str, attributes: dict) -> tuple[list[str], list[str]]:
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
        if not value:
            continue
        for raw in value.lower().split():
            capped.append(raw)
            if "-" in raw or "_" in raw:
                capped.extend(part for part in _TOKEN_PARTS.split(raw) if part)
    label = attributes.get("aria-label")
    if label:
        capped.extend(label.lower().split())
    if len(capped) > 1:
        capped = list(dict.fromkeys(capped))
    if free and capped:
        capped = [token for token in capped if not _is_free(token)]
    return free, capped[:_MAX_CLASS_TOKENS]


def _tokens(frame: _Frame) -> tuple[str, ...]:
    """Class/id/semantic tokens of ``frame``'s element and its ancestors, nearest first."""
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
    for f in reversed(chain):
        tag = f.tag
        if tag == "body" or tag == "html":
            inherited, inherited_capped = (), 0
        else:
            try:
                attributes = f.node.attributes
            except Exception:  # pragma: no cover - defensive: odd nodes from broken markup
                attributes = None
            if attributes or tag in _SEMANTIC:
                free, capped = _own_tokens(tag, attributes or {})
                if free or capped:
                    inherited, inherited_capped = _merge(free, capped, inherited, inherited_capped)
        f.tokens = inherited
        f.capped = inherited_capped
    return frame.tokens  # type: ignore[return-value]


def _merge(
    free: list[str], capped: list[str], inherited: tuple[str, ...], inherited_capped: int
) -> tuple[tuple[str, ...], int]:
    own = free + capped
    if not inherited:
        return tuple(own), len(capped)
    seen = set(own)
    if len(capped) + inherited_capped <= _MAX_CLASS_TOKENS:
        rest = [token for token in inherited if token not in seen]
        dropped = len(inherited) - len(rest)
        if not dropped:
            return tuple(own + rest), len(capped) + inherited_capped
        return tuple(own + rest), sum(1 for token in own + rest if not _is_free(token))
    # Over the cap: keep the inherited semantic tokens, and class tokens while there is room.
    room = _MAX_CLASS_TOKENS - len(capped)
    for token in inherited:
        if token in seen:
            continue
        if not _is_free(token):
            if room <= 0:
                continue
            room -= 1
        own.append(token)
    return tuple(own), _MAX_CLASS_TOKENS - room


class _Builder:
    """Collects inline text into blocks and lays the blocks out in the page text.

    Ordinary blocks are normalized in one batch at the end (one :func:`normalize_text` call per
    page instead of one per block): their raw texts are joined by U+FDD0, a noncharacter that
    nothing in normalization touches or composes with, and split again afterwards.
    """

    __slots__ = ("pieces", "entries", "batchable")

    def __init__(self) -> None:
        self.pieces: list = []  # (text, in_link) or _CELL
        #: (text, owner, link_density, final): raw text to normalize, or final text
        self.entries: list[tuple[str, _Frame, float, bool]] = []
        self.batchable = True

    def flush(self, owner: _Frame, pre: bool) -> None:
        pieces = self.pieces
        if not pieces:
            return
        self.pieces = []
        if pre:
            self._flush_pre(pieces, owner)
            return
        if owner.row:
            cells: list[str] = []
            current: list[str] = []
            for piece in pieces:
                if piece is _CELL:
                    cells.append("".join(current))
                    current = []
                else:
                    current.append(piece[0])
            cells.append("".join(current))
            text = " | ".join(c for c in (_collapse(cell) for cell in cells) if c)
            if text:
                self.entries.append((text, owner, _link_density(pieces), True))
            return
        raw = pieces[0][0] if len(pieces) == 1 else "".join([piece[0] for piece in pieces])
        if raw.isspace():
            return
        if _BATCH_SEP in raw:
            self.batchable = False
        density = 0.0
        for piece in pieces:
            if piece[1]:
                density = _link_density(pieces)
                break
        self.entries.append((raw, owner, density, False))

    def _flush_pre(self, pieces: list, owner: _Frame) -> None:
        # Split into lines, keeping track of which characters were inside links.
        line: list[tuple[str, bool]] = []
        for piece in pieces:
            if piece is _CELL:
                continue
            text, in_link = piece
            chunks = normalize_text(text).split("\n")
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
        if self.batchable and raws:
            done = iter(_collapse(_BATCH_SEP.join(raws)).split(_BATCH_SEP))
        else:
            done = iter([_collapse(raw) for raw in raws])
        parts: list[str] = []
        blocks: list[Block] = []
        pos = 0
        shared: dict[tuple[str, int, float], BlockHints] = {}  # hints are immutable: share them
        for text, owner, density, final in entries:
            if not final:
                text = next(done).strip()
                if not text:
                    continue
            if parts:
                pos += 2  # the "\n\n" between blocks
            parts.append(text)
            attrs = _tokens(owner)
            key = (owner.tag, id(attrs), density)
            hints = shared.get(key)
            if hints is None:
                hints = shared[key] = BlockHints(tag=owner.tag, attrs=attrs, link_density=density)
            blocks.append(Block(start=pos, end=pos + len(text), hints=hints))
            pos += len(text)
        return "\n\n".join(parts), blocks


_BATCH_SEP = "\ufdd0"


def _link_density(pieces: list) -> float:
    total = linked = 0
    for piece in pieces:
        if piece is _CELL:
            continue
        n = _visible(piece[0])
        total += n
        if piece[1]:
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
    pieces = builder.pieces
    drop = _DROP
    block_tags = _BLOCK

    while True:
        if node is None:
            if not stack:
                break
            frame = stack.pop()
            parent = stack[-1] if stack else root
            if frame.block:
                if pieces:
                    builder.flush(owner, pre > 0)
                    pieces = builder.pieces
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
            if text:
                pieces.append((text, in_link > 0))
            node = node.next
            continue
        if tag in drop or tag is None or tag[0] in "-!":
            node = node.next  # comments, doctype, dropped elements
            continue
        if tag in _BREAK:
            if pieces and (row is None or pre):
                builder.flush(owner, pre > 0)
                pieces = builder.pieces
            node = node.next
            continue

        if tag in block_tags and not (row is not None and tag in _CELLS):
            frame = _Frame(node, tag, parent, True)
            if pieces:
                builder.flush(owner, pre > 0)
                pieces = builder.pieces
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
        node = node.child

    builder.flush(owner, pre > 0)
    text, blocks = builder.finish()
    return HtmlPage(text=text, blocks=blocks, title=title, lang=lang)
