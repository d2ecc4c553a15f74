"""The names stage: Cyrillic runs, trained recognizers, name languages, base forms.

Every sentence here is written for these tests (none comes from a corpus).
"""

from __future__ import annotations

import subprocess
import time
import sys
from pathlib import Path

import pytest

from textpipe.lemmas import Lemmatizer
from textpipe.resources import load_package_toml, package_path
from textpipe.stage import build_config
from textpipe.stages.names import Names, _deduplicate, consistent_spans, load_ner, name_language
from textpipe.document import Block, Document, Name, Segment
from textpipe.scripts import CYRILLIC, CYRILLIC_LETTER, script_of

from conftest import ROOT, check_record

MIXED_ENGLISH = (
    "Minsk, 3 March. Activists of the movement Новая Ўсходняя Плынь met reporters of the Kyiv weekly "
    "Київський Вісник and of the Moscow daily Утренний Курьер on Tuesday. The organisers said that "
    "the talks had been useful and that another meeting would follow in the spring."
)

POLISH = (
    "Prezydent Białorusi Aleksandr Łukaszenka przyjechał wczoraj do Warszawy. Według Łukaszenki "
    "rozmowy z premierem były bardzo udane. Na lotnisku czekali na niego działacze partii "
    "Единая Россия oraz dziennikarze z Krakowa."
)

RUSSIAN = (
    "Вчера президент Белоруссии Александр Лукашенко прилетел в Москву. Переговоры Лукашенко "
    "с Владимиром Путиным прошли в Кремле и продолжались почти четыре часа."
)


def names_of(record: dict) -> dict[str, dict]:
    return {n["text"]: n for n in record["names"]}


@pytest.fixture(scope="module")
def english(pipe, validator):
    record = pipe(MIXED_ENGLISH).to_dict()
    check_record(record, validator)
    return record


def test_cyrillic_runs_in_english_are_names(english):
    assert {"Новая Ўсходняя Плынь", "Київський Вісник", "Утренний Курьер"} <= set(names_of(english))


def test_letters_settle_the_language_and_the_scheme(english):
    names = names_of(english)
    belarusian, ukrainian = names["Новая Ўсходняя Плынь"], names["Київський Вісник"]
    assert belarusian["lang"] == "be" and ukrainian["lang"] == "uk"
    assert set(belarusian["translit"]) == {"bgn_pcgn", "national", "ala_lc", "pwn"}
    assert set(ukrainian["translit"]) == {"national", "bgn_pcgn", "ala_lc", "pwn"}
    assert ukrainian["latin"] == ukrainian["translit"]["national"]
    assert belarusian["latin"] == belarusian["translit"]["bgn_pcgn"]
    for name in (belarusian, ukrainian):
        assert name["latin"] and not any("\u0400" <= c <= "\u04ff" for c in name["latin"])


def test_russian_run_is_not_taken_for_belarusian_or_ukrainian(english):
    russian = names_of(english)["Утренний Курьер"]
    assert russian["lang"] not in {"be", "uk"}
    assert russian["translit"]  # romanized by the Russian (or fallback) schemes


def test_every_name_has_a_label_and_its_form_romanized(english):
    for name in english["names"]:
        assert name["label"] in {"PER", "LOC", "ORG", "PRO", "EVT", "MISC"}
        assert name["translit"] and name["latin"] in name["translit"].values()
        assert name["lemma"] is None or name["lemma"].split()[0][:3] == name["text"].split()[0][:3]


def test_polish_text_with_a_cyrillic_name(pipe, validator):
    record = pipe(POLISH).to_dict()
    check_record(record, validator)
    names = names_of(record)
    assert "Единая Россия" in names
    assert names["Единая Россия"]["lang"] != "pl"
    assert names["Единая Россия"]["latin"].isascii()
    polish = [n for n in record["names"] if n["lang"] == "pl"]
    assert polish, "the Polish recognizer finds the Polish names"
    for name in polish:  # Latin-script names are not transliterated
        assert name["translit"] == {} and name["latin"] == (name["lemma"] or name["text"])
    found = {n["text"] for n in polish}
    assert found & {"Aleksandr Łukaszenka", "Łukaszenka", "Łukaszenki", "Warszawy", "Krakowa", "Białorusi"}


def test_polish_names_get_base_forms(pipe):
    record = pipe(POLISH).to_dict()
    lemmas = {n["text"]: n["lemma"] for n in record["names"]}
    if "Łukaszenki" in lemmas:
        assert lemmas["Łukaszenki"] == "Łukaszenka"
    if "Warszawy" in lemmas:
        assert lemmas["Warszawy"] == "Warszawa"


