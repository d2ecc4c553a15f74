from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from textpipe import Pipeline
from textpipe.resources import load_package_json

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = CORPUS / "pages" / "bynet-article.txt"


@pytest.fixture(scope="session")
def pipe() -> Pipeline:
    return Pipeline.load("default")


class RecordValidator:
    """The record JSON Schema's validator, with a short repr for hypothesis' failure reports."""

    def __init__(self) -> None:
        schema = load_package_json("schema", "record-v1.json")
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        self._validator = cls(schema)

    def validate(self, record: dict[str, Any]) -> None:
        self._validator.validate(record)

    def __repr__(self) -> str:
        return "RecordValidator(record-v1.json)"


@pytest.fixture(scope="session")
def validator() -> RecordValidator:
    return RecordValidator()


def check_record(record: dict[str, Any], validator: Any) -> None:
    """The record fits the JSON Schema and every offset invariant the schema cannot state."""
    validator.validate(record)
    if "error" in record:
        return
    text = record["text"]
    for block in record["blocks"]:
        assert 0 <= block["start"] < block["end"] <= len(text)
        assert (block["role"] == "body") == (block["kind"] is None)
    body = [text[b["start"] : b["end"]] for b in record["blocks"] if b["role"] == "body"]
    assert record["body"] == "\n".join(body)
    previous_end = 0
    for segment in record["segments"]:
        assert previous_end <= segment["start"] < segment["end"] <= len(text), "segments ordered, non-overlapping"
        previous_end = segment["end"]
    for name in record["names"]:
        assert text[name["start"] : name["end"]] == name["text"]
        assert name["latin"] == "" or not any("\u0400" <= c <= "\u04ff" for c in name["latin"])


def letter_langs(record: dict[str, Any], phrase: str, occurrence: int = 1) -> set[str]:
    """The languages the segments give to the letters of a phrase's ``occurrence``-th appearance."""
    text = record["text"]
    start = -1
    for _ in range(occurrence):
        start = text.index(phrase, start + 1)
    langs = set()
    for i in range(start, start + len(phrase)):
        if text[i].isalpha():
            langs.add(next((s["lang"] for s in record["segments"] if s["start"] <= i < s["end"]), None))
    return langs
