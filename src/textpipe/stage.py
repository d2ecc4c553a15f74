"""What a stage is: a named component with a typed config and one method over a stream of documents.

Modelled on datatrove's pipeline steps (``run`` maps a stream of documents to a stream) and spaCy's
factories (a registered name plus a config with no hidden defaults): every setting a stage has must
be written in the pipeline file; an unknown or missing setting fails at load time.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Union

from .document import Document, DocumentError


class ConfigError(ValueError):
    """A pipeline file names an unknown stage or setting, misses one, or gives one the wrong type."""


class Stage:
    """Base class of the processing stages.

    Subclasses set ``name`` and ``Config`` (a dataclass with no defaults) and implement
    ``process``; stages that need the whole stream (batch evidence, say) override ``run``.
    """

    name: ClassVar[str]
    Config: ClassVar[type]

    def __init__(self, config: Any) -> None:
        self.config = config

    def process(self, doc: Document) -> Document:
        raise NotImplementedError

    def run(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Process each document; a failure becomes the document's error, and the stream goes on."""
        for doc in docs:
            if doc.error is None:
                doc = self.process_safely(doc)
            yield doc

    def run_in_batches(self, docs: Iterable[Document], size: int, process_batch: Callable[[list[Document]], None]) -> Iterator[Document]:
        """Documents ``size`` at a time (fewer once they hold ``BATCH_MAX_CHARACTERS``: a batch's
        memory is bounded) through ``process_batch``, which does their work together (one model call
        for all of them, say), within the latest of their budgets; then each document is charged
        its share of the time (by its length) against its own budget. If a batch fails or runs out
        of time, each document is charged only its share of that attempt and is done again alone
        (``process``) within what is left of its budget, so that only a failing one gets an error."""
        batch: list[Document] = []
        characters = 0
        for doc in docs:
            batch.append(doc)
            characters += len(doc.text)
            if len(batch) >= size or characters >= BATCH_MAX_CHARACTERS:
                yield from self._run_batch(batch, process_batch)
                batch, characters = [], 0
        yield from self._run_batch(batch, process_batch)

    def _run_batch(self, batch: list[Document], process_batch: Callable[[list[Document]], None]) -> list[Document]:
        todo = [doc for doc in batch if doc.error is None]
        deadlines = [doc.deadline for doc in todo if doc.deadline is not None]
        latest = max(deadlines) if deadlines and len(deadlines) == len(todo) else None
        started = time.monotonic()
        try:
            with time_limit(latest):
                process_batch(todo)
        except Exception:  # noqa: BLE001 - find the culprit, document by document
            _refund(todo, time.monotonic() - started)
            for doc in todo:
                self.process_safely(doc)
            return batch
        _charge(todo, started, time.monotonic(), self.name)
        return batch

    def process_safely(self, doc: Document, process: Callable[[Document], Document] | None = None) -> Document:
        """``process`` (or the given callable) within the document's time budget; a failure becomes
        the document's error."""
        try:
            with time_limit(doc.deadline):
                return (process or self.process)(doc)
        except Exception as exc:  # noqa: BLE001 - one bad document must never stop a batch
            doc.error = DocumentError(type(exc).__name__, str(exc) or repr(exc), stage=self.name)
            return doc


#: a batch of ``Stage.run_in_batches`` is cut once its documents hold this many characters
BATCH_MAX_CHARACTERS = 2_000_000


def _shares(docs: list[Document]) -> list[float]:
    """Each document's share of a batch's time: its share of the batch's characters."""
    total = sum(len(doc.text) for doc in docs) or 1
    return [len(doc.text) / total for doc in docs]


def _charge(docs: list[Document], started: float, ended: float, stage: str) -> None:
    """Give each document its share of a batch's time; a document whose share ends past its own
    deadline gets the timeout error it would have got on its own."""
    for doc, share in zip(docs, _shares(docs)):
        if doc.deadline is not None and started + (ended - started) * share > doc.deadline:
            doc.error = DocumentError("DocumentTimeout", "the document's time budget was used up", stage=stage)


def _refund(docs: list[Document], elapsed: float) -> None:
    """After a failed batch, give each document back the part of the attempt that was not its share."""
    for doc, share in zip(docs, _shares(docs)):
        if doc.deadline is not None:
            doc.deadline += elapsed * (1.0 - share)


class DocumentTimeout(TimeoutError):
    """A document used up its time budget."""


@contextmanager
def time_limit(deadline: float | None) -> Iterator[None]:
    """Interrupt the block at ``deadline`` (a ``time.monotonic()`` value) with DocumentTimeout.

    It uses a SIGALRM timer, so it interrupts Python code in the main thread; elsewhere (or inside
    one long C call) the budget is checked when the block starts and ends.
    """
    if deadline is None:
        yield
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DocumentTimeout("the document's time budget was used up")
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        if time.monotonic() > deadline:
            raise DocumentTimeout("the document's time budget was used up")
        return

    def expire(signum: int, frame: Any) -> None:
        raise DocumentTimeout("the document's time budget was used up")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, remaining)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def build_config(config_cls: type, settings: dict[str, Any], stage_name: str) -> Any:
    """Check ``settings`` against ``config_cls``'s fields and build it; raise ConfigError if off."""
    fields = {f.name: f for f in dataclasses.fields(config_cls)}
    unknown = sorted(set(settings) - set(fields))
    if unknown:
        raise ConfigError(
            f"stage {stage_name!r}: unknown setting(s) {', '.join(unknown)}; "
            f"its settings are: {', '.join(fields)}"
        )
    missing = [name for name in fields if name not in settings]
    if missing:
        raise ConfigError(
            f"stage {stage_name!r}: missing setting(s) {', '.join(missing)} "
            "(pipelines state every setting; there are no hidden defaults)"
        )
    hints = typing.get_type_hints(config_cls)
    for name, value in settings.items():
        if not _fits(value, hints[name]):
            raise ConfigError(f"stage {stage_name!r}: setting {name!r} = {value!r} is not of type {_type_name(hints[name])}")
    return config_cls(**settings)


def _fits(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if origin in (list, tuple):
        return isinstance(value, list) and all(_fits(v, args[0]) for v in value) if args else isinstance(value, list)
    if origin is dict:
        key_hint, value_hint = args or (Any, Any)
        return isinstance(value, dict) and all(_fits(k, key_hint) and _fits(v, value_hint) for k, v in value.items())
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is type(None):
        return value is None
    return isinstance(value, hint)


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