def test_russian_text_gets_recognized_names_with_one_lemma_per_person(pipe, validator):
    record = pipe(RUSSIAN).to_dict()
    check_record(record, validator)
    per = [n for n in record["names"] if n["label"] == "PER"]
    assert per, "the Russian recognizer finds the persons"
    lemmas = {n["lemma"] for n in per if "Лукашенко" in n["text"]}
    assert lemmas and all("Лукашенко" in lemma for lemma in lemmas)
    putin = [n for n in record["names"] if "Путиным" in n["text"]]
    assert putin and putin[0]["lemma"].endswith("Путин")
    assert all(n["lang"] == "ru" for n in record["names"])
    assert all(n["latin"].isascii() for n in per)


@pytest.mark.parametrize(
    ("lang", "form", "label", "lemma"),
    [
        ("ru", "Лукашенко", "PER", "Лукашенко"),
        ("ru", "Лукашенку", "PER", "Лукашенко"),
        ("ru", "Путиным", "PER", "Путин"),
        ("ru", "Москве", "LOC", "Москва"),
        ("ru", "Владимира Путина", "PER", "Владимир Путин"),
        ("pl", "Łukaszenki", "PER", "Łukaszenka"),
        ("pl", "Łukaszenka", "PER", "Łukaszenka"),
        ("pl", "Warszawie", "LOC", "Warszawa"),
        ("uk", "Лукашенку", "PER", "Лукашенко"),
        ("uk", "Києві", "LOC", "Київ"),
        # a name inflected as a phrase: a word after a base form keeps its case, an adjective takes
        # the gender of the noun after it
        ("ru", "Верховный суд Пакистана", "ORG", "Верховный суд Пакистана"),
        ("ru", "Дональда Трампа", "PER", "Дональд Трамп"),
        ("ru", "Тихого океана", "LOC", "Тихий океан"),
        ("ru", "Национального агентства", "ORG", "Национальное агентство"),
        ("uk", "Київського національного університету", "ORG", "Київський національний університет"),
        ("pl", "Morza Czarnego", "LOC", "Morze Czarne"),
    ],
)
def test_shipped_lemma_rules(lang, form, label, lemma):
    lemmatizer = Lemmatizer.from_disk(package_path("models", "lemmas", f"{lang}.json"))
    assert lemmatizer(form, label) == lemma


def test_lemma_rules_learned_from_pairs():
    pairs = [("Иванову", "Иванов", "PER"), ("Петрову", "Петров", "PER"), ("Сидорову", "Сидоров", "PER"),
             ("Иванова", "Иванов", "PER"), ("Петрова", "Петров", "PER"), ("Иванов", "Иванов", "PER")]
    lemmatizer = Lemmatizer.learn(pairs, lang="ru")
    assert lemmatizer("Смирнову", "PER") == "Смирнов"
    assert lemmatizer("Смирнова", "PER") == "Смирнов"
    assert lemmatizer("«Смирнову»", "PER") == "«Смирнов»"  # punctuation around a word is kept
    again = Lemmatizer(**{k: v for k, v in lemmatizer.to_dict().items() if k != "rules"}, rules=lemmatizer.rules)
    assert again("Смирнову", "PER") == "Смирнов"


def test_name_language_by_letters_then_segment():
    segments = [Segment(0, 10, "en", 1.0), Segment(10, 30, "ru", 1.0)]
    assert name_language("Ўсход", segments, 0) == "be"
    assert name_language("Київ", segments, 12) == "uk"
    assert name_language("Москва", segments, 12) == "ru"
    assert name_language("Москва", segments, 40) == "und"


def test_overlapping_names_keep_the_longer():
    names = [Name(0, 5, "aaaaa", "PER", "ru"), Name(0, 12, "aaaaa bbbbbb", "MISC", "ru"), Name(20, 25, "ccccc", "LOC", "ru")]
    kept = _deduplicate(names)
    assert [(n.start, n.end) for n in kept] == [(0, 12), (20, 25)]


def test_shipped_models_are_small():
    for lang in ("ru", "pl", "uk", "uk-dictionary", "pl-dictionary"):
        folder = package_path("models", "ner", lang)
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
        assert (folder / "meta.json").is_file() and size < 10_000_000


def test_training_script_says_when_the_data_is_missing(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "training" / "train_ner.py"), "--data", str(tmp_path / "nowhere")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2 and "no SlavicNER corpus" in result.stderr


def test_batched_documents_get_the_names_they_get_alone(pipe):
    texts = [RUSSIAN, MIXED_ENGLISH, POLISH, RUSSIAN]
    together = [[n.to_dict() for n in doc.names] for doc in pipe.stream(texts)]
    alone = [[n.to_dict() for n in pipe(text).names] for text in texts]
    assert together == alone and all(together)


