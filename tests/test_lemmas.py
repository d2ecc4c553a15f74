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


#: "-е" is mostly the locative of masculine names ("-е" → ""), seldom of feminine ones ("-е" → "-а");
#: "-ы" only the genitive of feminine ones
LOCATIVES = [("Бротасе", "Бротас", "LOC"), ("Кремасе", "Кремас", "LOC"), ("Лудасе", "Лудас", "LOC"),
             ("Вилене", "Вилена", "LOC")] * 2 + [("Морены", "Морена", "LOC"), ("Вилены", "Вилена", "LOC")] * 2


def test_a_documents_other_forms_settle_a_word_the_rules_disagree_on():
    lemmatizer = Lemmatizer.learn(LOCATIVES, lang="ru")
    assert lemmatizer("Тарасе", "LOC") == "Тарас"  # alone: the masculine reading, the commoner one
    names = [("Тарасе", "LOC"), ("Тарасы", "LOC"), ("Варасе", "LOC")]
    assert lemmatizer.lemmas(names) == ["Тараса", "Тараса", "Варас"]  # "Тараса" is a base form of two forms
    context = lemmatizer.context_of(names)
    assert context.weight("Тараса") == (2, False)
    assert context.weight("Варас") == (0, False)  # one form only: below MIN_SUPPORT
    assert lemmatizer("Тарасе", "LOC") == "Тарас"  # a document leaves nothing behind


def test_a_known_base_form_wins_over_the_document():
    lemmatizer = Lemmatizer.learn(LOCATIVES + [("Тарас", "Тарас", "LOC")], lang="ru")
    assert lemmatizer.lemmas([("Тарасе", "LOC"), ("Тарасы", "LOC")])[0] == "Тарас"


def test_a_word_counts_at_most_word_cap_times_towards_a_suffix_rule():
    """One name seen many times must not outvote several names seen once each."""
    pairs = [("Бротасе", "Бротас", "LOC")] * 10 + [("Вилмасе", "Вилмаса", "LOC"), ("Морнасе", "Морнаса", "LOC"),
                                                   ("Карпасе", "Карпаса", "LOC"), ("Лурдасе", "Лурдаса", "LOC")]
    assert Lemmatizer.learn(pairs, lang="ru", word_cap=0)("Тарасе", "LOC") == "Тарас"  # 10 against 4
    assert Lemmatizer.learn(pairs, lang="ru")("Тарасе", "LOC") == "Тараса"  # 3 against 4
    assert Lemmatizer.learn(pairs, lang="ru")("Бротасе", "LOC") == "Бротас"  # the whole word keeps its counts


def test_a_whole_word_after_a_base_form_as_seen_there():
    pairs = [("Anglii", "Anglia", "LOC")] * 3 + [("Bank Anglii", "Bank Anglii", "ORG"), ("Anglii", "Anglia", "ORG")]
    lemmatizer = Lemmatizer.learn(pairs, lang="pl")
    assert lemmatizer("Anglii", "ORG") == "Anglia"
    assert lemmatizer("Bank Anglii", "ORG") == "Bank Anglii"
    assert "ORG|=|^anglii" in Lemmatizer.learn(pairs, lang="pl", prune=False).rules


def test_a_name_of_several_words_takes_the_base_form_its_document_writes():
    """"Волкова" was seen only as a base form (a woman's surname), so alone "Ивана Волкова" becomes
    "Иван Волкова"; the page's own "Иван Волков" says which reading it is here."""
    pairs = [("Мария Сидорова", "Мария Сидорова", "PER"), ("Анна Петрова", "Анна Петрова", "PER"),
             ("Елена Волкова", "Елена Волкова", "PER"), ("Ивана", "Иван", "PER"), ("Петра", "Петр", "PER")] * 2
    lemmatizer = Lemmatizer.learn(pairs, lang="ru")
    assert lemmatizer("Ивана Волкова", "PER") == "Иван Волкова"
    names = [("Ивана Волкова", "PER"), ("Иван Волков", "PER"), ("ивана  волкова", "PER")]
    context = lemmatizer.context_of(names)
    assert [lemmatizer(text, label, context) for text, label in names][0] == "Иван Волкова"  # its words settled alone
    assert lemmatizer.lemmas(names) == ["Иван Волков", "Иван Волков", "иван  волков"]  # own case and spacing kept
    assert lemmatizer.lemmas([("Ивана Волкова", "PER"), ("Иван Волков", "LOC")])[0] == "Иван Волкова"  # same label only
    assert lemmatizer.lemmas([("Ивана Волкова", "PER"), ("Иван", "PER"), ("Волков", "PER")])[0] == "Иван Волкова"


