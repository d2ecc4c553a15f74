"""Body/boilerplate separation: textpipe against trafilatura, jusText and a C4-style line filter.

    python benchmarks/boilerplate.py --data ../shared/corpora/boilerplate-dev.jsonl.gz [--fold-models DIR]

Prints, per language and over all pages, the word-level precision / recall / F1 of the extracted
body against ``gold`` (bags of lower-cased ``\\w+`` tokens, ``textpipe.evaluate.word_prf``, averaged
over pages) and pages per second, for:

- ``textpipe text``: the default pipeline's read, blocks and boilerplate stages on the plain-text dump;
- ``textpipe html``: the same on the HTML (blocks and DOM hints from ``textpipe.html``);
- ``trafilatura html`` (``trafilatura.extract``, default settings) and ``jusText html`` (the
  page language's stop list), when installed (benchmark-only dependencies);
- ``C4 line filter text``: C4's line rules on the dump (lines that end in terminal punctuation,
  with at least 5 words, without "javascript", "lorem ipsum" or "{"; a page with fewer than 3
  such lines is empty);
- ``whole dump``: the plain text as it is.

textpipe is cross-validated by site: sites (URL host, or the domain in a DAnIEL id) are dealt into
5 folds, and every page is scored with a model trained on the other folds only (``--fold-models
DIR`` reuses the fold models written by ``training/train_boilerplate.py --fold-models DIR``;
without it they are fitted here, which needs scikit-learn). The stage runs as configured in the
default pipeline, batch evidence included, over each fold's pages as one stream (``Stage.run``:
pages in batches of the pipeline's ``batch_size``, as ``textpipe run`` does).

Also counted: WCXB pages (those with ``without`` snippets, mostly cookie banners) where a snippet
shows up in the body.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from textpipe import boilerplate_train as bt  # noqa: E402
from textpipe.boilerplate_model import BoilerplateModel  # noqa: E402
from textpipe.evaluate import word_prf  # noqa: E402
from textpipe.resources import load_package_toml  # noqa: E402
from textpipe.stage import build_config  # noqa: E402
from textpipe.stages.boilerplate import Boilerplate  # noqa: E402

LANGS = ("en", "ru", "pl")
_SPACE = re.compile(r"\s+")
#: a ``without`` snippet about cookies or consent (independent of textpipe's own lexicon)
_COOKIE = re.compile(r"(?i)cookie|consent|gdpr|privacy|personal (?:data|information)|tracking")
_JUSTEXT_LANG = {"en": "English", "ru": "Russian", "pl": "Polish", "uk": "Ukrainian", "be": "Belarusian", "de": "German"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="JSONL(.gz) pages {id, lang, source, url?, html, text, gold, without?}")
    parser.add_argument("--fold-models", metavar="DIR", help="fold models from training/train_boilerplate.py --fold-models DIR")
    parser.add_argument("--only", nargs="*", help="run only these methods (textpipe-text textpipe-html trafilatura justext c4 dump)")
    parser.add_argument(
        "--speed-rounds", type=int, default=3, help="rounds of the speed comparison in turns, textpipe text against trafilatura (0: none)"
    )
    args = parser.parse_args(argv)
    if not Path(args.data).is_file():
        print(f"benchmarks/boilerplate.py: no data at {args.data!r}; pass --data PATH", file=sys.stderr)
        return 2
    rows = bt.read_pages(args.data)
    folds = bt.site_folds(bt.page_site(r) for r in rows)
    models = fold_models(rows, folds, args.fold_models)
    methods: dict[str, Callable[[], tuple[dict[str, str], Timing]]] = {
        "textpipe text": lambda: run_textpipe(rows, folds, models, "text"),
        "textpipe html": lambda: run_textpipe(rows, folds, models, "html"),
        "trafilatura html": lambda: run_each(rows, trafilatura_body),
        "jusText html": lambda: run_each(rows, justext_body),
        "C4 line filter text": lambda: run_each(rows, c4_body),
        "whole dump": lambda: run_each(rows, lambda row: row["text"]),
    }
    keys = {"textpipe text": "textpipe-text", "textpipe html": "textpipe-html", "trafilatura html": "trafilatura", "jusText html": "justext", "C4 line filter text": "c4", "whole dump": "dump"}
    print(f"$ python benchmarks/boilerplate.py --data {args.data}" + (f" --fold-models {args.fold_models}" if args.fold_models else ""))
    per_lang = ", ".join(f"{lang} {sum(r['lang'] == lang for r in rows)}" for lang in LANGS)
    print(f"{len(rows)} pages ({per_lang}), {len(folds)} sites in {bt.FOLDS} site folds; textpipe scored out of fold only")
    print("word P / R / F1 of the body against gold, averaged over pages; pages/s on one process")
    print()
    header = f"{'method':<22}" + "".join(f"{lang + ' F1':>9}" for lang in LANGS) + f"{'all P':>8}{'all R':>8}{'all F1':>8}{'pages/s':>9}{'cookie leaks':>14}{'without leaks':>15}"
    print(header)
    print("-" * len(header))
    wcxb = [r for r in rows if r.get("without")]
    cookie_pages = [r for r in wcxb if any(_COOKIE.search(s) for s in r["without"])]
    timings: dict[str, Timing] = {}
    for name, runner in methods.items():
        if args.only and keys[name] not in args.only:
            continue
        try:
            bodies, timing = runner()
        except ImportError as exc:
            print(f"{name:<22}not installed ({exc.name}); pip install trafilatura justext lxml_html_clean")
            continue
        scores = {r["id"]: word_prf(bodies.get(r["id"], ""), r["gold"]) for r in rows}
        cells = "".join(f"{_mean(scores, rows, lang, 'f1'):>9.3f}" for lang in LANGS)
        leaks = sum(_leaks(bodies.get(r["id"], ""), r["without"]) for r in wcxb)
        cookie_leaks = sum(_leaks(bodies.get(r["id"], ""), [s for s in r["without"] if _COOKIE.search(s)]) for r in cookie_pages)
        print(
            f"{name:<22}{cells}{_mean(scores, rows, None, 'p'):>8.3f}{_mean(scores, rows, None, 'r'):>8.3f}"
            f"{_mean(scores, rows, None, 'f1'):>8.3f}{len(rows) / timing.wall:>9.0f}{f'{cookie_leaks}/{len(cookie_pages)}':>14}{f'{leaks}/{len(wcxb)}':>15}",
            flush=True,
        )
        timings[name] = timing
    if "textpipe text" in timings and "trafilatura html" in timings:
        ours, theirs = timings["textpipe text"], timings["trafilatura html"]
        print()
        print(
            f"speed, textpipe text / trafilatura html, one after the other: {theirs.wall / ours.wall:.1f}x pages/s "
            f"({theirs.cpu / ours.cpu:.1f}x by CPU time of this process)"
        )
        if args.speed_rounds > 0:
            chunk = make_stage().config.batch_size
            ratios = speed_in_turns(rows, args.speed_rounds, chunk)
            print(
                f"speed, the same in turns ({chunk} pages each, {args.speed_rounds} rounds, by CPU time): "
                + ", ".join(f"{r:.1f}x" for r in ratios) + f"; median {sorted(ratios)[(len(ratios) - 1) // 2]:.1f}x [target >= 10x]"
            )
    print()
    print("en: DAnIEL news pages and WCXB pages together. without leaks: WCXB pages whose body holds one of their 'without'")
    print("snippets (must-not-extract text); cookie leaks: the same, counting only snippets about cookies, consent or privacy.")
    return 0


def _mean(scores: dict[str, dict[str, float]], rows: list[dict[str, Any]], lang: str | None, key: str) -> float:
    values = [scores[r["id"]][key] for r in rows if lang is None or r["lang"] == lang]
    return sum(values) / len(values) if values else float("nan")


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def _leaks(body: str, snippets: list[str]) -> bool:
    folded = _fold(body)
    return any(_fold(s) and _fold(s) in folded for s in snippets)


# -- textpipe ----------------------------------------------------------------------------------------
def fold_models(rows: list[dict[str, Any]], folds: dict[str, int], directory: str | None) -> list[BoilerplateModel]:
    if directory and all((Path(directory) / f"fold{k}.json").is_file() for k in range(bt.FOLDS)):
        return [BoilerplateModel.load(Path(directory) / f"fold{k}.json") for k in range(bt.FOLDS)]
    print(f"fitting {bt.FOLDS} site-fold models (pass --fold-models DIR to reuse ones written by training/train_boilerplate.py)", file=sys.stderr)
    pages = bt.build_pages(rows)
    return [bt.train([p for p in pages if folds[p.site] != k]) for k in range(bt.FOLDS)]


def make_stage() -> Boilerplate:
    config = load_package_toml("pipelines", "default.toml")["boilerplate"]
    return Boilerplate(build_config(Boilerplate.Config, config, "boilerplate"))


@dataclass
class Timing:
    """Wall-clock and CPU seconds of this process."""

    wall: float = 0.0
    cpu: float = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu


def run_textpipe(rows: list[dict[str, Any]], folds: dict[str, int], models: list[BoilerplateModel], fmt: str) -> tuple[dict[str, str], Timing]:
    read, blocks = bt.readers()
    bodies: dict[str, str] = {}
    timing = Timing()
    list(make_stage().run([bt.to_document(rows[0], fmt, read, blocks)]))  # warm-up (tables, caches), not timed
    for k, model in enumerate(models):
        stage = make_stage()
        stage.model = model
        fold_rows = [r for r in rows if folds[bt.page_site(r)] == k]
        with timing.measure():
            docs = (bt.to_document(r, fmt, read, blocks) for r in fold_rows)
            for doc in stage.run(docs):
                bodies[doc.id] = doc.body if doc.error is None else ""
    return bodies, timing


def speed_in_turns(rows: list[dict[str, Any]], rounds: int, chunk: int) -> list[float]:
    """Pages/s of textpipe on the text over trafilatura's on the HTML, by CPU time, one figure a
    round. The two take turns on chunks of ``chunk`` pages (who goes first alternates), so that a
    busy spell of a shared machine falls on both alike; each sees every page once a round, textpipe
    with a fresh stage and the shipped model, as users run it (the fold models of the table, trained
    on four fifths of the pages, are smaller and a little faster). ``chunk`` is the stage's
    ``batch_size``: a turn is one batch, as in a stream of pages (a turn of another size would
    leave a part batch each turn, which a stream has only at its end)."""
    import trafilatura

    read, blocks = bt.readers()
    ratios = []
    for _ in range(rounds):
        stage = make_stage()
        list(stage.run([bt.to_document(rows[0], "text", read, blocks)]))  # warm-up, as above
        trafilatura.extract(rows[0]["html"])
        spent = {"textpipe": 0.0, "trafilatura": 0.0}
        for number, start in enumerate(range(0, len(rows), chunk)):
            part = rows[start : start + chunk]
            for name in ("textpipe", "trafilatura") if number % 2 == 0 else ("trafilatura", "textpipe"):
                cpu = time.process_time()
                if name == "textpipe":
                    list(stage.run(bt.to_document(r, "text", read, blocks) for r in part))
                else:
                    for row in part:
                        trafilatura.extract(row["html"])
                spent[name] += time.process_time() - cpu
        ratios.append(spent["trafilatura"] / spent["textpipe"])
    return ratios


# -- the others ----------------------------------------------------------------------------------------
def run_each(rows: list[dict[str, Any]], extract: Callable[[dict[str, Any]], str | None]) -> tuple[dict[str, str], Timing]:
    bodies: dict[str, str] = {}
    timing = Timing()
    extract(rows[0])  # warm-up (imports, caches), not timed
    with timing.measure():
        for row in rows:
            bodies[row["id"]] = extract(row) or ""
    return bodies, timing


def trafilatura_body(row: dict[str, Any]) -> str | None:
    import trafilatura

    return trafilatura.extract(row["html"])


def justext_body(row: dict[str, Any]) -> str:
    import justext

    stoplist = justext.get_stoplist(_JUSTEXT_LANG.get(row["lang"], "English"))
    paragraphs = justext.justext(row["html"].encode("utf-8"), stoplist, encoding="utf-8")
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


_TERMINAL = ('.', '!', '?', '"', '”', '»', '…')


def c4_body(row: dict[str, Any]) -> str:
    kept = []
    for line in row["text"].splitlines():
        line = line.strip()
        low = line.lower()
        if not line.endswith(_TERMINAL) or len(line.split()) < 5:
            continue
        if "javascript" in low or "lorem ipsum" in low or "{" in line:
            continue
        kept.append(line)
    return "\n".join(kept) if len(kept) >= 3 else ""


if __name__ == "__main__":
    sys.exit(main())
