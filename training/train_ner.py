"""Train the names stage's models on SlavicNER: a small spaCy NER model and lemma rules per language.

    python training/train_ner.py --data ../shared/corpora/slavicner            # ru, pl, uk; all topics
    python training/train_ner.py --data PATH --lang uk --topics brexit ryanair --out /tmp/models

Writes ``<out>/ner/<lang>/`` (``nlp.to_disk``) and ``<out>/lemmas/<lang>.json`` — by default into
``src/textpipe/models/``, the files the names stage loads. SlavicNER's layout:
``raw/<topic>/<lang>/<file>.txt`` and ``ner/<topic>/<lang>/<file>.tsv`` with one mention a line,
``start  end  mention  lemma  category  id`` (code-point offsets into the .txt).

The model: ``spacy.blank(lang)`` tokenizer, one ``ner`` component over a HashEmbedCNN tok2vec. For
the languages of ``--vectors-langs`` (ru) the tok2vec also reads a static vectors table (``--vectors
navec``, the default; ``--vectors none``: no table) built from natasha's navec news embedding, which
the ``train`` extra installs: its ``--vectors-rows`` (20,000) most frequent words, reduced to
``--vectors-dims`` (64) dimensions by PCA, looked up by the token's text in its usual spellings,
stored inside the model (9.5 MB; nothing is downloaded at run time). On held-out topics it lifted
Russian PER/LOC/ORG F1 from 0.648 to 0.703 (Ukrainian: +0.027, not kept: one topic fell 0.044).

For the languages of ``--name-codes`` (ru) the tok2vec also embeds, for each capitalized word, what
pymorphy3's dictionary (a dependency; nothing downloaded) knows of it as a name: unknown, or known
with which of the grammemes Name, Surn, Patr, Geox, Orgn, Abbr, Trad (``NameCodes`` of the names
stage, whose loader installs the same getter). Most held-out errors are names the model never saw;
the dictionary knows many of them. Held-out-topic Russian PER/LOC/ORG F1 (``benchmarks/names.py
--langs ru``), pooled 0.703 -> 0.751, every topic up: asia_bibi 0.760 -> 0.826, brexit 0.809 ->
0.825, covid-19 0.609 -> 0.650, ryanair 0.822 -> 0.853, us_election_2020 0.670 -> 0.727; no
measurable cost in CPU time. Without the language's dictionary installed, every code is "none".
Ukrainian's dictionary (pymorphy3-dicts-uk, GPLv3) is the optional extra ``ukrainian``, and a model
with codes falls to 0.413 without it: so Ukrainian gets two models, ``ner/uk`` without codes and
``ner/uk-dictionary`` with them (``--dictionary-models``; 0.690 -> 0.765 held out), which the names
stage takes where the dictionary is installed. Polish likewise (``ner/pl-dictionary``): its codes
come from Morfeusz 2's SGJP dictionary (the kinds of proper name it gives a word: nazwisko, imię,
nazwa_geograficzna, nazwa_organizacji, ...), a dependency only where morfeusz2 has wheels.

Training is deterministic (``--seed``); a tenth of the training documents is held back as the
development set for early stopping, and the best epoch's weights are kept.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from textpipe.lemmas import Lemmatizer, Morphology, load_supplement  # noqa: E402
from textpipe.stages.names import DICTIONARY_MODEL_SUFFIX, NAME_CODES_ATTR, install_name_codes  # noqa: E402

LANGS = ("ru", "pl", "uk")
LABELS = ("PER", "LOC", "ORG", "PRO", "EVT")
DEFAULT_OUT = ROOT / "src" / "textpipe" / "models"


@dataclass
class Mention:
    start: int
    end: int
    text: str
    lemma: str
    label: str


@dataclass
class CorpusDoc:
    topic: str
    lang: str
    name: str
    text: str
    mentions: list[Mention]


def topics_of(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "raw").iterdir() if p.is_dir())


def read_corpus(data: Path, lang: str, topics: list[str]) -> list[CorpusDoc]:
    """The documents of ``lang`` in ``topics`` with their mentions, sorted by topic and file name."""
    docs: list[CorpusDoc] = []
    for topic in topics:
        folder = data / "raw" / topic / lang
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            mentions: list[Mention] = []
            tsv = data / "ner" / topic / lang / (path.stem + ".tsv")
            if tsv.is_file():
                for line in tsv.read_text(encoding="utf-8").splitlines():
                    parts = line.split("\t")
                    if len(parts) < 5:
                        continue
                    start, end = int(parts[0]), int(parts[1])
                    if text[start:end] != parts[2] or parts[4] not in LABELS:
                        continue
                    mentions.append(Mention(start, end, parts[2], parts[3], parts[4]))
            docs.append(CorpusDoc(topic, lang, path.stem, text, sorted(mentions, key=lambda m: (m.start, m.end))))
    return docs


def paragraphs(doc: CorpusDoc) -> list[tuple[int, str, list[Mention]]]:
    """The document's non-blank lines with the mentions inside each: (offset, text, mentions)."""
    out: list[tuple[int, str, list[Mention]]] = []
    offset = 0
    for line in doc.text.split("\n"):
        if line.strip():
            end = offset + len(line)
            out.append((offset, line, [m for m in doc.mentions if offset <= m.start and m.end <= end]))
        offset += len(line) + 1
    return out


