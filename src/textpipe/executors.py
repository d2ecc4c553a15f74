"""Executors: the same pipeline over batches of raw inputs, in this process, in local worker
processes, or on a Ray cluster. Each worker builds the pipeline (and loads its models) once.

The main process reads the inputs (cheap: finding documents and their bytes) and cuts them into
batches; workers decode, process and serialize; the main process writes the lines. At most a few
batches per worker are in flight, so memory stays flat however large the input.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any

from .sources import RawInput
from .stats import RunStats

EXECUTORS = ("local", "ray")


@dataclass
class BatchResult:
    """What a worker sends back: the batch's JSONL lines, in input order, and its statistics."""

    lines: list[bytes]
    stats: dict[str, Any]


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


@lru_cache(maxsize=2)
def _worker_pipeline(config_json: str) -> Any:
    """The pipeline of this worker process, built once from its config."""
    from .pipeline import Pipeline

    return Pipeline.from_dict(json.loads(config_json))


def _process_in_worker(config_json: str, batch: list[RawInput]) -> BatchResult:
    return process_batch(_worker_pipeline(config_json), batch)


def run_in_process(pipeline: Any, batches: Iterable[list[RawInput]]) -> Iterator[BatchResult]:
    for batch in batches:
        yield process_batch(pipeline, batch)


def run_local(config_json: str, batches: Iterable[list[RawInput]], workers: int, ordered: bool = True) -> Iterator[BatchResult]:
    """Batches over ``workers`` processes (spawned: no state leaks from the parent)."""
    in_flight = 2 * workers
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[BatchResult]] = deque()
        for batch in batches:
            pending.append(pool.submit(_process_in_worker, config_json, batch))
            if len(pending) >= in_flight:
                yield from _collect(pending, ordered)
        while pending:
            yield from _collect(pending, ordered)


def _collect(pending: deque[Future[BatchResult]], ordered: bool) -> Iterator[BatchResult]:
    if ordered:
        yield pending.popleft().result()
        return
    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in done:
        pending.remove(future)
        yield future.result()


def run_ray(config_json: str, batches: Iterable[list[RawInput]], workers: int, address: str | None, ordered: bool = True) -> Iterator[BatchResult]:
    """Batches over Ray actors, one per worker, each holding the pipeline (``pip install textpipe[ray]``)."""
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError("the Ray executor needs Ray: pip install 'textpipe[ray]'") from exc
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False, log_to_driver=False)
    try:
        worker_cls = ray.remote(num_cpus=1)(_RayWorker)
        actors = [worker_cls.remote(config_json) for _ in range(workers)]
        yield from _drive_ray(ray, actors, batches, ordered)
    finally:
        if started_here:
            ray.shutdown()


class _RayWorker:
    def __init__(self, config_json: str) -> None:
        self.pipeline = _worker_pipeline(config_json)

    def process(self, batch: list[RawInput]) -> BatchResult:
        return process_batch(self.pipeline, batch)


def _drive_ray(ray: Any, actors: list[Any], batches: Iterable[list[RawInput]], ordered: bool) -> Iterator[BatchResult]:
    pending: deque[Any] = deque()
    in_flight = 2 * len(actors)
    for number, batch in enumerate(batches):
        pending.append(actors[number % len(actors)].process.remote(batch))
        if len(pending) >= in_flight:
            yield from _collect_ray(ray, pending, ordered)
    while pending:
        yield from _collect_ray(ray, pending, ordered)


def _collect_ray(ray: Any, pending: deque[Any], ordered: bool) -> Iterator[BatchResult]:
    if ordered:
        yield ray.get(pending.popleft())
        return
    ready, _ = ray.wait(list(pending), num_returns=1)
    for ref in ready:
        pending.remove(ref)
        yield ray.get(ref)
