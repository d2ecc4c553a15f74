"""The Document model: the one object every stage reads and writes.

A document's ``text`` is fixed once the reader has normalized it; every annotation is a
``[start, end)`` span of Unicode code points into that text. Stages add annotations, they never
rewrite ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1"

BODY = "body"
BOILERPLATE = "boilerplate"

#: Boilerplate kinds a block may carry (``None`` for body blocks).
BOILERPLATE_KINDS = (
    "cookie_notice",
    "navigation",
    "footer",
    "share",
    "accessibility",
    "related",
    "comments",
    "ads",
    "metadata",
    "other",
)


@dataclass(frozen=True)
class BlockHints:
    """What the HTML reader saw of a block; plain-text blocks have none."""

    tag: str
    #: class and id tokens of the block's element and its ancestors, lower-cased, nearest first
    attrs: tuple[str, ...] = ()
    #: share of the block's characters that sit inside ``<a>`` elements
    link_density: float = 0.0


@dataclass(slots=True)  # pages hold hundreds: smaller, quicker to make
class Block:
    """A paragraph-like unit of the page: a line of a text dump, or an HTML block element."""

    start: int
    end: int
    role: str = BODY
    kind: str | None = None
    hints: BlockHints | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "role": self.role, "kind": self.kind}


@dataclass(slots=True)  # pages hold hundreds: smaller, quicker to make
class Segment:
    """A stretch of text in one language."""

    start: int
    end: int
    lang: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "lang": self.lang, "score": round(self.score, 4)}


@dataclass(slots=True)  # pages hold hundreds: smaller, quicker to make
class Name:
    """A name found in the text, with its romanizations."""

    start: int
    end: int
    text: str
    label: str
    lang: str
    lemma: str | None = None
    latin: str = ""
    translit: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "lang": self.lang,
            "lemma": self.lemma,
            "latin": self.latin,
            "translit": dict(self.translit),
        }


@dataclass
class DocumentError:
    """Why a document could not be processed; it becomes an error record."""

    type: str
    message: str
    stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        record = {"type": self.type, "message": self.message}
        if self.stage is not None:
            record["stage"] = self.stage
        return record


@dataclass
class Document:
    id: str
    text: str
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    lang: str = "und"
    blocks: list[Block] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    error: DocumentError | None = None
    #: monotonic time by which processing must end (the pipeline's per-document budget); not output
    deadline: float | None = field(default=None, repr=False, compare=False)

    @classmethod
    def failed(cls, id: str, source: str, error: DocumentError, meta: dict[str, Any] | None = None) -> Document:
        """A document that never got text: only an error record will be written for it."""
        return cls(id=id, text="", source=source, meta=meta or {}, error=error)

    def span(self, start: int, end: int) -> str:
        return self.text[start:end]

    @property
    def body_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.role == BODY]

    @property
    def body(self) -> str:
        """The body blocks' text joined by newlines."""
        return "\n".join(self.text[b.start : b.end] for b in self.body_blocks)

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of schema version 1 (an error record if the document failed)."""
        if self.error is not None:
            return {
                "schema_version": SCHEMA_VERSION,
                "id": self.id,
                "source": self.source,
                "error": self.error.to_dict(),
                "meta": self.meta,
            }
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "source": self.source,
            "text": self.text,
            "lang": self.lang,
            "blocks": [b.to_dict() for b in self.blocks],
            "body": self.body,
            "segments": [s.to_dict() for s in self.segments],
            "names": [n.to_dict() for n in self.names],
            "meta": self.meta,
        }
