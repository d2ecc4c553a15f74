"""The ``read`` stage: raw inputs become Documents with normalized text (and blocks, for HTML)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, BinaryIO, Literal

from ..document import Document, DocumentError
from ..encoding import BinaryInput, decode, sniff_html_charset
from ..html import html_to_page
from ..normalize import normalize_text
from ..sources import HTML, Limits, RawInput, iter_inputs, record_input, resolve
from ..stage import Stage


@dataclass
class ReadConfig:
    #: a document (file, JSONL line, WARC record) larger than this is refused with an error record
    max_document_bytes: int
    #: a compressed input that expands beyond this stops with an error record (gzip bombs)
    max_decompressed_bytes: int
    #: which field to read when a JSONL object has both ``html`` and ``text``
    jsonl_prefer: Literal["html", "text"]
    #: an input with no text left after decoding becomes an error record (else an empty record)
    empty_is_error: bool


class Read(Stage):
    name = "read"
    Config = ReadConfig

    @property
    def limits(self) -> Limits:
        c = self.config
        return Limits(c.max_document_bytes, c.max_decompressed_bytes, c.jsonl_prefer)

    def raw_inputs(self, paths: Sequence[str], fmt: str = "auto", stdin: BinaryIO | None = None, by_reference: bool = False) -> Iterator[RawInput]:
        """The documents found in files, directories, JSONL, WARC or ``-`` (stdin), in input order,
        not yet parsed or decoded: the cheap part of reading, done once, before work is shared
        out. ``by_reference``: plain files' documents as byte ranges, for workers on this machine."""
        return iter_inputs(paths, self.limits, fmt, stdin, by_reference)

    def resolve(self, raw: RawInput) -> RawInput:
        """``raw`` with its bytes read and its JSONL line parsed (its own id and meta known)."""
        try:
            return resolve(raw, self.limits)
        except OSError as exc:  # the file went away or became unreadable since it was listed
            return replace(raw, error=DocumentError(type(exc).__name__, str(exc), stage=self.name))

    def read_paths(self, paths: Sequence[str], fmt: str = "auto", stdin: BinaryIO | None = None) -> Iterator[Document]:
        """Documents from files, directories, JSONL, WARC or ``-`` (stdin), in input order."""
        return self.run(self.raw_inputs(paths, fmt, stdin))

    def read_one(self, content: str | bytes, *, id: str, format: str = "text", source: str = "", meta: dict[str, Any] | None = None) -> Document:
        raw = RawInput(id=id, source=source, content=content, format=HTML if format == HTML else "text", meta=dict(meta or {}))
        return self.to_document(raw)

    def read_record(self, obj: dict[str, Any], number: int) -> Document:
        """A document from a JSONL-like object (``id``, ``text`` or ``html``, other fields to meta)."""
        return self.to_document(record_input(obj, str(number), "<stream>", self.limits))

    def run(self, raws: Iterable[RawInput]) -> Iterator[Document]:  # type: ignore[override]
        for raw in raws:
            yield self.to_document(raw)

    def to_document(self, raw: RawInput) -> Document:
        raw = self.resolve(raw)
        if raw.error is not None:
            return Document.failed(raw.id, raw.source, raw.error, raw.meta)
        try:
            doc = self._convert(raw)
        except BinaryInput as exc:
            return Document.failed(raw.id, raw.source, DocumentError("BinaryInput", str(exc), stage=self.name), raw.meta)
        except Exception as exc:  # noqa: BLE001 - a bad input is an error record, not a crash
            return Document.failed(raw.id, raw.source, DocumentError(type(exc).__name__, str(exc), stage=self.name), raw.meta)
        if self.config.empty_is_error and not doc.text.strip():
            doc.error = DocumentError("EmptyDocument", "no text left after decoding", stage=self.name)
        return doc

    def _convert(self, raw: RawInput) -> Document:
        self._check_size(raw.content)
        meta = dict(raw.meta)
        if raw.format == HTML:
            html = raw.content
            if isinstance(html, bytes):
                html, meta["encoding"] = decode(html, declared=raw.charset or sniff_html_charset(html))
            page = html_to_page(html)
            if page.title:
                meta.setdefault("title", page.title)
            if page.lang:
                meta.setdefault("html_lang", page.lang)
            return Document(id=raw.id, text=page.text, source=raw.source, meta=meta, blocks=list(page.blocks))
        text = raw.content
        if isinstance(text, bytes):
            text, meta["encoding"] = decode(text)
        return Document(id=raw.id, text=normalize_text(text), source=raw.source, meta=meta)

    def _check_size(self, content: str | bytes) -> None:
        """Refuse a document over the size limit (in UTF-8 bytes)."""
        limit = self.config.max_document_bytes
        if isinstance(content, bytes):
            size = len(content)
        elif len(content) * 4 <= limit:  # UTF-8 takes at most 4 bytes a character: no need to encode
            return
        else:
            size = len(content.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise DocumentTooLarge(f"{size} bytes, more than the limit of {limit}")


class DocumentTooLarge(ValueError):
    pass
