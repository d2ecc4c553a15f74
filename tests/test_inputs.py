"""Readers: formats, containers, encodings; and bad input that must become error records."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import orjson
import pytest

from conftest import check_record

RU = "Мэр города пообещал отремонтировать мост через реку до конца лета."
PL = "Rada miasta zdecydowała, że nowy most zostanie zbudowany do końca przyszłego roku."
EN_HTML = (
    "<html lang='en'><head><title>Bridge</title><meta charset='utf-8'></head><body>"
    "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
    "<article><h1>The new bridge</h1><p>The city council voted on Tuesday to build a new bridge over the river.</p>"
    "<p>Works should start in spring and last about two years, the mayor said.</p></article>"
    "<footer>© 2024 City News. All rights reserved.</footer></body></html>"
)


def run(pipe, tmp_path: Path, *inputs: str, fmt: str = "auto", stdin: bytes | None = None) -> list[dict]:
    out = tmp_path / "out.jsonl"
    pipe.run(list(inputs), str(out), fmt=fmt, stdin=io.BufferedReader(io.BytesIO(stdin)) if stdin is not None else None)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1251", "koi8-r"])
def test_russian_text_files_in_every_encoding(pipe, tmp_path, validator, encoding):
    page = tmp_path / "page.txt"
    page.write_bytes(f"{RU}\n\n{RU}\n".encode(encoding))
    [record] = run(pipe, tmp_path, str(page))
    check_record(record, validator)
    assert record["text"].startswith(RU)
    assert record["lang"] == "ru"


@pytest.mark.parametrize("encoding", ["iso-8859-2", "cp1250"])
def test_polish_text_files_in_legacy_encodings(pipe, tmp_path, encoding):
    page = tmp_path / "page.txt"
    page.write_bytes(f"{PL}\n\nŚwięto miasta odbędzie się w sobotę, a źródła finansowania są już znane.\n".encode(encoding))
    [record] = run(pipe, tmp_path, str(page))
    assert record["text"].startswith(PL)
    assert "Święto" in record["text"] and "źródła" in record["text"]


def test_html_file_respects_meta_charset(pipe, tmp_path, validator):
    html = EN_HTML.replace("utf-8", "windows-1251").replace("The new bridge", "The new bridge (Новый мост)")
    page = tmp_path / "page.html"
    page.write_bytes(html.encode("cp1251"))
    [record] = run(pipe, tmp_path, str(page))
    check_record(record, validator)
    assert "The new bridge (Новый мост)" in record["body"]
    assert "Home" not in record["body"] and "All rights reserved" not in record["body"]
    assert record["meta"]["title"] == "Bridge"


def test_jsonl_text_html_ids_and_meta(pipe, tmp_path, validator):
    lines = [
        {"id": "a", "text": RU, "url": "https://example.ru/a"},
        {"id": 7, "html": EN_HTML},
        {"text": PL},
    ]
    path = tmp_path / "pages.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    records = run(pipe, tmp_path, str(path))
    for record in records:
        check_record(record, validator)
    assert [r["id"] for r in records] == ["a", "7", "pages.jsonl.gz:3"]
    assert records[0]["meta"]["url"] == "https://example.ru/a"
    assert [r["lang"] for r in records] == ["ru", "en", "pl"]


def test_warc_html_responses_with_url_and_date(pipe, tmp_path, validator):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, body, ctype in [
            ("https://example.com/bridge", EN_HTML.encode(), "text/html; charset=utf-8"),
            ("https://example.com/logo.png", b"\x89PNG\r\n", "image/png"),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    [record] = run(pipe, tmp_path, str(path))
    check_record(record, validator)
    assert record["meta"]["url"] == "https://example.com/bridge"
    assert record["meta"]["date"]
    assert "voted on Tuesday" in record["body"]


def test_directories_recursively_several_paths_and_stdin(pipe, tmp_path):
    folder = tmp_path / "site"
    (folder / "deep").mkdir(parents=True)
    (folder / "a.txt").write_text(RU, encoding="utf-8")
    (folder / "deep" / "b.html").write_text(EN_HTML, encoding="utf-8")
    (folder / ".hidden.txt").write_text(PL, encoding="utf-8")
    single = tmp_path / "c.txt"
    single.write_text(PL, encoding="utf-8")
    records = run(pipe, tmp_path, str(folder), str(single), "-", stdin=RU.encode("cp1251"))
    assert [r["id"] for r in records] == ["a.txt", "deep/b.html", "c.txt", "stdin"]
    assert [r["lang"] for r in records] == ["ru", "en", "pl", "ru"]


def test_bad_inputs_become_error_records_and_the_run_goes_on(pipe, tmp_path, validator):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "1-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (folder / "2-empty.txt").write_bytes(b"")
    (folder / "3-broken-utf8.txt").write_bytes(RU.encode("utf-8")[:-1] + b"\xff " + RU.encode("utf-8"))
    (folder / "4-lines.jsonl").write_bytes(
        b'{"id": "ok", "text": "A fine line of English text about the new bridge."}\n'
        b"not json at all\n"
        b"[1, 2, 3]\n"
        b'{"id": "no-content", "title": "no text here"}\n'
        b'{"id": "surrogate", "text": "Lone \\ud800 surrogate in a sentence about bridges."}\n'
        b"\n"
        b'{"id": "truncated", "text": "cut off\n'
    )
    (folder / "5-fine.txt").write_text(PL, encoding="utf-8")
    records = run(pipe, tmp_path, str(folder), str(tmp_path / "missing.txt"))
    for record in records:
        check_record(record, validator)
    summary = [(r["id"], r["error"]["type"] if "error" in r else None) for r in records]
    assert summary == [
        ("1-binary.txt", "BinaryInput"),
        ("2-empty.txt", "EmptyDocument"),
        ("3-broken-utf8.txt", None),
        ("ok", None),
        ("4-lines.jsonl:2", "InvalidJSON"),
        ("4-lines.jsonl:3", "NotAnObject"),
        ("no-content", "MissingContent"),
        ("surrogate", None),
        ("4-lines.jsonl:7", "InvalidJSON"),
        ("5-fine.txt", None),
        ("missing.txt", "FileNotFoundError"),
    ]
    broken = records[2]
    assert broken["text"].startswith(RU[:-1]) and "\ufffd" in broken["text"]
    assert "\ufffd" in records[7]["text"]


def test_oversized_document_is_refused(tmp_path):
    from textpipe import Pipeline
    from textpipe.resources import load_package_toml

    config = load_package_toml("pipelines", "default.toml")
    config["read"]["max_document_bytes"] = 100
    pipe = Pipeline.from_dict(config)
    page = tmp_path / "big.txt"
    page.write_text("word " * 100, encoding="utf-8")
    [record] = run(pipe, tmp_path, str(page))
    assert record["error"]["type"] == "DocumentTooLarge"


def test_gzip_bomb_is_stopped(tmp_path):
    from textpipe import Pipeline
    from textpipe.resources import load_package_toml

    config = load_package_toml("pipelines", "default.toml")
    config["read"]["max_decompressed_bytes"] = 10_000
    pipe = Pipeline.from_dict(config)
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        for i in range(2000):
            handle.write(orjson.dumps({"id": str(i), "text": "x" * 100}) + b"\n")
    records = run(pipe, tmp_path, str(path))
    assert records[-1]["error"]["type"] == "ValueError"
    assert "decompression bound" in records[-1]["error"]["message"]
    assert len(records) < 200


def test_output_is_gzip_when_asked(pipe, tmp_path):
    page = tmp_path / "a.txt"
    page.write_text(RU, encoding="utf-8")
    out = tmp_path / "out.jsonl.gz"
    pipe.run([str(page)], str(out))
    [line] = gzip.decompress(out.read_bytes()).decode("utf-8").splitlines()
    assert json.loads(line)["lang"] == "ru"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_record_input_replaces_lone_surrogates_unless_known_free():
    from textpipe.sources import Limits, record_input

    limits = Limits(1000, 10_000, "html")
    obj = {"id": "s", "text": "Most \ud800 przez rzekę", "note": ["a\udc00", {"k\ud800": "v"}]}
    raw = record_input(obj, "fallback", "<test>", limits)
    assert raw.content == "Most \ufffd przez rzekę"
    assert raw.meta == {"note": ["a\ufffd", {"k\ufffd": "v"}]}
    # A line orjson parsed cannot hold lone surrogates: it is taken as it is, not scanned again.
    clean = {"id": "c", "text": RU, "note": ["a", {"k": "v"}]}
    raw = record_input(clean, "fallback", "<test>", limits, 3, surrogate_free=True)
    assert raw.content is clean["text"] and raw.meta == {"note": ["a", {"k": "v"}], "line": 3}


def test_jsonl_lone_surrogates_in_meta_fields(pipe, tmp_path):
    path = tmp_path / "pages.jsonl"
    path.write_bytes(
        b'{"id": "a", "text": "' + RU.encode() + b'", "author": "Ann\\udc00a"}\n'
        b'{"id": "b", "text": "' + PL.encode() + b'", "author": "Zofia"}\n'
    )
    records = run(pipe, tmp_path, str(path))
    assert [r["id"] for r in records] == ["a", "b"]
    assert records[0]["meta"]["author"] == "Ann\ufffda" and records[0]["text"] == RU
    assert records[1]["meta"] == {"author": "Zofia", "line": 2} and records[1]["text"] == PL


def test_size_limit_counts_utf8_bytes_of_text_content():
    from textpipe import Pipeline
    from textpipe.resources import load_package_toml

    config = load_package_toml("pipelines", "default.toml")
    config["read"]["max_document_bytes"] = 10
    reader = Pipeline.from_dict(config).reader
    assert reader.read_one("ab", id="short").error is None
    assert reader.read_one("abcdefghij", id="ten-bytes").error is None  # 10 characters, 10 bytes
    doc = reader.read_one("абвгдеж", id="cyrillic")  # 7 characters, 14 bytes
    assert doc.error is not None and doc.error.type == "DocumentTooLarge"
    assert doc.error.message.startswith("14 bytes")
