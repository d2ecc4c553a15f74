"""The library API: Pipeline calls and streams, Document records, identify, transliterate."""

from __future__ import annotations

import textpipe
from conftest import check_record


def test_call_on_text_and_html(pipe, validator):
    text_doc = pipe("Мы уверены, что новый мост через реку построят уже к осени этого года.", id="t1")
    html_doc = pipe("<p>Мы уверены, что новый мост через реку построят уже к осени этого года.</p>", id="h1", format="html")
    for doc in (text_doc, html_doc):
        assert isinstance(doc, textpipe.Document)
        check_record(doc.to_dict(), validator)
        assert doc.lang == "ru"
    assert html_doc.text == text_doc.text


def test_stream_is_lazy_and_keeps_order(pipe):
    def pages():
        yield "Rada miasta zdecydowała, że nowy most zostanie zbudowany do końca przyszłego roku."
        yield {"id": "x", "text": "The council decided that the new bridge will be finished by next year."}
        yield b""

    stream = pipe.stream(pages())
    first = next(stream)
    assert first.lang == "pl"
    rest = list(stream)
    assert [d.id for d in rest] == ["x", "3"]
    assert rest[0].lang == "en"
    assert rest[1].error is not None and rest[1].to_dict()["error"]["type"] == "EmptyDocument"


def test_identify_and_transliterate():
    assert textpipe.identify("Аляксандр Лукашэнка прыехаў у Гомель")[0] == "be"
    assert textpipe.identify("Їжак і ґанок")[0] == "uk"
    assert textpipe.identify("12345 !!!") == ("und", 0.0)
    assert textpipe.transliterate("Движение Будущего") == "Dvizheniye Budushchego"
    assert textpipe.transliterate("Аляксандр Лукашэнка", lang="be") == "Alyaksandr Lukashenka"


def test_schema_lists_the_models_boilerplate_kinds():
    from textpipe.document import BOILERPLATE_KINDS
    from textpipe.resources import load_package_json

    schema = load_package_json("schema", "record-v1.json")
    kinds = schema["$defs"]["record"]["properties"]["blocks"]["items"]["properties"]["kind"]["enum"]
    assert kinds == [None, *BOILERPLATE_KINDS]
