"""Run statistics: what a run did, mergeable across batches and workers, written as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .document import Document


@dataclass
class RunStats:
    documents: int = 0
    records: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    boilerplate_kinds: Counter[str] = field(default_factory=Counter)
    name_labels: Counter[str] = field(default_factory=Counter)
    #: per stage: documents that went through it and seconds spent in it (summed over workers)
    stage_documents: Counter[str] = field(default_factory=Counter)
    stage_seconds: Counter[str] = field(default_factory=Counter)
    input_chars: int = 0

    def add(self, doc: Document) -> None:
        self.documents += 1
        if doc.error is not None:
            self.errors[doc.error.type] += 1
            return
        self.records += 1
        self.input_chars += len(doc.text)
        self.languages[doc.lang] += 1
        for block in doc.blocks:
            self.boilerplate_kinds[block.kind or "body"] += 1
        for name in doc.names:
            self.name_labels[name.label] += 1

    def merge(self, other: RunStats) -> None:
        self.documents += other.documents
        self.records += other.records
        self.input_chars += other.input_chars
        for mine, theirs in self._counters(other):
            mine.update(theirs)

    def _counters(self, other: RunStats) -> list[tuple[Counter[str], Counter[str]]]:
        names = ("errors", "languages", "boilerplate_kinds", "name_labels", "stage_documents", "stage_seconds")
        return [(getattr(self, n), getattr(other, n)) for n in names]

    def to_dict(self, wall_seconds: float | None = None) -> dict[str, Any]:
        stages = {
            stage: {"documents": self.stage_documents[stage], "seconds": round(self.stage_seconds[stage], 4)}
            for stage in self.stage_documents
        }
        result: dict[str, Any] = {
            "documents": self.documents,
            "records": self.records,
            "errors": sum(self.errors.values()),
            "errors_by_type": dict(self.errors.most_common()),
            "languages": dict(self.languages.most_common()),
            "blocks_by_kind": dict(self.boilerplate_kinds.most_common()),
            "names_by_label": dict(self.name_labels.most_common()),
            "characters": self.input_chars,
            "stages": stages,
        }
        if wall_seconds is not None:
            result["seconds"] = round(wall_seconds, 3)
            result["documents_per_second"] = round(self.documents / wall_seconds, 2) if wall_seconds > 0 else None
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunStats:
        """Rebuild (for results sent back by workers as plain data)."""
        stats = cls(documents=data["documents"], records=data["records"], input_chars=data["characters"])
        stats.errors.update(data["errors_by_type"])
        stats.languages.update(data["languages"])
        stats.boilerplate_kinds.update(data["blocks_by_kind"])
        stats.name_labels.update(data["names_by_label"])
        for stage, figures in data["stages"].items():
            stats.stage_documents[stage] = figures["documents"]
            stats.stage_seconds[stage] = figures["seconds"]
        return stats

    def summary(self, seconds: float, output: str) -> str:
        errors = ", ".join(f"{t} {n}" for t, n in self.errors.most_common()) or "none"
        langs = ", ".join(f"{lang} {n}" for lang, n in self.languages.most_common(8)) or "none"
        slowest = ", ".join(f"{s} {t:.1f}s" for s, t in self.stage_seconds.most_common(3))
        return (
            f"textpipe: {self.documents} documents, {sum(self.errors.values())} errors ({errors}); "
            f"languages: {langs}; {seconds:.2f} s ({self.documents / seconds if seconds > 0 else 0:.1f} docs/s"
            f"{'; slowest stages: ' + slowest if slowest else ''}); output: {output}"
        )
