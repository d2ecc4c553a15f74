"""Executors: the same pipeline over batches of raw inputs, in this process, in local worker
processes, or on a Ray cluster. Each worker builds the pipeline (and loads its models) once.

The main process reads the inputs (cheap: finding documents and their bytes) and cuts them into
batches; workers decode, process and serialize; the main process writes the lines. Each worker
holds one batch at a time and gets the next as soon as it hands back its result; finished batches
wait for older ones (ordered output) in a buffer of a few batches per worker, so memory stays flat
however large the input, and a slow batch does not leave the other workers idle.

A worker that dies (a crash in a C extension, the OOM killer, ``os._exit``) takes only its own
batch with it: a fresh worker takes that batch's documents one at a time, and a document that
kills its worker again becomes an error record of type ``WorkerCrashed``. A worker still on a
batch long after its documents' time budgets ran out (stuck in C code, where the in-worker alarm
cannot interrupt it) is stopped and treated the same way. Every input still yields exactly one
record, in input order when the output is ordered.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import signal
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
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


#: the cyclic garbage collector's first threshold in batch runs (Python's default is 700)
BATCH_GC_THRESHOLD = 10_000


def use_batch_gc() -> None:
    """Let the cyclic garbage collector run less often, in a process that runs a batch.

    A page's objects are freed by reference counting as soon as it is written; what the collector
    costs is its full passes, each over every object of the process, the models' included: at
    Python's threshold they took 9 % of the CPU of a run over the 204 boilerplate-dev pages (0.49
    of 5.6 s); at 10,000 0.23 s. Only garbage in cycles waits longer (a few thousand objects)."""
    first, second, third = gc.get_threshold()
    gc.set_threshold(max(BATCH_GC_THRESHOLD, first), second, third)


def freeze_long_lived() -> None:
    """Keep the objects the process holds now (its modules, the pipeline and what its stages built;
    not the models a stage loads at its first document) out of the collector's passes, which then
    look only at what came after: 0.23 -> 0.11 s of collector time over the 204 boilerplate-dev
    pages. (Garbage in cycles among them, if any, stays: a one-off, bounded.)"""
    gc.freeze()


@contextmanager
def batch_gc() -> Iterator[None]:
    """``use_batch_gc`` and ``freeze_long_lived`` for the duration of a run in the caller's
    process, then as before (a caller that froze objects itself keeps them frozen, and gets no
    freeze of ours)."""
    before = gc.get_threshold()
    use_batch_gc()
    freezing = gc.get_freeze_count() == 0
    if freezing:
        freeze_long_lived()
    try:
        yield
    finally:
        if freezing:
            gc.unfreeze()
        gc.set_threshold(*before)


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


@dataclass(frozen=True)
class Plan:
    """What workers need and how the main process drives them."""

    #: the pipeline's config, from which each worker builds the same pipeline
    config_json: str
    ordered: bool
    #: finds a crashed input's own id and meta (its JSONL line parsed) for its error record
    resolve: Resolve
    #: each document's time budget (0: none); a worker still on a batch well past its documents'
    #: budgets (stuck in C code that the in-worker alarm cannot interrupt) is stopped
    document_seconds: float


class Workers(Protocol):
    """A fixed number of worker slots, each holding at most one batch."""

    size: int

    def submit(self, slot: int, batch: list[RawInput]) -> None: ...

    def wait_any(self, slots: Collection[int], timeout: float | None) -> list[tuple[int, Outcome]]:
        """Wait up to ``timeout`` seconds for messages from ``slots``; return their outcomes (maybe none)."""
        ...

    def since(self, slot: int) -> float:
        """When (``time.monotonic()``) the slot's worker, started, began on its batch."""
        ...

    def stop(self, slot: int) -> None: ...

    def restart(self, slot: int) -> None:
        """Replace the slot's worker (dead or stopped) by a fresh one."""
        ...

    def close(self) -> None: ...


