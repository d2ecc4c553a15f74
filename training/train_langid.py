"""Train textpipe's language identifier and write src/textpipe/models/langid/model.npz.

    python training/train_langid.py --data ../shared/corpora/lid-dev

Data, all on disk (nothing is downloaded):

* the *train* part of the lid-dev sentences (``<lang>.txt``, split by a hash of the sentence, see
  ``textpipe.langid_data``); the *dev* part fits the calibration (temperatures per text length and
  an isotonic map) of a model trained on *train* alone, and then joins *train* for the shipped model
  (``--train-only`` to skip that); the *test* part is left to ``benchmarks/languages.py``;
* wordfreq's word-frequency lists (a PyPI package; en ru pl uk bg cs sk, no Belarusian), as
  pseudo-counts for the character n-grams and the word table.

The model is a multinomial naive Bayes over character 1-5-grams (add-alpha smoothing per n-gram
order), a word table of word bonuses, and diagnostic-letter penalties (see textpipe.langid_model).
Training is deterministic and takes about a minute on one core. Exit status 2 when the data is absent.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from textpipe.langid_data import DATA_LANGS, cut_items, load_split  # noqa: E402
from textpipe.langid_model import LANGS, LENGTH_BUCKETS, MAX_N, NgramModel, gram_key, length_bucket, diagnostic_penalty, ngrams_of, words_of  # noqa: E402

CYRILLIC_LANGS = ("ru", "uk", "be", "bg")
LATIN_LANGS = ("en", "pl", "cs", "sk")
_SCRIPT_PEERS = {lang: [x for x in CYRILLIC_LANGS if x != lang] for lang in CYRILLIC_LANGS}
_SCRIPT_PEERS.update({lang: [x for x in LATIN_LANGS if x != lang] for lang in LATIN_LANGS})
OUT = ROOT / "src" / "textpipe" / "models" / "langid" / "model.npz"


def wordfreq_lists(top: int) -> dict[str, dict[str, float]]:
    """wordfreq's ``top`` most frequent words of each language it has (no Belarusian)."""
    try:
        import wordfreq
    except ImportError:
        print("wordfreq is not installed: training on the sentences only", file=sys.stderr)
        return {}
    out: dict[str, dict[str, float]] = {}
    available = set(wordfreq.available_languages(wordlist="best"))
    for lang in LANGS:
        if lang not in available:  # wordfreq would fall back to a "nearest" language (be -> ru)
            continue
        freqs = wordfreq.get_frequency_dict(lang, wordlist="best")
        ranked = sorted(freqs.items(), key=lambda kv: (-kv[1], kv[0]))
        kept: dict[str, float] = {}
        for word, freq in ranked:
            clean = words_of(word)
            if len(clean) == 1 and clean[0] == word:
                kept[word] = freq
            if len(kept) >= top:
                break
        out[lang] = kept
    return out


def count_words(sentences: dict[str, list[str]]) -> dict[str, Counter[str]]:
    return {lang: Counter(w for s in sentences[lang] for w in words_of(s)) for lang in LANGS}


