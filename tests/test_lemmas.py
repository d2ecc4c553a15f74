"""Lemma rules (textpipe.lemmas): the lexicon of base-form words that settles disagreeing rules.

The pairs are made up for these tests; none comes from a corpus."""

from __future__ import annotations

from textpipe.lemmas import Lemmatizer

#: "-пу" is seen only as the accusative of feminine names ("-па"), "-у" mostly as a masculine dative
FEMININE_ACCUSATIVES = [("Алсупу", "Алсупа", "PER"), ("Бесупу", "Бесупа", "PER"), ("Велупу", "Велупа", "PER")]
MASCULINE_DATIVES = [("Иванову", "Иванов", "PER"), ("Петрову", "Петров", "PER"), ("Сидорову", "Сидоров", "PER"),
                     ("Смирнову", "Смирнов", "PER"), ("Орлову", "Орлов", "PER")]


def test_a_known_base_form_wins_over_the_first_rule():
    pairs = (FEMININE_ACCUSATIVES + MASCULINE_DATIVES) * 2 + [("Трамп", "Трамп", "PER")]
    lemmatizer = Lemmatizer.learn(pairs, lang="ru")
    assert "трамп" in lemmatizer.lexicon
    assert lemmatizer("Трампу", "PER") == "Трамп"  # "Трамп" is a base form seen in training
    assert lemmatizer("Крупу", "PER") == "Крупа"  # nothing known: the most specific rule decides
    without = Lemmatizer(**{**lemmatizer.to_dict(), "lexicon": ()})
    assert without("Трампу", "PER") == "Трампа"


def test_the_word_itself_may_be_the_known_base_form():
    pairs = [("Москвы", "Москва", "LOC"), ("Праги", "Прага", "LOC"), ("Вены", "Вена", "LOC")] * 2
    lemmatizer = Lemmatizer.learn(pairs + [("Кентукки", "штат Кентукки", "LOC")], lang="ru")  # only its lemma is read
    assert lemmatizer("Риги", "LOC") == "Рига"
    assert lemmatizer("Кентукки", "LOC") == "Кентукки"  # a base-form word seen in training, not a form
    assert Lemmatizer.learn(pairs, lang="ru")("Кентукки", "LOC") == "Кентукка"


def test_a_genitive_after_a_base_form_stays_though_its_nominative_is_known():
    pairs = [("Банк Ирана", "Банк Ирана", "ORG"), ("Фонд Китая", "Фонд Китая", "ORG"), ("Совет Омана", "Совет Омана", "ORG"),
             ("Ирана", "Иран", "ORG"), ("Китая", "Китай", "ORG"), ("Омана", "Оман", "ORG"), ("Ирака", "Ирак", "ORG"),
             ("Судана", "Судан", "ORG"), ("Катар", "Катар", "LOC")] * 2
    lemmatizer = Lemmatizer.learn(pairs, lang="ru")
    assert "катар" in lemmatizer.lexicon
    assert lemmatizer("Совет Катара", "ORG") == "Совет Катара"
    assert lemmatizer("Катара", "ORG") == "Катар"  # alone, the genitive of a known base form


def test_the_lexicon_is_saved_with_the_rules(tmp_path):
    pairs = (FEMININE_ACCUSATIVES + MASCULINE_DATIVES) * 2 + [("Трамп", "Трамп", "PER"), ("«Нового Света»", "«Новый Свет»", "LOC")]
    lemmatizer = Lemmatizer.learn(pairs, lang="ru")
    assert {"новый", "свет", "трамп"} <= lemmatizer.lexicon  # lower-cased, punctuation around a word left out
    lemmatizer.to_disk(tmp_path / "ru.json")
    again = Lemmatizer.from_disk(tmp_path / "ru.json")
    assert again.lexicon == lemmatizer.lexicon
    assert again("Трампу", "PER") == "Трамп"
