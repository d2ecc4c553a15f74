"""Pipelines: an ordered list of configured stages, declared in a TOML file.

```toml
[pipeline]
stages = ["read", "blocks", "boilerplate", "languages", "names", "transliteration", "write"]

[read]            # one table per stage, naming every setting the stage has
max_document_bytes = 20000000
...
```
``Pipeline.load("default")`` loads a pipeline shipped in the package (``textpipe/pipelines/``);
any other argument is a path to such a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from .document import Document
from .resources import load_toml, package_path
from .stage import ConfigError, Stage, build_config
from .stages import STAGES, Read, Write


class Pipeline:
    """A reader, the processing stages, and (optionally) a writer."""

    def __init__(self, stages: Sequence[Stage], name: str = "custom") -> None:
        if not stages or not isinstance(stages[0], Read):
            raise ConfigError("a pipeline starts with the 'read' stage")
        if any(isinstance(s, Write) for s in stages[:-1]) or any(isinstance(s, Read) for s in stages[1:]):
            raise ConfigError("'read' comes first and only once; 'write', if present, last and only once")
        self.name = name
        self.stages = list(stages)
        self.reader: Read = stages[0]  # type: ignore[assignment]
        self.writer: Write | None = stages[-1] if isinstance(stages[-1], Write) else None
        self.processors = [s for s in self.stages if not isinstance(s, (Read, Write))]

    # -- loading ------------------------------------------------------------------------------------
    @classmethod
    def load(cls, name_or_path: str | Path = "default") -> Pipeline:
        path = resolve_pipeline(name_or_path)
        return cls.from_dict(load_toml(path), name=path.stem)

    @classmethod
    def from_dict(cls, config: dict[str, Any], name: str = "custom") -> Pipeline:
        config = dict(config)
        header = config.pop("pipeline", None)
        if not isinstance(header, dict) or not isinstance(header.get("stages"), list):
            raise ConfigError("a pipeline file needs a [pipeline] table with a 'stages' list")
        unknown_keys = set(header) - {"stages", "description"}
        if unknown_keys:
            raise ConfigError(f"[pipeline]: unknown key(s) {', '.join(sorted(unknown_keys))}")
        names: list[str] = header["stages"]
        for stage_name in names:
            if stage_name not in STAGES:
                raise ConfigError(f"unknown stage {stage_name!r}; known stages: {', '.join(STAGES)}")
        if len(set(names)) != len(names):
            raise ConfigError("a stage is listed twice in [pipeline] stages")
        orphans = set(config) - set(names)
        if orphans:
            raise ConfigError(f"settings for stage(s) not in the pipeline: {', '.join(sorted(orphans))}")
        stages = [STAGES[n](build_config(STAGES[n].Config, config.get(n, {}), n)) for n in names]
        return cls(stages, name=name)

    # -- running ------------------------------------------------------------------------------------
    def __call__(self, content: str | bytes, *, id: str | None = None, format: str = "text") -> Document:
        """Process one page given as text (``format="text"``) or HTML (``format="html"``)."""
        doc = self.reader.read_one(content, id=id or "doc", format=format, source="<string>")
        return next(iter(self.process([doc])))

    def stream(self, items: Iterable[str | bytes | dict[str, Any] | Document], *, format: str = "text") -> Iterator[Document]:
        """Process many pages lazily: strings/bytes (of ``format``), JSONL-like dicts, or Documents."""
        return self.process(self._documents(items, format))

    def _documents(self, items: Iterable[str | bytes | dict[str, Any] | Document], format: str) -> Iterator[Document]:
        for number, item in enumerate(items, start=1):
            if isinstance(item, Document):
                yield item
            elif isinstance(item, dict):
                yield self.reader.read_record(item, number)
            else:
                yield self.reader.read_one(item, id=str(number), format=format, source="<stream>")

    def process(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Run the processing stages (everything between reading and writing) over documents."""
        stream: Iterable[Document] = docs
        for stage in self.processors:
            stream = stage.run(stream)
        return iter(stream)

    def run(self, inputs: Sequence[str], output: str, fmt: str = "auto", stdin: BinaryIO | None = None) -> Iterator[Document]:
        """Read ``inputs``, process them, write records to ``output``; yields each written document."""
        if self.writer is None:
            raise ConfigError(f"pipeline {self.name!r} has no 'write' stage")
        return self.writer.write(self.process(self.reader.read_paths(inputs, fmt, stdin)), output)


def resolve_pipeline(name_or_path: str | Path) -> Path:
    """A shipped pipeline's file by name, or the file at a path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise ConfigError(f"no pipeline file at {candidate}")
        return candidate
    shipped = package_path("pipelines", f"{name_or_path}.toml")
    if not shipped.is_file():
        raise ConfigError(f"no pipeline named {name_or_path!r}; shipped pipelines: {', '.join(shipped_pipelines())}")
    return shipped


def shipped_pipelines() -> list[str]:
    return sorted(p.stem for p in package_path("pipelines").glob("*.toml"))
