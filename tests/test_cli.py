"""The command line: run, identify, translit, eval; exit statuses; the bundled corpus end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, SEED, check_record
from textpipe.cli import main


def textpipe(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "textpipe.cli", *args], input=stdin, capture_output=True, timeout=600)


def test_run_on_the_bundled_corpus(tmp_path, validator):
    out = tmp_path / "corpus.jsonl"
    result = textpipe("run", str(CORPUS / "pages"), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    pages = sorted(p.name for p in (CORPUS / "pages").iterdir())
    assert sorted(r["id"] for r in records) == pages
    for record in records:
        check_record(record, validator)
    summary = result.stderr.decode()
    assert f"{len(pages)} documents, 0 errors" in summary and "languages:" in summary


def test_run_exit_status_1_when_some_records_are_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "Fine text for the record."}\nnot json\n', encoding="utf-8")
    result = textpipe("run", str(bad), "-o", "-")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [("error" in r) for r in lines] == [False, True]
    assert "1 errors (InvalidJSON 1)" in result.stderr.decode()


def test_bad_usage_is_exit_status_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["run", str(SEED)])  # no -o
    assert caught.value.code == 2
    assert main(["run", str(SEED), "-o", str(tmp_path / "o.jsonl"), "-p", "nope"]) == 2
    assert "no pipeline named 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["run", "identify", "translit", "eval"])
def test_help_on_each_command(command):
    result = textpipe(command, "--help")
    assert result.returncode == 0 and b"usage: textpipe " + command.encode() in result.stdout


def test_identify_and_translit(capsys):
    assert main(["identify", "Ціханоўская сказала"]) == 0
    assert capsys.readouterr().out.startswith("be\t")
    assert main(["translit", "Движение Будущего"]) == 0
    assert capsys.readouterr().out == "Dvizheniye Budushchego\n"
    assert main(["translit", "--lang", "uk", "Згурський"]) == 0
    assert capsys.readouterr().out == "Zghurskyi\n"
    assert main(["translit", "--lang", "ru", "--scheme", "nope", "Щукин"]) == 2


def test_eval_scores_the_corpus(capsys):
    assert main(["eval", str(CORPUS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == len(list((CORPUS / "gold").glob("*.json")))
    assert not report["errors"]
    for key in ("body", "lines", "kinds", "lang", "segments", "names", "translit"):
        assert key in report
    assert 0.0 <= report["body"]["f1"] <= 1.0
