"""Training and cross-validation helpers for the boilerplate classifier.

Used by ``training/train_boilerplate.py`` (which writes the shipped model) and by
``benchmarks/boilerplate.py`` (which scores textpipe only on sites it was not trained on). The data
is a JSONL(.gz) file of pages ``{id, lang, source, url?, html, text, gold, without?}``.

Fitting needs scikit-learn (a training-time dependency); running the model does not.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .boilerplate_features import CONTEXT_FEATURES, FEATURES, PageExtras, Terms, context_features, page_features
from .boilerplate_model import BoilerplateModel, TreeModel, fit, gold_labels, load_lexicon, site_key
from .document import Document
from .resources import load_package_toml
from .stage import build_config
from .stages.blocks import Blocks
from .stages.read import Read

#: the boosted trees' settings (scikit-learn GradientBoostingClassifier)
PARAMS: dict[str, Any] = {
    "max_iter": 150,
    "learning_rate": 0.1,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "max_bins": 63,
}
#: the second (stacked) stage's settings
PARAMS_STAGE2: dict[str, Any] = {
    "max_iter": 100,
    "learning_rate": 0.1,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "max_bins": 63,
}
#: the second stage's members: the context features each is trained on
STAGE2_MEMBERS: tuple[tuple[str, ...], ...] = (
    CONTEXT_FEATURES,
    tuple(f for f in CONTEXT_FEATURES if not f.startswith("cohesion")),
)
FOLDS = 5
_WADDLE_DOMAIN = re.compile(r"^[^/]*/\d+_([^_]+)_")


@dataclass
class Page:
    """One page of the data set in one input format, with features and training labels."""

    row: dict[str, Any]
    fmt: str
    doc: Document
    texts: list[str]
    X: np.ndarray
    y: np.ndarray
    words: np.ndarray
    site: str
    terms: Terms | None = None


def read_pages(path: str | Path) -> list[dict[str, Any]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def page_site(row: dict[str, Any]) -> str:
    """The site of a data-set page: its URL's host, else the domain in a DAnIEL-style id, else its source."""
    if row.get("url"):
        return site_key({"url": row["url"]}, "")
    match = _WADDLE_DOMAIN.match(row.get("id", ""))
    if match:
        host = match.group(1).lower()
        return host[4:] if host.startswith("www.") else host
    return str(row.get("source", ""))


def site_folds(sites: Iterable[str], k: int = FOLDS) -> dict[str, int]:
    """A deterministic fold per site: sites ordered by a hash of their name, dealt round-robin."""
    ordered = sorted(set(sites), key=lambda s: hashlib.sha1(s.encode("utf-8")).hexdigest())
    return {site: i % k for i, site in enumerate(ordered)}


def readers() -> tuple[Read, Blocks]:
    """The default pipeline's read and blocks stages (the way documents reach the boilerplate stage)."""
    config = load_package_toml("pipelines", "default.toml")
    read = Read(build_config(Read.Config, config["read"], "read"))
    blocks = Blocks(build_config(Blocks.Config, config["blocks"], "blocks"))
    return read, blocks


def to_document(row: dict[str, Any], fmt: str, read: Read, blocks: Blocks) -> Document:
    doc = read.read_one(row[fmt], id=row["id"], format=fmt, source=row.get("source", ""), meta={"url": row.get("url")} if row.get("url") else {})
    if doc.error is None:
        doc = blocks.process(doc)
    return doc


def build_pages(rows: Sequence[dict[str, Any]], formats: Sequence[str] = ("text", "html"), lexicon: str = "builtin") -> list[Page]:
    lex = load_lexicon(lexicon)
    read, blocks = readers()
    pages = []
    for row in rows:
        site = page_site(row)
        for fmt in formats:
            if not row.get(fmt):
                continue
            doc = to_document(row, fmt, read, blocks)
            if doc.error is not None:
                continue
            texts = [doc.text[b.start : b.end] for b in doc.blocks]
            extras = PageExtras()
            X = page_features(texts, [b.hints for b in doc.blocks], lex, extras)
            y = np.asarray(gold_labels(texts, row["gold"]), dtype=np.int8)
            words = np.expm1(X[:, 0]).round()
            pages.append(Page(row, fmt, doc, texts, X, y, words, site, extras.terms))
    return pages


def _page_weights(pages: Sequence[Page]) -> list[np.ndarray]:
    """Rows weigh by their words (the score counts words), capped, and each page weighs the same."""
    out = []
    for page in pages:
        w = np.sqrt(np.minimum(page.words, 200.0)) + 0.5
        out.append(w * (100.0 / max(w.sum(), 1e-9)))
    return out


def _fit(pages: Sequence[Page], matrices: Sequence[np.ndarray], params: dict[str, Any], features: Sequence[str]) -> TreeModel:
    keep = [p.words > 0 for p in pages]  # blocks without words are boilerplate by rule
    X = np.concatenate([m[k] for m, k in zip(matrices, keep)])
    y = np.concatenate([p.y[k] for p, k in zip(pages, keep)])
    w = np.concatenate([w[k] for w, k in zip(_page_weights(pages), keep)])
    return fit(X, y, params, sample_weight=w, features=features)


def train(
    pages: Sequence[Page], stacked: bool = True, params: dict[str, Any] | None = None, params_stage2: dict[str, Any] | None = None
) -> BoilerplateModel:
    """Fit the first stage on ``pages``; then, if ``stacked``, the second stage on the first stage's
    out-of-fold probabilities (inner folds by site, so it learns from honest probabilities).
    ``params`` / ``params_stage2``: the trees' settings (default ``PARAMS`` / ``PARAMS_STAGE2``)."""
    params = PARAMS if params is None else params
    params_stage2 = PARAMS_STAGE2 if params_stage2 is None else params_stage2
    stage1 = _fit(pages, [p.X for p in pages], params, FEATURES)
    if not stacked:
        return BoilerplateModel(stage1)
    folds = site_folds(p.site for p in pages)
    oof: dict[int, np.ndarray] = {}
    for k in range(FOLDS):
        inner = _fit([p for p in pages if folds[p.site] != k], [p.X for p in pages if folds[p.site] != k], params, FEATURES)
        for i, p in enumerate(pages):
            if folds[p.site] == k:
                oof[i] = inner.predict_proba(p.X)
    Z = [context_features(oof[i], p.X, p.terms) for i, p in enumerate(pages)]
    stage2 = []
    for features in STAGE2_MEMBERS:
        columns = [CONTEXT_FEATURES.index(f) for f in features]
        stage2.append(_fit(pages, [z[:, columns] for z in Z], params_stage2, features))
    return BoilerplateModel(stage1, stage2)


def body_prior(pages: Sequence[Page]) -> float:
    y = np.concatenate([p.y[p.words > 0] for p in pages])
    return float(y.mean()) if len(y) else 0.5