def build(
    corpus_words: dict[str, Counter[str]],
    wf: dict[str, dict[str, float]],
    *,
    wf_mass: float,
    alpha: float,
    min_count: float,
    word_weight: float,
    word_floor: float,
    diag_penalty: float,
    table_top: int,
    norm_mass: float,
    min_spread: float,
) -> dict[str, np.ndarray]:
    """The model's arrays from word counts (the corpus's and wordfreq's pseudo-counts)."""
    # pseudo-counts of words per language
    weighted: dict[str, Counter[str]] = {}
    for lang in LANGS:
        counts: Counter[str] = Counter({w: float(c) for w, c in corpus_words[lang].items()})
        for word, freq in wf.get(lang, {}).items():
            counts[word] += freq * wf_mass
        weighted[lang] = counts
    # n-gram counts per language
    gram_counts: dict[str, Counter[str]] = {}
    for lang in LANGS:
        grams: Counter[str] = Counter()
        for word, count in weighted[lang].items():
            for g in ngrams_of(word):
                grams[g] += count
        gram_counts[lang] = grams
    totals = Counter()
    for lang in LANGS:
        totals.update(gram_counts[lang])
    kept = [g for g, c in totals.items() if c >= min_count]
    # the alphabet: the 254 commonest characters of the kept n-grams; n-grams with others are dropped
    chars: Counter[str] = Counter()
    for g in kept:
        chars.update(c for c in g if c != " ")
    alphabet = "".join(c for c, _ in sorted(chars.items(), key=lambda kv: (-kv[1], kv[0]))[:254])
    codes = {c: i + 1 for i, c in enumerate(alphabet)}
    keyed = sorted((k, g) for g in kept if (k := gram_key(g, codes)) is not None)
    kept = [g for _, g in keyed]
    keys = np.array([k for k, _ in keyed], dtype=np.uint64)
    order = np.array([len(g) for g in kept])
    counts = np.array([[gram_counts[lang].get(g, 0.0) for lang in LANGS] for g in kept])
    logp = np.zeros_like(counts)
    for n in range(1, MAX_N + 1):
        rows = order == n
        # every language's counts of this order are scaled to the same total ``norm_mass`` before
        # smoothing, so that an n-gram a language has not seen costs it the same in every language
        # (else the language with the least data, Belarusian, would be the cheapest for odd words)
        scaled = counts[rows] * (norm_mass / np.maximum(counts[rows].sum(axis=0), 1.0))
        logp[rows] = np.log(scaled + alpha)
    logp -= logp.max(axis=1, keepdims=True)  # softmax does not see a per-row shift
    # an n-gram about equally likely in every language tells nothing: dropped (a smaller, faster model)
    informative = logp.min(axis=1) < -min_spread
    logp = logp[informative]
    keys = keys[informative]
    kept = [g for g, keep in zip(kept, informative) if keep]
    # the word table: lexicon bonus, known bits, and the whole precomputed per-word vector
    grams_index = {g: i for i, g in enumerate(kept)}
    totals_w = {lang: sum(weighted[lang].values()) or 1.0 for lang in LANGS}
    no_list = [lang for lang in LANGS if lang not in wf]
    top_words = {w for lang in LANGS for w, _ in Counter(weighted[lang]).most_common(table_top)}
    table_words = sorted(top_words)
    vectors = np.zeros((len(table_words), len(LANGS)))
    known = np.zeros(len(table_words), dtype=np.uint8)
    for i, word in enumerate(table_words):
        rows = [grams_index[g] for g in ngrams_of(word) if g in grams_index]
        vector = logp[rows].sum(axis=0) if rows else np.zeros(len(LANGS))
        bonuses = {}
        for j, lang in enumerate(LANGS):
            p = weighted[lang].get(word, 0.0) / totals_w[lang]
            bonuses[lang] = word_weight * (math.log(p + word_floor) - math.log(word_floor))
            if p >= 10 * word_floor:
                known[i] |= 1 << j
        for lang in no_list:
            # a language without a word list (Belarusian) knows only its training sentences' words:
            # a word missing there is not evidence against it; it gets the median bonus of the
            # other languages of its script (a word all of them have stays neutral)
            if weighted[lang].get(word, 0.0) == 0.0:
                peers = sorted(bonuses[x] for x in _SCRIPT_PEERS[lang])
                bonuses[lang] = peers[len(peers) // 2]
        vector += np.array([bonuses[lang] for lang in LANGS])
        penalty = diagnostic_penalty(word, diag_penalty)
        if penalty is not None:
            vector += penalty
        vectors[i] = vector - vector.max()
    return {
        "langs": np.frombuffer(",".join(LANGS).encode("ascii"), dtype=np.uint8),
        "alphabet": np.frombuffer(alphabet.encode("utf-8"), dtype=np.uint8),
        "gram_keys": keys,
        "gram_logp": logp.astype(np.float16),
        "word_keys": np.frombuffer("\n".join(table_words).encode("utf-8"), dtype=np.uint8),
        "word_vectors": np.maximum(vectors, -60.0).astype(np.float16),
        "word_known": known,
        "calibration_x": np.array([0.0, 1.0]),  # identity until fitted on dev
        "calibration_y": np.array([0.0, 1.0]),
        "params": np.array([word_weight, word_floor, diag_penalty] + [1.0] * (len(LENGTH_BUCKETS) + 1)),
    }


def dev_items(dev: dict[str, list[str]], per_cell: int) -> list[tuple[str, str, str]]:
    items = []
    for lang in DATA_LANGS:
        for kind in ("word", "pair", "sentence"):
            for text in cut_items(dev[lang], kind, per_cell, seed=1):
                items.append((kind, lang, text))
    return items


def evaluate(model: NgramModel, items: list[tuple[str, str, str]]) -> tuple[dict[str, float], list]:
    correct: Counter[str] = Counter()
    total: Counter[str] = Counter()
    scored = []
    for kind, lang, text in items:
        words = words_of(text)
        scores = np.asarray(model.text_scores(words))
        allowed = [LANGS.index(x) for x in (CYRILLIC_LANGS if lang in CYRILLIC_LANGS else LATIN_LANGS)]
        best = LANGS[allowed[int(np.argmax(scores[allowed]))]]
        for key in (kind, f"{kind}/{lang}"):
            correct[key] += best == lang
            total[key] += 1
        scored.append((scores, len(words), LANGS.index(lang), allowed))
    return {k: correct[k] / total[k] for k in total}, scored


def fit_temperatures(scored: list) -> list[float]:
    """One temperature per length bucket minimising the dev log-loss (a grid search); a bucket with
    fewer than 30 dev texts takes its neighbour's."""
    grid = np.exp(np.linspace(math.log(0.5), math.log(60), 80))
    by_bucket: dict[int, list] = {}
    for item in scored:
        by_bucket.setdefault(length_bucket(item[1]), []).append(item)
    temperatures: list[float | None] = []
    for bucket in range(len(LENGTH_BUCKETS) + 1):
        items = by_bucket.get(bucket, [])
        if len(items) < 30:
            temperatures.append(None)
            continue
        best = (math.inf, 1.0)
        for t in grid:
            loss = 0.0
            for scores, _, truth, allowed in items:
                z = scores[allowed] / t
                z = z - z.max()
                loss -= z[allowed.index(truth)] - math.log(np.exp(z).sum())
            best = min(best, (loss, float(t)))
        temperatures.append(best[1])
    for i in range(len(temperatures)):  # fill gaps from the nearest fitted bucket
        if temperatures[i] is None:
            near = min((j for j, t in enumerate(temperatures) if t is not None), key=lambda j: abs(j - i))
            temperatures[i] = temperatures[near]
    return [float(t) for t in temperatures]  # type: ignore[arg-type]


def fit_isotonic(scored: list, temperatures: list[float], knots: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """A monotone map from the model's top probability to the share of right answers on dev
    (pool-adjacent-violators, then read at ``knots`` quantiles)."""
    pairs = []
    for scores, n, truth, allowed in scored:
        z = scores[allowed] / temperatures[length_bucket(n)]
        p = np.exp(z - z.max())
        p /= p.sum()
        pairs.append((float(p.max()), float(allowed[int(np.argmax(p))] == truth)))
    pairs.sort()
    blocks: list[list[float]] = []  # [sum of y, count, max x]
    for x, y in pairs:
        blocks.append([y, 1.0, x])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            y2, c2, x2 = blocks.pop()
            blocks[-1][0] += y2
            blocks[-1][1] += c2
            blocks[-1][2] = x2
    xs = np.array([b[2] for b in blocks])
    ys = np.array([b[0] / b[1] for b in blocks])
    grid = np.unique(np.quantile(np.array([x for x, _ in pairs]), np.linspace(0, 1, knots)))
    values = np.interp(grid, xs, ys)
    # flat below the first knot and above the last; never quite certain (dev is small: cap 0.998)
    values = np.minimum(values, 0.998)
    return np.concatenate(([0.0], grid, [1.0])), np.concatenate(([values[0]], values, [values[-1]]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "corpora" / "lid-dev")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--wordfreq-top", type=int, default=40_000, help="words per language taken from wordfreq")
    parser.add_argument("--wf-mass", type=float, default=300_000.0, help="pseudo-tokens wordfreq's list weighs")
    parser.add_argument("--alpha", type=float, default=0.1, help="add-alpha smoothing of n-gram counts")
    parser.add_argument("--min-count", type=float, default=2.0, help="drop n-grams rarer than this overall")
    parser.add_argument("--word-weight", type=float, default=8.0, help="weight of the word-table bonus")
    parser.add_argument("--word-floor", type=float, default=1e-6)
    parser.add_argument("--diag-penalty", type=float, default=8.0)
    parser.add_argument("--table-top", type=int, default=25_000, help="words per language in the word table")
    parser.add_argument("--norm-mass", type=float, default=1e6, help="n-gram counts per order per language after scaling")
    parser.add_argument("--min-spread", type=float, default=0.5, help="drop n-grams whose log-probabilities differ less")
    parser.add_argument("--train-only", action="store_true", help="ship the model fitted on train alone (not train + dev)")
    parser.add_argument("--dev-per-cell", type=int, default=300)
    args = parser.parse_args(argv)

    missing = [lang for lang in DATA_LANGS if not (args.data / f"{lang}.txt").is_file()]
    if missing:
        print(
            f"train_langid: no training data at {args.data} (missing {', '.join(m + '.txt' for m in missing)}); "
            "pass --data DIR with one <lang>.txt of sentences per language",
            file=sys.stderr,
        )
        return 2
    started = time.time()
    train = load_split(args.data, "train")
    dev = load_split(args.data, "dev")
    wf = wordfreq_lists(args.wordfreq_top)
    corpus = count_words(train)
    settings = dict(
        wf_mass=args.wf_mass,
        alpha=args.alpha,
        min_count=args.min_count,
        word_weight=args.word_weight,
        word_floor=args.word_floor,
        diag_penalty=args.diag_penalty,
        table_top=args.table_top,
        norm_mass=args.norm_mass,
        min_spread=args.min_spread,
    )
    arrays = build(corpus, wf, **settings)
    model = NgramModel(arrays)
    items = dev_items(dev, args.dev_per_cell)
    accuracy, scored = evaluate(model, items)
    temperatures = fit_temperatures(scored)
    calibration = fit_isotonic(scored, temperatures)
    if not args.train_only:
        # the shipped model learns from the dev sentences too (more Belarusian above all); its
        # calibration is the one just fitted on dev with the model that had not seen them
        both = {lang: train[lang] + dev[lang] for lang in train}
        arrays = build(count_words(both), wf, **settings)
    arrays["calibration_x"], arrays["calibration_y"] = calibration
    arrays["params"] = np.array([args.word_weight, args.word_floor, args.diag_penalty, *temperatures])
    for kind in ("word", "pair", "sentence"):
        print(f"dev {kind:8s} " + " ".join(f"{lang} {accuracy[kind + '/' + lang]:.3f}" for lang in DATA_LANGS))
    print(
        "dev accuracy: " + ", ".join(f"{k} {v:.4f}" for k, v in accuracy.items() if "/" not in k)
        + "; temperatures by length " + " ".join(f"{t:.2f}" for t in temperatures)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB: {len(arrays['gram_logp'])} n-grams, "
        f"{len(arrays['word_vectors'])} words) in {time.time() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
