"""The ``write`` stage: documents become JSONL records (schema version 1), one a line.

Records go to ``OUTPUT.part`` as plain JSONL, one whole line per write, flushed batch by batch;
when the run completes, the part file becomes OUTPUT (gzip-compressed for ``.gz`` outputs) by a
rename, so OUTPUT is never seen half-written. A killed run leaves the part file behind; ``--resume``
drops its unfinished last line, counts the records in it and continues after them.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import jsonlines
import orjson

from ..document import Document
from ..stage import Stage


@dataclass
class WriteConfig:
    #: gzip level for ``.gz`` outputs (1 fastest ... 9 smallest)
    gzip_level: int


class Write(Stage):
    name = "write"
    Config = WriteConfig

    def process(self, doc: Document) -> Document:
        return doc

    @staticmethod
    def serialize(doc: Document) -> bytes:
        """The record's JSONL line (UTF-8, characters as they are, ending in a newline)."""
        return orjson.dumps(doc.to_dict(), option=orjson.OPT_APPEND_NEWLINE)

    def open(self, output: str, resume: bool = False) -> Sink:
        return StdoutSink() if output == "-" else FileSink(output, resume, self.config.gzip_level)


class Sink:
    """Where records go. ``done`` is how many records an earlier, killed run already wrote."""

    done = 0
    handle: IO[bytes]

    def write_lines(self, lines: list[bytes]) -> None:
        self.handle.write(b"".join(lines))
        self.handle.flush()

    def finish(self) -> None:
        raise NotImplementedError


class StdoutSink(Sink):
    def __init__(self) -> None:
        self.handle = sys.stdout.buffer

    def finish(self) -> None:
        self.handle.flush()


class FileSink(Sink):
    def __init__(self, output: str, resume: bool, gzip_level: int) -> None:
        self.output = output
        self.part = output + ".part"
        self.gzip_level = gzip_level
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        if resume and os.path.exists(self.part):
            self.done = _drop_unfinished_line(self.part)
            self.handle = open(self.part, "ab")
        else:
            self.handle = open(self.part, "wb")

    def finish(self) -> None:
        self.handle.close()
        if self.output.endswith(".gz"):
            temporary = self.output + ".gz-part"
            with open(self.part, "rb") as source, gzip.open(temporary, "wb", compresslevel=self.gzip_level) as target:
                shutil.copyfileobj(source, target, 1 << 20)
            os.replace(temporary, self.output)
            os.unlink(self.part)
        else:
            os.replace(self.part, self.output)


def _drop_unfinished_line(path: str) -> int:
    """Truncate ``path`` after its last newline; return how many whole lines it holds."""
    lines = 0
    keep = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk.rfind(b"\n")
            if last >= 0:
                keep = handle.tell() - len(chunk) + last + 1
    with open(path, "r+b") as handle:
        handle.truncate(keep)
    return lines


def read_records(path: str | os.PathLike[str]) -> Iterator[dict]:  # type: ignore[type-arg]
    """The records of a textpipe output file (``.jsonl`` or ``.jsonl.gz``), as dicts."""
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    with opener(path, "rb") as handle, jsonlines.Reader(handle, loads=orjson.loads) as reader:
        yield from reader