def _before_names(pipe, texts: list[str]):
    """The names stage of ``pipe`` and ``texts`` as documents processed by the stages before it."""
    index = [stage.name for stage in pipe.processors].index("names")
    docs = [pipe.reader.read_one(text, id=str(i), format="text", source="<test>") for i, text in enumerate(texts)]
    for stage in pipe.processors[:index]:
        docs = list(stage.run(docs))
    return pipe.processors[index], docs


def test_a_batch_charges_each_document_its_own_share_of_the_time(pipe, monkeypatch):
    names, docs = _before_names(pipe, [RUSSIAN, RUSSIAN * 20, RUSSIAN * 20])
    real = names.recognizer

    class Slow:  # the recognizer takes 0.3 s for the batch
        def __init__(self, nlp):
            self.nlp = nlp

        def pipe(self, texts, **kwargs):
            time.sleep(0.3)
            yield from self.nlp.pipe(texts, **kwargs)

    monkeypatch.setattr(names, "recognizer", lambda lang: Slow(real(lang)) if real(lang) is not None else None)
    now = time.monotonic()
    docs[0].deadline = now + 0.1  # a short document with a short budget: its share is ~0.007 s
    docs[1].deadline = now + 60
    docs[2].deadline = now + 0.1  # a long one with a short budget: its share is ~0.15 s
    out = list(names.run(docs))
    assert out[0].error is None and any("Лукашенко" in n.text for n in out[0].names)
    assert out[1].error is None and out[1].names
    assert out[2].error is not None and out[2].error.type == "DocumentTimeout" and out[2].error.stage == "names"


def test_names_are_made_consistent_within_a_document():
    text = (
        "Тереза Мэй прилетела в Брюссель. Там Мэй говорила о Брюсселе и Брюссель слушал. "
        "Мэйсон молчал. Потом Брюссель ответил.|Мэй"
    )
    at = {word: text.index(word) for word in ("Тереза Мэй", "Брюссель", "Брюсселе")}
    second = text.index("Брюссель", at["Брюссель"] + 1)
    third = text.index("Брюссель", second + 1)
    spans = [
        (at["Тереза Мэй"], at["Тереза Мэй"] + 10, "PER"),
        (at["Брюссель"], at["Брюссель"] + 8, "LOC"),
        (second, second + 8, "ORG"),
        (third, third + 8, "LOC"),
    ]
    region = [(0, text.index("|"))]
    got = {(text[s:e], s, label) for s, e, label in consistent_spans(text, spans, region)}
    may = text.index("Мэй", at["Тереза Мэй"] + 10)
    assert ("Мэй", may, "PER") in got  # a person's surname alone is the person too
    assert ("Брюссель", second, "LOC") in got and ("Брюссель", second, "ORG") not in got  # the label most have
    assert ("Брюсселе", at["Брюсселе"], "LOC") not in got  # another form is left to the recognizer
    assert not any(t == "Мэйсон" for t, _, _ in got)  # whole words only
    assert not any(s > region[0][1] for _, s, _ in got)  # only inside the recognized stretches
    assert len(got) == 5


def test_a_persons_surname_alone_is_a_person_whatever_the_recognizer_said():
    text = "Nigel Farage spoke in Dover. Later Farage left Dover, and Farage was silent."
    full = text.index("Nigel Farage")
    alone = text.index("Farage", full + 6)
    last = text.index("Farage", alone + 1)
    dover = text.index("Dover")
    spans = [(full, full + 12, "PER"), (alone, alone + 6, "LOC"), (last, last + 6, "LOC"), (dover, dover + 5, "LOC")]
    got = {(text[s:e], s, label) for s, e, label in consistent_spans(text, spans, [(0, len(text))])}
    assert ("Farage", alone, "PER") in got and ("Farage", last, "PER") in got  # two votes for LOC do not win
    assert ("Dover", dover, "LOC") in got and ("Dover", text.index("Dover", dover + 1), "LOC") in got
    assert ("Nigel Farage", full, "PER") in got


def test_a_surname_follows_the_label_its_full_name_was_voted():
    text = "Deutsche Bank grew. Deutsche Bank fell. Deutsche Bank rose. Bank staff left the Bank."
    fulls = [i for i in range(len(text)) if text.startswith("Deutsche Bank", i)]
    bank = text.rindex("Bank")
    spans = [(fulls[0], fulls[0] + 13, "PER"), (fulls[1], fulls[1] + 13, "ORG"), (fulls[2], fulls[2] + 13, "ORG"), (bank, bank + 4, "LOC")]
    got = {(text[s:e], s, label) for s, e, label in consistent_spans(text, spans, [(0, len(text))])}
    assert all(("Deutsche Bank", start, "ORG") in got for start in fulls)
    assert ("Bank", bank, "LOC") in got  # one stray PER among the full name's labels makes no person


