"""Tests of textpipe.translit: the schemes' worked examples, contexts, case, policy, reversal."""

from __future__ import annotations

import time
import unicodedata

import pytest

from textpipe.translit import (
    LANGUAGES,
    UnknownScheme,
    _data,
    _engine,
    default_scheme,
    reverse,
    schemes,
    transliterate,
)

ALL_SCHEMES = [(lang, s) for lang in LANGUAGES for s in schemes(lang)]
MODIFIER_PRIME = "\u02b9"  # ʹ, soft sign in BGN/PCGN, ALA-LC, ISO 9
MODIFIER_DOUBLE_PRIME = "\u02ba"  # ʺ, hard sign


def tr(text: str, lang: str, scheme: str | None = None) -> str:
    return transliterate(text, lang, scheme)


def has_cyrillic(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CYRILLIC") for ch in text)


# --- API ---------------------------------------------------------------------------------------


def test_languages_and_defaults():
    assert LANGUAGES == ("ru", "be", "uk")
    assert default_scheme("ru") == "bgn_pcgn"
    assert default_scheme("be") == "bgn_pcgn"
    assert default_scheme("uk") == "national"
    assert schemes("ru") == ("bgn_pcgn", "ala_lc", "iso9", "icao", "wikipedia", "pwn")
    assert set(schemes("be")) == {"bgn_pcgn", "national", "ala_lc", "pwn", "iso9"}
    assert set(schemes("uk")) == {"national", "bgn_pcgn", "ala_lc", "pwn", "iso9"}
    for lang in LANGUAGES:
        assert schemes(lang)[0] == default_scheme(lang)


def test_default_scheme_is_used_when_none_given():
    assert transliterate("Движение Будущего") == "Dvizheniye Budushchego"
    assert transliterate("Київ", "uk") == tr("Київ", "uk", "national") == "Kyiv"
    assert transliterate("Гомель", "be") == "Homyel" + MODIFIER_PRIME


@pytest.mark.parametrize(
    "call",
    [
        lambda: transliterate("Москва", "sr"),
        lambda: transliterate("Москва", "RU"),
        lambda: schemes("pl"),
        lambda: default_scheme("xx"),
        lambda: reverse("Moskva", "kk"),
    ],
)
def test_unknown_language(call):
    with pytest.raises(UnknownScheme) as info:
        call()
    message = str(info.value)
    assert "unknown language" in message
    assert "ru, be, uk" in message


def test_unknown_scheme_lists_the_available_ones():
    with pytest.raises(UnknownScheme) as info:
        transliterate("Москва", "ru", "gost")
    message = str(info.value)
    assert "'gost'" in message
    for name in schemes("ru"):
        assert name in message
    assert "default bgn_pcgn" in message
    # a scheme that exists, but for another language
    with pytest.raises(UnknownScheme, match="national"):
        transliterate("Москва", "ru", "national")
    assert issubclass(UnknownScheme, ValueError)


def test_compiled_once_per_scheme():
    assert _engine.compiled("ru", "pwn") is _engine.compiled("ru", "pwn")


# --- worked examples ---------------------------------------------------------------------------

EXAMPLES = [
    # ru bgn_pcgn: BGN/PCGN 1947; ь = ʹ U+02B9, ъ = ʺ U+02BA
    ("ru", "bgn_pcgn", "Движение Будущего", "Dvizheniye Budushchego"),
    (
        "ru",
        "bgn_pcgn",
        "Революция Через Социальную Сеть",
        "Revolyutsiya Cherez Sotsial\u02b9nuyu Set\u02b9",
    ),
    ("ru", "bgn_pcgn", "Сеть", "Set\u02b9"),
    ("ru", "bgn_pcgn", "Лукашенко", "Lukashenko"),
    ("ru", "bgn_pcgn", "Ельцин", "Yel\u02b9tsin"),
    ("ru", "bgn_pcgn", "Щукин", "Shchukin"),
    ("ru", "bgn_pcgn", "Хрущёв", "Khrushchëv"),
    ("ru", "bgn_pcgn", "Юрьев", "Yur\u02b9yev"),
    ("ru", "bgn_pcgn", "Подъездной", "Pod\u02bayezdnoy"),
    ("ru", "bgn_pcgn", "Соловьёв", "Solov\u02b9yëv"),
    ("ru", "bgn_pcgn", "Ёлкин Майер Объём", "Yëlkin Mayyer Ob\u02bayëm"),
    ("ru", "bgn_pcgn", "Жириновский Чайковский", "Zhirinovskiy Chaykovskiy"),
    ("ru", "bgn_pcgn", "Братск Улан-Удэ", "Bratsk Ulan-Ude"),  # no optional middle dots
    # ru ala_lc
    ("ru", "ala_lc", "Щукин", "Shchukin"),
    ("ru", "ala_lc", "Ельцин", "El\u02b9t\u0361sin"),
    ("ru", "ala_lc", "Юрий", "I\u0361uriĭ"),
    ("ru", "ala_lc", "Эрмитаж", "Ėrmitazh"),
    ("ru", "ala_lc", "Хрущёв", "Khrushchëv"),
    ("ru", "ala_lc", "Подъезд", "Pod\u02baezd"),
    ("ru", "ala_lc", "Мария Царёва", "Marii\u0361a T\u0361sarëva"),
    ("ru", "ala_lc", "миръ", "mir"),  # pre-1918 final hard sign is not romanized
    ("ru", "ala_lc", "Россія", "Rossīi\u0361a"),  # pre-1918 і is a row of the table
    # ru iso9: ISO 9:1995 / GOST 7.79-2000 A
    ("ru", "iso9", "Щукин", "Ŝukin"),
    ("ru", "iso9", "Хрущёв", "Hruŝëv"),
    ("ru", "iso9", "Подъездной", "Pod\u02baezdnoj"),
    ("ru", "iso9", "Юрьев", "Ûr\u02b9ev"),
    ("ru", "iso9", "Ельцин", "El\u02b9cin"),
    ("ru", "iso9", "Жизнь Чайковского", "Žizn\u02b9 Čajkovskogo"),
    ("ru", "iso9", "Эхо Яблоко", "Èho Âbloko"),
    # ru icao: ICAO Doc 9303
    ("ru", "icao", "Юрий", "Iurii"),
    ("ru", "icao", "Подъезд", "Podieezd"),
    ("ru", "icao", "Ельцин", "Eltsin"),
    ("ru", "icao", "Хрущёв", "Khrushchev"),
    ("ru", "icao", "Мария Андрей", "Mariia Andrei"),
    ("ru", "icao", "Щукин Эдуард", "Shchukin Eduard"),
    # ru wikipedia: WP:RUS
    ("ru", "wikipedia", "Дмитрий Юрий Георгий", "Dmitry Yury Georgy"),
    ("ru", "wikipedia", "Андрей Белый", "Andrey Bely"),
    ("ru", "wikipedia", "Достоевский Толстой", "Dostoyevsky Tolstoy"),
    ("ru", "wikipedia", "Алексеев Андреев", "Alekseyev Andreyev"),
    ("ru", "wikipedia", "Фёдор Пётр Соловьёв Хрущёв", "Fyodor Pyotr Solovyov Khrushchyov"),
    ("ru", "wikipedia", "Ильич Ульянов Юрьев", "Ilyich Ulyanov Yuryev"),
    ("ru", "wikipedia", "Подъездной Ельцин Евгений", "Podyezdnoy Yeltsin Yevgeny"),
    ("ru", "wikipedia", "Дмитриевич", "Dmitriyevich"),
    ("ru", "wikipedia", "Набережные Челны Минеральные Воды", "Naberezhnye Chelny Mineralnye Vody"),
    ("ru", "wikipedia", "Революция Через Социальную Сеть", "Revolyutsiya Cherez Sotsialnuyu Set"),
    # ru pwn: Polish transcription
    ("ru", "pwn", "Лукашенко", "Łukaszenko"),
    ("ru", "pwn", "Медведев", "Miedwiediew"),
    ("ru", "pwn", "Хрущёв", "Chruszczow"),
    ("ru", "pwn", "Путин", "Putin"),
    ("ru", "pwn", "Ельцин", "Jelcyn"),
    ("ru", "pwn", "Жириновский", "Żyrinowski"),
    ("ru", "pwn", "Горбачёв", "Gorbaczow"),
    ("ru", "pwn", "Чайковский", "Czajkowski"),
    ("ru", "pwn", "Лев", "Lew"),
    ("ru", "pwn", "Людмила Фёдор Алёша", "Ludmiła Fiodor Alosza"),
    ("ru", "pwn", "Ильич Юрьев Подъезд", "Iljicz Jurjew Podjezd"),
    ("ru", "pwn", "Юрий Дмитрий Георгий", "Jurij Dmitrij Gieorgij"),
    ("ru", "pwn", "Крупская Плисецкая", "Krupska Plisiecka"),
    ("ru", "pwn", "Андрей Белый", "Andriej Bieły"),
    # strict transcription, not the Polish exonyms (Perm) or name forms (Paweł)
    ("ru", "pwn", "Казань Гоголь Пермь", "Kazań Gogol Pierm"),
    ("ru", "pwn", "Волга Павел Поляков", "Wołga Pawieł Polakow"),
    ("ru", "pwn", "Алексеев Елена Яков", "Aleksiejew Jelena Jakow"),
    # be bgn_pcgn: BGN/PCGN 1979
    ("be", "bgn_pcgn", "Аляксандр Лукашэнка", "Alyaksandr Lukashenka"),
    ("be", "bgn_pcgn", "Магілёў Віцебск", "Mahilyow Vitsyebsk"),
    ("be", "bgn_pcgn", "Гомель", "Homyel\u02b9"),
    ("be", "bgn_pcgn", "Маладзечна Ваўкавыск Бабруйск", "Maladzyechna Vawkavysk Babruysk"),
    ("be", "bgn_pcgn", "Светлагорск Гродна", "Svyetlahorsk Hrodna"),
    # be national: 2007 instruction
    ("be", "national", "Гомель", "Homieĺ"),
    ("be", "national", "Магілёў", "Mahilioŭ"),
    ("be", "national", "Віцебск", "Viciebsk"),
    ("be", "national", "Лукашэнка", "Lukašenka"),
    ("be", "national", "Ельск Ёды Бабаеды Гаёк", "Jeĺsk Jody Babajedy Hajok"),
    ("be", "national", "Заазер'е Лепель Шчучын", "Zaazierje Liepieĺ Ščučyn"),
    ("be", "national", "Хойнікі Мсціслаў Іўе", "Chojniki Mscislaŭ Iŭje"),
    ("be", "national", "Ляхавічы Язвін Юхнаўка", "Liachavičy Jazvin Juchnaŭka"),
    # be ala_lc
    ("be", "ala_lc", "Магілёў", "Mahilëŭ"),
    ("be", "ala_lc", "Віцебск", "Vit\u0361sebsk"),
    ("be", "ala_lc", "Аляксандр Лукашэнка", "Ali\u0361aksandr Lukashėnka"),
    # be pwn
    ("be", "pwn", "Лукашэнка", "Łukaszenka"),
    ("be", "pwn", "Ціханоўская", "Cichanouska"),
    ("be", "pwn", "Аляксандр", "Alaksandr"),
    ("be", "pwn", "Гомель", "Homiel"),
    # uk national: Resolution No. 55 (2010)
    ("uk", "national", "Згурський", "Zghurskyi"),
    ("uk", "national", "Юлія", "Yuliia"),
    ("uk", "national", "Київ", "Kyiv"),
    ("uk", "national", "Олексій", "Oleksii"),
    ("uk", "national", "Ярошенко", "Yaroshenko"),
    ("uk", "national", "Знам'янка", "Znamianka"),
    ("uk", "national", "Єнакієве Гаєвич Короп'є", "Yenakiieve Haievych Koropie"),
    ("uk", "national", "Їжакевич Кадиївка Мар'їне", "Yizhakevych Kadyivka Marine"),
    ("uk", "national", "Йосипівка Стрий", "Yosypivka Stryi"),
    ("uk", "national", "Розгон Згорани Ґалаґан", "Rozghon Zghorany Galagan"),
    ("uk", "national", "Юрій Корюківка Яготин Костянтин", "Yurii Koriukivka Yahotyn Kostiantyn"),
    ("uk", "national", "Феодосія Русь Запоріжжя", "Feodosiia Rus Zaporizhzhia"),
    ("uk", "national", "Біла Церква Борщагівка Вінниця", "Bila Tserkva Borshchahivka Vinnytsia"),
    # uk bgn_pcgn: BGN/PCGN 1965
    ("uk", "bgn_pcgn", "Київ", "Kyyiv"),
    ("uk", "bgn_pcgn", "Хмельницький", "Khmel\u02bcnyts\u02bckyy"),
    ("uk", "bgn_pcgn", "Запоріжжя Єнакієве", "Zaporizhzhya Yenakiyeve"),
    ("uk", "bgn_pcgn", "Знам'янка", "Znam\u201dyanka"),
    # uk ala_lc
    ("uk", "ala_lc", "Київ", "Kyïv"),
    ("uk", "ala_lc", "Запоріжжя", "Zaporizhzhi\u0361a"),
    ("uk", "ala_lc", "Хмельницький", "Khmel\u02b9nyt\u0361s\u02b9kyĭ"),
    ("uk", "ala_lc", "Знам'янка Євген", "Znam\u02bai\u0361anka I\u0361evhen"),
    # uk pwn
    ("uk", "pwn", "Зеленський", "Zełenski"),
    ("uk", "pwn", "Київ", "Kyjiw"),
    ("uk", "pwn", "Тимошенко", "Tymoszenko"),
    ("uk", "pwn", "Яценюк", "Jaceniuk"),
    ("uk", "pwn", "Львів Харків Порошенко", "Lwiw Charkiw Poroszenko"),
    ("uk", "pwn", "Бердянськ Луцьк", "Berdiańsk Łuck"),
    ("uk", "pwn", "Олексій Зеленська", "Ołeksij Zełenska"),
]


@pytest.mark.parametrize(("lang", "scheme", "text", "expected"), EXAMPLES)
def test_worked_examples(lang, scheme, text, expected):
    assert tr(text, lang, scheme) == expected


def test_bgn_pcgn_primes_are_modifier_letters():
    out = tr("Подъездной Сеть", "ru", "bgn_pcgn")
    assert MODIFIER_DOUBLE_PRIME in out and MODIFIER_PRIME in out
    assert "'" not in out and "\u2019" not in out and '"' not in out


# --- contexts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "text", "expected"),
    [
        # е: initial / after vowel / after consonant / after ь / after ъ / after й
        ("bgn_pcgn", "ель", "yel\u02b9"),
        ("bgn_pcgn", "поет", "poyet"),
        ("bgn_pcgn", "мел", "mel"),
        ("bgn_pcgn", "бьет", "b\u02b9yet"),
        ("bgn_pcgn", "съел", "s\u02bayel"),
        ("bgn_pcgn", "майер", "mayyer"),
        ("wikipedia", "майер", "mayer"),  # WP:RUS does not list й
        ("pwn", "ель поет мел бьет съел шесть", "jel pojet mieł bjet sjeł szest"),
        ("icao", "ель поет мел", "el poet mel"),
        # ё
        ("bgn_pcgn", "ёж моё мёд бельё", "yëzh moyë mëd bel\u02b9yë"),
        ("wikipedia", "ёж моё мёд бельё шёлк", "yozh moyo myod belyo shyolk"),
        ("pwn", "ёж моё мёд бельё шёлк лёд", "joż mojo miod bieljo szołk lod"),
        # ю я
        ("bgn_pcgn", "юла каюта тюль вьюга", "yula kayuta tyul\u02b9 v\u02b9yuga"),
        ("pwn", "юла каюта тюль вьюга", "juła kajuta tiul wjuga"),
        ("ala_lc", "яма", "i\u0361ama"),
        # endings
        ("wikipedia", "синий красный синие", "siny krasny siniye"),
        ("wikipedia", "ийка", "iyka"),  # -ий only at the end of the word
        ("bgn_pcgn", "синий красный", "siniy krasnyy"),
        ("pwn", "синий красный русский", "sinij krasny russki"),
    ],
)
def test_russian_contexts(scheme, text, expected):
    assert tr(text, "ru", scheme) == expected


