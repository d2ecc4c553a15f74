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

from .document import BODY, Block, BlockHints
from .normalize import normalize_text

try:  # selectolax >= 0.3.13 has the Lexbor backend (it parses bytes as UTF-8)
    from selectolax.lexbor import LexborHTMLParser as _Parser
except ImportError:  # pragma: no cover - old selectolax
    from selectolax.parser import HTMLParser as _OldParser

    def _Parser(html: bytes) -> _OldParser:  # type: ignore[no-redef]
        """The old backend guesses the encoding of bytes: give it text."""
        return _OldParser(html.decode("utf-8"))

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


#: An open element on the walk's stack, a list (cheaper to make than an object; pages open
#: hundreds): [node, tag, parent frame or None, is a block element, is a joined table row,
#: its tokens once known (see :class:`_TokenMemo`) or None].
_Frame = list


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


#: an element's own tokens: (tokens, the set of them, how many count against the cap)
_Own = tuple[tuple[str, ...], frozenset, int]
#: tokens of an element and its ancestors: (tokens, how many count against the cap)
_Tokens = tuple[tuple[str, ...], int]
_NO_TOKENS: _Tokens = ((), 0)


def _own_tokens(key: tuple, words: dict[str, list[str]]) -> _Own:
    """The tokens of one element, free ones first, each kind deduplicated, in order, from its
    key: (tag if semantic, ``class``, ``id``, ``role``, ``aria-label``)."""
    semantic, class_value, id_value, role, label = key
    if class_value:
        capped = _value_tokens(class_value, words)
        if id_value:
            capped = capped + _value_tokens(id_value, words)
    elif id_value:
        capped = _value_tokens(id_value, words)
    else:
        capped = []
    if label:
        capped = capped + label.lower().split()
    if not (semantic or role):  # the common case: class and id only
        seen = frozenset(capped)
        if len(seen) == len(capped) <= _MAX_CLASS_TOKENS:  # no duplicates to drop, none over the cap
            return tuple(capped), seen, len(capped)
        tokens = tuple(dict.fromkeys(capped))[:_MAX_CLASS_TOKENS]
        return tokens, frozenset(tokens), len(tokens)
    if len(capped) > 1:
        capped = list(dict.fromkeys(capped))
    free: list[str] = [f"<{semantic}>"] if semantic else []
    if role:
        for value in role.lower().split():
            free.append(f"role={value}")
            landmark = _ROLE_TAGS.get(value)
            if landmark and landmark not in free:
                free.append(landmark)
    if free and capped:
        capped = [token for token in capped if not _is_free(token)]
    capped = capped[:_MAX_CLASS_TOKENS]
    tokens = tuple(free + capped)
    return tokens, frozenset(tokens), len(capped)


def _merge(own: _Own, inherited: _Tokens) -> _Tokens:
    """The tokens of an element: its own put in front of its parent's (``inherited``), those
    deduplicated, and the class tokens capped (the semantic ones are all kept)."""
    tokens, seen, capped = own
    parents, parents_capped = inherited
    if not parents:
        return tokens, capped
    if capped + parents_capped <= _MAX_CLASS_TOKENS:
        if seen.isdisjoint(parents):
            return tokens + parents, capped + parents_capped
        merged = tokens + tuple([token for token in parents if token not in seen])
        return merged, _count_capped(merged)
    # Over the cap: keep the inherited semantic tokens, and class tokens while there is room.
    room = _MAX_CLASS_TOKENS - capped
    if _count_capped(parents) == len(parents):  # none looks free (by its form, as below): the first that fit
        kept = parents if seen.isdisjoint(parents) else tuple([token for token in parents if token not in seen])
        return tokens + kept[:room], capped + min(len(kept), room)
    kept_list = []
    for token in parents:
        if token in seen:
            continue
        if not (token[0] == "<" or token[:5] == "role="):
            if room <= 0:
                continue
            room -= 1
        kept_list.append(token)
    return tokens + tuple(kept_list), _MAX_CLASS_TOKENS - room


class _TokenMemo:
    """Class/id/semantic tokens of frames, worked out once per page for each distinct case.

    An element's own tokens depend only on its tag (if semantic), ``class``, ``id``, ``role`` and
    ``aria-label``: they are memoized on those values. Its tokens are its own put in front of its
    parent's; sibling menu items, cards and table cells repeat the same, so that is memoized too,
    on (its own tokens, the parent's tokens), both by identity and kept alive in the memo, so an
    id is never reused. A frame's tokens are kept in the frame.
    """

    __slots__ = ("own", "merged", "words")

    def __init__(self) -> None:
        self.own: dict[tuple, _Own] = {}
        self.merged: dict[tuple[int, int], _Tokens] = {}
        self.words: dict[str, list[str]] = {}

    def tokens(self, frame: _Frame) -> tuple[str, ...]:
        """Tokens of ``frame``'s element and its ancestors, nearest first."""
        known = frame[5]
        if known is not None:
            return known[0]
        # Walk up to the nearest frame that already knows its tokens (iteratively: deep trees).
        chain = [frame]
        parent = frame[2]
        while parent is not None and parent[5] is None:
            chain.append(parent)
            parent = parent[2]
        inherited = parent[5] if parent is not None else _NO_TOKENS
        owns = self.own
        merged = self.merged
        for f in reversed(chain):
            tag = f[1]
            if tag == "body" or tag == "html":
                inherited = _NO_TOKENS
            else:
                try:
                    attributes = f[0].attributes
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
                    own = owns.get(key)
                    if own is None:
                        own = owns[key] = _own_tokens(key, self.words)
                    if own[0]:
                        memo_key = (id(own), id(inherited))
                        done = merged.get(memo_key)
                        if done is None:
                            done = merged[memo_key] = _merge(own, inherited)
                        inherited = done
            f[5] = inherited
        return inherited[0]


