"""Batch runs: parallel workers, ordered/unordered output, resume after kill -9, statistics, budgets."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

from batch_stages import kill_pipeline
from conftest import CORPUS
from test_boilerplate import ARTICLES
from textpipe import Pipeline
from textpipe.resources import load_package_toml
from textpipe.sources import FileRange
from textpipe.document import Document
from textpipe.stage import DocumentTimeout, Stage, time_limit
from textpipe.stages.write import read_records

SENTENCES = [
    "The council met on Tuesday to discuss the new bridge over the river.",
    "Rada miasta spotkała się we wtorek, aby omówić budowę nowego mostu.",
    "Городской совет во вторник обсудил строительство нового моста через реку.",
    "Міська рада у вівторок обговорила будівництво нового мосту через річку.",
    "Гарадская рада ў аўторак абмеркавала будаўніцтва новага моста праз раку.",
]


def make_jsonl(path: Path, count: int, marked: Collection[int] = (), marker: str = "") -> Path:
    """``count`` lines, every 17th from the 6th not JSON; documents numbered in ``marked`` hold ``marker``."""
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(count):
            if i % 17 == 5:
                handle.write("this line is not JSON\n")
                continue
            text = "\n\n".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(3))
            text += f"\n\n{marker}" if i in marked else ""
            handle.write(json.dumps({"id": f"doc-{i}", "text": f"Headline {i}\n\n{text}"}, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return make_jsonl(tmp_path_factory.mktemp("in") / "pages.jsonl", 60)


@pytest.fixture(scope="module")
def serial_lines(pipe, inputs, tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp("serial") / "out.jsonl"
    pipe.run([str(inputs)], str(out), workers=1)
    return out.read_text(encoding="utf-8").splitlines()


def test_every_input_accounted_for(serial_lines):
    records = [json.loads(line) for line in serial_lines]
    assert len(records) == 60
    assert sum("error" in r for r in records) == 4


def test_two_workers_write_the_same_output_in_order(pipe, inputs, serial_lines, tmp_path):
    out = tmp_path / "out.jsonl"
    stats = pipe.run([str(inputs)], str(out), workers=2, batch_size=4)
    assert out.read_text(encoding="utf-8").splitlines() == serial_lines
    assert stats.documents == 60 and stats.errors["InvalidJSON"] == 4


def test_workers_reading_byte_ranges_write_what_one_process_writes(pipe, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("en-danube-port-exports.html", "bynet-article.txt", "pl-border-queues.txt"):
        shutil.copy(CORPUS / "pages" / name, folder / name)
    (folder / "packed.html.gz").write_bytes(gzip.compress((CORPUS / "pages" / "en-danube-port-exports.html").read_bytes()))
    lines = make_jsonl(tmp_path / "lines.jsonl", 20).read_bytes()
    (folder / "lines.jsonl").write_bytes(b"\n" + lines.replace(b"\n", b"\n\n", 3))  # blank lines are skipped
    (folder / "lines.jsonl.gz").write_bytes(gzip.compress(lines))
    raws = list(pipe.reader.raw_inputs([str(folder)], by_reference=True))
    ranged = {Path(r.source).name for r in raws if isinstance(r.content, FileRange)}
    assert ranged == {"en-danube-port-exports.html", "bynet-article.txt", "pl-border-queues.txt", "lines.jsonl"}
    serial, parallel = tmp_path / "serial.jsonl", tmp_path / "parallel.jsonl"
    pipe.run([str(folder)], str(serial), workers=1)
    pipe.run([str(folder)], str(parallel), workers=2, batch_size=3)
    assert parallel.read_bytes() == serial.read_bytes()
    assert len(serial.read_bytes().splitlines()) == 4 + 2 * 20


def test_unordered_output_holds_the_same_records(pipe, inputs, serial_lines, tmp_path):
    out = tmp_path / "out.jsonl"
    pipe.run([str(inputs)], str(out), workers=2, batch_size=3, ordered=False)
    assert sorted(out.read_text(encoding="utf-8").splitlines()) == sorted(serial_lines)


def test_resume_after_a_broken_part_file(pipe, inputs, serial_lines, tmp_path):
    out = tmp_path / "out.jsonl"
    part = Path(str(out) + ".part")
    part.write_text("\n".join(serial_lines[:23]) + "\n" + serial_lines[23][:50], encoding="utf-8")
    stats = pipe.run([str(inputs)], str(out), resume=True)
    assert out.read_text(encoding="utf-8").splitlines() == serial_lines
    assert stats.documents == 60 - 23 and stats.resumed_after == 23
    assert "(after 23 written by the earlier run)" in stats.summary(1.0, str(out))
    assert not part.exists()


@pytest.mark.parametrize("workers", ["1", "2"])  # 2: workers reading byte ranges of the input
def test_resume_after_kill_9(inputs, serial_lines, tmp_path, workers):
    big = make_jsonl(tmp_path / "big.jsonl", 400)
    out = tmp_path / "out.jsonl.gz"
    part = Path(str(out) + ".part")
    command = [sys.executable, "-m", "textpipe", "run", str(big), "-o", str(out), "--workers", workers, "--batch-size", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while (not part.exists() or part.stat().st_size < 20_000) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert part.exists() and not out.exists()
    done_before = part.read_bytes().count(b"\n")
    assert 0 < done_before < 400
    result = subprocess.run(command + ["--resume"], capture_output=True, timeout=600)
    assert result.returncode == 1  # the input has bad lines: error records
    resumed = [r["id"] if "error" not in r else r["error"]["type"] for r in read_records(str(out))]
    full = tmp_path / "full.jsonl"
    subprocess.run(command[:6] + [str(full)] + command[7:], capture_output=True, timeout=600)
    assert resumed == [r["id"] if "error" not in r else r["error"]["type"] for r in read_records(str(full))]
    assert len(resumed) == 400


def test_stats_file_beside_the_output(tmp_path):
    out = tmp_path / "corpus.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "textpipe", "run", str(CORPUS / "pages"), "-o", str(out), "--workers", "1"],
        capture_output=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr.decode()
    stats = json.loads((tmp_path / "corpus.stats.json").read_text(encoding="utf-8"))
    pages = len(list((CORPUS / "pages").iterdir()))
    assert stats["documents"] == pages and stats["errors"] == 0
    assert stats["languages"]["en"] >= 1
    assert set(stats["stages"]) == {"read", "blocks", "boilerplate", "languages", "names", "transliteration"}
    assert all(s["documents"] == pages and s["seconds"] > 0 for s in stats["stages"].values())
    assert stats["blocks_by_kind"]["cookie_notice"] >= 1
    assert stats["errors_by_type"] == {} and stats["errors_by_stage"] == {} and stats["resumed_after"] == 0
    assert set(stats["characters_by_language"]) >= {"en", "ru", "pl"}
    assert sum(stats["characters_by_language"].values()) <= stats["characters"]
    summary = result.stderr.decode()
    assert "boilerplate blocks: " in summary and "cookie_notice" in summary and "slowest stages: " in summary


def test_time_budget_interrupts_python_code():
    with pytest.raises(DocumentTimeout):
        with time_limit(time.monotonic() + 0.05):
            while True:
                pass


def test_documents_over_their_time_budget_become_error_records(tmp_path, inputs):
    config = load_package_toml("pipelines", "default.toml")
    config["pipeline"]["document_seconds"] = 1e-9
    pipe = Pipeline.from_dict(config)
    out = tmp_path / "out.jsonl"
    stats = pipe.run([str(inputs)], str(out))
    records = list(read_records(str(out)))
    assert len(records) == 60
    assert stats.errors["DocumentTimeout"] == 56 and stats.errors["InvalidJSON"] == 4


def run_on_ray(pipe: Pipeline, source: Path, out: Path, batch_size: int, **init: Any) -> None:
    """``pipe.run`` with two actors on a local Ray, started (with ``init``) and shut down here."""
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'textpipe[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, **init)
    try:
        pipe.run([str(source)], str(out), executor="ray", workers=2, batch_size=batch_size)
    finally:
        ray.shutdown()


def test_ray_executor_writes_the_same_records(pipe, inputs, serial_lines, tmp_path):
    out = tmp_path / "out.jsonl"
    run_on_ray(pipe, inputs, out, batch_size=8)
    assert out.read_text(encoding="utf-8").splitlines() == serial_lines


KILLED = {7, 8, 19}  # 7 and 8 share a batch of 4: the worker dies twice on it


def check_crash_run(records: list[dict], how: str) -> None:
    """One record per input; the marked documents are WorkerCrashed records saying why."""
    assert len(records) == 30
    crashed = {int(r["id"].split("-")[1]) for r in records if r.get("error", {}).get("type") == "WorkerCrashed"}
    assert crashed == KILLED
    signature = "killed by SIGKILL" if how == "sigkill" else "exited with status 3"
    for record in records:
        if record.get("error", {}).get("type") == "WorkerCrashed":
            assert signature in record["error"]["message"] and "again alone" in record["error"]["message"]
    assert sum(r.get("error", {}).get("type") == "InvalidJSON" for r in records) == 2


@pytest.mark.parametrize(("how", "ordered"), [("sigkill", True), ("exit", False)])
def test_a_document_that_kills_its_worker_becomes_an_error_record(tmp_path, how, ordered):
    source = make_jsonl(tmp_path / "in.jsonl", 30, marked=KILLED, marker="KILL-THE-WORKER")
    pipe = Pipeline.from_dict(kill_pipeline("KILL-THE-WORKER", how))
    out = tmp_path / "out.jsonl"
    stats = pipe.run([str(source)], str(out), workers=2, batch_size=4, ordered=ordered)
    records = list(read_records(str(out)))
    check_crash_run(records, how)
    if ordered:
        assert [r["id"] for r in records if "error" not in r or r["error"]["type"] == "WorkerCrashed"] == [
            f"doc-{i}" for i in range(30) if i % 17 != 5
        ]
    assert stats.documents == 30 and stats.errors["WorkerCrashed"] == len(KILLED)
    assert stats.error_stages == {"worker": len(KILLED), "read": 2}


def test_a_worker_stuck_past_the_time_budget_is_stopped_and_the_run_goes_on(tmp_path):
    source = make_jsonl(tmp_path / "in.jsonl", 12, marked={9}, marker="HANG-THE-WORKER")
    pipe = Pipeline.from_dict(kill_pipeline("HANG-THE-WORKER", how="hang", document_seconds=0.25))
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    stats = pipe.run([str(source)], str(out), workers=2, batch_size=4)
    assert time.monotonic() - started < 60
    records = list(read_records(str(out)))
    assert [r["id"] for r in records if "error" not in r] == [f"doc-{i}" for i in range(12) if i not in (5, 9)]
    [stuck] = [r for r in records if r.get("error", {}).get("type") == "WorkerCrashed"]
    assert stuck["id"] == "doc-9" and "still at work after 2.0 s" in stuck["error"]["message"]
    assert stats.documents == 12 and stats.errors == {"WorkerCrashed": 1, "InvalidJSON": 1}


def test_workers_that_cannot_start_stop_the_run_with_a_clear_error(tmp_path):
    source = make_jsonl(tmp_path / "in.jsonl", 10)
    pipe = Pipeline.from_dict(kill_pipeline("never present", how="start"))
    with pytest.raises(RuntimeError, match="died while starting: the worker process exited with status 4"):
        pipe.run([str(source)], str(tmp_path / "out.jsonl"), workers=2, batch_size=4)


def test_ray_replaces_an_actor_that_a_document_killed(tmp_path):
    source = make_jsonl(tmp_path / "in.jsonl", 30, marked={9}, marker="KILL-THE-WORKER")  # one: actors start slowly
    pipe = Pipeline.from_dict(kill_pipeline("KILL-THE-WORKER"))
    tests = str(Path(__file__).resolve().parent)  # where actors find batch_stages
    out = tmp_path / "out.jsonl"
    run_on_ray(pipe, source, out, batch_size=4, runtime_env={"env_vars": {"PYTHONPATH": tests}})
    records = list(read_records(str(out)))
    assert len(records) == 30 and [r["id"] for r in records][:3] == ["doc-0", "doc-1", "doc-2"]
    crashed = {int(r["id"].split("-")[1]) for r in records if r.get("error", {}).get("type") == "WorkerCrashed"}
    assert crashed == {9}
    assert all("Ray actor died" in r["error"]["message"] for r in records if r.get("error", {}).get("type") == "WorkerCrashed")


def test_recurring_lines_counted_in_a_prepass_do_not_depend_on_the_workers(tmp_path):
    """Batch evidence with ``recurring_prepass``: a line on every page of a site is boilerplate on
    each of them, the first included, and the output is the same whatever the workers and batches."""
    config = load_package_toml("pipelines", "default.toml")
    config["boilerplate"]["recurring_lines"] = True
    pipe = Pipeline.from_dict(config)
    promo = "Get our daily digest in your mailbox every morning, free of charge"
    source = tmp_path / "site.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for i in range(8):
            article = "\n\n".join([f"{ARTICLES['en'][0]} ({i})"] + [f"{i}.{k}. {p}" for k, p in enumerate(ARTICLES["en"][1:])])
            record = {"id": f"page-{i}", "text": f"{promo}\n\n{article}", "url": f"https://news.example.com/{i}"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    serial, parallel = tmp_path / "serial.jsonl", tmp_path / "new-folder" / "parallel.jsonl"
    pipe.run([str(source)], str(serial), workers=1, batch_size=16)
    pipe.run([str(source)], str(parallel), workers=2, batch_size=2)
    assert parallel.read_bytes() == serial.read_bytes()
    assert Path(f"{serial}.recurring.json").is_file()
    records = list(read_records(str(serial)))
    assert len(records) == 8
    for record in records:
        promo_block = next(b for b in record["blocks"] if record["text"][b["start"] : b["end"]] == promo)
        assert promo_block["role"] == "boilerplate"
        assert ARTICLES["en"][1] in record["body"]


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_runs_collect_cyclic_garbage_less_often(inputs, tmp_path, workers):
    """Workers and an in-process run raise the collector's first threshold and freeze what they
    hold before the first batch; the caller's process gets its own settings back when the run ends."""
    import gc

    from textpipe.executors import BATCH_GC_THRESHOLD

    config = kill_pipeline("never in the text")
    config["pipeline"]["stages"].insert(-1, "batch_stages:RecordGcThreshold")
    config["batch_stages:RecordGcThreshold"] = {"key": "gc"}
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    out = tmp_path / "out.jsonl"
    Pipeline.from_dict(config).run([str(inputs)], str(out), workers=workers)
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen_before
    records = [r for r in read_records(out) if r.get("error") is None]
    assert {r["meta"].get("gc") for r in records} == {max(BATCH_GC_THRESHOLD, before[0])}
    assert {r["meta"].get("gc_frozen") for r in records} == {True}  # the models kept out of its passes