def test_ukrainian_zgh_and_initial_iotated():
    assert tr("Згурський розгін зграя", "uk") == "Zghurskyi rozghin zghraia"
    assert tr("згадка", "uk", "bgn_pcgn") == "zhadka"  # 1965: no zgh
    # word-initial є ї й ю я vs. elsewhere
    assert tr("Євген Їжак Йосип Юрій Яна", "uk") == "Yevhen Yizhak Yosyp Yurii Yana"
    assert tr("мрія моє її мій люк", "uk") == "mriia moie yii mii liuk"
    # hyphen starts a new word; apostrophe does not
    assert tr("Івано-Франківськ Ново-Йосипівка", "uk") == "Ivano-Frankivsk Novo-Yosypivka"


@pytest.mark.parametrize("apostrophe", ["'", "\u02bc", "\u2019"])
def test_ukrainian_apostrophe(apostrophe):
    word = f"Знам{apostrophe}янка"
    assert tr(word, "uk") == "Znamianka"
    assert tr(word, "uk", "bgn_pcgn") == "Znam\u201dyanka"
    assert tr(word, "uk", "ala_lc") == "Znam\u02bai\u0361anka"
    assert tr(word, "uk", "pwn") == "Znamianka"
    # ISO 9 keeps the apostrophe as it was written
    assert tr(word, "uk", "iso9") == f"Znam{apostrophe}ânka"
    assert tr(f"П{apostrophe}ятихатки", "uk") == "Piatykhatky"


