"""The seed page, end to end: what issue 2's 'done when' names."""

from __future__ import annotations

import pytest

from conftest import SEED, check_record, letter_langs

ARTICLE_OPENINGS = [
    "Bynet: A slippery weapon!",
    "The internet has been heralded for some time now",
    "Movement of the Future",
    "A case in point about Bynet",
    "Similarly, the use of Twitter by central organisers",
    "Insulating Bynet",
    "The backlash against online activism",
    "A further part of the regime’s pro-active strategy",
    "What is clear therefore about the social networking arena",
]
BOILERPLATE = [
    "Text resize: A A",
    "Change contrast",
    "Terms of Use | Cookie policy",
    "Agencja digital: hauerpower studio krakow.",
    "We use cookies to personalise content and ads",
    "Poniższa Polityka Prywatności",
    "Save settings",
    "Cookies settings",
]


@pytest.fixture(scope="module")
def record(pipe):
    return pipe(SEED.read_bytes(), id="bynet").to_dict()


def test_record_is_valid(record, validator):
    check_record(record, validator)


@pytest.mark.parametrize("opening", ARTICLE_OPENINGS)
def test_body_holds_every_article_paragraph(record, opening):
    assert any(line.startswith(opening) for line in record["body"].split("\n"))


@pytest.mark.parametrize("snippet", BOILERPLATE)
def test_body_holds_no_boilerplate(record, snippet):
    assert snippet not in record["body"]


def test_boilerplate_kinds(record):
    kinds = {record["text"][b["start"] : b["end"]]: b["kind"] for b in record["blocks"]}
    assert kinds["Text resize: A A"] == "accessibility"
    assert kinds["Change contrast"] == "accessibility"
    assert kinds["Cookies settings"] == "cookie_notice"
    assert next(k for t, k in kinds.items() if t.startswith("Poniższa Polityka")) == "cookie_notice"
    assert next(k for t, k in kinds.items() if t.startswith("Terms of Use")) == "footer"


def test_page_language_is_english(record):
    assert record["lang"] == "en"


@pytest.mark.parametrize("phrase", ["Движение Будущего", "Революция Через Социальную Сеть"])
def test_russian_phrases_are_russian_segments(record, phrase):
    assert letter_langs(record, phrase) == {"ru"}


def test_polish_notice_is_a_polish_segment(record):
    assert letter_langs(record, "Poniższa Polityka Prywatności – klauzule informacyjne") == {"pl"}


def test_english_prose_around_the_names_stays_english(record):
    assert letter_langs(record, "Movement of the Future (") == {"en"}
    assert letter_langs(record, "or Revolution through a Social Network initiative") == {"en"}


@pytest.mark.parametrize(
    ("text", "latin"),
    [("Движение Будущего", "Dvizheniye Budushchego"), ("Революция Через Социальную Сеть", "Revolyutsiya Cherez Sotsialʹnuyu Setʹ")],
)
def test_russian_names_with_bgn_pcgn(record, text, latin):
    name = next(n for n in record["names"] if n["text"] == text)
    assert name["lang"] == "ru"
    assert name["latin"] == latin
    assert name["translit"]["bgn_pcgn"] == latin
    assert set(name["translit"]) == {"bgn_pcgn", "ala_lc", "iso9", "icao", "wikipedia", "pwn"}