# -- the model -----------------------------------------------------------------------------------------
#: rows of the hash embedding of the name codes (a few dozen distinct values)
NAME_CODE_ROWS = 128


def tok2vec_config(width: int, depth: int, embed_size: int, static_vectors: bool, name_codes: bool) -> dict:
    """spaCy's HashEmbedCNN (NORM, PREFIX, SUFFIX, SHAPE), or with ``name_codes`` the same layers
    spelled out, with the name codes (``textpipe.stages.names.NameCodes``, held in the lexeme
    attribute ``NAME_CODES_ATTR``) embedded as a fifth attribute."""
    if not name_codes:
        return {
            "@architectures": "spacy.HashEmbedCNN.v2",
            "pretrained_vectors": True if static_vectors else None,
            "width": width,
            "depth": depth,
            "embed_size": embed_size,
            "window_size": 1,
            "maxout_pieces": 3,
            "subword_features": True,
        }
    half = embed_size // 2
    return {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": width,
            "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", NAME_CODES_ATTR],
            "rows": [embed_size, half, half, half, NAME_CODE_ROWS],
            "include_static_vectors": static_vectors,
        },
        "encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2",
            "width": width,
            "depth": depth,
            "window_size": 1,
            "maxout_pieces": 3,
        },
    }


def ner_config(width: int, depth: int, embed_size: int, static_vectors: bool = False, name_codes: bool = False) -> dict:
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": 64,
            "maxout_pieces": 2,
            "use_upper": True,
            "nO": None,
            "tok2vec": tok2vec_config(width, depth, embed_size, static_vectors, name_codes),
        }
    }


def examples_of(nlp, docs: list[CorpusDoc]) -> list:
    from spacy.training import Example

    examples = []
    for doc in docs:
        for offset, text, mentions in paragraphs(doc):
            predicted = nlp.make_doc(text)
            spans, last_end = [], -1
            for m in mentions:
                span = predicted.char_span(m.start - offset, m.end - offset, label=m.label)
                if span is None or span.start < last_end:  # off the tokens, or overlapping: left out
                    continue
                spans.append(span)
                last_end = span.end
            reference = predicted.copy()
            reference.set_ents(spans, default="outside")
            examples.append(Example(predicted, reference))
    return examples


@dataclass(frozen=True)
class Settings:
    """How a model is trained; the benchmark trains its fold models with the same settings."""

    width: int = 64
    depth: int = 4  # 4 and 4000 rows: held-out ru F1 0.691 -> 0.767 on the brexit fold (2 and 2000 before)
    embed_size: int = 4000
    max_epochs: int = 8
    patience: int = 2
    dropout: float = 0.1
    epoch_words: int = 150_000


