"""Language segmentation: the languages stage on pages and code-switched sentences we wrote."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SEED, check_record, letter_langs
from textpipe.document import BODY, BOILERPLATE, Block, Document
from textpipe.resources import load_package_toml
from textpipe.stage import build_config
from textpipe.pieces import _WORD, page_words, pieces_of, sentences_of
from textpipe.stages.languages import Languages, LanguagesConfig, _best_path, _ScriptRuns, transition_costs


@pytest.fixture(scope="module")
def stage() -> Languages:
    settings = load_package_toml("pipelines", "default.toml")["languages"]
    return Languages(build_config(Languages.Config, settings, "languages"))


def segment(stage: Languages, *lines: str, roles: tuple[str, ...] = ()) -> dict:
    """The record of a plain-text page, one block a line (of the given roles, else body), through
    the languages stage alone."""
    text = "\n".join(lines)
    blocks, start = [], 0
    for number, line in enumerate(lines):
        blocks.append(Block(start, start + len(line), role=roles[number] if roles else BODY))
        start += len(line) + 1
    doc = Document(id="t", text=text, blocks=blocks)
    stage.process(doc)
    assert_covering(doc)
    return {"text": doc.text, "segments": [s.to_dict() for s in doc.segments], "lang": doc.lang}


def assert_covering(doc: Document) -> None:
    """Segments are ordered, non-overlapping, inside blocks, and cover every letter of every block."""
    previous_end = 0
    for seg in doc.segments:
        assert previous_end <= seg.start < seg.end, "ordered and non-overlapping"
        previous_end = seg.end
        assert any(b.start <= seg.start and seg.end <= b.end for b in doc.blocks), "inside one block"
        assert 0.0 <= seg.score <= 1.0
    for block in doc.blocks:
        for i in range(block.start, block.end):
            if doc.text[i].isalpha():
                assert any(s.start <= i < s.end for s in doc.segments), f"letter {doc.text[i]!r} at {i} uncovered"


# -- the seed page, through the whole default pipeline ---------------------------------------------


@pytest.fixture(scope="module")
def seed(pipe):
    return pipe(SEED.read_bytes(), id="bynet").to_dict()


def test_seed_record(seed, validator):
    check_record(seed, validator)
    assert seed["lang"] == "en"


@pytest.mark.parametrize("phrase", ["Движение Будущего", "Революция Через Социальную Сеть"])
def test_seed_russian_names(seed, phrase):
    assert letter_langs(seed, phrase) == {"ru"}


def test_seed_english_around_names(seed):
    assert letter_langs(seed, "Movement of the Future (") == {"en"}
    assert letter_langs(seed, "or Revolution through a Social Network initiative") == {"en"}


def test_seed_polish_notice(seed):
    assert letter_langs(seed, "Poniższa Polityka Prywatności – klauzule informacyjne") == {"pl"}


def test_seed_every_letter_in_a_segment(seed):
    text = seed["text"]
    covered = set()
    for s in seed["segments"]:
        covered.update(range(s["start"], s["end"]))
    body_letters = [i for b in seed["blocks"] for i in range(b["start"], b["end"]) if text[i].isalpha()]
    assert all(i in covered for i in body_letters)


# -- code-switched sentences ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "insert", "lang"),
    [
        ("The protest was organised by a group called Маладая Франт last spring.", "Маладая Франт", "be"),
        ("He always ends his letters with Жыве Беларусь and a smile.", "Жыве Беларусь", "be"),
        ("Her grandmother still says Добрий вечір when she answers the phone.", "Добрий вечір", "uk"),
        ("The poster simply read Їжте більше овочів in bright letters.", "Їжте більше овочів", "uk"),
        ("They named the café Съешь ещё этих булок as a joke.", "Съешь ещё этих булок", "ru"),
        ("The word здравствуйте is hard to pronounce.", "здравствуйте", "ru"),
        ("Every morning the teacher greeted us with dzień dobry and a smile.", "dzień dobry", "pl"),
        ("I heard him whisper bardzo dziękuję before he left the room.", "bardzo dziękuję", "pl"),
        ("The sign said (Wstęp wzbroniony) but nobody cared.", "Wstęp wzbroniony", "pl"),
        ("Na koncercie zagrali utwór (Born in the USA) i wszyscy śpiewali.", "Born in the USA", "en"),
    ],
)
def test_inserted_phrase_gets_its_own_segment(stage, sentence, insert, lang):
    record = segment(stage, sentence)
    assert letter_langs(record, insert) == {lang}
    host = sentence[: sentence.index(insert)]
    assert len(letter_langs(record, host.strip(" ("))) == 1


def test_polish_sentence_after_english(stage):
    record = segment(stage, "We stayed at home all weekend. Potem pojechaliśmy nad morze i było wspaniale.")
    assert letter_langs(record, "We stayed at home all weekend.") == {"en"}
    assert letter_langs(record, "Potem pojechaliśmy nad morze i było wspaniale.") == {"pl"}


@pytest.mark.parametrize(
    ("english", "polish"),
    [
        ("Great service and friendly people", "A potem poszliśmy na spacer nad rzekę."),
        ("We stayed two nights in the old town", "To był najlepszy hotel w całym mieście."),
    ],
)
def test_polish_sentence_after_english_without_a_full_stop(stage, english, polish):
    """A sentence may start at a Title-case word after a lower-case one (its full stop lost): the
    change of language there is cheaper, so an ambiguous first word ("A", "To") goes with its sentence."""
    record = segment(stage, f"{english} {polish}")
    assert letter_langs(record, english) == {"en"}
    assert letter_langs(record, polish) == {"pl"}


@pytest.mark.parametrize(
    "sentence",
    ["The statement was signed by Jen Carlson and Raj Padwal on Monday.", "It was signed by Jen and Raj on Monday."],
)
def test_first_names_in_english_stay_english(stage, sentence):
    """"Jen" is a Czech word, but a name that follows a lower-case word is not a sentence start:
    changing language for it alone costs as much as ever."""
    assert letter_langs(segment(stage, sentence), sentence) == {"en"}


@pytest.mark.parametrize(
    ("sentence", "word", "lang"),
    [
        # letters the host never writes: ż, ó are not English, ї is not Russian
        ("We ordered żurek and it was delicious.", "żurek", "pl"),
        ("My aunt lives in Kraków with her cats.", "Kraków", "pl"),
        ("Он сказал мне слово їжак и засмеялся.", "їжак", "uk"),
        # a word in lower case, unknown to English, plainly Polish: it pays for two changes alone
        ("The note on the fridge said zadzwoni later today.", "zadzwoni", "pl"),
    ],
)
def test_one_foreign_word_gets_its_own_segment(stage, sentence, word, lang):
    record = segment(stage, sentence)
    assert letter_langs(record, word) == {lang}
    assert len(letter_langs(record, sentence[: sentence.index(word)])) == 1


def test_a_stretch_that_is_not_the_host_stays_apart_though_its_language_is_unsure(stage):
    # "na nich" is Polish or Czech, but surely not English: it must not fall back to English
    record = segment(stage, "They were waiting na nich by the door.")
    assert letter_langs(record, "na nich") == {"pl"}
    assert letter_langs(record, "They were waiting") == {"en"}


def test_a_capitalised_name_without_foreign_letters_stays_in_the_host(stage):
    record = segment(stage, "We met Mr Nowak at the station yesterday.")
    assert {s["lang"] for s in record["segments"]} == {"en"}


def test_a_name_does_not_switch_the_language(stage):
    record = segment(stage, "The group used VKontakte to coordinate the protests across the country.")
    assert letter_langs(record, "The group used VKontakte to coordinate the protests") == {"en"}


@pytest.mark.parametrize(
    ("line", "lang"),
    [
        ("Сёння ў Мінску ідзе дождж, а заўтра будзе сонечна і цёпла.", "be"),
        ("Мы сустрэліся каля вакзала і доўга размаўлялі пра жыццё.", "be"),
        ("Сьогодні в Києві йде дощ, а завтра буде сонячно і тепло.", "uk"),
        ("Ми зустрілися біля вокзалу і довго розмовляли про життя.", "uk"),
    ],
)
def test_belarusian_and_ukrainian_pages_are_not_russian(stage, line, lang):
    record = segment(stage, line)
    assert {s["lang"] for s in record["segments"]} == {lang}
    assert record["lang"] == lang


@pytest.mark.parametrize(
    ("line", "lang"),
    [
        ("Včera jsme byli v kině a film se nám moc líbil.", "cs"),
        ("Včera sme boli v kine a film sa nám veľmi páčil.", "sk"),
    ],
)
def test_czech_and_slovak_pages_are_not_polish(stage, line, lang):
    record = segment(stage, line)
    assert {s["lang"] for s in record["segments"]} == {lang}


def test_short_lines_lean_on_the_page(stage):
    record = segment(
        stage,
        "Сёння ў Мінску ідзе дождж, а заўтра будзе сонечна і цёпла.",
        "Мы сустрэліся каля вакзала і доўга размаўлялі пра жыццё.",
        "Мама",  # ru, uk, be alike: the page says be
    )
    assert letter_langs(record, "Мама") == {"be"}


def test_no_letters_no_segments(stage):
    record = segment(stage, "12345 -- 67", "!!!")
    assert record["segments"] == []
    assert record["lang"] == "und"


def test_other_language_sentence(stage):
    record = segment(stage, "Das ist ein schönes Haus, und wir gehen morgen zusammen in die Stadt.")
    assert {s["lang"] for s in record["segments"]} == {"de"}


def test_segments_never_cross_blocks(stage):
    record = segment(stage, "First line in English here.", "Druga linia po polsku, dziękuję bardzo.")
    starts = [0, len("First line in English here.") + 1]
    for s in record["segments"]:
        assert not (s["start"] < starts[1] <= s["end"] - 1 and s["start"] < starts[1] - 1)


def test_config_has_every_setting_written():
    settings = load_package_toml("pipelines", "default.toml")["languages"]
    assert set(settings) == {f.name for f in dataclasses.fields(Languages.Config)}


def test_page_language_counts_the_body_only(stage):
    record = segment(
        stage,
        "Polityka prywatności i warunki korzystania z serwisu, prosimy przeczytać uważnie.",
        "Short English body.",
        "Polityka prywatności: ciasteczka, dane osobowe, prawa użytkownika i kontakt.",
        "Another English line of the article.",
        roles=(BOILERPLATE, BODY, BOILERPLATE, BODY),
    )
    assert record["lang"] == "en"  # the Polish boilerplate holds more letters, but it is not the body


def test_a_sentence_of_one_language_throughout_takes_it_whole(stage):
    record = segment(stage, "Cats sleep most of the day and play at night.")
    assert [(s["lang"], s["start"], s["end"]) for s in record["segments"]] == [("en", 0, len("Cats sleep most of the day and play at night"))]


# -- the page-level shortcuts must give what the sentence-by-sentence definitions give ---------------

_PIECE_TEXT = st.text(alphabet="ab ЖыЯ αβ.!?()«»\"“”:;|•–—'’-\n 12_", max_size=120)


@given(_PIECE_TEXT, st.lists(st.integers(min_value=0, max_value=120), max_size=4))
@settings(max_examples=300, deadline=None)
def test_page_words_cut_pieces_and_sentences_as_pieces_of_does(text: str, cuts: list[int]) -> None:
    """``page_words`` (all blocks at once, in numpy) gives the words, pieces and sentences that
    ``pieces_of`` and ``sentences_of`` give block by block, blocks cut anywhere (mid-word too)."""
    edges = sorted({0, len(text), *(min(c, len(text)) for c in cuts)})
    blocks = [Block(a, b) for a, b in zip(edges, edges[1:])]
    words, _ = page_words(text, blocks, {})
    expected_words, expected_pieces, expected_sentences = [], [], []
    piece_number = sentence_number = -1
    for block in blocks:
        for sentence in sentences_of(pieces_of(text, block)):
            sentence_number += 1
            for piece in sentence:
                piece_number += 1
                for match in _WORD.finditer(text, piece.start, piece.end):
                    expected_words.append(match.span())
                    expected_pieces.append(piece_number)
                    expected_sentences.append(sentence_number)
    assert list(zip(words.start.tolist(), words.end.tolist())) == expected_words
    assert words.piece.tolist() == expected_pieces
    assert words.sentence.tolist() == expected_sentences


@given(
    st.lists(st.lists(st.floats(min_value=-12, max_value=0), min_size=3, max_size=3), min_size=1, max_size=6),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.sampled_from([0, 1, 2]),
)
@settings(max_examples=400, deadline=None)
def test_a_run_whose_gains_cannot_pay_for_a_stretch_is_all_host(
    emissions: list[list[float]], crossings: list[bool], capitals: list[bool], host: int
) -> None:
    """The search finds the best labels (against all of them, enumerated), and is skipped for a run
    whose words' summed gains over the host stay below the least cost of a stretch
    (``_ScriptRuns``): on such runs the search itself labels every word host."""
    config = dataclasses.replace(default_config(), switch_cost=3.0, boundary_switch_cost=1.0, capital_switch_cost=2.0)
    size = len(emissions)
    pieces = np.cumsum([0] + [int(c) for c in crossings[: size - 1]])
    unrelated, related = transition_costs(pieces, np.array(capitals[:size]), np.array(capitals[:size]), config)
    runs = _ScriptRuns.__new__(_ScriptRuns)
    runs.starts, runs.sizes = np.array([0]), np.array([size])
    least = runs._least_cost_of_a_stretch(np.minimum(unrelated, related), config)[0]
    matrix = np.array(emissions)
    gains = float((matrix.max(axis=1) - matrix[:, host]).sum())
    pairs = [[a != b and a + b != 1 for b in range(3)] for a in range(3)]  # states 0 and 1 unrelated
    path = _best_path(emissions, [0.0, 0.0, 0.0], host, unrelated[1:].tolist(), config.switch_cost, related[1:].tolist(), pairs)
    if gains < least - 1e-6:
        assert path == [host] * size
    assert least >= 2 * config.boundary_switch_cost

    def score(states: tuple[int, ...]) -> float:
        total = sum(matrix[i, s] for i, s in enumerate(states))
        total -= config.switch_cost * ((states[0] != host) + (states[-1] != host))
        for i, (a, b) in enumerate(zip(states, states[1:])):
            total -= 0.0 if a == b else (related[i + 1] if pairs[a][b] else unrelated[i + 1])
        return total

    assert score(tuple(path)) >= max(score(p) for p in itertools.product(range(3), repeat=size)) - 1e-9


def default_config() -> LanguagesConfig:
    settings = load_package_toml("pipelines", "default.toml")["languages"]
    return build_config(Languages.Config, settings, "languages")


def test_a_word_keeps_its_combining_marks():
    """Vowel signs of Indic scripts and stress marks on Cyrillic vowels are part of their word: a
    segment does not end before them."""
    from textpipe.pieces import _WORD

    assert _WORD.findall("हिंदी भाषा, Москва\u0301 и Пу\u0301шкин") == ["हिंदी", "भाषा", "Москва\u0301", "и", "Пу\u0301шкин"]
    from textpipe import Pipeline

    text = "Москва\u0301 — столица России, крупнейший город страны."
    doc = Pipeline.load("default")(text)
    assert [(text[s.start : s.end], s.lang) for s in doc.segments] == [("Москва\u0301 — столица России, крупнейший город страны", "ru")]
