"""Benchmark textpipe's language identification and segmentation against langdetect and lingua.

    python benchmarks/languages.py --data ../shared/corpora/lid-dev [--per-cell 300] [--no-lingua]

Only the *test* part of the sentences is used (30%, chosen by a hash of each sentence; see
``textpipe.langid_data``): textpipe's model is trained on the *train* part and calibrated on *dev*.
``--split dev`` measures the *dev* part instead, to choose settings without looking at test (the
shipped model has learnt from dev too: measure dev with a model trained ``--train-only``).

1. Identification: for each language, ``--per-cell`` single words (of at least 3 letters), word pairs
   (two consecutive words) and sentences are cut at random (seeded) from the test sentences; each
   system labels each text on its own. Accuracy per language and kind, and texts per second.
   * textpipe: ``textpipe.identify`` (its full behaviour: it may also answer a language outside the 8);
   * langdetect: ``langdetect`` with seed 0, all 55 of its languages (it has no Belarusian);
   * lingua: lingua-language-detector, high-accuracy mode, restricted to the same 8 languages.
2. Calibration: textpipe's scores in bins, with the share of right answers in each bin.
3. Mixed text: a text of one language (a word, a word pair or a sentence, in parentheses or not)
   inserted into a test sentence of another (words and pairs in the middle, sentences after it);
   the pipeline's ``languages`` stage segments the whole, and an insert counts as found when every
   one of its letters gets its language.

Needs the ``bench`` extra (lingua-language-detector); without it lingua's columns are left out.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from textpipe.document import Block, Document  # noqa: E402
from textpipe.langid import SCRIPT_LANGS, LanguageIdentifier  # noqa: E402
from textpipe.langid_data import DATA_LANGS, cut_items, load_split  # noqa: E402
from textpipe.resources import load_package_toml  # noqa: E402
from textpipe.scripts import CYRILLIC, LATIN  # noqa: E402
from textpipe.stage import build_config  # noqa: E402
from textpipe.stages.languages import Languages  # noqa: E402

KINDS = ("word", "pair", "sentence")
LINGUA_NAMES = {
    "en": "ENGLISH", "ru": "RUSSIAN", "pl": "POLISH", "uk": "UKRAINIAN",
    "be": "BELARUSIAN", "bg": "BULGARIAN", "cs": "CZECH", "sk": "SLOVAK",
}


def systems(use_lingua: bool) -> dict[str, object]:
    ident = LanguageIdentifier(seed=0)
    out = {"textpipe": lambda text: ident.identify(text).lang}

    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def langdetect(text: str) -> str:
        try:
            return detect(text).split("-")[0]
        except LangDetectException:
            return "und"

    out["langdetect"] = langdetect
    if use_lingua:
        try:
            from lingua import Language, LanguageDetectorBuilder
        except ImportError:
            print("lingua-language-detector is not installed: its columns are left out (pip install '.[bench]')")
        else:
            detector = (
                LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in LINGUA_NAMES.values()))
                .with_preloaded_language_models()
                .build()
            )  # high accuracy is lingua's default mode

            def lingua(text: str) -> str:
                found = detector.detect_language_of(text)
                return found.iso_code_639_1.name.lower() if found is not None else "und"

            out["lingua"] = lingua
    return out


def identification(test: dict[str, list[str]], per_cell: int, use_lingua: bool) -> None:
    items = [(kind, lang, text) for lang in DATA_LANGS for kind in KINDS for text in cut_items(test[lang], kind, per_cell, seed=7)]
    runners = systems(use_lingua)
    warm_up = [
        "warm up", "разогрев", "Warm up the models before measuring anything at all, please.",
        "Прежде чем что-либо измерять, загрузим все модели полностью.", "kak dela", "Το κείμενο",
        # texts that load textpipe's profiles of other languages (Latin and Cyrillic), used lazily
        "Wir wärmen die Modelle auf, bevor wir irgendetwas messen.",
        "Ова е реченица на македонски јазик за загревање на моделите.",
    ]
    for run in runners.values():  # warm up: loading models is not throughput
        for text in warm_up:
            run(text)
    correct: dict[str, Counter] = {name: Counter() for name in runners}
    total: Counter = Counter()
    speed: dict[str, dict[str, float]] = defaultdict(dict)
    for kind in KINDS:
        cell = [(lang, text) for k, lang, text in items if k == kind]
        for lang, _ in cell:
            total[kind, lang] += 1
        # the systems take turns on chunks of 20 texts, so that the load of a shared machine falls
        # on all of them alike; each text is seen once by each system (no warm caches)
        spent: Counter = Counter()
        answers: dict[str, list[str]] = {name: [] for name in runners}
        names = list(runners)
        for c, chunk_start in enumerate(range(0, len(cell), 20)):
            chunk = [text for _, text in cell[chunk_start : chunk_start + 20]]
            for name in names[c % len(names) :] + names[: c % len(names)]:
                run = runners[name]
                started = time.perf_counter()
                answers[name].extend(run(text) for text in chunk)
                spent[name] += time.perf_counter() - started
        for name in runners:
            speed[name][kind] = len(cell) / spent[name]
            for (lang, _), answer in zip(cell, answers[name]):
                correct[name][kind, lang] += answer == lang
    print(f"\n## Identification: accuracy % on the held-out test part ({per_cell} texts per cell at most)\n")
    header = f"{'kind':9s} {'system':11s} " + " ".join(f"{lang:>6s}" for lang in DATA_LANGS) + f" {'mean':>6s} {'texts/s':>9s}"
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        for name in runners:
            accs = [100 * correct[name][kind, lang] / max(total[kind, lang], 1) for lang in DATA_LANGS]
            print(
                f"{kind:9s} {name:11s} " + " ".join(f"{a:6.1f}" for a in accs)
                + f" {sum(accs) / len(accs):6.1f} {speed[name][kind]:9.0f}"
            )
    for rival in ("lingua", "langdetect"):
        if rival not in runners:
            continue
        print(f"\ntextpipe minus {rival}, percentage points (>0: textpipe better); speed ratio textpipe/{rival}")
        wins = cells = 0
        for kind in KINDS:
            diffs = []
            for lang in DATA_LANGS:
                n = max(total[kind, lang], 1)
                d = 100 * (correct["textpipe"][kind, lang] - correct[rival][kind, lang]) / n
                diffs.append(d)
                wins += d > 0
                cells += 1
            ratio = speed["textpipe"][kind] / speed[rival][kind]
            print(f"{kind:9s} " + " ".join(f"{d:+6.1f}" for d in diffs) + f"   x{ratio:.2f}")
        print(f"textpipe above {rival} in {wins} of {cells} cells")
    calibration(runners, items)


def calibration(runners: dict, items: list) -> None:
    ident = LanguageIdentifier(seed=0)
    bins = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.01)]
    stats = {b: [0, 0, 0.0] for b in bins}
    for _, lang, text in items:
        found = ident.identify(text)
        for b in bins:
            if b[0] <= found.score < b[1]:
                stats[b][0] += 1
                stats[b][1] += found.lang == lang
                stats[b][2] += found.score
    print("\n## Calibration of textpipe's score (all identification texts)\n")
    print(f"{'score bin':12s} {'texts':>6s} {'mean score':>10s} {'accuracy':>9s}")
    for b in bins:
        n, right, total = stats[b]
        if n:
            print(f"[{b[0]:.2f}, {min(b[1], 1):.2f}) {n:6d} {total / n:10.3f} {right / n:9.3f}")


def mixed(test: dict[str, list[str]], per_cell: int, show_misses: set[str] = frozenset()) -> None:
    settings = load_package_toml("pipelines", "default.toml")["languages"]
    stage = Languages(build_config(Languages.Config, settings, "languages"))
    rng = random.Random(11)
    hosts = ("en", "ru", "pl")
    forms = [("word", False), ("word", True), ("pair", False), ("pair", True), ("sentence", False), ("sentence", True)]
    # an insert of a language is written in its script only (lid-dev has Latin names and web
    # addresses inside Cyrillic sentences and the reverse: which label their letters "should" get
    # is moot, so such texts are not used as inserts; hosts are any test sentence)
    pools = {
        (lang, kind): [t for t in cut_items(test[lang], kind, 10_000, seed=13) if _one_script(t, lang)]
        for lang in DATA_LANGS
        for kind in ("word", "pair", "sentence")
    }
    hosts_pool = {lang: cut_items(test[lang], "sentence", 10_000, seed=13) for lang in DATA_LANGS}
    print(
        f"\n## Mixed text: share % of inserts all of whose letters get the insert's language ({per_cell} per cell)"
        "\n(in brackets: share % of the inserts' letters that get it)\n"
    )
    print(f"{'host<-insert':13s} " + " ".join(f"{k + ('()' if p else ''):>16s}" for k, p in forms))
    found_all: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    apart: Counter = Counter()
    host_kept: Counter = Counter()  # the host sentences' letters that keep the host's language
    host_all: Counter = Counter()
    started = time.perf_counter()
    docs = 0
    for host in hosts:
        for insert_lang in DATA_LANGS:
            if insert_lang == host:
                continue
            row = []
            for kind, paren in forms:
                ok = letters_ok = letters_all = 0
                for _ in range(per_cell):
                    sentence = rng.choice(hosts_pool[host])
                    insert = rng.choice(pools[insert_lang, kind])
                    shown = f"({insert})" if paren else insert
                    if kind == "sentence":
                        text = f"{sentence} {shown}"
                    else:
                        words = sentence.split(" ")
                        at = rng.randrange(1, len(words)) if len(words) > 1 else 1
                        text = " ".join(words[:at] + [shown] + words[at:])
                    start = text.index(shown) + (1 if paren else 0)
                    doc = Document(id="mixed", text=text, blocks=[Block(0, len(text))])
                    stage.process(doc)
                    docs += 1
                    labels = [
                        next((s.lang for s in doc.segments if s.start <= i < s.end), None)
                        for i in range(start, start + len(insert))
                        if text[i].isalpha()
                    ]
                    right = [label == insert_lang for label in labels]
                    ok += all(right)
                    if not all(right) and f"{host}-{insert_lang}" in show_misses:
                        print_miss(text, doc, insert, kind, paren)
                    # "found": set apart from the host, with a language of the insert's script
                    apart[host, insert_lang, kind, paren] += all(
                        label != host and label in SCRIPT_LANGS[CYRILLIC if insert_lang in SCRIPT_LANGS[CYRILLIC] else LATIN]
                        for label in labels
                    )
                    letters_ok += sum(right)
                    letters_all += len(right)
                    host_letters = [
                        seg.lang == host
                        for seg in doc.segments
                        for i in range(seg.start, seg.end)
                        if text[i].isalpha() and not start <= i < start + len(insert)
                    ]
                    host_kept[host] += sum(host_letters)
                    host_all[host] += len(host_letters)
                found_all[host, insert_lang, kind, paren] = [ok, per_cell]
                row.append(f"{100 * ok / per_cell:5.1f} ({100 * letters_ok / max(letters_all, 1):5.1f})")
            print(f"{host + '<-' + insert_lang:13s} " + " ".join(f"{v:>16s}" for v in row))
    print(f"({docs / (time.perf_counter() - started):.0f} documents/s through the languages stage)")
    print(
        "host letters labelled with the host's language: "
        + ", ".join(f"{h} {100 * host_kept[h] / max(host_all[h], 1):.2f} %" for h in hosts)
    )

    def share(keys: list[tuple]) -> float:
        ok = sum(found_all[k][0] for k in keys)
        n = sum(found_all[k][1] for k in keys)
        return 100 * ok / n

    print("\n## Targets of issue 4 (mixed text)\n")
    targets = [
        ("a Cyrillic word (ru/uk/be/bg) in English", [("en", l, "word", p) for l in ("ru", "uk", "be", "bg") for p in (False, True)], 95),
        ("a Russian word pair in English", [("en", "ru", "pair", p) for p in (False, True)], 95),
        ("a Polish word pair in English", [("en", "pl", "pair", p) for p in (False, True)], 95),
        ("a Russian or Polish word pair in any host", [(h, l, "pair", p) for h in hosts for l in ("ru", "pl") if l != h for p in (False, True)], 95),
        ("a Ukrainian word pair in any host", [(h, "uk", "pair", p) for h in hosts for p in (False, True)], 85),
        ("a Belarusian word pair in any host", [(h, "be", "pair", p) for h in hosts for p in (False, True)], 85),
        ("a Polish sentence appended to English", [("en", "pl", "sentence", p) for p in (False, True)], 99),
    ]
    for label, keys, goal in targets:
        value = share(keys)
        print(f"{label:45s} {value:6.1f} %  (target >= {goal} %: {'met' if value >= goal else 'NOT met'})")
    keys = [("en", lang, "word", p) for lang in ("ru", "uk", "be", "bg") for p in (False, True)]
    value = 100 * sum(apart[k] for k in keys) / sum(found_all[k][1] for k in keys)
    print(
        f"{'a Cyrillic word in English, set apart':45s} {value:6.1f} %  "
        "(its own segment with a Cyrillic language, right or not)"
    )


def print_miss(text: str, doc: Document, insert: str, kind: str, paren: bool) -> None:
    """One missed insert and the segments the stage made of its text."""
    segments = " | ".join(f"{text[s.start : s.end]!r}:{s.lang}:{s.score:.2f}" for s in doc.segments)
    print(f"  miss {kind}{'()' if paren else ''} {insert!r}: {segments}")


def _one_script(text: str, lang: str) -> bool:
    cyrillic = lang in ("ru", "uk", "be", "bg")
    return all(("\u0400" <= c <= "\u04ff") == cyrillic for c in text if c.isalpha())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the lid-dev folder: one <lang>.txt per language")
    parser.add_argument("--per-cell", type=int, default=300, help="texts per language and kind (a sample)")
    parser.add_argument("--mixed-per-cell", type=int, default=100, help="inserts per host, language and form")
    parser.add_argument("--no-lingua", action="store_true")
    parser.add_argument("--skip-mixed", action="store_true")
    parser.add_argument(
        "--show-misses", default="", help="print the missed inserts of these host-insert pairs, e.g. en-pl,en-ru"
    )
    parser.add_argument("--skip-identification", action="store_true", help="run the mixed-text test only")
    parser.add_argument(
        "--split", default="test", choices=("test", "dev"), help="the part measured: test (report) or dev (tuning)"
    )
    args = parser.parse_args(argv)
    missing = [lang for lang in DATA_LANGS if not (args.data / f"{lang}.txt").is_file()]
    if missing:
        print(f"no data at {args.data} (missing {', '.join(missing)})", file=sys.stderr)
        return 2
    test = load_split(args.data, args.split)
    print(f"{args.split} sentences: " + ", ".join(f"{lang} {len(s)}" for lang, s in test.items()))
    if not args.skip_identification:
        identification(test, args.per_cell, not args.no_lingua)
    if not args.skip_mixed:
        mixed(test, args.mixed_per_cell, set(filter(None, args.show_misses.split(","))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
