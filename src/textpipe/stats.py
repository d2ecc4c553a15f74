"""Run statistics: what a run did, mergeable across batches and workers, written as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .document import Document


#: the counters of a run, by their keys in the statistics JSON
_COUNTERS = {
    "errors_by_type": "errors",
    "errors_by_stage": "error_stages",
    "languages": "languages",
    "characters_by_language": "language_characters",
    "blocks_by_kind": "boilerplate_kinds",
    "names_by_label": "name_labels",
}


@dataclass
class RunStats:
    documents: int = 0
    records: int = 0
    #: error records by error type, and by the stage that gave up on the document
    errors: Counter[str] = field(default_factory=Counter)
    error_stages: Counter[str] = field(default_factory=Counter)
    #: documents by their main language; segment characters by their language
    languages: Counter[str] = field(default_factory=Counter)
    language_characters: Counter[str] = field(default_factory=Counter)
    #: blocks by boilerplate kind ("body" for body blocks)
    boilerplate_kinds: Counter[str] = field(default_factory=Counter)
    name_labels: Counter[str] = field(default_factory=Counter)
    #: per stage: documents that went through it and seconds spent in it (summed over workers)
    stage_documents: Counter[str] = field(default_factory=Counter)
    stage_seconds: Counter[str] = field(default_factory=Counter)
    input_chars: int = 0
    #: records an earlier, killed run had written (``--resume``); these statistics leave them out
    resumed_after: int = 0

    def add(self, doc: Document) -> None:
        self.documents += 1
        if doc.error is not None:
            self.errors[doc.error.type] += 1
            self.error_stages[doc.error.stage or "unknown"] += 1
            return
        self.records += 1
        self.input_chars += len(doc.text)
        self.languages[doc.lang] += 1
        for segment in doc.segments:
            self.language_characters[segment.lang] += segment.end - segment.start
        for block in doc.blocks:
            self.boilerplate_kinds[block.kind or "body"] += 1
        for name in doc.names:
            self.name_labels[name.label] += 1

    def merge(self, other: RunStats) -> None:
        self.documents += other.documents
        self.records += other.records
        self.input_chars += other.input_chars
        for name in (*_COUNTERS.values(), "stage_documents", "stage_seconds"):
            getattr(self, name).update(getattr(other, name))

    def to_dict(self, wall_seconds: float | None = None) -> dict[str, Any]:
        stages = {
            stage: {"documents": self.stage_documents[stage], "seconds": round(self.stage_seconds[stage], 4)}
            for stage in self.stage_documents
        }
        result: dict[str, Any] = {
            "documents": self.documents,
            "records": self.records,
            "errors": sum(self.errors.values()),
            **{key: dict(getattr(self, name).most_common()) for key, name in _COUNTERS.items()},
            "characters": self.input_chars,
            "stages": stages,
            "resumed_after": self.resumed_after,
        }
        if wall_seconds is not None:
            result["seconds"] = round(wall_seconds, 3)
            result["documents_per_second"] = round(self.documents / wall_seconds, 2) if wall_seconds > 0 else None
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunStats:
        """Rebuild (for results sent back by workers as plain data)."""
        stats = cls(documents=data["documents"], records=data["records"], input_chars=data["characters"], resumed_after=data["resumed_after"])
        for key, name in _COUNTERS.items():
            getattr(stats, name).update(data[key])
        for stage, figures in data["stages"].items():
            stats.stage_documents[stage] = figures["documents"]
            stats.stage_seconds[stage] = figures["seconds"]
        return stats

    def summary(self, seconds: float, output: str) -> str:
        """The closing line: documents, errors by type, languages, boilerplate kinds, speed, slowest stages."""
        errors = _top(self.errors, 8)
        langs = _top(self.languages, 8)
        kinds = _top(Counter({k: n for k, n in self.boilerplate_kinds.items() if k != "body"}), 5)
        slowest = ", ".join(f"{s} {t:.1f}s" for s, t in self.stage_seconds.most_common(3))
        resumed = f" (after {self.resumed_after} written by the earlier run)" if self.resumed_after else ""
        return (
            f"textpipe: {self.documents} documents{resumed}, {sum(self.errors.values())} errors ({errors}); "
            f"languages: {langs}; boilerplate blocks: {kinds}; "
            f"{seconds:.2f} s ({self.documents / seconds if seconds > 0 else 0:.1f} docs/s"
            f"{'; slowest stages: ' + slowest if slowest else ''}); output: {output}"
        )


def _top(counter: Counter[str], count: int) -> str:
    return ", ".join(f"{key} {n}" for key, n in counter.most_common(count)) or "none"
