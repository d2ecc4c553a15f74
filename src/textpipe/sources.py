"""Input containers: paths, directories, JSONL, WARC and stdin, turned into a stream of raw inputs.

This module only finds documents and their bytes; parsing a JSONL line, decoding, HTML rendering
and normalization are the ``read`` stage's job, done where the document is processed (in a worker,
in parallel). With ``by_reference``, documents of plain files on disk are not even read here: a
raw input names its file's byte range (a whole file, or one JSONL line) and the worker reads it.
A container that is broken part-way yields an error input for what it could not read, so that
every document is accounted for.
"""

from __future__ import annotations

import gzip
import io
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from .document import DocumentError
from .normalize import clean_json_value

TEXT, HTML = "text", "html"
#: a raw input's format when its content is one JSONL line, not yet parsed
JSONL_LINE = "jsonl-line"
FORMATS = ("auto", "text", "html", "jsonl", "warc")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_WARC_SUFFIXES = (".warc", ".warc.gz")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class FileRange:
    """Bytes of a file on disk, read where the document is processed (local workers share the disk)."""

    path: str
    offset: int
    size: int

    def read(self) -> bytes:
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            return handle.read(self.size)


@dataclass
class RawInput:
    """One document as found in its container: bytes or text not yet decoded or normalized."""

    #: for a JSONL line not yet parsed, the fallback id (``FILE:LINE``) until :func:`resolve`
    id: str
    source: str
    content: bytes | str | FileRange
    format: str  # TEXT, HTML or JSONL_LINE
    meta: dict[str, Any] = field(default_factory=dict)
    #: charset declared by the container (an HTTP header in a WARC record), if any
    charset: str | None = None
    error: DocumentError | None = None


@dataclass(frozen=True)
class Limits:
    """Bounds against hostile input, set by the read stage's config."""

    max_document_bytes: int
    max_decompressed_bytes: int
    jsonl_prefer: str  # "html" or "text": which field to read when a JSONL object has both


def iter_inputs(paths: Sequence[str], limits: Limits, fmt: str = "auto", stdin: BinaryIO | None = None, by_reference: bool = False) -> Iterator[RawInput]:
    """Yield the documents of every path, in order; ``-`` reads standard input. With
    ``by_reference``, documents of plain (not compressed) files are byte ranges, not bytes."""
    for path in paths:
        if path == "-":
            stream = stdin if stdin is not None else _stdin_bytes()
            yield from _iter_stream(stream, "<stdin>", "stdin", limits, fmt)
        elif os.path.isdir(path):
            for file in _walk(Path(path)):
                yield from iter_file(file, limits, fmt, id_base=str(file.relative_to(path)), by_reference=by_reference)
        else:
            yield from iter_file(Path(path), limits, fmt, id_base=Path(path).name, by_reference=by_reference)


def _stdin_bytes() -> BinaryIO:
    import sys

    return sys.stdin.buffer


