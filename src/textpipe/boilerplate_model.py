"""The boilerplate classifier: lexicon loading, training labels, the tree model and the smoothing.

* :func:`load_lexicon` reads ``data/boilerplate.toml`` (or a file of that shape).
* :func:`gold_labels` is the alignment rule that turns a page's blocks and its human gold body into
  training labels (1 = body).
* :class:`TreeModel` is a boosted ensemble of regression trees stored as JSON; prediction is numpy
  only (the trees were fitted by scikit-learn at training time, see ``training/train_boilerplate.py``).
* :func:`main_region` finds the article's stretch of blocks from the per-block probabilities: body
  is mostly one stretch, so a title or a short paragraph between body paragraphs stays body.
* :func:`site_key` names the site of a document, for the batch evidence of recurring lines.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from .boilerplate_features import (
    CONTEXT_FEATURES,
    FEATURES,
    Lexicon,
    Pages,
    Terms,
    context_features,
    max_sum_runs,
)
from .resources import load_package_toml, load_toml, package_path

_TOKEN = re.compile(r"\w+")


# -- lexicon ---------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def load_lexicon(source: str = "builtin") -> Lexicon:
    """The lexicon: ``"builtin"`` (``textpipe/data/boilerplate.toml``) or a path to such a file."""
    data = load_package_toml("data", "boilerplate.toml") if source == "builtin" else load_toml(source)
    data = dict(data)
    hints: dict[str, str] = {}
    for kind, tokens in data.pop("html_hints").items():
        for token in tokens:
            hints.setdefault(token, kind)
    body = frozenset(data.pop("html_body_hints", {}).get("tokens", ()))
    stopwords = {lang: frozenset(words) for lang, words in data.pop("stopwords", {}).items()}
    return Lexicon.build(data, hints, body, stopwords)


# -- training labels -------------------------------------------------------------------------------
def gold_labels(texts: Sequence[str], gold: str, min_cover: float = 0.5) -> list[int]:
    """1 for the blocks that belong to the gold body, 0 for the others.

    The rule, on lower-cased ``\\w+`` tokens: a block whose tokens equal those of a whole gold line
    is body; a block of three tokens or more is body when at least ``min_cover`` of its tokens sit
    in a token trigram that also occurs in the gold body; a two-token block is body when its bigram
    occurs in the gold body; other one-token blocks and blocks without tokens are boilerplate.
    (On the development pages, selecting exactly the blocks labelled body scores word F1 0.966
    against the gold; the rest is gold text that no dump line carries.)
    """
    gold_lines = [_TOKEN.findall(line.lower()) for line in gold.splitlines()]
    flat = [t for line in gold_lines for t in line]
    trigrams = set(zip(flat, flat[1:], flat[2:]))
    bigrams = set(zip(flat, flat[1:]))
    whole = {tuple(line) for line in gold_lines if line}
    labels = []
    for text in texts:
        tokens = _TOKEN.findall(text.lower())
        k = len(tokens)
        if k == 0:
            labels.append(0)
        elif tuple(tokens) in whole:
            labels.append(1)
        elif k >= 3:
            covered = [False] * k
            for i in range(k - 2):
                if (tokens[i], tokens[i + 1], tokens[i + 2]) in trigrams:
                    covered[i] = covered[i + 1] = covered[i + 2] = True
            labels.append(int(sum(covered) >= min_cover * k))
        elif k == 2:
            labels.append(int((tokens[0], tokens[1]) in bigrams))
        else:
            labels.append(0)
    return labels


# -- the model -------------------------------------------------------------------------------------
class TreeModel:
    """Gradient-boosted regression trees (log-loss), evaluated with numpy.

    Every tree is stored as flat arrays over its nodes (a leaf points to itself). Prediction does
    not walk the trees: it compares every row with every split at once and finds each row's leaf
    with bit masks (QuickScorer, Lucchese et al. 2015): a split whose test is true rules out the
    leaves of its left subtree, and the row's leaf is the leftmost leaf no true split ruled out.
    Its cost is one comparison per row and distinct (feature, threshold) test, and a few bit
    operations per row and split, whatever the depth of the trees (see ``Forest``).
    """

    def __init__(self, spec: dict[str, Any], features: Sequence[str] = FEATURES) -> None:
        if list(spec["features"]) != list(features):
            raise ValueError("the boilerplate model was trained on other features; retrain it (training/train_boilerplate.py)")
        self.spec = spec
        self.features = tuple(features)
        self.init = float(spec["init"])
        self.depth = int(spec["depth"])
        feature = np.asarray(spec["feature"], dtype=np.intp)
        threshold = np.asarray(spec["threshold"], dtype=np.float64)
        left = np.asarray(spec["left"], dtype=np.intp)
        right = np.asarray(spec["right"], dtype=np.intp)
        value = np.asarray(spec["value"], dtype=np.float64)
        self.trees = feature.shape[0]
        tables = [_leaf_masks(left[t], right[t]) for t in range(self.trees)]
        self._splits = max(1, max(len(splits) for splits, _, _ in tables))
        leaves = max(len(order) for _, _, order in tables)
        if leaves > 64:
            raise ValueError(f"boilerplate model: trees of {leaves} leaves (at most 64 are supported)")
        self._mask_type = np.uint16 if leaves <= 16 else np.uint32 if leaves <= 32 else np.uint64
        shape = (self.trees, self._splits)
        self._feature = np.zeros(shape, dtype=np.intp)
        self._threshold = np.full(shape, np.inf)
        self._mask = np.full(shape, np.iinfo(self._mask_type).max, dtype=self._mask_type)  # leaves a true test leaves
        self._leaf_value = np.zeros((self.trees, leaves))
        for t, (splits, masks, order) in enumerate(tables):
            self._feature[t, : len(splits)] = feature[t, splits]
            self._threshold[t, : len(splits)] = threshold[t, splits]
            self._mask[t, : len(splits)] = masks
            self._leaf_value[t, : len(order)] = value[t, order]
        self._feature = self._feature.ravel()
        self._threshold = _float32_below(self._threshold.ravel())[:, None]
        self._ruled_out = (~self._mask.ravel())[:, None]
        self._own_forest: Forest | None = None  # built when first used (a second-stage member is read by its stage's forest)

    @classmethod
    def load(cls, path: str | Path) -> TreeModel:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.spec, separators=(",", ":")) + "\n", encoding="utf-8")

    def decision(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (log-odds of body), one a row of ``X``."""
        if X.shape[0] == 0:
            return np.zeros(0)
        return self._forest.decisions(np.ascontiguousarray(np.asarray(X, dtype=np.float32).T))[0]

    @property
    def _forest(self) -> Forest:
        if self._own_forest is None:
            self._own_forest = Forest([self], [range(len(self.features))])
        return self._own_forest

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of body, one a row of ``X``."""
        return _probability(self.decision(X))

    @classmethod
    def from_sklearn(cls, clf: Any, features: Sequence[str] = FEATURES) -> TreeModel:
        """Export a fitted binary ``sklearn.ensemble.HistGradientBoostingClassifier``."""
        trees = [pred[0].nodes for pred in clf._predictors]
        width = max(len(t) for t in trees)
        depth = max(int(t["depth"].max()) for t in trees)
        T = len(trees)
        feature = np.zeros((T, width), dtype=np.int64)
        threshold = np.full((T, width), np.inf)
        left = np.tile(np.arange(width), (T, 1))
        right = left.copy()
        value = np.zeros((T, width))
        for k, nodes in enumerate(trees):
            m = len(nodes)
            inner = ~nodes["is_leaf"].astype(bool)
            feature[k, :m] = np.where(inner, nodes["feature_idx"], 0)
            threshold[k, :m] = np.where(inner, nodes["num_threshold"], np.inf)
            left[k, :m] = np.where(inner, nodes["left"], np.arange(m))
            right[k, :m] = np.where(inner, nodes["right"], np.arange(m))
            value[k, :m] = np.where(inner, 0.0, nodes["value"])
        spec = {
            "format": "textpipe-boilerplate-gbt-1",
            "features": list(features),
            "init": float(np.ravel(clf._baseline_prediction)[0]),
            "depth": depth,
            "feature": feature.tolist(),
            "threshold": [[x if math.isfinite(x) else 1e300 for x in row] for row in threshold.tolist()],
            "left": left.tolist(),
            "right": right.tolist(),
            "value": [[round(x, 6) for x in row] for row in value.tolist()],
        }
        return cls(spec, features)


def _float32_below(thresholds: np.ndarray) -> np.ndarray:
    """The largest float32 at or below each threshold: for a float32 ``x``, ``x > t`` exactly when
    ``x > _float32_below(t)``, so the features can be compared in float32 (they are float32)."""
    with np.errstate(over="ignore"):  # 1e300 (the export's infinity) becomes inf, then the largest float32
        low = thresholds.astype(np.float32)
    above = low.astype(np.float64) > thresholds
    low[above] = np.nextafter(low[above], np.float32(-np.inf))
    return low


def _leaf_masks(left: np.ndarray, right: np.ndarray) -> tuple[list[int], list[int], list[int]]:
    """A tree's splits, for each split the bit mask of the leaves that survive its test being true
    (all but those of its left subtree), and its leaves from left to right (bit k: the k-th)."""
    lefts, rights = left.tolist(), right.tolist()
    order: list[int] = []
    left_leaves: dict[int, int] = {}  # split -> the bit mask of the leaves of its left subtree

    def visit(node: int) -> int:  # the bit mask of the leaves under ``node``
        if lefts[node] == node:
            order.append(node)
            return 1 << (len(order) - 1)
        below = visit(lefts[node])
        left_leaves[node] = below
        return below | visit(rights[node])

    visit(0)
    everything = (1 << len(order)) - 1
    splits = sorted(left_leaves)
    return splits, [everything & ~left_leaves[s] for s in splits], order


class Forest:
    """Several tree ensembles evaluated in one QuickScorer pass (see ``TreeModel``): their splits are
    stacked, each reading its ensemble's features from one matrix of columns (``columns[k]``: the
    input column of the ensemble's k-th feature). One pass costs a fixed numpy overhead once, not
    once per ensemble, and the second stage's members, which read the same context features, share
    it. Each ensemble's raw score is summed over its own trees in its own order, so the scores are
    exactly those of ``TreeModel`` evaluated one by one."""

    def __init__(self, members: Sequence[TreeModel], columns: Sequence[Sequence[int]]) -> None:
        self.inits = [m.init for m in members]
        splits = max(m._splits for m in members)
        self._mask_type = max((m._mask_type for m in members), key=lambda t: np.dtype(t).itemsize)
        leaves = max(m._leaf_value.shape[1] for m in members)
        features, thresholds, ruled_out, values = [], [], [], []
        for member, cols in zip(members, columns):
            pad = splits - member._splits  # missing splits: never true, rule nothing out
            feature = np.asarray(cols, dtype=np.intp)[member._feature].reshape(member.trees, member._splits)
            features.append(np.pad(feature, ((0, 0), (0, pad))).ravel())
            thresholds.append(np.pad(member._threshold.reshape(member.trees, member._splits), ((0, 0), (0, pad)), constant_values=np.inf).ravel())
            ruled_out.append(np.pad(member._ruled_out.reshape(member.trees, member._splits).astype(self._mask_type), ((0, 0), (0, pad))).ravel())
            values.append(np.pad(member._leaf_value, ((0, 0), (0, leaves - member._leaf_value.shape[1]))))
        self._splits = splits
        self.trees = sum(m.trees for m in members)
        self._bounds = np.cumsum([0] + [m.trees for m in members]).tolist()
        # many splits test the same feature against the same threshold (the trees share their bins):
        # each distinct test is made once a row, then copied to its splits
        tests = np.stack([np.concatenate(features).astype(np.float64), np.concatenate(thresholds).astype(np.float64)], axis=1)
        distinct, test_of_split = np.unique(tests, axis=0, return_inverse=True)
        self._test_feature = distinct[:, 0].astype(np.intp)
        self._test_threshold = distinct[:, 1].astype(np.float32)[:, None]
        # the splits are listed tree by tree; evaluated split rank by split rank (the k-th split of
        # every tree together), so that a tree's masks are OR-ed across whole contiguous rows
        by_rank = np.arange(self.trees * splits).reshape(self.trees, splits).T.ravel()
        self._test_of_split = test_of_split.ravel().astype(np.intp)[by_rank]
        self._ruled_out = np.concatenate(ruled_out)[by_rank][:, None]
        self._values = np.concatenate(values).ravel()
        self._leaf_offset = (np.arange(self.trees, dtype=np.intp) * leaves)[:, None]

    def decisions(self, columns: np.ndarray) -> list[np.ndarray]:
        """Raw scores of each ensemble for the rows whose features are the columns of ``columns``
        (features x rows, float32), ``_CHUNK_ROWS`` rows at a time (a batch's arrays of splits x
        rows would not stay in the processor's cache). A row's score does not depend on the rows
        scored with it, to the bit (see ``_sums``)."""
        n = columns.shape[1]
        parts = [self._sums(columns[:, start:end]) for start, end in pairwise([*range(0, n, _CHUNK_ROWS), n])]
        return [init + (parts[0][k] if len(parts) == 1 else np.concatenate([part[k] for part in parts])) for k, init in enumerate(self.inits)]

    def _sums(self, columns: np.ndarray) -> list[np.ndarray]:
        """Per ensemble, the sum of its trees' values for each row, tree after tree. (numpy sums
        the values of a lone row pairwise, which differs in the last bits: a lone row is summed
        beside a copy of itself.)"""
        n = columns.shape[1]
        tests = columns.take(self._test_feature, axis=0) > self._test_threshold  # (distinct tests, rows)
        ruled_out = tests.astype(self._mask_type).take(self._test_of_split, axis=0)  # (splits, rows): 1 where true
        ruled_out *= self._ruled_out  # the leaves each true split rules out
        ruled_out = np.bitwise_or.reduce(ruled_out.reshape(self._splits, self.trees, n), axis=0)  # (trees, rows)
        if self._mask_type is np.uint16:
            leaf = _first_alive_16().take(ruled_out)
        else:
            alive = ~ruled_out
            lowest = alive & (~alive + self._mask_type(1))  # the leftmost leaf left: the lowest bit set
            leaf = np.log2(lowest.astype(np.float64)).astype(np.intp)
        leaf += self._leaf_offset
        values = self._values.take(leaf)  # (trees, rows), summed below tree by tree as ``TreeModel`` does
        if n == 1:
            values = np.repeat(values, 2, axis=1)
        bounds = self._bounds
        return [values[bounds[k] : bounds[k + 1]].sum(axis=0)[:n] for k in range(len(self.inits))]


#: rows scored at a time by ``Forest.decisions``
_CHUNK_ROWS = 512


def _probability(decision: np.ndarray) -> np.ndarray:
    """Body probability from the trees' raw score (log-odds)."""
    return 1.0 / (1.0 + np.exp(-decision))


