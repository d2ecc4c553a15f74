"""The ``write`` stage: documents become JSONL records (schema version 1), one a line."""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

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

    def write(self, docs: Iterable[Document], output: str) -> Iterator[Document]:
        """Write each document's record to ``output`` (path or ``-``), passing the documents on.

        A file output is written to a temporary file beside it and renamed when complete, so a
        killed run never leaves a truncated output under the final name.
        """
        with self._open(output) as handle:
            for doc in docs:
                handle.write(record_line(doc))
                yield doc

    @contextmanager
    def _open(self, output: str) -> Iterator[IO[bytes]]:
        if output == "-":
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
            return
        directory = os.path.dirname(os.path.abspath(output))
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".textpipe-", suffix=".part", dir=directory)
        try:
            with os.fdopen(fd, "wb") as raw:
                if output.endswith(".gz"):
                    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=self.config.gzip_level) as handle:
                        yield handle  # type: ignore[misc]
                else:
                    yield raw
            os.replace(temporary, output)
        except BaseException:
            os.unlink(temporary)
            raise


def record_line(doc: Document) -> bytes:
    """One JSONL line: the record with its characters as they are (UTF-8), then a newline."""
    return orjson.dumps(doc.to_dict(), option=orjson.OPT_APPEND_NEWLINE)
