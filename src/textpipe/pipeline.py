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

import copy
import importlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from .document import Document
from .executors import EXECUTORS, BatchResult, Plan, batch_gc, batched, run_in_process, run_local, run_ray
from .recurring import RecurringLines, save_table
from .sources import RawInput
from .stats import RunStats
from .resources import load_toml, package_path
from .stage import ConfigError, Stage, build_config
from .stages import STAGES, Read, Write
from .stages.boilerplate import Boilerplate


class Pipeline:
    """A reader, the processing stages, and (optionally) a writer."""

    def __init__(self, stages: Sequence[Stage], name: str = "custom", config: dict[str, Any] | None = None) -> None:
        if not stages or not isinstance(stages[0], Read):
            raise ConfigError("a pipeline starts with the 'read' stage")
        if any(isinstance(s, Write) for s in stages[:-1]) or any(isinstance(s, Read) for s in stages[1:]):
            raise ConfigError("'read' comes first and only once; 'write', if present, last and only once")
        self.name = name
        self.stages = list(stages)
        self.reader: Read = stages[0]  # type: ignore[assignment]
        self.writer: Write | None = stages[-1] if isinstance(stages[-1], Write) else None
        self.processors = [s for s in self.stages if not isinstance(s, (Read, Write))]
        #: the pipeline file's content, from which workers rebuild the same pipeline
        self.config = copy.deepcopy(config) if config is not None else None
        header = (config or {}).get("pipeline", {})
        self.document_seconds: float = float(header.get("document_seconds", 0))

    # -- loading ------------------------------------------------------------------------------------
    @classmethod
    def load(cls, name_or_path: str | Path = "default") -> Pipeline:
        path = resolve_pipeline(name_or_path)
        return cls.from_dict(load_toml(path), name=path.stem)

    @classmethod
    def from_dict(cls, config: dict[str, Any], name: str = "custom") -> Pipeline:
        original = config
        config = dict(config)
        header = config.pop("pipeline", None)
        if not isinstance(header, dict) or not isinstance(header.get("stages"), list):
            raise ConfigError("a pipeline file needs a [pipeline] table with a 'stages' list")
        unknown_keys = set(header) - {"stages", "description", "document_seconds"}
        if unknown_keys:
            raise ConfigError(f"[pipeline]: unknown key(s) {', '.join(sorted(unknown_keys))}")
        names: list[str] = header["stages"]
        classes = {stage_name: stage_class(stage_name) for stage_name in names}
        if "document_seconds" not in header or not isinstance(header["document_seconds"], (int, float)):
            raise ConfigError("[pipeline] needs 'document_seconds': each document's time budget in seconds (0: none)")
        if len(set(names)) != len(names):
            raise ConfigError("a stage is listed twice in [pipeline] stages")
        orphans = set(config) - set(names)
        if orphans:
            raise ConfigError(f"settings for stage(s) not in the pipeline: {', '.join(sorted(orphans))}")
        stages = [classes[n](build_config(classes[n].Config, config.get(n, {}), n)) for n in names]
        return cls(stages, name=name, config=original)

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

    def process(self, docs: Iterable[Document], stats: RunStats | None = None) -> Iterator[Document]:
        """Run the processing stages (everything between reading and writing) over documents.

        Each document gets the pipeline's time budget; with ``stats``, each stage's documents and
        seconds are counted (a stage's own time: what its stream took less what its input took).
        """
        upstream = _Timed(docs, self.reader.name, None, stats)  # reading, when ``docs`` is a reader's stream
        stream: Iterable[Document] = self._start_clocks(upstream)
        for stage in self.processors:
            timed = _Timed(stage.run(stream), stage.name, upstream, stats)
            stream, upstream = timed, timed
        return iter(stream)

    def _start_clocks(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            if self.document_seconds > 0:
                doc.deadline = time.monotonic() + self.document_seconds
            yield doc

    def serialize(self, doc: Document) -> bytes:
        return Write.serialize(doc)

    def run(
        self,
        inputs: Sequence[str],
        output: str,
        *,
        fmt: str = "auto",
        workers: int = 1,
        executor: str = "local",
        address: str | None = None,
        ordered: bool = True,
        resume: bool = False,
        batch_size: int = 16,
        stdin: BinaryIO | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> RunStats:
        """Read ``inputs``, process them, write one record per input document to ``output``.

        ``workers`` > 1 runs local worker processes (they read byte ranges of plain input files
        themselves); ``executor="ray"`` runs Ray actors (at ``address``, or a local Ray). A
        document that kills its worker (or its Ray actor) twice becomes a ``WorkerCrashed`` error
        record and the run goes on; with ``workers=1`` everything runs in this process, unguarded.
        With ``resume``, a run killed part-way continues where its part file ends (ordered output
        only). ``progress`` is called with each batch's size.
        """
        if self.writer is None:
            raise ConfigError(f"pipeline {self.name!r} has no 'write' stage")
        if resume and (not ordered or output == "-"):
            raise ConfigError("--resume needs ordered output written to a file")
        runner = self._with_recurring_table(inputs, fmt, stdin, output)
        sink = self.writer.open(output, resume)
        local_workers = executor == "local" and workers > 1  # they read byte ranges of the files themselves
        raws = self.reader.raw_inputs(inputs, fmt, stdin, by_reference=local_workers)
        batches = batched(islice(raws, sink.done, None), batch_size)
        stats = RunStats(resumed_after=sink.done)
        with batch_gc():
            for result in runner._execute(batches, workers, executor, address, ordered):
                sink.write_lines(result.lines)
                stats.merge(RunStats.from_dict(result.stats))
                if progress is not None:
                    progress(len(result.lines))
        sink.finish()
        return stats

    def _with_recurring_table(self, inputs: Sequence[str], fmt: str, stdin: BinaryIO | None, output: str) -> Pipeline:
        """This pipeline, or, when its boilerplate stage wants the recurring-lines pre-pass, a copy
        that reads the table the pre-pass counts (read and the stages before boilerplate only, in
        input order) and writes next to the output as ``OUTPUT.recurring.json``."""
        index, stage = next(((i, s) for i, s in enumerate(self.processors) if isinstance(s, Boilerplate)), (-1, None))
        if stage is None or not stage.config.recurring_lines or not stage.config.recurring_prepass or stage.config.recurring_table:
            return self
        if self.config is None:
            raise ConfigError("the recurring-lines pre-pass needs a pipeline loaded from a config")
        if stdin is not None or "-" in inputs or output == "-":
            raise ConfigError("the recurring-lines pre-pass reads the inputs twice and writes a table next to the output: give files, not standard input or output")
        docs: Iterable[Document] = (self.reader.to_document(raw) for raw in self.reader.raw_inputs(inputs, fmt))
        for before in self.processors[:index]:
            docs = before.run(docs)
        table = RecurringLines(
            stage.config.recurring_min_pages, stage.config.recurring_min_chars, stage.config.recurring_max_lines, stage.config.recurring_max_sites
        ).count(docs)
        path = f"{output}.recurring.json"
        save_table(table, path)
        config = copy.deepcopy(self.config)
        config[stage.name]["recurring_table"] = str(Path(path).resolve())
        return Pipeline.from_dict(config, name=self.name)

    def _execute(self, batches: Iterator[list[RawInput]], workers: int, executor: str, address: str | None, ordered: bool) -> Iterator[BatchResult]:
        if executor not in EXECUTORS:
            raise ConfigError(f"unknown executor {executor!r}; executors: {', '.join(EXECUTORS)}")
        if executor == "local" and workers <= 1:
            return run_in_process(self, batches)
        if self.config is None:
            raise ConfigError("only a pipeline loaded from a config can run in workers")
        plan = Plan(json.dumps(self.config), ordered, self.reader.resolve, self.document_seconds)
        if executor == "ray":
            return run_ray(plan, batches, max(workers, 1), address)
        return run_local(plan, batches, workers)


class _Timed:
    """A stage's output stream that counts its documents and the stage's own seconds."""

    def __init__(self, stream: Iterable[Document], name: str, upstream: _Timed | None, stats: RunStats | None) -> None:
        self.stream = iter(stream)
        self.name = name
        self.upstream = upstream
        self.stats = stats
        self.inclusive = 0.0

    def __iter__(self) -> Iterator[Document]:
        return self

    def __next__(self) -> Document:
        if self.stats is None:
            return next(self.stream)
        started = time.perf_counter()
        before = self.upstream.inclusive if self.upstream else 0.0
        try:
            doc = next(self.stream)
        finally:
            spent = time.perf_counter() - started
            self.inclusive += spent
            upstream_spent = (self.upstream.inclusive if self.upstream else 0.0) - before
            self.stats.stage_seconds[self.name] += spent - upstream_spent
        self.stats.stage_documents[self.name] += 1
        return doc


def stage_class(name: str) -> type[Stage]:
    """A shipped stage by its name, or a stage of your own by ``module:Class`` (a Stage subclass
    importable wherever the pipeline runs: worker processes and Ray actors import it too)."""
    if name in STAGES:
        return STAGES[name]
    module_name, colon, class_name = name.partition(":")
    if not colon:
        raise ConfigError(f"unknown stage {name!r}; known stages: {', '.join(STAGES)} (or module:Class for a stage of your own)")
    try:
        found = getattr(importlib.import_module(module_name), class_name, None)
    except ImportError as exc:
        raise ConfigError(f"stage {name!r}: cannot import {module_name}: {exc}") from exc
    if not (isinstance(found, type) and issubclass(found, Stage)) or issubclass(found, (Read, Write)):
        raise ConfigError(f"stage {name!r}: {class_name} in {module_name} is not a processing Stage subclass")
    return found


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
