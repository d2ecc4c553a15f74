"""The language-identification data on disk, and its deterministic train / dev / test split.

``training/train_langid.py`` trains on the *train* part, fits its few settings and the calibration
on the *dev* part, and ``benchmarks/languages.py`` measures on the *test* part only. A sentence's
part is decided by a hash of its text, so the split needs no file and never changes.
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

#: the languages of the lid-dev corpus (one file ``<lang>.txt`` each, one sentence a line)
DATA_LANGS = ("en", "ru", "pl", "uk", "be", "bg", "cs", "sk")

_TOKEN = re.compile(r"[^\W\d_]+(?:['’ʼ\-][^\W\d_]+)*")


def part_of(sentence: str) -> str:
    """'train' (60%), 'dev' (10%) or 'test' (30%), from a hash of the sentence."""
    bucket = int.from_bytes(hashlib.sha1(sentence.encode("utf-8")).digest()[:4], "big") % 10
    return "test" if bucket >= 7 else "dev" if bucket == 6 else "train"


def read_sentences(data: Path, lang: str) -> list[str]:
    """The distinct non-blank lines of ``data/<lang>.txt``, in file order."""
    seen: set[str] = set()
    out: list[str] = []
    for line in (data / f"{lang}.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and line not in seen:
            seen.add(line)
            out.append(line)
    return out


def load_split(data: Path, part: str, langs: tuple[str, ...] = DATA_LANGS) -> dict[str, list[str]]:
    return {lang: [s for s in read_sentences(data, lang) if part_of(s) == part] for lang in langs}


def tokens(sentence: str) -> list[str]:
    return _TOKEN.findall(sentence)


def cut_items(sentences: list[str], kind: str, count: int, seed: int, min_letters: int = 3) -> list[str]:
    """``count`` items of one kind cut at random (seeded) from the sentences:

    * ``word``: one word of at least ``min_letters`` letters, as written (case kept);
    * ``pair``: two consecutive words, each of at least 2 letters, joined by a space;
    * ``sentence``: a whole sentence.
    """
    rng = random.Random(f"{seed}-{kind}")
    candidates: list[str] = []
    for sentence in sentences:
        words = tokens(sentence)
        if kind == "word":
            candidates.extend(w for w in words if sum(c.isalpha() for c in w) >= min_letters)
        elif kind == "pair":
            candidates.extend(
                f"{a} {b}" for a, b in zip(words, words[1:]) if len(a) >= 2 and len(b) >= 2
            )
        elif kind == "sentence":
            if any(c.isalpha() for c in sentence):
                candidates.append(sentence)
        else:
            raise ValueError(kind)
    if len(candidates) <= count:
        return candidates
    return rng.sample(candidates, count)