def _walk(root: Path) -> Iterator[Path]:
    """Files below ``root``, sorted, skipping hidden files and folders."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def format_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(_JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(_WARC_SUFFIXES):
        return "warc"
    if name.endswith(_HTML_SUFFIXES):
        return HTML
    return TEXT


def iter_file(path: Path, limits: Limits, fmt: str = "auto", id_base: str | None = None, by_reference: bool = False) -> Iterator[RawInput]:
    source = str(path)
    id_base = id_base or path.name
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield _failed(id_base, source, type(exc).__name__, exc.strerror or str(exc))
        return
    with handle:
        yield from _iter_stream(handle, source, id_base, limits, format_of(path) if fmt == "auto" else fmt, by_reference)


def _iter_stream(stream: BinaryIO, source: str, id_base: str, limits: Limits, fmt: str, by_reference: bool = False) -> Iterator[RawInput]:
    """The documents of one container; ``by_reference`` (``stream`` is the file ``source``, not
    compressed): byte ranges of it instead of bytes."""
    try:
        stream, compressed = _maybe_gunzip(stream)
        path = os.path.abspath(source) if by_reference and not compressed else None
        if fmt == "auto":
            fmt = _sniff_format(stream)
        if fmt == "jsonl":
            yield from _iter_jsonl(stream, source, id_base, limits, path)
        elif fmt == "warc":
            yield from _iter_warc(stream, source, id_base, limits)
        else:
            yield _whole_file(stream, source, id_base, fmt, limits, path)
    except Exception as exc:  # noqa: BLE001 - a broken container is an error record, never a crash
        yield _failed(id_base, source, type(exc).__name__, f"reading stopped: {exc}")


def _maybe_gunzip(stream: BinaryIO) -> tuple[BinaryIO, bool]:
    """The stream, decompressed if it is gzip; and whether it was."""
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream)  # type: ignore[arg-type]
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        return io.BufferedReader(gzip.GzipFile(fileobj=buffered)), True  # type: ignore[arg-type]
    return buffered, False


def _sniff_format(stream: BinaryIO) -> str:
    head = stream.peek(2048)[:2048].lstrip()  # type: ignore[attr-defined]
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(b"{"):
        return "jsonl"
    lowered = head[:1024].lower()
    if lowered.startswith(b"<") and any(tag in lowered for tag in (b"<html", b"<body", b"<!doctype html", b"<p", b"<div")):
        return HTML
    return TEXT


def _whole_file(stream: BinaryIO, source: str, id_base: str, fmt: str, limits: Limits, path: str | None) -> RawInput:
    content: bytes | FileRange
    if path is not None:
        content = FileRange(path, 0, os.fstat(stream.fileno()).st_size)
        size = content.size
    else:
        content = stream.read(limits.max_document_bytes + 1)
        size = len(content)
    if size > limits.max_document_bytes:
        return _failed(id_base, source, "DocumentTooLarge", f"more than {limits.max_document_bytes} bytes")
    return RawInput(id=id_base, source=source, content=content, format=HTML if fmt == HTML else TEXT)


def _iter_jsonl(stream: BinaryIO, source: str, id_base: str, limits: Limits, path: str | None) -> Iterator[RawInput]:
    """One raw input per non-blank line, not parsed yet (:func:`resolve` does, in the worker)."""
    for number, (offset, line) in enumerate(_bounded_lines(stream, limits), start=1):
        if isinstance(line, _Overlong):
            yield _failed(f"{id_base}:{number}", source, "DocumentTooLarge", f"line {number} is longer than {limits.max_document_bytes} bytes", line=number)
        elif line.strip():
            content = line if path is None else FileRange(path, offset, len(line))
            yield RawInput(id=f"{id_base}:{number}", source=source, content=content, format=JSONL_LINE, meta={"line": number})


def resolve(raw: RawInput, limits: Limits) -> RawInput:
    """``raw`` with its content at hand: its byte range read, its JSONL line parsed (into the
    record's id, content and meta, or an error input)."""
    if raw.error is not None:
        return raw
    content = raw.content.read() if isinstance(raw.content, FileRange) else raw.content
    if raw.format == JSONL_LINE:
        line = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        return _jsonl_record(line, raw.meta["line"], raw.source, raw.id, limits)
    return raw if content is raw.content else replace(raw, content=content)


class _Overlong:
    """Marks a line that exceeded the size limit (its bytes were skipped, not kept)."""


def _bounded_lines(stream: BinaryIO, limits: Limits) -> Iterator[tuple[int, bytes | _Overlong]]:
    """Lines of ``stream`` with their offsets, never holding more than the limit in memory, and
    stopping at the decompression bound."""
    total = 0
    while True:
        offset = total
        line = stream.readline(limits.max_document_bytes + 1)
        if not line:
            return
        total += len(line)
        if total > limits.max_decompressed_bytes:
            raise ValueError(f"input larger than {limits.max_decompressed_bytes} bytes (decompression bound)")
        if len(line) > limits.max_document_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the overlong line
                line = stream.readline(1 << 20)
                total += len(line)
            yield offset, _Overlong()
        else:
            yield offset, line


def _jsonl_record(line: bytes, number: int, source: str, fallback_id: str, limits: Limits) -> RawInput:
    try:
        obj, surrogate_free = _loads(line)
    except ValueError as exc:
        return _failed(fallback_id, source, "InvalidJSON", f"line {number}: {exc}", line=number)
    return record_input(obj, fallback_id, source, limits, number, surrogate_free=surrogate_free)


def record_input(
    obj: Any, fallback_id: str, source: str, limits: Limits, number: int | None = None, *, surrogate_free: bool = False
) -> RawInput:
    """The raw input of a JSON object with ``id`` and ``text`` or ``html``; other fields go to meta.

    ``surrogate_free``: ``obj`` is known to hold no lone surrogates (orjson parsed it), so its
    strings need not be scanned for them (a scan of every field of every line, otherwise).
    """
    where = f"line {number}" if number is not None else "record"
    if not surrogate_free:
        obj = clean_json_value(obj)
    if not isinstance(obj, dict):
        return _failed(fallback_id, source, "NotAnObject", f"{where} is a JSON {type(obj).__name__}, not an object", line=number)
    doc_id = str(obj["id"]) if obj.get("id") is not None else fallback_id
    meta = {k: v for k, v in obj.items() if k not in ("id", "text", "html")}
    if number is not None:
        meta["line"] = number
    fields = ("html", "text") if limits.jsonl_prefer == "html" else ("text", "html")
    for name in fields:
        if isinstance(obj.get(name), str):
            return RawInput(id=doc_id, source=source, content=obj[name], format=HTML if name == "html" else TEXT, meta=meta)
    return _failed(doc_id, source, "MissingContent", f"{where} has no string field 'text' or 'html'", meta=meta)


def _loads(line: bytes) -> tuple[Any, bool]:
    """The parsed line, and whether it is free of lone surrogates (orjson never makes them)."""
    try:
        return orjson.loads(line), True
    except orjson.JSONDecodeError:
        # orjson refuses lone surrogate escapes ("\ud800") that scraped JSON does contain; the
        # standard library accepts them and normalization later replaces them with U+FFFD.
        return json.loads(line.decode("utf-8", errors="replace")), False


def _iter_warc(stream: BinaryIO, source: str, id_base: str, limits: Limits) -> Iterator[RawInput]:
    from warcio.archiveiterator import ArchiveIterator

    for number, record in enumerate(ArchiveIterator(stream), start=1):
        if record.rec_type != "response" or record.http_headers is None:
            continue
        content_type = record.http_headers.get_header("Content-Type") or ""
        if "html" not in content_type.lower():
            continue
        doc_id = record.rec_headers.get_header("WARC-Record-ID") or f"{id_base}:{number}"
        meta = {
            "url": record.rec_headers.get_header("WARC-Target-URI"),
            "date": record.rec_headers.get_header("WARC-Date"),
        }
        data = record.content_stream().read(limits.max_document_bytes + 1)
        if len(data) > limits.max_document_bytes:
            yield _failed(doc_id, source, "DocumentTooLarge", f"more than {limits.max_document_bytes} bytes", meta=meta)
            continue
        yield RawInput(id=doc_id, source=source, content=data, format=HTML, meta=meta, charset=_charset_of(content_type))


def _charset_of(content_type: str) -> str | None:
    for part in content_type.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _failed(doc_id: str, source: str, type_: str, message: str, line: int | None = None, meta: dict[str, Any] | None = None) -> RawInput:
    meta = dict(meta or {})
    if line is not None:
        meta["line"] = line
    return RawInput(id=doc_id, source=source, content=b"", format=TEXT, meta=meta, error=DocumentError(type_, message, stage="read"))
