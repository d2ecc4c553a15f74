"""Executors: the same pipeline over batches of raw inputs, in this process, in local worker
processes, or on a Ray cluster. Each worker builds the pipeline (and loads its models) once.

The main process reads the inputs (cheap: finding documents and their bytes) and cuts them into
batches; workers decode, process and serialize; the main process writes the lines. Each worker
holds one batch at a time and gets the next as soon as it hands back its result; finished batches
wait for older ones (ordered output) in a buffer of a few batches per worker, so memory stays flat
however large the input, and a slow batch does not leave the other workers idle.

A worker that dies (a crash in a C extension, the OOM killer, ``os._exit``) takes only its own
batch with it: a fresh worker takes that batch's documents one at a time, and a document that
kills its worker again becomes an error record of type ``WorkerCrashed``. Every input still
yields exactly one record, in input order when the output is ordered.
"""

from __future__ import annotations

import json
import multiprocessing
import signal
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol, Union

from .document import Document, DocumentError
from .sources import RawInput
from .stats import RunStats

EXECUTORS = ("local", "ray")
#: the error type of a document whose worker died on it twice (in its batch, then alone)
WORKER_CRASHED = "WorkerCrashed"
#: what a local worker sends once its pipeline is built
_READY = "ready"
#: batches a worker may hold or have finished ahead of the oldest unwritten one
_WINDOW_PER_WORKER = 4


@dataclass
class BatchResult:
    """What a worker sends back: the batch's JSONL lines, in input order, and its statistics."""

    lines: list[bytes]
    stats: dict[str, Any]


@dataclass
class Crash:
    """A worker died while it held a batch: why, as far as the parent can tell."""

    reason: str


Outcome = Union[BatchResult, Crash]
#: a raw input with its bytes read and its JSONL line parsed (the read stage's ``resolve``)
Resolve = Callable[[RawInput], RawInput]