_NO_OWN_TOKENS = (None, None, None, None, None)


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
        elif owner[4]:
            self._flush_row(owner)
        else:
            raw = pieces[0] if len(pieces) == 1 else "".join(pieces)
            if not raw.isspace():
                linked = self.linked
                if not linked:
                    density = 0.0
                elif len(linked) == len(pieces):  # all of it inside links (menus)
                    density = 1.0
                else:
                    density = self._density(raw)
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
        end = -2  # as if a "\n\n" came before the first block
        shared: dict[tuple[str, int, float], BlockHints] = {}  # hints are immutable: share them
        tokens = self.memo.tokens
        for text, owner, density, final in entries:
            if not final:
                text = next(done).strip()
                if not text:
                    continue
            start = end + 2  # after the "\n\n" between blocks
            end = start + len(text)
            parts.append(text)
            known = owner[5]
            attrs = known[0] if known is not None else tokens(owner)
            key = (owner[1], id(attrs), density)
            hints = shared.get(key)
            if hints is None:
                hints = shared[key] = BlockHints(tag=owner[1], attrs=attrs, link_density=density)
            blocks.append(Block(start, end, BODY, None, hints))
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
    node = _head_title(parser)
    if node is None:
        node = parser.css_first("title")
    if node is None:
        return None
    title = _collapse(node.text(deep=True))
    return title or None


def _head_title(parser):
    """The first ``<title>`` child of ``<head>`` (what the selector ``head > title`` finds: the
    parser makes one ``<head>``), without compiling a selector."""
    head = parser.head
    child = head.child if head is not None else None
    while child is not None:
        if child.tag == "title":
            return child
        child = child.next
    return None


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


def _utf8(html: str) -> bytes:
    """``html`` in UTF-8, as the parser reads it; lone surrogates become U+FFFD, as
    :func:`normalize_text` would make them."""
    try:
        return html.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", html).encode("utf-8")


def html_to_page(html: str) -> HtmlPage:
    """Parse ``html`` into normalized text and blocks (see the module docstring for the rules)."""
    if not html or html.isspace():
        return HtmlPage(text="", blocks=[], title=None, lang=None)
    parser = _Parser(_utf8(html))
    title = _title(parser)
    lang = _lang(parser)
    start = parser.body
    if start is None:
        start = parser.root
    if start is None:  # pragma: no cover - Lexbor always builds <html>
        return HtmlPage(text="", blocks=[], title=title, lang=lang)
    builder = _Builder()
    root = [start, start.tag or "body", None, True, False, None]
    owner = _walk(root, builder)
    builder.flush(owner, False)
    text, blocks = builder.finish()
    return HtmlPage(text=text, blocks=blocks, title=title, lang=lang)


def _walk(root: _Frame, builder: _Builder) -> _Frame:
    """Walk the tree under ``root`` (iteratively), collecting its text into ``builder``'s
    blocks; returns the owner of the text still being collected (``root``)."""
    owner = root  # innermost open block element: owns the text being collected
    owners: list[_Frame] = []  # the block elements enclosing ``owner``
    stack: list[_Frame] = []  # open elements
    parent = root  # the innermost open element
    in_link = 0
    pre = 0
    row: _Frame | None = None  # the joined table row we are in, if any
    node = root[0].child
    pieces = builder.pieces  # emptied in place by builder.flush
    linked = builder.linked
    flush = builder.flush
    kinds = _KINDS

    while True:
        if node is None:
            if not stack:
                break
            frame = stack.pop()
            element, tag, parent, block, _, _ = frame  # ``parent``: the innermost open element again
            if block:
                if pieces:
                    flush(owner, pre > 0)
                owner = owners.pop()
                if tag in _PRE:
                    pre -= 1
                if frame is row:
                    row = None
            elif tag == "a":
                in_link -= 1
            node = element.next
            continue

        tag = node.tag
        if tag == "-text":
            text = node.text_content
            # Whitespace before a block's first text changes nothing (it is trimmed): skip it.
            if pieces:
                if text:
                    if in_link:
                        linked.append(len(pieces))
                    pieces.append(text)
            elif text and (pre or row is not None or not text.isspace()):
                if in_link:
                    linked.append(0)
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
                flush(owner, pre > 0)
            node = node.next
            continue
        elif row is not None and tag in _CELLS:
            kind = _INLINE  # a cell of a joined row

        child = node.child
        if child is None:  # an empty element (img, input, icon...): nothing to open and close
            if kind == _BLOCK_ELEMENT:
                if pieces:
                    flush(owner, pre > 0)
            elif row is not None and tag in _CELLS:
                pieces.append(_CELL)
            node = node.next
            continue
        if kind == _BLOCK_ELEMENT:
            if pieces:
                flush(owner, pre > 0)
            owners.append(owner)
            if tag in _PRE:
                pre += 1
                frame = [node, tag, parent, True, False, None]
            elif tag == "tr" and row is None and _simple_row(node):
                frame = row = [node, tag, parent, True, True, None]
            else:
                frame = [node, tag, parent, True, False, None]
            owner = frame
        else:
            frame = [node, tag, parent, False, False, None]
            if tag == "a":
                in_link += 1
            elif row is not None and tag in _CELLS:
                pieces.append(_CELL)  # a cell of a joined row: inline, marked off
        stack.append(frame)
        parent = frame
        node = child
    return owner
