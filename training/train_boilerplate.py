"""Train the boilerplate classifier and write ``src/textpipe/models/boilerplate/model.json``.

    python training/train_boilerplate.py --data ../shared/corpora/boilerplate-dev.jsonl.gz

The data: JSONL(.gz) pages ``{id, lang, source, url?, html, text, gold, without?}``. Every page
gives two training pages: its plain-text dump (one block a line) and its HTML (blocks from
``textpipe.html``, with DOM hints), so one model serves both inputs. A block is labelled body by
the alignment rule of ``textpipe.boilerplate_model.gold_labels`` (its tokens mostly sit in token
trigrams of the gold body). Blocks without words are left out (they are boilerplate by rule);
rows weigh by the square root of their words and each page weighs the same.

Options: ``--fold-models DIR`` also fits one model per site fold (sites dealt into 5 folds by a hash
of their name) and writes them to DIR, for ``benchmarks/boilerplate.py --fold-models DIR``, which
then scores every page with the model that never saw its site. Deterministic: fixed seeds, fixed
fold assignment, one thread (scikit-learn's HistGradientBoostingClassifier; needed for training
only, the shipped model is plain JSON evaluated with numpy).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread: the same model on every run

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from textpipe import boilerplate_train as bt  # noqa: E402

DEFAULT_OUT = ROOT / "src" / "textpipe" / "models" / "boilerplate" / "model.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="JSONL(.gz) of pages with text, html and gold (e.g. ../shared/corpora/boilerplate-dev.jsonl.gz)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="where to write the model (default: the shipped model)")
    parser.add_argument("--fold-models", metavar="DIR", help="also fit one model per site fold and write them to DIR")
    parser.add_argument("--folds-only", action="store_true", help="fit only the fold models (--fold-models), not the model at --out")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="a tree setting of both stages other than the shipped one (e.g. min_samples_leaf=20), to compare settings by the fold models",
    )
    parser.add_argument("--set-stage1", action="append", default=[], metavar="KEY=VALUE", help="the same, first stage only")
    parser.add_argument("--set-stage2", action="append", default=[], metavar="KEY=VALUE", help="the same, second stage only")
    args = parser.parse_args(argv)
    if args.folds_only and not args.fold_models:
        parser.error("--folds-only needs --fold-models DIR")
    try:
        params = {**bt.PARAMS, **settings(args.set + args.set_stage1, bt.PARAMS)}
        params_stage2 = {**bt.PARAMS_STAGE2, **settings(args.set + args.set_stage2, bt.PARAMS_STAGE2)}
    except ValueError as error:
        parser.error(str(error))
    if not Path(args.data).is_file():
        print(f"train_boilerplate: no data at {args.data!r}; pass --data PATH to the boilerplate JSONL(.gz)", file=sys.stderr)
        return 2
    start = time.time()
    rows = bt.read_pages(args.data)
    pages = bt.build_pages(rows)
    print(f"{len(rows)} pages -> {len(pages)} training pages, {sum(len(p.y) for p in pages)} blocks ({time.time() - start:.0f}s)", flush=True)
    print(f"settings: {params}; second stage: {params_stage2}", flush=True)
    if not args.folds_only:
        model = bt.train(pages, params=params, params_stage2=params_stage2)
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        model.save(args.out)
        print(f"wrote {args.out} ({Path(args.out).stat().st_size // 1024} KiB, {model.trees} trees; {time.time() - start:.0f}s)", flush=True)
    if args.fold_models:
        out = Path(args.fold_models)
        out.mkdir(parents=True, exist_ok=True)
        folds = bt.site_folds(p.site for p in pages)
        for k in range(bt.FOLDS):
            fold_model = bt.train([p for p in pages if folds[p.site] != k], params=params, params_stage2=params_stage2)
            fold_model.save(out / f"fold{k}.json")
            print(f"wrote {out / f'fold{k}.json'} ({time.time() - start:.0f}s)", flush=True)
    return 0


def settings(pairs: list[str], shipped: dict[str, object]) -> dict[str, object]:
    """``KEY=VALUE`` pairs as tree settings, each value of the type of the shipped one."""
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in shipped:
            raise ValueError(f"--set {pair!r}: expected KEY=VALUE with KEY one of {', '.join(shipped)}")
        out[key] = type(shipped[key])(value)
    return out


if __name__ == "__main__":
    sys.exit(main())