def batched(items: Iterable[RawInput], size: int) -> Iterator[list[RawInput]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def process_batch(pipeline: Any, batch: list[RawInput]) -> BatchResult:
    """Run ``pipeline`` (a textpipe Pipeline) over one batch of raw inputs."""
    stats = RunStats()
    lines = []
    for doc in pipeline.process(pipeline.reader.run(batch), stats):
        stats.add(doc)
        lines.append(pipeline.serialize(doc))
    return BatchResult(lines, stats.to_dict())


def crashed_result(batch: list[RawInput], reason: str, resolve: Resolve) -> BatchResult:
    """Error records for inputs that killed their worker (``resolve`` finds their ids and meta)."""
    from .stages.write import Write

    stats = RunStats()
    lines = []
    for raw in map(resolve, batch):
        error = DocumentError(WORKER_CRASHED, reason, stage="worker")
        doc = Document.failed(raw.id, raw.source, error, raw.meta)
        stats.add(doc)
        lines.append(Write.serialize(doc))
    return BatchResult(lines, stats.to_dict())


def merge_results(parts: list[BatchResult]) -> BatchResult:
    stats = RunStats()
    for part in parts:
        stats.merge(RunStats.from_dict(part.stats))
    return BatchResult([line for part in parts for line in part.lines], stats.to_dict())


def _build_pipeline(config_json: str) -> Any:
    """A worker's pipeline, built once from the config of the main process's pipeline."""
    from .pipeline import Pipeline

    return Pipeline.from_dict(json.loads(config_json))


def run_in_process(pipeline: Any, batches: Iterable[list[RawInput]]) -> Iterator[BatchResult]:
    for batch in batches:
        yield process_batch(pipeline, batch)


# -- the driver, common to local processes and Ray actors ----------------------------------------


class Workers(Protocol):
    """A fixed number of worker slots, each holding at most one batch."""

    size: int

    def submit(self, slot: int, batch: list[RawInput]) -> None: ...

    def wait_any(self, slots: Collection[int]) -> list[tuple[int, Outcome]]:
        """Block until at least one of ``slots`` has an outcome; return those that have."""
        ...

    def wait_for(self, slot: int) -> Outcome: ...

    def restart(self, slot: int) -> None:
        """Replace the slot's (dead) worker by a fresh one."""
        ...

    def close(self) -> None: ...


def drive(workers: Workers, batches: Iterable[list[RawInput]], ordered: bool, resolve: Resolve) -> Iterator[BatchResult]:
    """Share ``batches`` out over ``workers``; yield the results (in batch order if ``ordered``)."""
    source = enumerate(batches)
    window = _WINDOW_PER_WORKER * workers.size
    busy: dict[int, tuple[int, list[RawInput]]] = {}  # slot -> (batch number, batch)
    finished: dict[int, BatchResult] = {}  # batch number -> result, waiting for older ones
    next_number = 0
    more = True
    while True:
        if more:
            more = _feed(workers, source, busy, window - len(finished))
        if not busy:
            break
        for slot, outcome in workers.wait_any(list(busy)):
            number, batch = busy.pop(slot)
            finished[number] = outcome if isinstance(outcome, BatchResult) else _retry_alone(workers, slot, batch, outcome, resolve)
        while finished and (not ordered or next_number in finished):
            yield finished.pop(next_number if ordered else next(iter(finished)))
            next_number += 1


def _feed(workers: Workers, source: Iterator[tuple[int, list[RawInput]]], busy: dict[int, tuple[int, list[RawInput]]], room: int) -> bool:
    """Give a batch to every idle worker while the window has room; False once batches ran out."""
    for slot in range(workers.size):
        if slot in busy:
            continue
        if len(busy) >= room:
            return True
        item = next(source, None)
        if item is None:
            return False
        workers.submit(slot, item[1])
        busy[slot] = item
    return True


def _retry_alone(workers: Workers, slot: int, batch: list[RawInput], crash: Crash, resolve: Resolve) -> BatchResult:
    """A worker died on ``batch``: a fresh worker takes its documents one at a time; a document
    that kills that worker too becomes an error record, and the next one gets a fresh worker."""
    workers.restart(slot)
    parts = []
    for raw in batch:
        workers.submit(slot, [raw])
        outcome = workers.wait_for(slot)
        if isinstance(outcome, Crash):
            reason = f"{outcome.reason} on this document, in its batch and again alone (first: {crash.reason})"
            outcome = crashed_result([raw], reason, resolve)
            workers.restart(slot)
        parts.append(outcome)
    return merge_results(parts)


# -- local worker processes -------------------------------------------------------------------


def run_local(config_json: str, batches: Iterable[list[RawInput]], workers: int, ordered: bool, resolve: Resolve) -> Iterator[BatchResult]:
    """Batches over ``workers`` processes (spawned: no state leaks from the parent)."""
    pool = LocalWorkers(config_json, workers)
    try:
        yield from drive(pool, batches, ordered, resolve)
    finally:
        pool.close()


def _worker_main(connection: Connection, config_json: str) -> None:
    """A local worker process: build the pipeline, then process batches until the parent sends
    ``None`` or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    pipeline = _build_pipeline(config_json)
    connection.send(_READY)
    while True:
        try:
            batch = connection.recv()
        except EOFError:
            return
        if batch is None:
            return
        connection.send(process_batch(pipeline, batch))


class _Process:
    """One spawned worker process and the parent's end of the pipe to it."""

    def __init__(self, context: Any, config_json: str) -> None:
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child_end, config_json), daemon=True)
        self.process.start()
        child_end.close()  # so the parent sees end-of-file when the worker dies
        #: whether the worker has built its pipeline (one that dies before is broken, not crashed)
        self.ready = False

    def receive(self) -> Outcome | None:
        """The worker's next message: a result, a crash, or None for its ready notice."""
        try:
            message = self.connection.recv()
        except (EOFError, OSError):
            if not self.ready:
                raise RuntimeError(f"a worker process died while starting: {self.why_dead()}") from None
            return Crash(self.why_dead())
        if message == _READY:
            self.ready = True
            return None
        result: BatchResult = message
        return result

    def why_dead(self) -> str:
        self.process.join(timeout=5)
        code = self.process.exitcode
        if code is None:
            return "the worker process stopped answering"
        if code < 0:
            return f"the worker process was killed by {_signal_name(-code)}"
        return f"the worker process exited with status {code}"

    def stop(self, kill: bool) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class LocalWorkers:
    """Worker processes on this machine, one pipe each, so the parent knows which batch a dead
    worker held."""

    def __init__(self, config_json: str, size: int) -> None:
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._config_json = config_json
        self._processes = [_Process(self._context, config_json) for _ in range(size)]
        self._busy: set[int] = set()

    def submit(self, slot: int, batch: list[RawInput]) -> None:
        try:
            self._processes[slot].connection.send(batch)
        except OSError:  # it died while idle: a fresh one takes the batch
            if not self._processes[slot].ready:
                raise RuntimeError(f"a worker process died while starting: {self._processes[slot].why_dead()}") from None
            self.restart(slot)
            self._processes[slot].connection.send(batch)
        self._busy.add(slot)

    def wait_any(self, slots: Collection[int]) -> list[tuple[int, Outcome]]:
        by_connection = {self._processes[slot].connection: slot for slot in slots}
        while True:
            messages = [(by_connection[c], self._processes[by_connection[c]].receive()) for c in wait(list(by_connection))]  # type: ignore[index]
            outcomes = [(slot, outcome) for slot, outcome in messages if outcome is not None]
            if outcomes:
                self._busy.difference_update(slot for slot, _ in outcomes)
                return outcomes

    def wait_for(self, slot: int) -> Outcome:
        while (outcome := self._processes[slot].receive()) is None:
            pass
        self._busy.discard(slot)
        return outcome

    def restart(self, slot: int) -> None:
        self._processes[slot].stop(kill=True)
        self._processes[slot] = _Process(self._context, self._config_json)

    def close(self) -> None:
        """Stop the workers: idle ones when they have read the stop message, busy ones at once."""
        for slot, process in enumerate(self._processes):
            process.stop(kill=slot in self._busy)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# -- Ray actors -------------------------------------------------------------------------------