def test_apostrophe_outside_a_word_is_punctuation():
    assert tr("'Київ'", "uk") == "'Kyiv'"
    assert tr("\u2019Юлія\u2019", "uk") == "\u2019Yuliia\u2019"
    assert tr("Ярошенко' Юлія", "uk") == "Yaroshenko' Yuliia"


def test_belarusian_contexts():
    # national: je after vowel, apostrophe, ь, ў; ie after consonants
    assert tr("Бабаеды Заазер'е Іўе Лепель", "be", "national") == "Babajedy Zaazierje Iŭje Liepieĺ"
    # bgn_pcgn 1979: ye in every position
    assert (
        tr("Бабаеды Заазер'е Лепель", "be", "bgn_pcgn") == "Babayedy Zaazyer\u201dye Lyepyel\u02b9"
    )


def test_hyphenated_names():
    assert tr("Петров-Водкин", "ru") == "Petrov-Vodkin"
    assert tr("Петров-Водкин", "ru", "pwn") == "Pietrow-Wodkin"
    assert tr("Римский-Корсаков", "ru", "wikipedia") == "Rimsky-Korsakov"
    assert tr("Иванов-Ельцин", "ru") == "Ivanov-Yel\u02b9tsin"  # е after a hyphen is initial
    assert tr("ПЕТРОВ-ВОДКИН", "ru") == "PETROV-VODKIN"


