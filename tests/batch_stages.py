"""Test-only pipeline stages, named in pipeline configs as ``batch_stages:Class``.

Worker processes and Ray actors import this module when they rebuild the pipeline, so it must
stay importable from the tests folder (pytest puts it on ``sys.path``; spawned workers inherit
that path, Ray workers get it through ``PYTHONPATH``).
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from typing import Any

from textpipe.document import Document
from textpipe.stage import Stage


@dataclass
class KillConfig:
    #: a document whose text contains this kills the process that processes it ...
    marker: str
    #: ... unless that process is this one (the test runner itself)
    spare_pid: int
    #: "sigkill" (as the OOM killer does), "exit" (os._exit: no clean-up, no exception),
    #: "hang" (sleeps with SIGALRM blocked: stuck in C code that the time budget cannot
    #: interrupt), or "start" (os._exit as the stage is built: a worker that can never start)
    how: str


class KillWorker(Stage):
    """Kills its own worker process on marked documents; passes every other document through."""

    name = "kill_worker"
    Config = KillConfig

    def __init__(self, config: KillConfig) -> None:
        super().__init__(config)
        if config.how == "start" and os.getpid() != config.spare_pid:
            os._exit(4)

    def process(self, doc: Document) -> Document:
        if self.config.marker in doc.text and os.getpid() != self.config.spare_pid:
            if self.config.how == "exit":
                os._exit(3)
            if self.config.how == "hang":
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                time.sleep(3600)
            os.kill(os.getpid(), signal.SIGKILL)
        return doc


def kill_pipeline(marker: str, how: str = "sigkill", document_seconds: float = 0) -> dict[str, Any]:
    """A light pipeline config (read, blocks, the killer, write) for crash tests."""
    return {
        "pipeline": {"stages": ["read", "blocks", "batch_stages:KillWorker", "write"], "document_seconds": document_seconds},
        "read": {"max_document_bytes": 1_000_000, "max_decompressed_bytes": 10_000_000, "jsonl_prefer": "html", "empty_is_error": True},
        "blocks": {"split": "lines"},
        "batch_stages:KillWorker": {"marker": marker, "spare_pid": os.getpid(), "how": how},
        "write": {"gzip_level": 1},
    }


@dataclass
class GcConfig:
    #: the meta key the threshold goes under
    key: str


class RecordGcThreshold(Stage):
    """Writes the cyclic garbage collector's first threshold, as the processing process has it, in
    each document's meta, and (under ``<key>_frozen``) whether objects are frozen out of its passes."""

    name = "record_gc_threshold"
    Config = GcConfig

    def process(self, doc: Document) -> Document:
        import gc

        doc.meta[self.config.key] = gc.get_threshold()[0]
        doc.meta[f"{self.config.key}_frozen"] = gc.get_freeze_count() > 0
        return doc