def run_ray(config_json: str, batches: Iterable[list[RawInput]], workers: int, address: str | None, ordered: bool, resolve: Resolve) -> Iterator[BatchResult]:
    """Batches over Ray actors, one per worker, each holding the pipeline (``pip install textpipe[ray]``)."""
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError("the Ray executor needs Ray: pip install 'textpipe[ray]'") from exc
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False, log_to_driver=False)
    pool = RayWorkers(ray, config_json, workers)
    try:
        yield from drive(pool, batches, ordered, resolve)
    finally:
        pool.close()
        if started_here:
            ray.shutdown()


class _RayWorker:
    def __init__(self, config_json: str) -> None:
        self.pipeline = _build_pipeline(config_json)

    def process(self, batch: list[RawInput]) -> BatchResult:
        return process_batch(self.pipeline, batch)


class RayWorkers:
    """Ray actors; a dead actor is replaced by a fresh one (Ray does not restart it by itself)."""

    def __init__(self, ray: Any, config_json: str, size: int) -> None:
        self.size = size
        self._ray = ray
        self._config_json = config_json
        self._actor_class = ray.remote(num_cpus=1, max_restarts=0)(_RayWorker)
        self._actors = [self._actor_class.remote(config_json) for _ in range(size)]
        self._refs: dict[int, Any] = {}

    def submit(self, slot: int, batch: list[RawInput]) -> None:
        self._refs[slot] = self._actors[slot].process.remote(batch)

    def wait_any(self, slots: Collection[int]) -> list[tuple[int, Outcome]]:
        by_ref = {self._refs[slot]: slot for slot in slots}
        ready, _ = self._ray.wait(list(by_ref), num_returns=1)
        return [(by_ref[ref], self.wait_for(by_ref[ref])) for ref in ready]

    def wait_for(self, slot: int) -> Outcome:
        died = (self._ray.exceptions.RayActorError, self._ray.exceptions.WorkerCrashedError)
        try:
            result: BatchResult = self._ray.get(self._refs.pop(slot))
        except died as exc:
            return Crash(f"the Ray actor died ({type(exc).__name__})")
        return result

    def restart(self, slot: int) -> None:
        self._ray.kill(self._actors[slot], no_restart=True)
        self._actors[slot] = self._actor_class.remote(self._config_json)

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor, no_restart=True)