# --- letter case -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "scheme", "text", "expected"),
    [
        ("ru", "bgn_pcgn", "ЩУКИН", "SHCHUKIN"),
        ("ru", "bgn_pcgn", "Щукин", "Shchukin"),
        ("ru", "bgn_pcgn", "щукин", "shchukin"),
        ("ru", "bgn_pcgn", "ПЛЮЩ", "PLYUSHCH"),
        ("ru", "bgn_pcgn", "ЕЛЬЦИН", "YEL\u02b9TSIN"),
        ("ru", "bgn_pcgn", "ЮРЬЕВ ХРУЩЁВ", "YUR\u02b9YEV KHRUSHCHËV"),
        ("ru", "bgn_pcgn", "Щ. Ю. Ж. Ельцин", "Shch. Yu. Zh. Yel\u02b9tsin"),
        ("ru", "bgn_pcgn", "Ю.Щ.", "Yu.Shch."),
        ("ru", "ala_lc", "ЙОД ЯКОВ ЦАРЬ", "ĬOD I\u0361AKOV T\u0361SAR\u02b9"),
        ("ru", "ala_lc", "Яков Царь", "I\u0361akov T\u0361sar\u02b9"),
        ("ru", "iso9", "ЩУКА ЁЖ", "ŜUKA ËŽ"),
        ("ru", "wikipedia", "ЮРИЙ ЖУКОВ", "YURY ZHUKOV"),
        ("ru", "pwn", "ЛУКАШЕНКО ЖИРИНОВСКИЙ ХРУЩЁВ", "ŁUKASZENKO ŻYRINOWSKI CHRUSZCZOW"),
        ("ru", "icao", "ЮРИЙ ЩУКИН", "IURII SHCHUKIN"),
        ("be", "national", "ГОМЕЛЬ МАГІЛЁЎ", "HOMIEĹ MAHILIOŬ"),
        ("be", "national", "Гомель", "Homieĺ"),
        ("uk", "national", "ЗГУРСЬКИЙ ЮЛІЯ", "ZGHURSKYI YULIIA"),
        ("uk", "national", "Згурський", "Zghurskyi"),
        ("uk", "national", "згурський", "zghurskyi"),
        ("uk", "pwn", "ЗЕЛЕНСЬКИЙ", "ZEŁENSKI"),
    ],
)
def test_case_follows_input(lang, scheme, text, expected):
    assert tr(text, lang, scheme) == expected