def test_a_rewrite_rare_in_its_key_gives_no_support():
    pairs = [("Бротасе", "Бротас", "LOC")] * 40 + [("Вилене", "Вилена", "LOC")]  # "-е" → "-а" once in 41
    lemmatizer = Lemmatizer.learn(pairs, lang="ru", prune=False, word_cap=0)
    assert lemmatizer.rules["|е"][1][:2] == (1, "а")  # the rule is kept...
    assert "тараса" not in lemmatizer.possible_lemmas("Тарасе", "LOC", "only")  # ...but backs no base form
    assert "тарас" in lemmatizer.possible_lemmas("Тарасе", "LOC", "only")


def test_a_base_form_taken_from_the_page_keeps_the_names_own_punctuation():
    """A name takes the letters of the page's base form, not the punctuation around its words."""
    from textpipe.lemmas import load_lemmatizer
    from textpipe.resources import package_path

    lemmatizer = load_lemmatizer(str(package_path("models") / "lemmas" / "ru.json"))
    assert lemmatizer.lemmas([("Ивана Волкова", "PER"), ("Иван Волков»", "PER")])[0] == "Иван Волков"
    assert lemmatizer.lemmas([("(Ивана Волкова", "PER"), ("Иван Волков", "PER")])[0] == "(Иван Волков"


# -- the dictionary of word forms (pymorphy3) for the words the rules never saw ------------------------
#: the rules of these tests learned a masculine locative ("-е" → "") and a genitive after a rewritten
#: word rewritten in the same case; none of the names below is among their pairs
NAMES_AND_SURNAMES = [("Ивана Петрова", "Иван Петров", "ORG"), ("Олега Сидорова", "Олег Сидоров", "ORG"),
                      ("Бориса Орлова", "Борис Орлов", "ORG")] * 2


def _dictionary():
    import pytest

    pytest.importorskip("pymorphy3")
    from textpipe.lemmas import Morphology

    morphology = Morphology.of("ru")
    if morphology is None:
        pytest.skip("no Russian dictionary (pymorphy3-dicts-ru)")
    return morphology


def test_a_word_the_rules_never_saw_takes_the_dictionarys_nominative():
    morphology = _dictionary()
    without = Lemmatizer.learn(LOCATIVES, lang="ru")
    with_dictionary = Lemmatizer.learn(LOCATIVES, lang="ru", morphology=morphology)
    assert without("Флориде", "LOC") == "Флорид"  # the masculine locative's rule
    assert with_dictionary("Флориде", "LOC") == "Флорида"
    assert with_dictionary.lemmas([("Флориде", "LOC"), ("Флориды", "LOC")]) == ["Флорида", "Флорида"]
    assert with_dictionary("Хельсинки", "LOC") == "Хельсинки"  # indeclinable
    assert with_dictionary("«Флориде»", "LOC") == "«Флорида»"  # punctuation around the word kept


