"""Benchmark of the names stage on SlavicNER, by held-out topic.

    python benchmarks/names.py --data ../shared/corpora/slavicner [--langs ru pl uk] [--folds brexit ...]

For each language and each held-out topic ("fold"), a model and lemma rules are trained on the other
four topics (``training/train_ner.py``'s code and settings; the models are cached in
``--models-dir``, by default a folder named by the settings, and reused when present) and scored on the held-out topic's documents:

* NER: exact span + label precision/recall/F1 per label, pooled over the folds, and per fold;
* natasha (Russian NER on PyPI; PER, LOC, ORG) on the same Russian documents, side by side;
* lemmas: exact match of the predicted base form with SlavicNER's lemma, on the gold mentions
  (gold label) of the held-out topic, a document's names taken together as the names stage does
  (``Lemmatizer.lemmas``), and each mention by itself beside it;
* what the corpus itself allows: the held-out gold PER/LOC/ORG mentions written in lower case
  (which the names stage drops, so the recall it can reach), and how many held-out mentions the
  training topics annotate with the same text but, by majority, another label;
* speed: docs/s of the whole default pipeline (``Pipeline.load('default').stream``) on news-length
  documents (1,000–6,000 characters) of all three languages, with the shipped models: cold (the
  first documents a process sees) and warm (after as many other news documents);
  ``--speed-only`` skips everything else.

Nothing here is ever scored on a topic its model was trained on.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "training"))
sys.path.insert(0, str(ROOT / "src"))

from train_ner import (  # noqa: E402
    LABELS, CorpusDoc, add_name_codes_argument, add_settings_arguments, add_vectors_arguments, learn_lemmas, paragraphs, read_corpus,
    settings_of, topics_of, train_ner, vectors_of,
)

from textpipe.stages.names import NameCodes, consistent_spans, install_name_codes, written_in_lower_case  # noqa: E402

MAIN = ("PER", "LOC", "ORG")
EXTRA = {"uk": ["ru"]}  # as training/train_ner.py's default --extra uk:ru


class Tally:
    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()

    def add(self, gold: set[tuple[int, int, str]], pred: set[tuple[int, int, str]]) -> None:
        for _, _, label in gold & pred:
            self.tp[label] += 1
        for _, _, label in pred - gold:
            self.fp[label] += 1
        for _, _, label in gold - pred:
            self.fn[label] += 1

    def prf(self, labels: tuple[str, ...]) -> tuple[float, float, float, int]:
        tp = sum(self.tp[x] for x in labels)
        fp = sum(self.fp[x] for x in labels)
        fn = sum(self.fn[x] for x in labels)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f, tp + fn


def predict_spacy(
    nlp, docs: list[CorpusDoc], consistent: bool = True, capital_labels: tuple[str, ...] = MAIN,
) -> list[set[tuple[int, int, str]]]:
    """The recognizer's names in each document, paragraph by paragraph, without those of
    ``capital_labels`` written in lower case, made consistent within the document (unless not
    ``consistent``), as the names stage does by default (its ``capital_labels``: PER, LOC, ORG)."""
    out = []
    for doc in docs:
        paras = paragraphs(doc)
        found: list[tuple[int, int, str]] = []
        for (offset, _, _), parsed in zip(paras, nlp.pipe((t for _, t, _ in paras), batch_size=64)):
            kept = [e for e in parsed.ents if not (e.label_ in capital_labels and written_in_lower_case(e.text))]
            found.extend((offset + e.start_char, offset + e.end_char, e.label_) for e in kept)
        if consistent:
            found = consistent_spans(doc.text, found, [(offset, offset + len(text)) for offset, text, _ in paras])
        out.append(set(found))
    return out


class Natasha:
    def __init__(self) -> None:
        from natasha import NewsEmbedding, NewsNERTagger, Segmenter

        self.segmenter = Segmenter()
        self.tagger = NewsNERTagger(NewsEmbedding())

    def predict(self, docs: list[CorpusDoc]) -> list[set[tuple[int, int, str]]]:
        from natasha import Doc

        out = []
        for doc in docs:
            found = set()
            for offset, text, _ in paragraphs(doc):
                parsed = Doc(text)
                parsed.segment(self.segmenter)
                parsed.tag_ner(self.tagger)
                found.update((offset + s.start, offset + s.stop, s.type) for s in parsed.spans)
            out.append(found)
        return out


def gold_of(doc: CorpusDoc, labels: tuple[str, ...] = LABELS) -> set[tuple[int, int, str]]:
    return {(m.start, m.end, m.label) for m in doc.mentions if m.label in labels}


def convention_tally(train_docs: list[CorpusDoc], test_docs: list[CorpusDoc]) -> Counter[str]:
    """Of the held-out gold PER/LOC/ORG mentions (``gold``): those written in lower case
    (``lower``: the names stage drops them, see ``written_in_lower_case``), those whose text the
    training topics annotate (``seen``), and of these, those whose label is not the training topics'
    most frequent label for that text (``relabelled``: "Белый дом" LOC in one topic, ORG in another)."""
    seen_labels: dict[str, Counter[str]] = {}
    for doc in train_docs:
        for m in doc.mentions:
            seen_labels.setdefault(m.text, Counter())[m.label] += 1
    tally: Counter[str] = Counter()
    for doc in test_docs:
        for m in doc.mentions:
            if m.label not in MAIN:
                continue
            tally["gold"] += 1
            tally["lower"] += written_in_lower_case(m.text)
            if m.text in seen_labels:
                tally["seen"] += 1
                tally["relabelled"] += seen_labels[m.text].most_common(1)[0][0] != m.label
    return tally


def print_convention_limits(results: dict[str, dict], lower_case_dropped: bool = True) -> None:
    """What the corpus allows: the recall the names stage can reach when it drops lower-case names
    (unless not ``lower_case_dropped``: ``--lower-case-names``), the F1 that recall gives at the
    precision reached, and the label drift across topics."""
    print("What the corpus allows (held-out gold PER/LOC/ORG; the names stage drops those written in lower case)")
    for lang, res in results.items():
        t = res["conventions"]
        if not t["gold"]:
            continue
        line = f"{lang:<5}lower case {t['lower']}/{t['gold']}"
        if lower_case_dropped:
            ceiling = 1 - t["lower"] / t["gold"]
            p = res["ours"].prf(MAIN)[0]
            f_at_ceiling = 2 * p * ceiling / (p + ceiling) if p + ceiling else 0.0
            line += f" -> recall at most {ceiling:.3f}, F1 at most {f_at_ceiling:.3f} at the precision reached ({p:.3f})"
        print(
            f"{line};  text annotated in training topics {t['seen'] / t['gold']:.3f},"
            f" of which another label by majority {t['relabelled'] / max(1, t['seen']):.3f}"
        )


def fold_model(args, lang: str, held: str, train_docs: list[CorpusDoc], extra: list[CorpusDoc]):
    import spacy

    vectors = vectors_of(args, lang)
    name_codes = lang in args.name_codes
    tag = f"-vectors-{vectors.source}{vectors.rows}x{vectors.dims}" if vectors is not None else ""
    tag += "-name-codes" if name_codes else ""
    tag += f"-seed{args.seed}" if args.seed else ""
    path = args.models_dir / f"{lang}{tag}-without-{held}"
    if (path / "meta.json").is_file() and not args.retrain:
        nlp = spacy.load(path)
        install_name_codes(nlp)  # as the names stage's load_ner
        return nlp, 0.0
    started = time.time()
    nlp = train_ner(
        lang, train_docs, extra_docs=extra, seed=args.seed, settings=settings_of(args), vectors=vectors, name_codes=name_codes,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)
    return nlp, time.time() - started


def throughput(data: Path, langs: list[str], n_docs: int) -> dict:
    """Docs/s of the whole default pipeline on news-length documents of ``langs``, and per stage.

    Timed twice, each time in a fresh pipeline whose models are loaded first (on one other
    document of each language): *cold*, as the first documents a process sees, and *warm*, after
    ``n_docs`` other news documents went through it (as in a long batch run: the stages keep what
    they read of frequent words; the timed documents are never among the warm-up ones). The
    garbage collector runs as in ``textpipe run`` (``textpipe.executors.batch_gc``)."""
    from textpipe import Pipeline
    from textpipe.executors import batch_gc

    texts: list[str] = []
    others: list[str] = []
    per_lang = max(1, n_docs // len(langs))
    for lang in langs:
        docs = [d.text for d in read_corpus(data, lang, topics_of(data)) if 1000 <= len(d.text) <= 6000]
        step = max(1, len(docs) // per_lang)
        texts.extend(docs[::step][:per_lang])
        others.extend([t for i, t in enumerate(docs) if i % step][:per_lang])
    firsts = others[::per_lang]  # one other document of each language: loads the models
    runs = {}
    for name, warm_up in (("cold", firsts), ("warm", firsts + others)):
        pipe = Pipeline.load("default")
        with batch_gc():
            list(pipe.stream(warm_up))
            started, cpu_started = time.time(), time.process_time()
            done = list(pipe.stream(texts))
            runs[name] = (len(texts) / (time.time() - started), len(texts) / (time.process_time() - cpu_started))
    docs = [pipe.reader.read_one(t, id=str(i), format="text", source="<bench>") for i, t in enumerate(texts)]
    stage_seconds = {}
    for stage in pipe.processors:  # the same run again (the caches now hold these documents), stage by stage
        started = time.time()
        docs = list(stage.run(docs))
        stage_seconds[stage.name] = time.time() - started
    return {
        "docs": len(texts), "chars": sum(map(len, texts)) / len(texts), "warm_up": len(firsts) + len(others), "runs": runs,
        "names": sum(len(d.names) for d in done), "errors": Counter(d.error.stage for d in done if d.error),
        "stage_docs_s": {name: len(texts) / sec if sec else float("inf") for name, sec in stage_seconds.items()},
    }


def print_speed(args: argparse.Namespace) -> None:
    speed = throughput(args.data, args.langs, args.speed_docs)
    print(f"whole default pipeline on {speed['docs']} news-length docs ({speed['chars']:.0f} chars on average; {speed['names']} names; "
          f"error records by stage: {dict(speed['errors'])}; the machine may be shared):")
    cold, warm = speed["runs"]["cold"], speed["runs"]["warm"]
    print(f"  cold (the first documents a process sees):      {cold[0]:.1f} docs/s ({cold[1]:.1f} per CPU-second)")
    print(f"  warm (after {speed['warm_up']} other news documents):   {warm[0]:.1f} docs/s ({warm[1]:.1f} per CPU-second)  [target >= 50]")
    print("stage by stage, a third pass over the same documents (docs/s): " + ", ".join(f"{k} {v:.0f}" for k, v in speed["stage_docs_s"].items()))


def run_labels(nlp, docs: list[CorpusDoc]) -> Counter[str]:
    """How the recognizer labels gold Cyrillic mentions given alone (as the stage labels Cyrillic
    runs in non-Cyrillic text): right label, wrong label, or no single entity over all of it (MISC)."""
    mentions = [m for d in docs for m in d.mentions if m.text[:1].isupper() and any("\u0400" <= c <= "\u04ff" for c in m.text)]
    tally: Counter[str] = Counter()
    for m, parsed in zip(mentions, nlp.pipe((m.text for m in mentions), batch_size=256)):
        ents = list(parsed.ents)
        if len(ents) == 1 and ents[0].start_char == 0 and ents[0].end_char == len(m.text):
            tally["right" if ents[0].label_ == m.label else "wrong"] += 1
        else:
            tally["MISC"] += 1
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the SlavicNER folder (with raw/ and ner/)")
    parser.add_argument("--langs", nargs="+", default=["ru", "pl", "uk"])
    parser.add_argument("--folds", nargs="+", help="held-out topics to run (default: every topic)")
    parser.add_argument(
        "--models-dir", type=Path, help="fold models, cached (default: a folder of /tmp/textpipe-names-folds named by the settings)",
    )
    parser.add_argument("--retrain", action="store_true", help="train fold models even if cached")
    parser.add_argument(
        "--seed", type=int, default=0,
        help="the fold models' training seed (as training/train_ner.py's; another one shows how far a model moves by chance alone)",
    )
    add_settings_arguments(parser)  # as training/train_ner.py's
    add_vectors_arguments(parser)
    add_name_codes_argument(parser, default=None, default_help="as the names stage here: ru, and uk and pl where their dictionaries are installed")
    parser.add_argument("--lemmas-only", action="store_true", help="score the lemma rules only (no NER, no speed)")
    parser.add_argument("--no-natasha", action="store_true")
    parser.add_argument(
        "--lower-case-names", action="store_true", help="keep recognized PER, LOC, ORG names without a capital letter (the names stage drops them by default)",
    )
    parser.add_argument("--speed-docs", type=int, default=150, help="documents for the pipeline docs/s (0: skip)")
    parser.add_argument("--speed-only", action="store_true", help="only the pipeline's docs/s")
    args = parser.parse_args(argv)
    if not (args.data / "raw").is_dir() or not (args.data / "ner").is_dir():
        print(f"benchmarks/names.py: no SlavicNER corpus at {args.data} (expected raw/ and ner/ folders in it)", file=sys.stderr)
        return 2
    if args.name_codes is None:
        args.name_codes = ["ru"] + [lang for lang in ("uk", "pl") if NameCodes.of(lang).available]
        print(f"name codes (as the names stage here): {' '.join(args.name_codes)}", file=sys.stderr)
    if args.models_dir is None:  # never a cached model of other settings
        settings = settings_of(args)
        args.models_dir = Path("/tmp/textpipe-names-folds") / "-".join(f"{f.name}{getattr(settings, f.name)}" for f in fields(settings))
    if args.speed_only:
        print_speed(args)
        return 0
    topics = topics_of(args.data)
    folds = args.folds or topics
    natasha = None if args.no_natasha or args.lemmas_only else Natasha()

    results: dict[str, dict] = {}
    fold_rows: list[str] = []
    for lang in args.langs:
        ours, theirs = Tally(), Tally()
        lemma_ok = lemma_all = lemma_alone_ok = 0
        lemma_by_label: Counter[tuple[str, bool]] = Counter()
        ner_seconds = ner_docs = 0.0
        run_tally: Counter[str] = Counter()
        conventions: Counter[str] = Counter()
        for held in folds:
            train_topics = [t for t in topics if t != held]
            train_docs = read_corpus(args.data, lang, train_topics)
            extra = [d for other in EXTRA.get(lang, []) for d in read_corpus(args.data, other, train_topics)]
            test_docs = read_corpus(args.data, lang, [held])
            conventions.update(convention_tally(train_docs, test_docs))
            lemmatizer = learn_lemmas(lang, train_docs)
            for doc in test_docs:
                lemmas = lemmatizer.lemmas([(m.text, m.label) for m in doc.mentions])
                for m, lemma in zip(doc.mentions, lemmas):
                    ok = lemma == m.lemma
                    lemma_ok += ok
                    lemma_all += 1
                    lemma_by_label[(m.label, ok)] += 1
                    lemma_alone_ok += lemmatizer(m.text, m.label) == m.lemma
            if args.lemmas_only:
                continue
            nlp, train_time = fold_model(args, lang, held, train_docs, extra)
            started = time.time()
            predicted = predict_spacy(nlp, test_docs, capital_labels=() if args.lower_case_names else MAIN)
            ner_seconds += time.time() - started
            ner_docs += len(test_docs)
            fold = Tally()
            for doc, pred in zip(test_docs, predicted):
                fold.add(gold_of(doc), pred)
                ours.add(gold_of(doc), pred)
            row = f"{lang}  {held:<17} docs {len(test_docs):>4}  F1 PER/LOC/ORG {fold.prf(MAIN)[2]:.3f}  all {fold.prf(LABELS)[2]:.3f}"
            if natasha is not None and lang == "ru":
                nat = Tally()
                for doc, pred in zip(test_docs, natasha.predict(test_docs)):
                    nat.add(gold_of(doc, MAIN), pred)
                    theirs.add(gold_of(doc, MAIN), pred)
                row += f"  | natasha PER/LOC/ORG {nat.prf(MAIN)[2]:.3f}"
            if train_time:
                row += f"  (trained in {train_time:.0f}s)"
            print(row, flush=True)
            fold_rows.append(row)
            if lang in ("ru", "uk"):
                run_tally.update(run_labels(nlp, test_docs))
        results[lang] = {
            "ours": ours, "natasha": theirs if natasha is not None and lang == "ru" else None,
            "lemma": (lemma_ok, lemma_all), "lemma_by_label": lemma_by_label, "lemma_alone": lemma_alone_ok,
            "ner_docs_s": ner_docs / ner_seconds if ner_seconds else 0.0,
            "runs": run_tally, "conventions": conventions,
        }

    print()
    print(f"Held-out-topic NER, exact span + label, pooled over folds: {', '.join(folds)}")
    print(f"{'lang':<5}{'label':<13}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}   {'natasha P':>9}{'R':>7}{'F1':>7}")
    for lang, res in results.items():
        for labels, title in [((x,), x) for x in LABELS] + [(MAIN, "PER+LOC+ORG"), (LABELS, "all")]:
            p, r, f, n = res["ours"].prf(labels)
            line = f"{lang:<5}{title:<13}{p:7.3f}{r:7.3f}{f:7.3f}{n:7d}"
            if res["natasha"] is not None and set(labels) <= set(MAIN):
                np_, nr, nf, _ = res["natasha"].prf(labels)
                line += f"   {np_:9.3f}{nr:7.3f}{nf:7.3f}"
            print(line)
    if not args.lemmas_only:
        print()
        print_convention_limits(results, lower_case_dropped=not args.lower_case_names)
    print()
    print("Lemmas (suffix rules learned on the other topics; gold mentions and labels of the held-out topic; a document's names"
          " together, and each mention alone)")
    for lang, res in results.items():
        ok, total = res["lemma"]
        by = res["lemma_by_label"]
        per_label = "  ".join(
            f"{x} {by[(x, True)] / max(1, by[(x, True)] + by[(x, False)]):.3f}" for x in LABELS
        )
        alone = res["lemma_alone"] / max(1, total)
        print(f"{lang:<5}exact {ok / max(1, total):.3f} ({ok}/{total})   {per_label}   alone {alone:.3f}")
    print()
    print("Cyrillic runs labelled by the recognizer (gold capitalized Cyrillic mentions of the held-out topic, given alone)")
    for lang, res in results.items():
        runs = res["runs"]
        if runs:
            total = sum(runs.values())
            given = runs["right"] + runs["wrong"]
            print(
                f"{lang:<5}right {runs['right'] / total:.3f}  wrong {runs['wrong'] / total:.3f}  MISC {runs['MISC'] / total:.3f}"
                f"  (precision of the labels given {runs['right'] / max(1, given):.3f}; {total} mentions)"
            )
    print()
    print("Speed")
    for lang, res in results.items():
        if res["ner_docs_s"]:
            print(f"{lang:<5}NER model alone: {res['ner_docs_s']:.1f} SlavicNER docs/s")
    if args.speed_docs and not args.lemmas_only:
        print_speed(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