def test_output_is_nfc():
    for lang, scheme in ALL_SCHEMES:
        out = tr("ЙОД Йод йод ЁЖ Ёж ЯЩЕРИЦА Ящерица ГОМЕЛЬ Гомель Їжак ЇЖАК", lang, scheme)
        assert unicodedata.is_normalized("NFC", out), (lang, scheme, out)


# --- letters outside the alphabet --------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "scheme", "text", "expected", "why"),
    [
        (
            "ru",
            "bgn_pcgn",
            "Їжак Київ",
            "Yizhak Kiyiv",
            "ї from BGN/PCGN Ukrainian; и stays Russian",
        ),
        ("ru", "bgn_pcgn", "Іўе", "Iwe", "і ў from BGN/PCGN Belarusian, е by the Russian rules"),
        ("ru", "bgn_pcgn", "Ђорђе Љубомир", "Đorđe Ljubomir", "BGN/PCGN Serbian rows"),
        ("ru", "icao", "Ґалаґан Їжак Ђорђе", "Galagan Izhak Dorde", "ICAO's own rows"),
        ("ru", "wikipedia", "Россія", "Rossiya", "declared other_letters"),
        ("ru", "ala_lc", "Ѳеодоръ", "Ḟeodor", "ALA-LC pre-1918 rows"),
        ("ru", "pwn", "Київ", "Kijiw", "ї from PWN Ukrainian"),
        ("ru", "iso9", "Київ", "Kiïv", "ISO 9 covers everything"),
        ("uk", "national", "Добрый Эдуард", "Dobryi Eduard", "ы э from Belarusian national"),
        ("uk", "national", "подъезд", "pod\u02baezd", "ъ: no national table has it -> ISO 9"),
        (
            "uk",
            "bgn_pcgn",
            "Сыктывкар Эдуард Объём",
            "Syktyvkar Eduard Ob\u02baëm",
            "BGN/PCGN Russian table",
        ),
        (
            "uk",
            "pwn",
            "Добрый Хрущёв",
            "Dobryj Chruszcziow",
            "ы ё: PWN Russian table, not its rules",
        ),
        ("be", "national", "Київ", "Kyiv", "и ї from the Ukrainian national table"),
        ("be", "national", "Щука Ђура", "Shchuka Đura", "щ from uk national; ђ: none -> ISO 9"),
        ("be", "bgn_pcgn", "Щукин", "Shchukin", "щ и from BGN/PCGN Russian"),
        ("be", "pwn", "Щукин", "Szczukin", "щ и from PWN Russian"),
        ("ru", "bgn_pcgn", "Ӑӑ", "Ăă", "ISO 9 non-Slavic row"),
        ("ru", "icao", "ѐ", "è", "decomposition: е + grave through ICAO"),
        ("ru", "bgn_pcgn", "ԁ", "d", "Unicode name: KOMI DE -> de"),
    ],
)
def test_outside_alphabet_policy(lang, scheme, text, expected, why):
    assert tr(text, lang, scheme) == expected, why


