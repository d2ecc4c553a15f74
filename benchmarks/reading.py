"""The read stage and serialization: CPU milliseconds a page.

    python benchmarks/reading.py --data ../shared/corpora/boilerplate-dev.jsonl.gz [--repeat 5]

Prints, per page, the CPU time (``time.process_time``, best of ``--repeat`` rounds, so other
processes on the machine disturb it less) of

- ``read html``: the default pipeline's read stage on each JSONL line, taking its ``html`` (parsing
  the line, HTML to text and blocks with ``textpipe.html``);
- ``read html cold``: the same, the first round alone: each page read once, the first reading this
  process does (what a run over new pages pays; the documents are not kept);
- ``html_to_page``: the HTML part alone, on the pages' HTML strings;
- ``read text``: the read stage on each line, taking its ``text`` (the plain-text dump: parsing the
  line and normalizing the text);
- ``serialize html`` / ``serialize text``: ``Write.serialize`` of the documents after the read and
  blocks stages (the JSONL record with the text, blocks and body, without the later stages'
  segments and names).
"""

from __future__ import annotations

import argparse
import copy
import gc
import gzip
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from textpipe.html import html_to_page
from textpipe.pipeline import Pipeline, resolve_pipeline
from textpipe.resources import load_toml
from textpipe.stages.write import Write


def reading_pipeline(prefer: str) -> Pipeline:
    """The default pipeline cut to its read and blocks stages, reading the given JSONL field."""
    config = copy.deepcopy(load_toml(resolve_pipeline("default")))
    config = {"pipeline": config["pipeline"], "read": config["read"], "blocks": config["blocks"]}
    config["pipeline"]["stages"] = ["read", "blocks"]
    config["read"]["jsonl_prefer"] = prefer
    return Pipeline.from_dict(config)


def best_ms_per_item(work: Callable[[], object], items: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best / items * 1000


def measure_reading(data: str, prefer: str, repeat: int) -> tuple[float, float, float]:
    """CPU ms a page of the read stage (JSONL lines to documents): the first round alone and the
    best round; and of serializing the documents."""
    pipe = reading_pipeline(prefer)
    raws = list(pipe.reader.raw_inputs([data]))
    cold_ms = best_ms_per_item(lambda: _each(pipe.reader.to_document, raws), len(raws), 1)
    read_ms = best_ms_per_item(lambda: [pipe.reader.to_document(raw) for raw in raws], len(raws), repeat)
    docs = list(pipe.processors[0].run(pipe.reader.to_document(raw) for raw in raws))
    serialize_ms = best_ms_per_item(lambda: [Write.serialize(doc) for doc in docs], len(docs), repeat)
    return cold_ms, read_ms, serialize_ms


def _each(function: Callable[[Any], object], items: list[Any]) -> None:
    """``function`` on every item, keeping no result (kept results would make the garbage
    collector's full passes longer and longer, and be measured with the function)."""
    for item in items:
        function(item)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="boilerplate-dev.jsonl.gz (JSONL pages with html and text)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the best is reported (default: %(default)s)")
    args = parser.parse_args()
    if not Path(args.data).is_file():
        print(f"benchmarks/reading.py: no data at {args.data} (give --data PATH)", file=sys.stderr)
        return 2
    with gzip.open(args.data, "rb") as handle:
        htmls = [orjson.loads(line)["html"] for line in handle if line.strip()]
    rows = []
    for prefer in ("html", "text"):
        cold_ms, read_ms, serialize_ms = measure_reading(args.data, prefer, args.repeat)
        rows.append((f"read {prefer}", read_ms))
        if prefer == "html":
            rows.append(("read html cold", cold_ms))
            rows.append(("html_to_page", best_ms_per_item(lambda: _each(html_to_page, htmls), len(htmls), args.repeat)))
        rows.append((f"serialize {prefer}", serialize_ms))
    print(f"{len(htmls)} pages, CPU ms a page (best of {args.repeat})")
    for name, ms in rows:
        print(f"{name:<16} {ms:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