def test_pruned_rules_give_the_same_base_forms():
    pairs = [("Иванову", "Иванов", "PER"), ("Петрову", "Петров", "PER"), ("Сидорову", "Сидоров", "PER"),
             ("Иванова", "Иванов", "PER"), ("Петрова", "Петров", "PER"), ("Иванов", "Иванов", "PER"),
             ("Москве", "Москва", "LOC"), ("Москвы", "Москва", "LOC"), ("Праге", "Прага", "LOC"),
             ("Праги", "Прага", "LOC"), ("Вене", "Вена", "LOC"), ("Вене", "Вена", "LOC")] * 2
    full = Lemmatizer.learn(pairs, lang="ru", prune=False)
    pruned = Lemmatizer.learn(pairs, lang="ru")
    assert len(pruned.rules) < len(full.rules) / 2
    words = [(form, label) for form, _, label in pairs] + [("Смирнову", "PER"), ("Риге", "LOC"), ("Смирнова Ивана", "PER")]
    assert [pruned(w, label) for w, label in words] == [full(w, label) for w, label in words]


def test_a_suffix_rule_rewrites_only_letters_of_its_suffix():
    pairs = [("Tadx", "Ta", "PER"), ("Wedx", "We", "PER")] * 2
    lemmatizer = Lemmatizer.learn(pairs, lang="ru")
    assert lemmatizer("Fedx", "PER") == "Fe"  # the suffix "dx" was seen: its rule applies
    assert lemmatizer("Bolx", "PER") == "Bolx"  # only "x" was seen: "lx" is not cut on its evidence


def test_recognizers_compute_only_what_their_model_reads():
    import spacy
    from spacy.attrs import IDS

    from textpipe.stages.names import install_name_codes, load_ner

    path = str(package_path("models", "ner", "ru"))
    trimmed, full = load_ner(path), spacy.load(path)
    install_name_codes(full)  # the codes the model reads, as load_ner installs them
    names = {value: key for key, value in IDS.items()}
    assert {names[attr] for attr in trimmed.vocab.lex_attr_getters} <= {"LOWER", "NORM", "PREFIX", "SUFFIX", "SHAPE", "IS_SPACE", "LANG"}
    text = RUSSIAN + " " + RUSSIAN.upper()
    assert [(e.start_char, e.end_char, e.label_) for e in trimmed(text).ents] == [(e.start_char, e.end_char, e.label_) for e in full(text).ents]


def test_a_word_after_a_base_form_keeps_its_case():
    """After a word left as it is, a genitive stays ("Банк Ирана"); after an inflected word, a word
    of the same case is inflected too ("Старого Банка" → "Старый Банк")."""
    pairs = [("Старого Банка", "Старый Банк", "ORG"), ("Нового Банка", "Новый Банк", "ORG"), ("Малого Зала", "Малый Зал", "ORG"),
             ("Банк Ирана", "Банк Ирана", "ORG"), ("Фонд Китая", "Фонд Китая", "ORG")] * 2
    lemmatizer = Lemmatizer.learn(pairs, lang="ru")
    assert lemmatizer("Совет Катара", "ORG") == "Совет Катара"
    assert lemmatizer("Нового Катара", "ORG") == "Новый Катар"


def test_an_adjective_takes_the_gender_of_the_noun_after_it(tmp_path):
    pairs = [("Нового театра", "Новый театр", "ORG"), ("Старого театра", "Старый театр", "ORG"),
             ("Нового агентства", "Новое агентство", "ORG"), ("Старого агентства", "Старое агентство", "ORG"),
             ("Доброго общества", "Доброе общество", "ORG"), ("Главного штаба", "Главный штаб", "ORG")] * 2
    lemmatizer = Lemmatizer.learn(pairs, lang="ru")
    assert lemmatizer("Малого театра", "ORG") == "Малый театр"
    assert lemmatizer("Малого агентства", "ORG") == "Малое агентство"
    lemmatizer.to_disk(tmp_path / "rules.json")
    assert Lemmatizer.from_disk(tmp_path / "rules.json")("Малого агентства", "ORG") == "Малое агентство"


