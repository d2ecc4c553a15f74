"""``textpipe eval``: score every stage of a pipeline against a gold corpus.

A corpus folder holds ``pages/<stem>.<ext>`` and ``gold/<stem>.json`` (the format is described in
``corpus/README.md``). Scores:

- body: word-level precision/recall/F1 of the body against the gold body (bags of lower-cased
  ``\\w+`` tokens, as in the ScrapingHub and WCXB benchmarks), averaged over pages; line recall and
  precision (body blocks equal to gold lines, white space folded); boilerplate kinds right, and
  boilerplate blocks leaked into the body;
- lang: the page's language; segments: gold phrases all of whose letters carry the gold language;
- names: exact-span precision/recall/F1, then on matched names label, lemma and each scheme's
  romanization.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .document import BODY, Document
from .pipeline import Pipeline

_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


def evaluate_corpus(corpus: str | Path, pipeline: str = "default") -> dict[str, Any]:
    corpus = Path(corpus)
    pages = sorted(p for p in (corpus / "pages").iterdir() if p.is_file() and not p.name.startswith("."))
    pipe = Pipeline.load(pipeline)
    rows = []
    for page in pages:
        gold_path = corpus / "gold" / f"{page.stem}.json"
        if not gold_path.is_file():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        fmt = "html" if page.suffix.lower() in (".html", ".htm") else "text"
        doc = pipe(page.read_bytes(), id=page.stem, format=fmt)
        rows.append(score_page(page.name, doc, gold))
    return summarize(rows)


def score_page(name: str, doc: Document, gold: dict[str, Any]) -> dict[str, Any]:
    if doc.error is not None:
        return {"page": name, "error": doc.error.to_dict()}
    return {
        "page": name,
        "body": word_prf(doc.body, "\n".join(gold["body"])),
        "lines": _line_scores(doc, gold["body"]),
        "kinds": _kind_scores(doc, gold.get("boilerplate", [])),
        "lang": {"gold": gold["lang"], "found": doc.lang},
        "segments": _segment_scores(doc, gold.get("segments", [])),
        "names": _name_scores(doc, gold.get("names", [])),
    }


def word_prf(found: str, gold: str) -> dict[str, float]:
    """Word-level precision, recall, F1 of two texts as bags of lower-cased ``\\w+`` tokens."""
    found_bag, gold_bag = Counter(_TOKEN.findall(found.lower())), Counter(_TOKEN.findall(gold.lower()))
    if not found_bag and not gold_bag:
        return {"p": 1.0, "r": 1.0, "f1": 1.0}
    overlap = sum((found_bag & gold_bag).values())
    p = overlap / sum(found_bag.values()) if found_bag else 0.0
    r = overlap / sum(gold_bag.values()) if gold_bag else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _line_scores(doc: Document, gold_lines: list[str]) -> dict[str, int]:
    found = Counter(_fold(doc.text[b.start : b.end]) for b in doc.body_blocks)
    gold = Counter(_fold(line) for line in gold_lines)
    return {"matched": sum((found & gold).values()), "found": sum(found.values()), "gold": sum(gold.values())}


def _kind_scores(doc: Document, gold_boilerplate: list[dict[str, Any]]) -> dict[str, Any]:
    """Each gold boilerplate entry against the block holding its occurrence."""
    right, leaked, unmatched, confusions = 0, 0, 0, Counter[str]()
    for entry in gold_boilerplate:
        start = find_occurrence(doc.text, entry["text"], entry.get("occurrence", 1))
        block = next((b for b in doc.blocks if b.start <= start < b.end), None) if start >= 0 else None
        if block is None:
            unmatched += 1
            continue
        role, kind = block.role, block.kind
        if role == BODY:
            leaked += 1
        elif kind == entry["kind"]:
            right += 1
        else:
            confusions[f"{entry['kind']}->{kind}"] += 1
    return {"right": right, "total": len(gold_boilerplate), "leaked": leaked, "unmatched": unmatched, "confusions": dict(confusions)}


def find_occurrence(text: str, phrase: str, occurrence: int = 1) -> int:
    """Start of the ``occurrence``-th (1-based) whole-word appearance of ``phrase`` in ``text``
    (not preceded or followed by a letter, digit or ``_``), or -1."""
    pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
    for number, match in enumerate(pattern.finditer(text), start=1):
        if number == occurrence:
            return match.start()
    return -1


def _segment_scores(doc: Document, gold_segments: list[dict[str, Any]]) -> dict[str, Any]:
    right, missing, wrong = 0, 0, []
    for entry in gold_segments:
        start = find_occurrence(doc.text, entry["text"], entry.get("occurrence", 1))
        if start < 0:
            missing += 1
            continue
        langs = _letter_langs(doc, start, start + len(entry["text"]))
        if langs == {entry["lang"]}:
            right += 1
        else:
            wrong.append(f"{entry['text'][:40]!r}: {entry['lang']} -> {'/'.join(sorted(langs)) or 'none'}")
    return {"right": right, "total": len(gold_segments), "missing": missing, "wrong": wrong}


def _letter_langs(doc: Document, start: int, end: int) -> set[str]:
    langs: set[str] = set()
    for i in range(start, end):
        if doc.text[i].isalpha():
            langs.add(next((s.lang for s in doc.segments if s.start <= i < s.end), "none"))
    return langs


def _name_scores(doc: Document, gold_names: list[dict[str, Any]]) -> dict[str, Any]:
    found = {(n.start, n.end): n for n in doc.names}
    matched, label, lemma, missing_text = 0, 0, 0, 0
    translit: dict[str, Counter[str]] = {}
    misses = []
    for entry in gold_names:
        start = find_occurrence(doc.text, entry["text"], entry.get("occurrence", 1))
        if start < 0:
            missing_text += 1
            continue
        name = found.get((start, start + len(entry["text"])))
        if name is None:
            misses.append(entry["text"])
            continue
        matched += 1
        label += name.label == entry.get("label")
        lemma += (name.lemma or name.text) == (entry.get("lemma") or entry["text"])
        for scheme, expected in entry.get("translit", {}).items():
            tally = translit.setdefault(scheme, Counter())
            tally["total"] += 1
            tally["right"] += name.translit.get(scheme) == expected
    return {
        "matched": matched, "found": len(found), "gold": len(gold_names) - missing_text,
        "label": label, "lemma": lemma, "translit": {s: dict(c) for s, c in translit.items()}, "misses": misses,
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if "error" not in r]
    report: dict[str, Any] = {"pages": len(rows), "errors": [r for r in rows if "error" in r], "per_page": rows}
    if not ok:
        return report
    report["body"] = {k: sum(r["body"][k] for r in ok) / len(ok) for k in ("p", "r", "f1")}
    report["lines"] = _ratio_pr(_sum(r["lines"] for r in ok))
    kinds = _sum(r["kinds"] for r in ok)
    report["kinds"] = {"accuracy": _div(kinds["right"], kinds["total"]), "leaked": kinds["leaked"], "total": kinds["total"]}
    report["lang"] = {"accuracy": _div(sum(r["lang"]["gold"] == r["lang"]["found"] for r in ok), len(ok))}
    segments = _sum(r["segments"] for r in ok)
    report["segments"] = {"accuracy": _div(segments["right"], segments["total"]), "total": segments["total"]}
    names = _sum(r["names"] for r in ok)
    report["names"] = {**_ratio_pr(names), "label": _div(names["label"], names["matched"]), "lemma": _div(names["lemma"], names["matched"])}
    schemes: dict[str, Counter[str]] = {}
    for r in ok:
        for scheme, tally in r["names"]["translit"].items():
            schemes.setdefault(scheme, Counter()).update(tally)
    report["translit"] = {s: {"accuracy": _div(c["right"], c["total"]), "total": c["total"]} for s, c in sorted(schemes.items())}
    return report


def _sum(dicts: Iterable[dict[str, Any]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for d in dicts:
        total.update({k: v for k, v in d.items() if isinstance(v, (int, float)) and not isinstance(v, bool)})
    return total


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _ratio_pr(c: Counter[str]) -> dict[str, float]:
    p, r = _div(c["matched"], c["found"]), _div(c["matched"], c["gold"])
    return {"p": p, "r": r, "f1": _div(2 * p * r, p + r)}


def format_report(report: dict[str, Any], pages: bool = False) -> str:
    if not report["pages"]:
        return "no pages with gold found"
    lines = [f"textpipe eval: {report['pages']} pages, {len(report['errors'])} errors", ""]
    if "body" in report:
        b, ln, n = report["body"], report["lines"], report["names"]
        lines += [
            f"{'stage':<16}{'metric':<34}{'score':>8}",
            f"{'boilerplate':<16}{'body words P / R / F1':<34}{b['p']:>6.3f} / {b['r']:.3f} / {b['f1']:.3f}",
            f"{'':<16}{'body lines P / R':<34}{ln['p']:>6.3f} / {ln['r']:.3f}",
            f"{'':<16}{'boilerplate kinds right':<34}{report['kinds']['accuracy']:>8.3f}  (of {report['kinds']['total']})",
            f"{'':<16}{'boilerplate blocks leaked':<34}{report['kinds']['leaked']:>8}",
            f"{'languages':<16}{'page language right':<34}{report['lang']['accuracy']:>8.3f}",
            f"{'':<16}{'gold segments right':<34}{report['segments']['accuracy']:>8.3f}  (of {report['segments']['total']})",
            f"{'names':<16}{'exact span P / R / F1':<34}{n['p']:>6.3f} / {n['r']:.3f} / {n['f1']:.3f}",
            f"{'':<16}{'label right (matched)':<34}{n['label']:>8.3f}",
            f"{'':<16}{'lemma right (matched)':<34}{n['lemma']:>8.3f}",
        ]
        for scheme, score in report["translit"].items():
            lines.append(f"{'transliteration':<16}{scheme + ' right (matched)':<34}{score['accuracy']:>8.3f}  (of {score['total']})")
    for error in report["errors"]:
        lines.append(f"ERROR {error['page']}: {error['error']}")
    if pages:
        lines += ["", f"{'page':<44}{'body F1':>8}{'lang':>8}{'segs':>8}{'names':>8}"]
        for r in report["per_page"]:
            if "error" in r:
                continue
            s, n = r["segments"], r["names"]
            lines.append(
                f"{r['page']:<44}{r['body']['f1']:>8.3f}{r['lang']['found'] + ('' if r['lang']['found'] == r['lang']['gold'] else '!'):>8}"
                f"{s['right']:>4}/{s['total']:<3}{n['matched']:>4}/{n['gold']:<3}"
            )
    return "\n".join(lines)
