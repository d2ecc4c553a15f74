"""The ``textpipe`` command: run, identify, translit, eval.

Exit status: 0 when everything went through, 1 when some records are error records (or an eval
found no gold), 2 on bad usage (unknown option, unknown pipeline, stage or setting).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence

from .executors import EXECUTORS
from .sources import FORMATS
from .stage import ConfigError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except (ConfigError, RuntimeError) as exc:  # RuntimeError: no Ray, or workers that cannot start
        print(f"textpipe: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `textpipe run ... -o - | head`
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="textpipe", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="annotate pages and write JSONL", description="Read pages (plain text, HTML, JSONL, WARC; files, folders or - for stdin), annotate them and write one JSON record per page.")
    run.add_argument("inputs", nargs="+", metavar="INPUT", help="file, folder (read recursively) or - for stdin")
    run.add_argument("-o", "--output", required=True, help="output file (.jsonl or .jsonl.gz), or - for stdout")
    run.add_argument("-p", "--pipeline", default="default", help="a shipped pipeline's name or a pipeline .toml file (default: %(default)s)")
    run.add_argument("--format", choices=FORMATS, default="auto", help="input format; auto goes by file extension (default: %(default)s)")
    run.add_argument("-w", "--workers", type=_positive, default=os.cpu_count() or 1, help="worker processes (default: all cores, here %(default)s)")
    run.add_argument("--executor", choices=EXECUTORS, default="local", help="local processes, or a Ray cluster (pip install 'textpipe[ray]') (default: %(default)s)")
    run.add_argument("--address", default=None, help="Ray cluster address (default: start a local Ray)")
    run.add_argument("--unordered", action="store_true", help="write records as they finish instead of in input order")
    run.add_argument("--resume", action="store_true", help="continue a killed run from its OUTPUT.part file")
    run.add_argument("--batch-size", type=_positive, default=16, help="documents per batch sent to a worker (default: %(default)s)")
    run.add_argument("--stats", default=None, help="run statistics JSON file (default: beside OUTPUT as NAME.stats.json; none for stdout)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    run.set_defaults(handler=_run)

    identify = sub.add_parser("identify", help="the language of a text", description="Print the language (ISO 639-1) and score of each TEXT, or of stdin's lines with -.")
    identify.add_argument("texts", nargs="+", metavar="TEXT")
    identify.set_defaults(handler=_identify)

    translit = sub.add_parser("translit", help="romanize Cyrillic text by a named standard", description="Romanize TEXT by a named standard (see --list).")
    translit.add_argument("text", nargs="?", metavar="TEXT")
    translit.add_argument("--lang", default="ru", help="language of the text: ru, be or uk (default: %(default)s)")
    translit.add_argument("--scheme", default=None, help="scheme name (default: the language's default)")
    translit.add_argument("--all", action="store_true", help="print the text in every scheme of the language")
    translit.add_argument("--reverse", action="store_true", help="Latin to Cyrillic (reversible schemes only: iso9)")
    translit.add_argument("--list", action="store_true", help="list languages and schemes")
    translit.set_defaults(handler=_translit)

    evaluate = sub.add_parser("eval", help="score every stage against a gold corpus", description="Run a pipeline over CORPUS/pages and score it against CORPUS/gold.")
    evaluate.add_argument("corpus", nargs="?", default="corpus", help="corpus folder with pages/ and gold/ (default: %(default)s)")
    evaluate.add_argument("-p", "--pipeline", default="default")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument("--pages", action="store_true", help="also print a row per page")
    evaluate.set_defaults(handler=_eval)
    return parser


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .pipeline import Pipeline

    pipe = Pipeline.load(args.pipeline)
    started = time.perf_counter()
    show = sys.stderr.isatty() and not args.no_progress
    with tqdm(desc="textpipe", unit="doc", disable=not show, file=sys.stderr) as bar:
        stats = pipe.run(
            args.inputs, args.output, fmt=args.format, workers=args.workers, executor=args.executor,
            address=args.address, ordered=not args.unordered, resume=args.resume,
            batch_size=args.batch_size, progress=bar.update,
        )
    seconds = time.perf_counter() - started
    stats_path = args.stats or stats_path_for(args.output)
    if stats_path:
        with open(stats_path, "w", encoding="utf-8") as handle:
            json.dump(stats.to_dict(seconds), handle, ensure_ascii=False, indent=2)
    print(stats.summary(seconds, args.output), file=sys.stderr)
    return 1 if stats.errors else 0


def stats_path_for(output: str) -> str | None:
    """``out.jsonl.gz`` -> ``out.stats.json``; nothing for stdout."""
    if output == "-":
        return None
    base = output
    for suffix in (".gz", ".jsonl", ".ndjson", ".json"):
        base = base[: -len(suffix)] if base.endswith(suffix) else base
    return base + ".stats.json"


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _identify(args: argparse.Namespace) -> int:
    from .langid import identify

    texts = sys.stdin.read().splitlines() if args.texts == ["-"] else args.texts
    for text in texts:
        lang, score = identify(text)
        print(f"{lang}\t{score:.3f}\t{text}")
    return 0


def _translit(args: argparse.Namespace) -> int:
    from . import translit

    if args.list:
        for lang in translit.LANGUAGES:
            names = translit.schemes(lang)
            print(f"{lang}: {names[0]} (default), {', '.join(names[1:])}")
        return 0
    if args.text is None:
        raise ConfigError("translit needs a TEXT (or --list)")
    text = sys.stdin.read() if args.text == "-" else args.text
    try:
        if args.reverse:
            print(translit.reverse(text, args.lang, args.scheme or "iso9"))
        elif args.all:
            for scheme in translit.schemes(args.lang):
                print(f"{scheme}\t{translit.transliterate(text, args.lang, scheme)}")
        else:
            print(translit.transliterate(text, args.lang, args.scheme))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    return 0


def _eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate_corpus, format_report

    report = evaluate_corpus(args.corpus, args.pipeline)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, pages=args.pages))
    return 0 if report["pages"] else 1


if __name__ == "__main__":
    sys.exit(main())