@dataclass(frozen=True)
class VectorsSpec:
    """A static vectors table for the tok2vec: ``rows`` most frequent words of ``source``, ``dims`` wide.

    Kept apart from :class:`Settings` (whose fields name the benchmark's fold-model folders)."""

    source: str = "navec"
    rows: int = 20_000
    dims: int = 64


VECTOR_SOURCES = ("navec",)


def navec_table(rows: int, dims: int) -> tuple[list[str], numpy.ndarray]:
    """The ``rows`` most frequent words of natasha's navec news embedding (lowercase Russian news
    vocabulary, 300 dimensions, product-quantized) and their vectors reduced to ``dims`` by PCA,
    scaled to unit mean norm. Read from the installed natasha package: nothing is downloaded."""
    import numpy
    from natasha import NewsEmbedding

    navec = NewsEmbedding()
    order = numpy.argsort(-numpy.asarray(navec.vocab.counts), kind="stable")
    order = [i for i in order if not navec.vocab.words[i].startswith("<")][:rows]  # not <unk>, <pad>
    words = [navec.vocab.words[i] for i in order]
    pq = navec.pq  # vector i = concat over q of codes[q, indexes[i, q]]
    full = pq.codes[numpy.arange(pq.qdim), pq.indexes[order]].reshape(len(order), pq.dim).astype(numpy.float64)
    centred = full - full.mean(axis=0)
    _, _, components = numpy.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:dims].T
    reduced /= numpy.linalg.norm(reduced, axis=1).mean()
    return words, reduced.astype(numpy.float32)


def spellings(word: str) -> list[str]:
    """The forms a lowercase word takes in text: as is, capitalized, title-cased (``Нью-Йорк``), upper."""
    return list(dict.fromkeys([word, word[:1].upper() + word[1:], word.title(), word.upper()]))


def add_vectors(nlp, spec: VectorsSpec) -> None:
    """Give ``nlp.vocab`` the table of ``spec``, each row under each spelling of its word.

    The table is keyed by the token's text (``ORTH``), the only key attribute spaCy saves with a
    default-mode table (``Vectors(attr="LOWER")`` is lost by ``to_disk``/``to_bytes``), so each
    lowercase navec word is entered with its capitalized and upper-case spellings as well."""
    from spacy.vectors import Vectors

    if spec.source != "navec":
        raise ValueError(f"unknown vectors source {spec.source!r} (known: {', '.join(VECTOR_SOURCES)})")
    words, table = navec_table(spec.rows, spec.dims)
    vectors = Vectors(strings=nlp.vocab.strings, data=table, name=f"navec-{spec.rows}x{spec.dims}")
    for row, word in enumerate(words):
        for spelling in spellings(word):
            if vectors.find(key=spelling) < 0:  # first (most frequent) word wins a shared spelling
                vectors.add(spelling, row=row)
    nlp.vocab.vectors = vectors