def test_no_cyrillic_in_any_output():
    """Every Cyrillic letter U+0400-U+04FF (and the rest of Unicode's), in every case context."""
    block = [
        chr(cp) for cp in range(0x0400, 0x0500) if unicodedata.category(chr(cp)).startswith("L")
    ]
    assert len(block) > 200
    everything = sorted(set(block) | set(_engine.CYRILLIC_LETTERS))
    texts = [
        " ".join(everything),
        "".join(everything),
        " ".join("а" + ch + "а" for ch in everything),
        " ".join(ch.upper() + ch.upper() + "А" for ch in everything),
        " ".join(ch + "'" + ch for ch in everything),
    ]
    for lang, scheme in ALL_SCHEMES:
        for text in texts:
            out = tr(text, lang, scheme)
            bad = sorted({ch for ch in out if has_cyrillic(ch)})
            assert not bad, (lang, scheme, bad)


def test_every_letter_of_the_block_has_a_nonempty_iso9_output():
    for cp in range(0x0400, 0x0500):
        ch = chr(cp)
        if unicodedata.category(ch).startswith("L"):
            assert tr(ch, "ru", "iso9").strip(), hex(cp)


# --- ISO 9 reversal ----------------------------------------------------------------------------

RUSSIAN_WORDS = (
    "Щукин Хрущёв Ёлка ёж Подъездной Юрьев Объём Йошкар-Ола йод Эхо ЪЕ ОБЪЁМ съешь "
    "Движение Будущего Революция Через Социальную Сеть Лукашенко Ельцин Жириновский "
    "Чайковский Горбачёв Медведев Путин Достоевский Шостакович Цветаева Щедрин Вьюга Адъютант "
    "Сверхъестественный ПОДЪЕЗДНОЙ СЕТЬ ХРУЩЁВ ЁЛКИН ЩЕДРИН Ы Ыы Яблоко ЯКОВЛЕВ Эйзенштейн "
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
).split()