def test_pruned_rules_give_the_same_base_forms_of_phrases():
    pairs = [("Старого Банка", "Старый Банк", "ORG"), ("Нового Банка", "Новый Банк", "ORG"), ("Банк Ирана", "Банк Ирана", "ORG"),
             ("Нового агентства", "Новое агентство", "ORG"), ("Старого агентства", "Старое агентство", "ORG"),
             ("Северной Каролине", "Северная Каролина", "LOC"), ("Южной Дакоте", "Южная Дакота", "LOC"),
             ("Дональда Трампа", "Дональд Трамп", "PER"), ("Джо Байдена", "Джо Байден", "PER")] * 3
    full = Lemmatizer.learn(pairs, lang="ru", prune=False)
    pruned = Lemmatizer.learn(pairs, lang="ru")
    assert len(pruned.rules) < len(full.rules)
    names = [(form, label) for form, _, label in pairs] + [
        ("Малого агентства", "ORG"), ("Совет Катара", "ORG"), ("Северной Дакоте", "LOC"), ("Джо Трампа", "PER"), ("Дональду Байдену", "PER"),
    ]
    assert [pruned(n, label) for n, label in names] == [full(n, label) for n, label in names]


def test_pruning_follows_the_order_of_lookup_after_a_rewritten_word():
    """After a rewritten word, "elx" is looked up in that context before "lx" in it: its rule stays
    though the same suffix in no context (where the word before was kept) agrees with it."""
    pairs = [("Boba Kelx", "Bob Kel", "PER")] * 2 + [("Boba Milx", "Bob Milx", "PER")] * 3 + [("Bob Dolx", "Bob Dol", "PER")] * 4
    full = Lemmatizer.learn(pairs, lang="ru", prune=False)
    pruned = Lemmatizer.learn(pairs, lang="ru")
    assert full("Dana Pelx", "PER") == pruned("Dana Pelx", "PER") == "Dan Pel"


def test_cyrillic_letter_pattern_finds_every_cyrillic_letter():
    """The names stage skips a block in which ``CYRILLIC_LETTER`` finds nothing (and no segment is in
    a recognizer's language): that is safe only if it finds every letter ``script_of`` calls Cyrillic."""
    missed = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000 and script_of(chr(c)) == CYRILLIC and not CYRILLIC_LETTER.match(chr(c))]
    assert missed == []


def test_a_block_without_cyrillic_or_a_recognizer_language_is_skipped_alike(pipe):
    """Skipping such blocks changes nothing: an English block is skipped, a Polish one is not."""
    text = "The council met on Tuesday in the town hall.\nRada miasta spotkała się we wtorek w Krakowie z burmistrzem."
    english, polish = Block(0, text.index("\n")), Block(text.index("\n") + 1, len(text))
    doc = Document(id="d", text=text, blocks=[english, polish])
    doc.segments = [Segment(english.start, english.end - 1, "en", 1.0), Segment(polish.start, polish.end - 1, "pl", 1.0)]
    starts = [s.start for s in doc.segments]
    names_stage = next(s for s in pipe.processors if isinstance(s, Names))
    assert not names_stage._may_hold_names(doc, english, starts)
    assert names_stage._may_hold_names(doc, polish, starts)
    doc.text = text.replace("Tuesday", "Вторник")
    assert names_stage._may_hold_names(doc, english, starts)


def _stress(text: str, after: list[str]) -> str:
    """``text`` with a combining acute (a stress mark) after the first vowel that follows each of
    ``after``, as Russian dictionaries and encyclopaedias write them."""
    for prefix in after:
        place = text.index(prefix) + len(prefix)
        while text[place] not in "аеиоуыэюяё":
            place += 1
        text = text[: place + 1] + "\u0301" + text[place + 1 :]
    return text


STRESSED_SOURCE = "Москва — столица России. Александр Пушкин родился в Москве в 1799 году."


def test_stress_marks_change_no_name(pipe, validator):
    """Stress marks ("Москва́") do not hide names from the recognizer, cut them or reach their
    base forms and romanizations: the same names as without them, their spans taking the marks in."""
    stressed = _stress(STRESSED_SOURCE, ["Моск", "Алекс", "Пу", "Моск"])
    assert stressed.count("\u0301") == 4
    plain_names = [(n.label, n.lemma, n.latin) for n in pipe(STRESSED_SOURCE).names]
    record = pipe(stressed).to_dict()
    check_record(record, validator)
    assert plain_names and [(n["label"], n["lemma"], n["latin"]) for n in record["names"]] == plain_names
    for name in record["names"]:
        assert stressed[name["start"] : name["end"]] == name["text"]
        assert name["text"].replace("\u0301", "") in STRESSED_SOURCE
        after = stressed[name["end"] : name["end"] + 1]
        assert after != "\u0301", "a name's span ends after its last stress mark"