class Driver:
    """Shares batches out over workers; collects their results, and their deaths."""

    def __init__(self, workers: Workers, plan: Plan) -> None:
        self.workers = workers
        self.plan = plan
        self.busy: dict[int, tuple[int, list[RawInput]]] = {}  # slot -> (batch number, batch)

    def run(self, batches: Iterable[list[RawInput]]) -> Iterator[BatchResult]:
        """The batches' results, in batch order if the plan says ordered; then (or when the
        caller stops early) the workers are stopped."""
        try:
            yield from self._run(batches)
        finally:
            self.workers.close()

    def _run(self, batches: Iterable[list[RawInput]]) -> Iterator[BatchResult]:
        source = enumerate(batches)
        window = _WINDOW_PER_WORKER * self.workers.size
        finished: dict[int, BatchResult] = {}  # batch number -> result, waiting for older ones
        next_number = 0
        more = True
        while True:
            if more:
                more = self._feed(source, window - len(finished))
            if not self.busy:
                break
            for slot, outcome in self._wait(list(self.busy)):
                number, batch = self.busy.pop(slot)
                finished[number] = outcome if isinstance(outcome, BatchResult) else self._retry_alone(slot, batch, outcome)
            while finished and (not self.plan.ordered or next_number in finished):
                yield finished.pop(next_number if self.plan.ordered else next(iter(finished)))
                next_number += 1

    def _feed(self, source: Iterator[tuple[int, list[RawInput]]], room: int) -> bool:
        """Give a batch to every idle worker while the window has room; False once batches ran out."""
        for slot in range(self.workers.size):
            if slot in self.busy:
                continue
            if len(self.busy) >= room:
                return True
            item = next(source, None)
            if item is None:
                return False
            self.workers.submit(slot, item[1])
            self.busy[slot] = item
        return True

    def _retry_alone(self, slot: int, batch: list[RawInput], crash: Crash) -> BatchResult:
        """A worker died on ``batch``: a fresh worker takes its documents one at a time; a document
        that kills that worker too becomes an error record, and the next one gets a fresh worker."""
        self.workers.restart(slot)
        parts = []
        for raw in batch:
            self.busy[slot] = (-1, [raw])
            self.workers.submit(slot, [raw])
            [(_, outcome)] = self._wait([slot])
            del self.busy[slot]
            if isinstance(outcome, Crash):
                reason = f"{outcome.reason} on this document, in its batch and again alone (first: {crash.reason})"
                outcome = crashed_result([raw], reason, self.plan.resolve)
                self.workers.restart(slot)
            parts.append(outcome)
        return merge_results(parts)

    def _wait(self, slots: list[int]) -> list[tuple[int, Outcome]]:
        """Outcomes of some of ``slots``: results, deaths, or workers stopped past their budget."""
        while True:
            outcomes = self.workers.wait_any(slots, self._timeout(slots))
            done = {slot for slot, _ in outcomes}
            outcomes += self._overdue([slot for slot in slots if slot not in done])
            if outcomes:
                return outcomes

    def _limit(self, slot: int) -> float:
        """How long a batch may take: twice its documents' budgets and one more, and a second."""
        return 2 * (len(self.busy[slot][1]) + 1) * self.plan.document_seconds + 1

    def _timeout(self, slots: list[int]) -> float | None:
        if self.plan.document_seconds <= 0:
            return None
        return max(0.0, min(self.workers.since(slot) + self._limit(slot) for slot in slots) - time.monotonic())

    def _overdue(self, slots: list[int]) -> list[tuple[int, Outcome]]:
        if self.plan.document_seconds <= 0:
            return []
        stopped: list[tuple[int, Outcome]] = []
        for slot in slots:
            limit = self._limit(slot)
            if time.monotonic() > self.workers.since(slot) + limit:
                self.workers.stop(slot)
                stopped.append((slot, Crash(f"the worker was stopped, still at work after {limit:.1f} s (beyond the time budget)")))
        return stopped


# -- local worker processes -------------------------------------------------------------------


def run_local(plan: Plan, batches: Iterable[list[RawInput]], workers: int) -> Iterator[BatchResult]:
    """Batches over ``workers`` processes (spawned: no state leaks from the parent)."""
    yield from Driver(LocalWorkers(plan.config_json, workers), plan).run(batches)


def _worker_main(connection: Connection, config_json: str) -> None:
    """A local worker process: build the pipeline, then process batches until the parent sends
    ``None`` or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    use_batch_gc()
    pipeline = _build_pipeline(config_json)
    freeze_long_lived()
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
        #: when the worker had built its pipeline (one that dies before is broken, not crashed)
        self.ready_at: float | None = None
        #: when it was given its batch, if it holds one
        self.given_at: float | None = None

    def receive(self) -> Outcome | None:
        """The worker's next message: a result, a crash, or None for its ready notice."""
        try:
            message = self.connection.recv()
        except (EOFError, OSError):
            return self.crash()
        if message == _READY:
            self.ready_at = time.monotonic()
            return None
        self.given_at = None
        result: BatchResult = message
        return result

    def read_ready_notice(self) -> None:
        """Read the ready notice of a worker that has died since (it is the last thing it sent)."""
        try:
            while self.connection.poll() and self.connection.recv() == _READY:
                self.ready_at = time.monotonic()
        except (EOFError, OSError):
            pass

    def crash(self) -> Crash:
        """Why the worker died; a RuntimeError if it died before it was ready (it never will be)."""
        self.given_at = None
        if self.ready_at is None:
            raise RuntimeError(f"a worker process died while starting: {self.why_dead()}")
        return Crash(self.why_dead())

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
        self.given_at = None


