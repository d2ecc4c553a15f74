"""Batch evidence for the boilerplate stage: lines that recur on many pages of one site.

A navigation bar, a footer or a cookie notice repeats, word for word, on every page of a site; an
article's lines do not. ``RecurringLines`` counts, per site (``site_key``: the URL's host, else the
source), on how many pages each line appears: a line (its whitespace collapsed, lower-cased, at
least ``min_chars`` characters) seen on ``min_pages`` pages is recurring. Memory is bounded: at
most ``max_lines`` line hashes per site and ``max_sites`` sites are kept, the least recently seen
dropped first (so the counts depend on the order of the pages, and nothing else).

Two ways to use it (``textpipe.stages.boilerplate``):

* *stream*: the stage counts the pages as they pass (holding some back so the first pages of a
  site see later ones). Its output depends on which pages share a stream: with parallel workers,
  each sees only its own batches.
* *pre-pass*: ``textpipe run`` first reads every input (reading and blocks only), counts the lines
  in input order, and writes the recurring ones as a *table* (JSON: site -> hex line hashes) that
  every worker loads. The output then depends on the inputs alone, not on how the run is split.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from .boilerplate_model import site_key
from .document import Document

#: a site's recurring lines, as the hashes of their normalized text
RecurringTable = dict[str, frozenset[bytes]]


class RecurringLines:
    """Per site, the pages each line appears on (see the module's docstring)."""

    def __init__(self, min_pages: int, min_chars: int, max_lines: int, max_sites: int) -> None:
        self.min_pages = min_pages
        self.min_chars = min_chars
        self.max_lines = max_lines
        self.max_sites = max_sites
        #: site -> line hash -> the ids of the pages it is on, or (once enough) their number
        self._sites: OrderedDict[str, OrderedDict[bytes, set[str] | int]] = OrderedDict()

    def line_hashes(self, doc: Document) -> list[bytes]:
        """A hash per block (per line when the document has no blocks); b"" for a short line."""
        if doc.blocks:
            lines = [doc.text[b.start : b.end] for b in doc.blocks]
        else:
            lines = doc.text.splitlines()
        return [self._hash(" ".join(line.split()).lower()) for line in lines]

    def _hash(self, line: str) -> bytes:
        if len(line) < self.min_chars:
            return b""
        return hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=8).digest()

    def remember(self, site: str, doc_id: str, hashes: list[bytes]) -> None:
        """Count the page ``doc_id`` of ``site`` with its lines' hashes."""
        lines = self._sites.get(site)
        if lines is None:
            lines = self._sites[site] = OrderedDict()
            while len(self._sites) > self.max_sites:
                self._sites.popitem(last=False)
        else:
            self._sites.move_to_end(site)
        for h in set(hashes):
            if not h:
                continue
            pages = lines.get(h)
            if pages is None:
                lines[h] = {doc_id}
                if len(lines) > self.max_lines:
                    lines.popitem(last=False)
            else:
                lines.move_to_end(h)
                if isinstance(pages, set):
                    pages.add(doc_id)
                    if len(pages) >= self.min_pages:
                        lines[h] = self.min_pages  # enough pages seen: keep a count, not the ids

    def recurring(self, site: str, hashes: list[bytes]) -> set[int]:
        """The places of the lines seen on ``min_pages`` pages of the site so far."""
        lines = self._sites.get(site)
        if not lines:
            return set()
        out = set()
        for i, h in enumerate(hashes):
            pages = lines.get(h) if h else None
            if pages is not None and (pages if isinstance(pages, int) else len(pages)) >= self.min_pages:
                out.add(i)
        return out

    def count(self, docs: Iterable[Document]) -> RecurringTable:
        """Count the documents (error records skipped), in order; the recurring lines of each site."""
        for doc in docs:
            if doc.error is None:
                self.remember(site_key(doc.meta, doc.source), doc.id, self.line_hashes(doc))
        return self.table()

    def table(self) -> RecurringTable:
        table: RecurringTable = {}
        for site, lines in self._sites.items():
            found = frozenset(h for h, pages in lines.items() if (pages if isinstance(pages, int) else len(pages)) >= self.min_pages)
            if found:
                table[site] = found
        return table


def save_table(table: RecurringTable, path: str | Path) -> None:
    data = {site: sorted(h.hex() for h in hashes) for site, hashes in sorted(table.items())}
    Path(path).parent.mkdir(parents=True, exist_ok=True)  # beside an output whose folder is not made yet
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def load_table(path: str | Path) -> RecurringTable:
    """A table written by ``save_table``; a file of another shape is refused with a message."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return {str(site): frozenset(bytes.fromhex(h) for h in hashes) for site, hashes in data.items()}
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"boilerplate: cannot read the recurring-lines table {str(path)!r}: {exc}") from exc