def test_a_stressed_cyrillic_run_in_english_is_one_name_without_accents_in_its_forms(pipe):
    text = "Alexander Pushkin (Алекса\u0301ндр Пу\u0301шкин) was born in Moscow."
    names = [n for n in pipe(text).names if CYRILLIC_LETTER.search(n.text)]
    assert [n.text for n in names] == ["Алекса\u0301ндр Пу\u0301шкин"]
    assert names[0].lemma == "Александр Пушкин" and names[0].latin == "Aleksandr Pushkin"
    from textpipe import transliterate

    expected = {scheme: transliterate("Александр Пушкин", "ru", scheme) for scheme in names[0].translit}
    assert names[0].translit == expected  # every scheme, no accent left on a Latin letter


def test_without_stress_maps_back_to_the_text():
    from textpipe.scripts import stressed_span, without_stress

    text = "Он сказа\u0301л: Алекса\u0301ндр, cafe\u0301."
    plain, kept = without_stress(text)
    assert plain == "Он сказал: Александр, cafe\u0301."  # a mark after a Latin letter is not a stress mark
    start = plain.index("Александр")
    assert text[slice(*stressed_span(text, kept, start, start + len("Александр")))] == "Алекса\u0301ндр"
    start = plain.index("сказал")
    assert text[slice(*stressed_span(text, kept, start, start + len("сказал")))] == "сказа\u0301л"
    assert without_stress("Москва") == ("Москва", None)


