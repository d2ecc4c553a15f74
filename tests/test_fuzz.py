"""Property-based tests: arbitrary bytes and text into every reader and the whole pipeline never
crash, never give an invalid offset, and account for every input."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import check_record
from textpipe.sources import iter_inputs

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text that looks like our pages: mixed scripts, brackets, quotes, newlines, odd code points.
page_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("abcxyzABCąęłżśАБВабвгёїєґўіыэъ ЁЇЎ .,;:!?()«»\"'’-–|•\n\t\r\x00\x85\u2028\ufeff\u0301")),
        st.characters(),
    ),
    max_size=400,
)


@FUZZ
@given(page_text)
def test_any_text_gives_a_valid_record(pipe, validator, text):
    record = pipe(text).to_dict()
    check_record(record, validator)
    if "error" in record:
        assert record["error"]["type"] == "EmptyDocument"


@FUZZ
@given(page_text)
def test_any_text_as_html_gives_a_valid_record(pipe, validator, text):
    html = f"<html><body><p>{text}</p><div><b>{text[:50]}</b><br>{text[50:]}</div></body></html>"
    check_record(pipe(html, format="html").to_dict(), validator)


@FUZZ
@given(st.binary(max_size=600), st.sampled_from(["text", "html"]))
def test_any_bytes_give_a_record_or_an_error_record(pipe, validator, data, fmt):
    check_record(pipe(data, format=fmt).to_dict(), validator)


@FUZZ
@given(st.lists(st.one_of(st.binary(max_size=80), page_text.map(lambda t: t.encode("utf-8", "surrogatepass"))), max_size=8), st.booleans())
def test_any_jsonl_bytes_account_for_every_line(pipe, validator, chunks, as_json):
    lines = []
    for chunk in chunks:
        if as_json:
            import json

            lines.append(json.dumps({"id": chunk.hex()[:8], "text": chunk.decode("utf-8", "replace")}).encode())
        else:
            lines.append(chunk.replace(b"\n", b" ").replace(b"\r", b" "))
    data = b"\n".join(lines) + b"\n"
    raws = list(iter_inputs(["-"], pipe.reader.limits, "jsonl", stdin=io.BufferedReader(io.BytesIO(data))))
    expected = sum(1 for line in data.split(b"\n") if line.strip())
    assert len(raws) == expected
    for doc in pipe.process(pipe.reader.run(raws)):
        check_record(doc.to_dict(), validator)


def test_deeply_nested_html_is_fine(pipe, validator):
    html = "<div>" * 20000 + "Deep text about the river and the bridge." + "</div>" * 20000
    record = pipe(html, format="html").to_dict()
    check_record(record, validator)
    assert "Deep text" in record["text"]


def test_very_long_line_and_nul_bytes(pipe, validator):
    text = ("word " * 200_000) + "\x00\x00 end of the line."
    record = pipe(text).to_dict()
    check_record(record, validator)
    assert "\x00" not in record["text"]