@lru_cache(maxsize=1)
def _first_alive_16() -> np.ndarray:
    """For every 16-bit set of ruled-out leaves, the index of the first leaf left (0 if none)."""
    alive = ~np.arange(1 << 16, dtype=np.int64) & 0xFFFF
    return np.log2(np.maximum(alive & -alive, 1)).astype(np.intp)


def fit(X: np.ndarray, y: np.ndarray, params: dict[str, Any], sample_weight: np.ndarray | None = None, features: Sequence[str] = FEATURES) -> TreeModel:
    """Fit the boosted trees (scikit-learn is needed here, at training time only)."""
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit("training the boilerplate model needs scikit-learn: pip install scikit-learn") from exc
    clf = HistGradientBoostingClassifier(random_state=0, early_stopping=False, **params)
    clf.fit(X, y, sample_weight=sample_weight)
    model = TreeModel.from_sklearn(clf, features)
    check = X[: min(len(X), 500)]
    if not np.allclose(model.decision(check), clf.decision_function(check), atol=1e-4):
        raise AssertionError("exported trees disagree with scikit-learn")
    return model


class BoilerplateModel:
    """Two stacked stages of tree ensembles: the first scores each block from its own and its
    neighbours' features; the second re-scores it from the first's probabilities along the page
    (``boilerplate_features.context_features``). The second stage averages the probabilities of
    its members, each trained on its own subset of the context features (with and without the
    lexical cohesion): members that see the page differently make fewer errors together."""

    FORMAT = "textpipe-boilerplate-3"

    def __init__(self, stage1: TreeModel, stage2: Sequence[TreeModel] = ()) -> None:
        self.stage1, self.stage2 = stage1, tuple(stage2)
        unknown = {f for member in self.stage2 for f in member.features} - set(CONTEXT_FEATURES)
        if unknown:
            raise ValueError(f"boilerplate model: unknown context features {sorted(unknown)}; retrain it (training/train_boilerplate.py)")
        self._columns = [[CONTEXT_FEATURES.index(f) for f in member.features] for member in self.stage2]
        self._stage2_forest = Forest(self.stage2, self._columns) if self.stage2 else None

    def predict_proba(self, X: np.ndarray, terms: Terms | None = None, pages: Pages | None = None) -> np.ndarray:
        """Body probability per block; ``terms`` (from ``page_features``' extras) feed the cohesion
        features. ``pages``: the pages of a batch (``batch_features``), scored at once, each as if
        alone (None: one page)."""
        p = self.stage1.predict_proba(X)
        if not self.stage2 or len(p) == 0:
            return p
        Z = context_features(p, X, terms, pages)
        assert self._stage2_forest is not None
        decisions = self._stage2_forest.decisions(np.ascontiguousarray(Z.T))
        return np.array([_probability(d) for d in decisions]).mean(axis=0)

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.FORMAT, "stage1": self.stage1.spec, "stage2": [member.spec for member in self.stage2]}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> BoilerplateModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != cls.FORMAT:
            raise ValueError(f"{path}: not a textpipe boilerplate model (format {data.get('format')!r}); retrain it (training/train_boilerplate.py)")
        return cls(TreeModel(data["stage1"]), [TreeModel(spec, spec["features"]) for spec in data["stage2"]])

    @property
    def trees(self) -> int:
        return self.stage1.trees + sum(member.trees for member in self.stage2)