def test_recognizers_multiply_matrices_with_numpy_on_one_blas_thread(pipe, monkeypatch):
    """The NER models use numpy's BLAS (not BLIS), and the stage keeps that BLAS to one thread
    while they run (a second thread spins on their small matrices)."""
    from threadpoolctl import threadpool_info

    stage = next(s for s in pipe.processors if s.name == "names")
    nlp = stage.recognizer("ru")
    model = nlp.get_pipe("ner").model
    assert all(node.ops.use_blis is False for node in model.get_ref("tok2vec").walk())
    assert model.get_ref("lower").ops.use_blis is False
    seen: list[set[int]] = []
    pipe_of = type(nlp).pipe

    def recording_pipe(self, *args, **kwargs):
        seen.append({info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"})
        return pipe_of(self, *args, **kwargs)

    monkeypatch.setattr(type(nlp), "pipe", recording_pipe)
    doc = Document(id="t", text="Владимир Путин прилетел в Москву.", blocks=[Block(0, 33, role="body")])
    stage.process(pipe.processors[[s.name for s in pipe.processors].index("languages")].process(doc))
    assert seen and all(threads == {1} for threads in seen)


def test_uses_of_the_one_blas_thread_context_that_overlap_restore_the_setting():
    """Two uses that overlap (two threads of a process whose BLAS has one setting for all): the
    limit holds while either is inside, and the last one out restores what was there before."""
    from threadpoolctl import threadpool_info

    from textpipe.stages.names import one_blas_thread

    def blas_threads() -> set[int]:
        return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}

    before = blas_threads()
    assert before  # numpy's BLAS is there to limit
    first, second = one_blas_thread(), one_blas_thread()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert blas_threads() == {1}  # the second use is still inside
    second.__exit__(None, None, None)
    assert blas_threads() == before


def test_the_russian_recognizer_reads_word_vectors_under_each_spelling(pipe):
    """The Russian model holds a static vectors table (navec, reduced), each word under its
    lower-case, capitalized and upper-case spellings; the Polish and Ukrainian ones hold none."""
    stage = next(s for s in pipe.processors if s.name == "names")
    vectors = stage.recognizer("ru").vocab.vectors
    assert vectors.shape[1] == 64 and 10_000 <= vectors.shape[0] <= 20_000
    rows = {vectors.find(key=spelling) for spelling in ("москва", "Москва", "МОСКВА")}
    assert len(rows) == 1 and rows != {-1}
    for lang in ("pl", "uk"):
        assert stage.recognizer(lang).vocab.vectors.shape[0] == 0


def test_name_codes_tell_what_the_dictionary_knows_of_a_capitalized_word():
    from textpipe.stages.names import UNKNOWN_CODE, NameCodes

    codes = NameCodes.of("ru")
    assert codes("Лондоне") == "#Geox" and codes("Наталья") == "#Name" and codes("Иванович") == "#Patr"
    assert codes("Газпрома") == "#Orgn"
    assert codes("Учитель") == "#"  # a known common word, capitalized at the start of a sentence
    assert codes("Зябликовщинск") == UNKNOWN_CODE and codes("Zyblik") == UNKNOWN_CODE
    assert codes("лондон") is None and codes("2024") is None and codes(",") is None  # no code: not capitalized
    assert codes("Королёв") == codes("Королев")  # "е" is looked up as "ё" too
    assert NameCodes.of("be")("Мінск") is None and NameCodes(None)("Лондон") is None  # no dictionary: no codes


def test_polish_name_codes_tell_the_kinds_of_proper_name_morfeusz_knows():
    pytest.importorskip("morfeusz2")  # a dependency only where it has wheels
    from textpipe.stages.names import UNKNOWN_CODE, NameCodes, PolishNameCodes

    codes = NameCodes.of("pl")
    assert isinstance(codes, PolishNameCodes) and codes.available
    assert codes("Kowalski") == "#nazwisko" and codes("Mazowsze") == "#nazwa_geograficzna"
    assert codes("Orlen") == "#nazwa_firmy" and codes("Stół") == "#"  # a company; a known common word
    assert codes("Zyblikowski") == UNKNOWN_CODE
    assert codes("Zab\ud800ki") == UNKNOWN_CODE  # Morfeusz takes UTF-8: a lone surrogate is no word it knows
    assert codes("zadzwonił") is None and codes("2024") is None  # no code: not capitalized
    assert PolishNameCodes(None)("Kowalski") is None and not PolishNameCodes(None).available


def tiny_corpus() -> list:
    sys.path.insert(0, str(ROOT / "training"))
    from train_ner import CorpusDoc, Mention

    text = "Вчера Наталья Петрова прилетела в Лондон.\nВ Лондоне Петрова встретила друзей."
    mentions = [Mention(6, 21, "Наталья Петрова", "Наталья Петрова", "PER"), Mention(34, 40, "Лондон", "Лондон", "LOC"),
                Mention(44, 51, "Лондоне", "Лондон", "LOC"), Mention(52, 59, "Петрова", "Петрова", "PER")]
    assert all(text[m.start:m.end] == m.text for m in mentions)
    return [CorpusDoc("t", "ru", str(i), text, mentions) for i in range(12)]


def test_a_model_with_name_codes_reads_them_at_training_and_at_run_time(tmp_path):
    import spacy

    from textpipe.stages.names import NAME_CODES_META, load_ner

    docs = tiny_corpus()  # puts training/ on the path
    from train_ner import Settings, save_without_corpus_strings, train_ner

    nlp = train_ner("ru", docs, settings=Settings(max_epochs=2, epoch_words=500), name_codes=True, log=lambda _: None)
    text = "Вчера Наталья прилетела в Лондон."
    assert [t.lower_ for t in nlp(text)][:2] == ["#", "#Name"]  # the codes at training
    save_without_corpus_strings(nlp, tmp_path / "ner")
    loaded = load_ner(str(tmp_path / "ner"))
    assert loaded.meta[NAME_CODES_META] == {"attr": "LOWER", "lang": "ru"}
    assert [t.lower_ for t in loaded(text)] == ["#", "#Name", "", "", "#Geox", ""]  # and at run time
    assert [(e.start_char, e.end_char, e.label_) for e in loaded(text).ents] == [(e.start_char, e.end_char, e.label_) for e in nlp(text).ents]
    plain = spacy.load(tmp_path / "ner")  # without textpipe's getter it still loads and runs (on lower-case words)
    assert [t.lower_ for t in plain(text)][1] == "наталья" and isinstance(list(plain(text).ents), list)


def test_the_shipped_russian_recognizer_reads_name_codes(pipe):
    """The Russian model embeds the dictionary's name codes, installed by the stage's loader; the
    Polish one reads none, nor does the Ukrainian model for a machine without the optional
    Ukrainian dictionary."""
    from textpipe.stages.names import NAME_CODES_META

    stage = next(s for s in pipe.processors if s.name == "names")
    russian = stage.recognizer("ru")
    assert russian.meta[NAME_CODES_META]["lang"] == "ru"
    assert [t.lower_ for t in russian("Наталья прилетела в Лондон")] == ["#Name", "", "", "#Geox"]
    for lang in ("pl", "uk"):  # the models for machines without the dictionary
        assert NAME_CODES_META not in load_ner(str(package_path("models", "ner", lang))).meta


def _names_stage(**changes):
    settings = {**load_package_toml("pipelines", "default.toml")["names"], **changes}
    return Names(build_config(Names.Config, settings, "names"))


def test_ukrainian_gets_the_recognizer_that_reads_its_dictionary_where_it_is_installed(monkeypatch):
    """The test extra installs the Ukrainian dictionary: the stage then takes ner/uk-dictionary, whose
    model reads its name codes; without the dictionary (or with dictionary_models off) ner/uk."""
    import textpipe.lemmas
    from textpipe.stages.names import NAME_CODES_META

    stage = _names_stage()
    assert stage.recognizer_path("uk").name == "uk-dictionary"
    ukrainian = stage.recognizer("uk")
    assert ukrainian.meta[NAME_CODES_META]["lang"] == "uk"
    assert [t.lower_ for t in ukrainian("Тарас приїхав до Києва")][0].startswith("#")
    assert stage.recognizer_path("ru").name == "ru"  # no second model: its dictionary is a dependency
    assert _names_stage(dictionary_models=False).recognizer_path("uk").name == "uk"
    monkeypatch.setattr(textpipe.lemmas, "_analyzer", lambda lang: None)  # a machine without the dictionary
    assert _names_stage().recognizer_path("uk").name == "uk"


def test_polish_gets_the_recognizer_that_reads_morfeusz_where_it_is_installed(monkeypatch):
    import textpipe.stages.names as names_module
    from textpipe.stages.names import NAME_CODES_META, NameCodes

    stage = _names_stage()
    if NameCodes.of("pl").available:
        assert stage.recognizer_path("pl").name == "pl-dictionary"
        polish = stage.recognizer("pl")
        assert polish.meta[NAME_CODES_META]["lang"] == "pl"
        assert [t.lower_ for t in polish("Jan Kowalski pojechał do Krakowa")][1] == "#nazwisko"
    assert _names_stage(dictionary_models=False).recognizer_path("pl").name == "pl"
    monkeypatch.setattr(names_module, "_morfeusz", lambda: None)  # a machine without morfeusz2
    assert _names_stage().recognizer_path("pl").name == "pl"


def test_a_model_with_name_codes_warns_without_its_dictionary(tmp_path, monkeypatch):
    import spacy

    import textpipe.lemmas
    from textpipe.stages.names import install_name_codes

    nlp = spacy.blank("ru")
    monkeypatch.setattr(textpipe.lemmas, "_analyzer", lambda lang: None)
    with pytest.warns(UserWarning, match="no ru dictionary"):
        install_name_codes(nlp, "ru")
    assert [t.lower_ for t in nlp("Наталья в Лондоне")] == ["", "", ""]  # no codes: as lower-case words


PARTY_MEMBERS = (
    "В Сенате демократы и республиканцы снова спорили о бюджете, а американские избиратели ждали "
    "решения. После брексита британские компании искали новые правила."
)


def test_recognized_people_places_and_organisations_need_a_capital_letter(pipe):
    """The Russian recognizer (trained on a topic that annotates party members and adjectives of
    countries) finds "демократы", "американские"; the stage drops PER, LOC, ORG names without a
    capital letter and keeps the rest, events written in lower case among them."""
    kept = {(n.text, n.label) for n in pipe(PARTY_MEMBERS).names}
    assert ("Сенате", "ORG") in kept and ("брексита", "EVT") in kept
    assert not {text for text, label in kept if label in ("PER", "LOC", "ORG") and text.islower()}
    _, docs = _before_names(pipe, [PARTY_MEMBERS])
    every = _names_stage(capital_labels=[]).process(docs[0])
    assert {"демократы", "американские"} <= {n.text for n in every.names}


def test_a_name_is_written_in_lower_case_only_if_it_has_letters_of_case_and_none_capital():
    from textpipe.stages.names import written_in_lower_case

    assert written_in_lower_case("демократы") and written_in_lower_case("коллегии выборщиков")
    assert not written_in_lower_case("easyJet") and not written_in_lower_case("«Байонтек»")
    assert not written_in_lower_case("بغداد") and not written_in_lower_case("北京") and not written_in_lower_case("2024")  # no case


def test_a_page_longer_than_the_recognizer_reads_at_once_is_read_in_stretches(pipe, monkeypatch):
    """spaCy refuses a text over ``nlp.max_length``: a long one-language block (here made long by
    lowering the limits) goes to the recognizer in stretches, cut between sentences, and a sentence
    longer than a stretch at spaces, so the names at its end are found too."""
    import textpipe.stages.names as names_module

    sentence = "Вчера Владимир Путин встретился с министрами в Москве и обсудил с ними бюджет страны. "
    long_sentence = "Потом " + "очень " * 150 + "долго говорил Владимир Путин."
    page = (sentence * 30 + long_sentence).strip()  # one line: one block
    stage, docs = _before_names(pipe, [page])
    monkeypatch.setattr(names_module, "MAX_STRETCH", 500, raising=False)
    monkeypatch.setattr(stage.recognizer("ru"), "max_length", 1000)
    out = list(stage.run(docs))[0]
    assert out.error is None
    putin = [n for n in out.names if n.text == "Владимир Путин"]
    assert len(putin) == 31 and putin[-1].start == page.rindex("Владимир Путин")
    assert all(out.text[n.start : n.end] == n.text for n in out.names)