def train_ner(
    lang: str,
    docs: list[CorpusDoc],
    *,
    seed: int = 0,
    settings: Settings = Settings(),
    extra_docs: list[CorpusDoc] | None = None,
    vectors: VectorsSpec | None = None,
    name_codes: bool = False,
    log=print,
):
    """A trained spaCy pipeline (blank ``lang`` tokenizer + ner) on ``docs`` (plus ``extra_docs``,
    documents of a related language that join the training set but not the development set); with
    ``vectors``, its tok2vec also reads that static vectors table, which the pipeline then holds; with
    ``name_codes``, it also embeds what the language's dictionary knows of each capitalized word as a
    name (``textpipe.stages.names.NameCodes``, installed again by the names stage's ``load_ner``)."""
    import spacy
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(seed)
    rng = random.Random(seed)
    shuffled = list(docs)
    rng.shuffle(shuffled)
    n_dev = max(1, len(shuffled) // 10)
    dev_docs, train_docs = shuffled[:n_dev], shuffled[n_dev:] + list(extra_docs or [])

    nlp = spacy.blank(lang)
    if name_codes:
        install_name_codes(nlp, lang)
    if vectors is not None:
        add_vectors(nlp, vectors)
    config = ner_config(settings.width, settings.depth, settings.embed_size, static_vectors=vectors is not None, name_codes=name_codes)
    ner = nlp.add_pipe("ner", config=config)
    for label in LABELS:
        ner.add_label(label)
    train = examples_of(nlp, train_docs)
    dev = examples_of(nlp, dev_docs)
    optimizer = nlp.initialize(lambda: train[:200])
    best_score, best_bytes, stale = -1.0, None, 0
    started = time.time()
    for epoch in range(settings.max_epochs):
        rng.shuffle(train)
        sample, words = [], 0
        for example in train:  # an epoch is a random sample of about ``epoch_words`` words
            if words >= settings.epoch_words:
                break
            sample.append(example)
            words += len(example.reference)
        losses: dict[str, float] = {}
        for batch in minibatch(sample, size=compounding(8.0, 64.0, 1.01)):
            nlp.update(batch, sgd=optimizer, drop=settings.dropout, losses=losses)
        with nlp.select_pipes(enable=["ner"]):
            scores = nlp.evaluate(dev)
        f = scores["ents_f"] or 0.0
        log(f"  {lang} epoch {epoch + 1}: loss {losses.get('ner', 0):.0f}  dev F1 {f:.4f}  ({time.time() - started:.0f}s)")
        if f > best_score:
            best_score, stale = f, 0
            with nlp.use_params(optimizer.averages):
                best_bytes = nlp.to_bytes()
        else:
            stale += 1
            if stale >= settings.patience:
                break
    if best_bytes is not None:
        nlp.from_bytes(best_bytes)
    log(f"  {lang}: best dev F1 {best_score:.4f}, {len(train)} training paragraphs, {time.time() - started:.0f}s")
    return nlp


SUPPLEMENT = DEFAULT_OUT / "lemmas" / "supplement.toml"


def save_without_corpus_strings(nlp, path: Path) -> None:
    """``nlp.to_disk(path)`` with the string store cut down to the labels: spaCy keeps every token
    string it has seen in ``vocab/strings.json`` (the corpus's vocabulary, megabytes of it), which the
    hash-embedding NER model never needs (its features are hashes computed from each token's text)."""
    import json

    nlp.to_disk(path)
    labels = sorted(nlp.get_pipe("ner").labels)  # a vectors table, if any, is looked up by hash: no strings needed
    (path / "vocab" / "strings.json").write_text(json.dumps(labels), encoding="utf-8")


def learn_lemmas(lang: str, docs: list[CorpusDoc], dictionary: bool = True) -> Lemmatizer:
    """Suffix rules from the mentions' (form, lemma) pairs, plus the hand-written supplement; applied
    with the language's dictionary of word forms (``dictionary``, where there is one), as the
    shipped rules are (``Lemmatizer.from_disk``)."""
    supplement = load_supplement(SUPPLEMENT, lang) if SUPPLEMENT.is_file() else {}
    return Lemmatizer.learn(
        ((m.text, m.lemma, m.label) for d in docs for m in d.mentions), lang=lang, supplement=supplement,
        morphology=Morphology.of(lang) if dictionary else None,
    )


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """``--width``, ``--depth``, ... : one option per field of :class:`Settings`, its default the default."""
    helps = {
        "patience": "epochs without a better dev F1 before stopping",
        "epoch_words": "words sampled for each epoch",
        "width": "tok2vec width", "depth": "tok2vec depth (CNN layers)", "embed_size": "tok2vec hash-embedding rows",
    }
    for field in fields(Settings):
        parser.add_argument(
            "--" + field.name.replace("_", "-"), type=type(field.default), default=field.default, help=helps.get(field.name),
        )


def settings_of(args: argparse.Namespace) -> Settings:
    return Settings(**{field.name: getattr(args, field.name) for field in fields(Settings)})


def add_vectors_arguments(parser: argparse.ArgumentParser) -> None:
    """``--vectors``, ``--vectors-rows``, ``--vectors-dims``: an optional static vectors table."""
    parser.add_argument(
        "--vectors", choices=[*VECTOR_SOURCES, "none"], default="navec",
        help="a static vectors table for the languages of --vectors-langs (default: %(default)s, as the shipped models; 'none': none)",
    )
    parser.add_argument("--vectors-rows", type=int, default=VectorsSpec.rows, help="the table's words (most frequent first)")
    parser.add_argument("--vectors-dims", type=int, default=VectorsSpec.dims, help="the table's dimensions (PCA)")
    parser.add_argument("--vectors-langs", nargs="+", default=["ru"], choices=LANGS, help="languages given the table (default: ru)")


def add_name_codes_argument(parser: argparse.ArgumentParser, default: tuple[str, ...] | None = ("ru",), default_help: str = "ru") -> None:
    """``--name-codes`` (a list; ``default`` None: None when the option is not given)."""
    parser.add_argument(
        "--name-codes", nargs="*", default=None if default is None else list(default), choices=LANGS, metavar="LANG",
        help=f"languages whose tok2vec embeds the dictionary's name codes of capitalized words (default: {default_help}; none if given alone)",
    )


def vectors_of(args: argparse.Namespace, lang: str) -> VectorsSpec | None:
    if args.vectors == "none" or lang not in args.vectors_langs:
        return None
    return VectorsSpec(args.vectors, args.vectors_rows, args.vectors_dims)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the SlavicNER folder (with raw/ and ner/)")
    parser.add_argument("--lang", nargs="+", default=list(LANGS), choices=LANGS)
    parser.add_argument("--topics", nargs="+", help="topics to train on (default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="writes <out>/ner/<lang>/ and <out>/lemmas/<lang>.json")
    parser.add_argument("--seed", type=int, default=0)
    add_settings_arguments(parser)
    add_vectors_arguments(parser)
    add_name_codes_argument(parser)
    parser.add_argument(
        "--dictionary-models", nargs="*", default=["uk", "pl"], choices=LANGS, metavar="LANG",
        help="languages (not of --name-codes) that also get a second model with name codes, ner/<lang>-dictionary/, "
        "which the names stage uses where the language's dictionary is installed (default: uk pl; none if given alone)",
    )
    parser.add_argument("--lemmas-only", action="store_true", help="write the lemma rules only")
    parser.add_argument(
        "--extra", nargs="*", default=["uk:ru"], metavar="LANG:OTHER",
        help="train LANG's model on OTHER's documents too (same topics); default uk:ru",
    )
    args = parser.parse_args(argv)
    if not (args.data / "raw").is_dir() or not (args.data / "ner").is_dir():
        print(f"train_ner: no SlavicNER corpus at {args.data} (expected raw/ and ner/ folders in it)", file=sys.stderr)
        return 2
    topics = args.topics or topics_of(args.data)
    for lang in args.lang:
        docs = read_corpus(args.data, lang, topics)
        print(f"{lang}: {len(docs)} documents, {sum(len(d.mentions) for d in docs)} mentions, topics {', '.join(topics)}")
        (args.out / "lemmas").mkdir(parents=True, exist_ok=True)
        learn_lemmas(lang, docs).to_disk(args.out / "lemmas" / f"{lang}.json")
        if args.lemmas_only:
            continue
        extra = [d for pair in args.extra if pair.split(":")[0] == lang for d in read_corpus(args.data, pair.split(":")[1], topics)]
        if extra:
            print(f"{lang}: plus {len(extra)} documents of {', '.join(p.split(':')[1] for p in args.extra if p.startswith(lang + ':'))}")
        models = [(lang, lang in args.name_codes)]
        if lang in args.dictionary_models and lang not in args.name_codes:
            models.append((lang + DICTIONARY_MODEL_SUFFIX, True))
        for name, name_codes in models:
            nlp = train_ner(
                lang, docs, extra_docs=extra, seed=args.seed, settings=settings_of(args), vectors=vectors_of(args, lang),
                name_codes=name_codes,
            )
            (args.out / "ner").mkdir(parents=True, exist_ok=True)
            save_without_corpus_strings(nlp, args.out / "ner" / name)
            print(f"{lang}: wrote {args.out / 'ner' / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
