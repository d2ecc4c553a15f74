"""Throughput and memory of batch runs, against references measured in the same run.

    python benchmarks/throughput.py --data ../shared/corpora/boilerplate-dev.jsonl.gz [--scale 10] [--only-scaling] [--repeat 3]

Prints pages/s and MB/s of `textpipe run` on the pages (replicated) with 1 and 2 workers, the peak
resident memory of the whole process tree at 1x and at --scale x input, and two references: the
pass-through pipeline (read and write only: the I/O floor) and a naive script of the same job
(trafilatura on the HTML, then langdetect on every paragraph; needs `pip install 'textpipe[bench]'`).
Both also run over the first page of each language alone (their start-up: interpreter, imports,
models), which gives what a page costs each of them once running, as in a long batch run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NAIVE_SCRIPT = """
import json, sys
import trafilatura
from langdetect import DetectorFactory, detect
DetectorFactory.seed = 0
with open(sys.argv[1], encoding="utf-8") as source, open(sys.argv[2], "w", encoding="utf-8") as target:
    for line in source:
        page = json.loads(line)
        body = trafilatura.extract(page["html"]) or ""
        paragraphs = []
        for paragraph in body.split("\\n"):
            try:
                lang = detect(paragraph)
            except Exception:
                lang = "und"
            paragraphs.append({"text": paragraph, "lang": lang})
        target.write(json.dumps({"id": page["id"], "paragraphs": paragraphs}, ensure_ascii=False) + "\\n")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="boilerplate-dev.jsonl.gz (pages with html)")
    parser.add_argument("--scale", type=int, default=10, help="the larger input is this many copies (default: %(default)s)")
    parser.add_argument("--copies", type=int, default=1, help="copies of the pages in the 1x input (default: %(default)s)")
    parser.add_argument("--skip-naive", action="store_true", help="do not run the naive reference")
    parser.add_argument("--only-scaling", action="store_true", help="only 1 and 2 workers on the --scale x input (and their CPU seconds)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run everything this many times, in turn, and report each run's median (default: %(default)s)"
    )
    args = parser.parse_args()
    if not Path(args.data).is_file():
        print(f"benchmarks/throughput.py: no data at {args.data} (give --data PATH to boilerplate-dev.jsonl.gz)", file=sys.stderr)
        return 2
    pages = [json.loads(line) for line in gzip.open(args.data, "rt", encoding="utf-8")]
    with tempfile.TemporaryDirectory(prefix="textpipe-bench-") as tmp:
        work = Path(tmp)
        one = write_input(work / "x1.jsonl", pages, args.copies)
        many = write_input(work / f"x{args.scale}.jsonl", pages, args.copies * args.scale)
        passthrough = write_passthrough_pipeline(work / "passthrough.toml")
        size_mb = one.stat().st_size / 1e6
        docs = len(pages) * args.copies
        print(f"input: {docs} pages, {size_mb:.1f} MB (1x); {docs * args.scale} pages at {args.scale}x; cores: {os.cpu_count()}\n")
        firsts = first_of_each_language(pages)
        start = write_input(work / "start.jsonl", firsts, 1)
        runs = [
            (f"default pipeline, 1 worker, {args.scale}x input", lambda: textpipe_run(many, work, ["-w", "1"])),
            (f"default pipeline, 2 workers, {args.scale}x input", lambda: textpipe_run(many, work, ["-w", "2"])),
        ]
        if not args.only_scaling:
            runs[:0] = [
                ("pass-through (read+write), 1 worker", lambda: textpipe_run(one, work, ["-p", str(passthrough), "-w", "1"])),
                ("default pipeline, 1 worker", lambda: textpipe_run(one, work, ["-w", "1"])),
                (START_UP, lambda: textpipe_run(start, work, ["-w", "1"])),
            ]
        if not args.skip_naive and not args.only_scaling:
            runs.append((NAIVE, lambda: naive_run(one, work)))
            runs.append((NAIVE_START_UP, lambda: naive_run(start, work)))
        results: dict[str, list[dict[str, float]]] = {name: [] for name, _ in runs}
        for _ in range(max(1, args.repeat)):  # in turn: a busy spell of the machine hits every kind of run
            for name, run in runs:
                results[name].append(run())
                print(f"  done: {name}: {results[name][-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
        if args.repeat > 1:
            print(f"seconds of each of the {args.repeat} runs (the table shows the median one):")
            for name, done in results.items():
                print(f"  {name:<50}" + " ".join(f"{r['seconds']:7.2f}" for r in done))
            print()
        print_table([(name, median_run(done)) for name, done in results.items()], docs, size_mb, args.scale, len(firsts))
    return 0


def first_of_each_language(pages: list[dict]) -> list[dict]:
    """The first page of each language: a run over them loads every model the whole input needs."""
    firsts: dict[str, dict] = {}
    for page in pages:
        firsts.setdefault(page.get("lang", ""), page)
    return list(firsts.values())


def median_run(done: list[dict[str, float]]) -> dict[str, float]:
    """The run of median seconds (of an even number, the faster of the middle two)."""
    return sorted(done, key=lambda r: r["seconds"])[(len(done) - 1) // 2]


def write_input(path: Path, pages: list[dict], copies: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for copy in range(copies):
            for page in pages:
                record = {"id": f"{page['id']}#{copy}", "html": page["html"], "url": page.get("url")}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def write_passthrough_pipeline(path: Path) -> Path:
    from textpipe.resources import load_package_toml

    default = load_package_toml("pipelines", "default.toml")
    lines = ["[pipeline]", 'stages = ["read", "write"]', "document_seconds = 60", "", "[read]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in default["read"].items()]
    lines += ["", "[write]"] + [f"{key} = {json.dumps(value)}" for key, value in default["write"].items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def textpipe_run(source: Path, work: Path, options: list[str]) -> dict[str, float]:
    output = work / "out.jsonl"
    command = [sys.executable, "-m", "textpipe", "run", str(source), "-o", str(output), "--no-progress", *options]
    return timed(command)


def naive_run(source: Path, work: Path) -> dict[str, float]:
    script = work / "naive.py"
    script.write_text(NAIVE_SCRIPT, encoding="utf-8")
    return timed([sys.executable, str(script), str(source), str(work / "naive.jsonl")], ok=(0,))


def timed(command: list[str], ok: tuple[int, ...] = (0, 1)) -> dict[str, float]:
    """Run ``command``; its seconds and the peak RSS of its process tree. ``ok``: accepted exit
    statuses (textpipe exits 1 when some records are error records)."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeRss(process.pid)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.stop()
    if process.returncode not in ok:
        raise RuntimeError(f"{' '.join(command)} failed: {stderr.decode()[-2000:]}")
    return {"seconds": seconds, "peak_rss_mb": sampler.peak / 1e6, "cpu_seconds": _children_cpu() - cpu_before}


class TreeRss(threading.Thread):
    """Samples the summed resident memory of a process and all its descendants (Linux /proc)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, sum(_rss(pid) for pid in _tree(self.pid)))
            time.sleep(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _children_cpu() -> float:
    """CPU seconds of the finished children and their reaped descendants (the workers included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


START_UP = "default pipeline, 1 worker, start-up pages"
NAIVE = "naive: trafilatura + langdetect per paragraph"
NAIVE_START_UP = "naive, start-up pages"


def print_table(rows: list[tuple[str, dict[str, float]]], docs: int, size_mb: float, scale: int, start_docs: int) -> None:
    print(f"{'run':<50}{'seconds':>9}{'pages/s':>9}{'MB/s':>8}{'peak RSS MB':>13}{'CPU s':>8}")
    figures = {}
    for name, result in rows:
        factor = scale if f"{scale}x input" in name else 1
        start_up = name in (START_UP, NAIVE_START_UP)
        rate = (start_docs if start_up else docs * factor) / result["seconds"]
        mb_per_s = "-" if start_up else f"{size_mb * factor / result['seconds']:.2f}"
        figures[name] = (rate, result["peak_rss_mb"], result["cpu_seconds"])
        print(
            f"{name:<50}{result['seconds']:>9.2f}{rate:>9.1f}{mb_per_s:>8}"
            f"{result['peak_rss_mb']:>13.0f}{result['cpu_seconds']:>8.1f}"
        )
    big = figures[f"default pipeline, 1 worker, {scale}x input"]
    two = figures[f"default pipeline, 2 workers, {scale}x input"]
    print("\nratios (targets in brackets)")
    print(f"  2 workers / 1 worker pages/s ({scale}x):    {two[0] / big[0]:.2f}x  [>= 1.8x]")
    print(f"  CPU seconds, 2 workers / 1 worker ({scale}x): {two[2] / big[2]:.2f}   (the parallel run's extra work; 1.00: none)")
    one = figures.get("default pipeline, 1 worker")
    floor = figures.get("pass-through (read+write), 1 worker")
    if one and floor:
        print(f"  peak RSS {scale}x input / 1x input:        {big[1] / one[1]:.2f}   [<= 1.10]")
        print(f"  default pipeline time / pass-through:  {floor[0] / one[0]:.1f}x  [<= 20x]")
    naive = figures.get(NAIVE)
    if one and naive:
        print(f"  default pipeline / naive pages/s:      {one[0] / naive[0]:.1f}x  [>= 5x]")
        print(f"  ... the default pipeline on {scale}x input:   {big[0] / naive[0]:.1f}x  (its start-up, loading models, spread over more pages)")
    seconds = {name: result["seconds"] for name, result in rows}
    if {START_UP, NAIVE_START_UP, "default pipeline, 1 worker", NAIVE} <= set(seconds):
        # a page's cost once the process runs: the 1x run less a run over its first page of each
        # language (interpreter, imports, models), over the other pages, read for the first time
        ours = (seconds["default pipeline, 1 worker"] - seconds[START_UP]) / (docs - start_docs)
        theirs = (seconds[NAIVE] - seconds[NAIVE_START_UP]) / (docs - start_docs)
        print(
            f"  ... per page after start-up (1x):      {theirs / ours:.1f}x  ({1000 * ours:.1f} ms vs {1000 * theirs:.1f} ms a page;"
            f" start-up {seconds[START_UP]:.2f} s vs {seconds[NAIVE_START_UP]:.2f} s, {start_docs} pages)"
        )


if __name__ == "__main__":
    sys.exit(main())