@pytest.mark.parametrize("word", RUSSIAN_WORDS)
def test_iso9_round_trip(word):
    latin = tr(word, "ru", "iso9")
    assert not has_cyrillic(latin)
    assert reverse(latin, "ru", "iso9") == word
    assert reverse(latin) == word  # defaults: ru, iso9


def test_iso9_round_trip_of_running_text():
    text = 'Москва, 12 мая 2024 г. — «Подъезд №5»: Щукин и Ёлкин (ООО "ОБЪЁМ-СЕТЬ") съели 3 яблока.'
    assert reverse(tr(text, "ru", "iso9")) == text


def test_iso9_round_trip_ukrainian_and_belarusian():
    for lang, text in [
        ("uk", "Ґалаґан Їжакевич Євген Київ Знам'янка Щастя"),
        ("be", "Магілёў Іўе Ўладзімір Шчучын Лукашэнка"),
    ]:
        assert reverse(tr(text, lang, "iso9"), lang) == text


def test_iso9_table_is_one_to_one():
    table = _data.load_scheme("iso9.toml").letters
    outputs = list(table.values())
    assert len(set(outputs)) == len(outputs)
    assert table["ъ"] == MODIFIER_DOUBLE_PRIME and table["ь"] == MODIFIER_PRIME


def test_reverse_refuses_schemes_that_are_not_reversible():
    with pytest.raises(ValueError, match="not reversible.*iso9"):
        reverse("Shchukin", "ru", "bgn_pcgn")
    with pytest.raises(UnknownScheme):
        reverse("Shchukin", "ru", "gost")