@lru_cache(maxsize=4)
def load_model(source: str = "builtin") -> BoilerplateModel:
    """The shipped model (``textpipe/models/boilerplate/model.json``) or the one at a path."""
    path = package_path("models", "boilerplate", "model.json") if source == "builtin" else Path(source)
    return BoilerplateModel.load(path)


# -- smoothing -------------------------------------------------------------------------------------
def main_region(p: np.ndarray, words: np.ndarray, threshold: float, word_exponent: float) -> tuple[int, int]:
    """The stretch of blocks ``[start, end]`` that is likeliest the article (``(-1, -2)`` if none).

    Each block scores ``max(words, 1) ** word_exponent * (p - threshold)``; the region is the run of
    consecutive blocks with the highest total (a maximum-sum subarray), so long confident paragraphs
    pull in the short blocks between them (titles, subheadings, short paragraphs) and a menu line
    that looks like prose far from the article stays out.
    """
    if len(p) == 0:
        return -1, -2
    start, end = main_regions(p, words, threshold, word_exponent, Pages.of([len(p)]))
    return int(start[0]), int(end[0])


def main_regions(p: np.ndarray, words: np.ndarray, threshold: float, word_exponent: float, pages: Pages) -> tuple[np.ndarray, np.ndarray]:
    """``main_region`` of each page of a batch: per page, ``start`` and ``end`` (places in the page)."""
    return max_sum_runs(np.maximum(words, 1.0) ** word_exponent * (p - threshold), pages)


# -- sites -----------------------------------------------------------------------------------------
def site_key(meta: dict[str, Any], source: str) -> str:
    """The site a document comes from: its URL's host (without ``www.``), else its source."""
    url = meta.get("url") or meta.get("WARC-Target-URI") or ""
    if isinstance(url, str) and url:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
        if host:
            return host[4:] if host.startswith("www.") else host
    site = meta.get("site") or meta.get("source") or source
    return str(site)