class _SlowOnMarker(Stage):
    """Does documents together; a marked document makes any batch holding it slow."""

    name = "slow_on_marker"
    Config = dict

    def process(self, doc: Document) -> Document:
        self.process_batch([doc])
        return doc

    def process_batch(self, docs: list[Document]) -> None:
        if any("SLOW" in doc.text for doc in docs):
            time.sleep(2)
        for doc in docs:
            doc.meta["done"] = True


def test_a_slow_document_in_a_batch_costs_only_itself():
    """A batch that runs out of time is redone document by document, each charged only its share
    of the failed attempt: its batch-mates finish, the slow one alone times out."""
    stage = _SlowOnMarker({})
    now = time.monotonic()
    docs = [Document(id=str(i), text=("SLOW " if i == 2 else "") + "x" * 200) for i in range(6)]
    for doc in docs:
        doc.deadline = now + 0.5
    out = list(stage.run_in_batches(docs, 8, stage.process_batch))
    assert [d.error.type if d.error else None for d in out] == [None, None, "DocumentTimeout", None, None, None]
    assert all(d.meta.get("done") for d in out if d.error is None)


def test_batches_end_at_a_bound_on_their_characters(monkeypatch):
    from textpipe import stage as stage_module

    monkeypatch.setattr(stage_module, "BATCH_MAX_CHARACTERS", 1000)
    stage = _SlowOnMarker({})
    sizes: list[int] = []
    docs = [Document(id=str(i), text="x" * 400) for i in range(7)]
    list(stage.run_in_batches(docs, 32, lambda batch: sizes.append(len(batch))))
    assert sizes == [3, 3, 1]