def test_reverse_leaves_other_text_alone():
    # q and w are ISO 9 letters only for non-Slavic languages; reverse() keeps them Latin
    assert reverse("Ŝukin, 2024 — OK? w q x ä", "ru") == "Щукин, 2024 — ОК? w q x ä"


def test_reverse_of_a_lone_prime_cannot_know_its_case():
    # ʺ and ʹ have no case: inside an ALL-CAPS word they come back as capitals, alone as small
    assert reverse("OBʺËM SETʹ Setʹ ʺ") == "ОБЪЁМ СЕТЬ Сеть ъ"


# --- passthrough -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang,scheme", ALL_SCHEMES)
def test_non_cyrillic_passes_through(lang, scheme):
    text = "Hello, World! 123 — «ok» ‘x’ 'y' ʼz\tśćž ÆØ 中文 😀 \n  e-mail: a@b.c"
    assert tr(text, lang, scheme) == text
    assert tr("", lang, scheme) == ""


def test_mixed_text():
    assert (
        tr("В 2024 году Putin (Путин) сказал: «Да!»", "ru")
        == "V 2024 godu Putin (Putin) skazal: «Da!»"
    )


def test_stress_marks_are_kept_and_transparent_to_context():
    assert tr("Влади\u0301мир Пу\u0301тин", "ru") == "Vladímir Pútin"
    assert tr("Марі\u0301я", "uk") == "Maríia"  # я after a stressed і is not word-initial
    assert tr("Алексе\u0301ев", "ru") == "Alekséyev"


# --- data files --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang,scheme", ALL_SCHEMES)
def test_scheme_files_have_headers_and_cover_the_alphabet(lang, scheme):
    data = _data.scheme_data(lang, scheme)
    assert data.name == scheme
    assert lang in data.languages
    for field in (data.standard, data.edition, data.source):
        assert field.strip()
    alphabet = _data.language(lang).alphabet
    assert set(alphabet) <= set(data.letters)
    assert data.reversible == (scheme == "iso9")


def test_bad_scheme_data_is_rejected():
    parse = _data._parse_scheme
    header = {"name": "x", "language": "ru", "standard": "s", "edition": "e", "source": "s"}
    header["reversible"] = False
    with pytest.raises(_data.SchemeDataError, match="Cyrillic"):
        parse("x.toml", {**header, "letters": {"а": "а"}})
    with pytest.raises(_data.SchemeDataError, match="unknown class"):
        parse("x.toml", {**header, "rules": [{"match": "е", "after": "<vowels>", "out": "ye"}]})
    with pytest.raises(_data.SchemeDataError, match="unknown keys"):
        parse("x.toml", {**header, "letter": {}})


# --- why not the `transliterate` package -------------------------------------------------------


def test_transliterate_package_is_not_bgn_pcgn():
    translit_pkg = pytest.importorskip("transliterate")
    theirs = translit_pkg.translit("Будущего", "ru", reversed=True)
    assert theirs == "Buduschego"  # щ -> sch: not any of the named standards
    assert tr("Будущего", "ru", "bgn_pcgn") == "Budushchego"


# --- speed -------------------------------------------------------------------------------------


def test_speed():
    text = ("Революция Через Социальную Сеть, 2024: Лукашенко и Щукин-Подъездной. " * 3000)[
        :200_000
    ]
    for lang, scheme in [("ru", "bgn_pcgn"), ("ru", "pwn"), ("uk", "national"), ("be", "national")]:
        tr("а", lang, scheme)  # compile outside the timing
        best = min(_timed(tr, text, lang, scheme) for _ in range(3))
        assert len(text) / best > 200_000, (lang, scheme, f"{len(text) / best:.0f} chars/s")


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start