class LocalWorkers:
    """Worker processes on this machine, one pipe each, so the parent knows which batch a dead
    worker held."""

    def __init__(self, config_json: str, size: int) -> None:
        self.size = size
        self._context = multiprocessing.get_context("spawn")
        self._config_json = config_json
        self._processes = [_Process(self._context, config_json) for _ in range(size)]

    def submit(self, slot: int, batch: list[RawInput]) -> None:
        try:
            self._processes[slot].connection.send(batch)
        except OSError:  # it died while idle: a fresh one takes the batch
            self._processes[slot].read_ready_notice()
            self._processes[slot].crash()
            self.restart(slot)
            self._processes[slot].connection.send(batch)
        self._processes[slot].given_at = time.monotonic()

    def wait_any(self, slots: Collection[int], timeout: float | None) -> list[tuple[int, Outcome]]:
        by_connection = {self._processes[slot].connection: slot for slot in slots}
        outcomes = []
        for connection in wait(list(by_connection), timeout):
            slot = by_connection[connection]  # type: ignore[index]
            outcome = self._processes[slot].receive()
            if outcome is not None:
                outcomes.append((slot, outcome))
        return outcomes

    def since(self, slot: int) -> float:
        process = self._processes[slot]
        if process.ready_at is None or process.given_at is None:
            return time.monotonic()  # its clock has not started
        return max(process.ready_at, process.given_at)

    def stop(self, slot: int) -> None:
        self._processes[slot].stop(kill=True)

    def restart(self, slot: int) -> None:
        self._processes[slot].stop(kill=True)
        self._processes[slot] = _Process(self._context, self._config_json)

    def close(self) -> None:
        """Stop the workers: idle ones when they have read the stop message, busy ones at once."""
        for process in self._processes:
            process.stop(kill=process.given_at is not None)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# -- Ray actors -------------------------------------------------------------------------------


def run_ray(plan: Plan, batches: Iterable[list[RawInput]], workers: int, address: str | None) -> Iterator[BatchResult]:
    """Batches over Ray actors, one per worker, each holding the pipeline (``pip install textpipe[ray]``)."""
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError("the Ray executor needs Ray: pip install 'textpipe[ray]'") from exc
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False, log_to_driver=False)
    try:
        yield from Driver(RayWorkers(ray, plan.config_json, workers), plan).run(batches)
    finally:
        if started_here:
            ray.shutdown()


class _RayWorker:
    def __init__(self, config_json: str) -> None:
        use_batch_gc()  # an actor has its process to itself
        self.pipeline = _build_pipeline(config_json)
        freeze_long_lived()

    def process(self, batch: list[RawInput]) -> BatchResult:
        return process_batch(self.pipeline, batch)


class RayWorkers:
    """Ray actors; a dead actor is replaced by a fresh one (Ray does not restart it by itself).
    A batch's clock starts when it is submitted (an actor still starting counts against it)."""

    def __init__(self, ray: Any, config_json: str, size: int) -> None:
        self.size = size
        self._ray = ray
        self._config_json = config_json
        self._actor_class = ray.remote(num_cpus=1, max_restarts=0)(_RayWorker)
        self._actors = [self._actor_class.remote(config_json) for _ in range(size)]
        self._refs: dict[int, tuple[Any, float]] = {}  # slot -> (result reference, submitted at)

    def submit(self, slot: int, batch: list[RawInput]) -> None:
        self._refs[slot] = (self._actors[slot].process.remote(batch), time.monotonic())

    def wait_any(self, slots: Collection[int], timeout: float | None) -> list[tuple[int, Outcome]]:
        by_ref = {self._refs[slot][0]: slot for slot in slots}
        ready, _ = self._ray.wait(list(by_ref), num_returns=1, timeout=timeout)
        return [(by_ref[ref], self._outcome(by_ref[ref])) for ref in ready]

    def _outcome(self, slot: int) -> Outcome:
        died = (self._ray.exceptions.RayActorError, self._ray.exceptions.WorkerCrashedError)
        try:
            result: BatchResult = self._ray.get(self._refs.pop(slot)[0])
        except died as exc:
            return Crash(f"the Ray actor died ({type(exc).__name__})")
        return result

    def since(self, slot: int) -> float:
        return self._refs[slot][1]

    def stop(self, slot: int) -> None:
        self._ray.kill(self._actors[slot], no_restart=True)
        self._refs.pop(slot, None)

    def restart(self, slot: int) -> None:
        self.stop(slot)
        self._actors[slot] = self._actor_class.remote(self._config_json)

    def close(self) -> None:
        for actor in self._actors:
            self._ray.kill(actor, no_restart=True)