def test_the_dictionary_reads_a_name_as_a_phrase():
    morphology = _dictionary()
    without = Lemmatizer.learn(NAMES_AND_SURNAMES, lang="ru")
    with_dictionary = Lemmatizer.learn(NAMES_AND_SURNAMES, lang="ru", morphology=morphology)
    # a genitive after a common noun stays: it depends on the noun
    assert without("Банка Ирана", "ORG") == "Банк Иран"
    assert with_dictionary("Банка Ирана", "ORG") == "Банк Ирана"
    assert with_dictionary("Коллегии выборщиков", "ORG") == "Коллегия выборщиков"  # not the same number
    # after a first name, the surname in the same case is its apposition
    assert without("Алексея Навального", "ORG") == "Алексея Навального"
    assert with_dictionary("Алексея Навального", "ORG") == "Алексей Навальный"
    # an adjective takes the gender of its noun
    assert with_dictionary("Национального агентства", "ORG") == "Национальное агентство"
    assert with_dictionary("Верховным судом Пакистана", "ORG") == "Верховный суд Пакистана"
    assert with_dictionary("Центра им. Гамалеи", "ORG") == "Центр им. Гамалеи"  # an abbreviation is not read


def test_a_ranked_dictionary_overrules_a_whole_word_the_training_pairs_left_inflected():
    morphology = _dictionary()
    pairs = LOCATIVES + [("Техаса", "Техаса", "LOC")]  # a slip of the corpus: a genitive as its own base form
    assert Lemmatizer.learn(pairs, lang="ru")("Техаса", "LOC") == "Техаса"
    assert morphology.ranked
    assert Lemmatizer.learn(pairs, lang="ru", morphology=morphology)("Техаса", "LOC") == "Техас"


def test_a_lone_adjective_is_left_to_the_rules():
    """SlavicNER gives a lone adjective now the masculine, now its own gender: the rules learned which."""
    morphology = _dictionary()
    pairs = [("российской", "российский", "LOC"), ("британской", "британский", "LOC")] * 2
    lemmatizer = Lemmatizer.learn(pairs, lang="ru", morphology=morphology)
    assert lemmatizer("американской", "LOC") == "американский"  # the dictionary alone: "американская"
    assert lemmatizer("американской делегации", "LOC") == "американская делегация"  # before its noun: agreed


def test_shipped_rules_with_and_without_a_dictionary(tmp_path):
    from textpipe.resources import package_path

    _dictionary()
    rules = package_path("models") / "lemmas"
    russian = Lemmatizer.from_disk(rules / "ru.json")
    assert russian.morphology is not None
    assert russian("Хельсинки", "LOC") == "Хельсинки"
    assert Lemmatizer.from_disk(rules / "ru.json", dictionary=False)("Хельсинки", "LOC") == "Хельсинка"
    polish = Lemmatizer.from_disk(rules / "pl.json")  # no Polish dictionary: the rules alone
    assert polish.morphology is None
    assert polish.lemmas([("Morza Czarnego", "LOC")]) == ["Morze Czarne"]


def test_an_unranked_dictionary_reads_unseen_words_but_leaves_whole_words_to_the_rules():
    """The Ukrainian dictionary gives its readings in no order of frequency and often without a
    number: a word that is a nominative already comes first, and a whole word seen in training stays."""
    import pytest

    pytest.importorskip("pymorphy3")
    from textpipe.lemmas import Morphology

    morphology = Morphology.of("uk")
    if morphology is None:
        pytest.skip("no Ukrainian dictionary (pymorphy3-dicts-uk)")
    assert not morphology.ranked
    pairs = [("Бротасі", "Бротас", "LOC"), ("Кремасі", "Кремас", "LOC"), ("Лудасі", "Лудас", "LOC")] * 2
    without = Lemmatizer.learn(pairs, lang="uk")
    lemmatizer = Lemmatizer.learn(pairs, lang="uk", morphology=morphology)
    assert without("Аризоні", "LOC") == "Аризон"
    assert lemmatizer("Аризоні", "LOC") == "Аризона"  # the singular reading has no number: inflected all the same
    assert lemmatizer("Північній Кароліні", "LOC") == "Північна Кароліна"
    assert lemmatizer("Перу", "LOC") == "Перу"
    slip = Lemmatizer.learn(pairs + [("Дубліна", "Дубліна", "LOC")], lang="uk", morphology=morphology)
    assert slip("Дубліна", "LOC") == "Дубліна"  # seen whole in training: an unranked dictionary does not overrule it
