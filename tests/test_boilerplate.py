"""The boilerplate stage on pages written for these tests (en, ru, pl, uk), as text dumps and HTML."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textpipe.boilerplate_features import CONTEXT_FEATURES, FEATURES, PageExtras, context_features, page_features
from textpipe.boilerplate_model import BoilerplateModel, gold_labels, load_lexicon, load_model, main_region, site_key
from textpipe.document import BODY, BOILERPLATE, Block, Document
from textpipe.recurring import RecurringLines, load_table, save_table
from textpipe.resources import load_package_toml, package_path
from textpipe.stage import build_config
from textpipe.stages.blocks import Blocks
from textpipe.stages.boilerplate import Boilerplate
from textpipe.stages.read import Read

CONFIG = load_package_toml("pipelines", "default.toml")

NAV = ["* Home", "* News", "* Politics", "* Business", "* Sport", "* Culture", "* Contact", "Search", "Log in"]
SHARE = ["Share", "* Facebook", "* Twitter", "* Email", "* Print"]
FOOTER = ["© 2024 Riverside Daily. All rights reserved.", "Terms of Use | Privacy Policy | Contact us"]

ARTICLES = {
    "en": [
        "Flood barriers go up along the Riverside embankment",
        "Workers began installing temporary flood barriers along the Riverside embankment on Monday, after the river rose by almost two metres during the weekend rain.",
        "The city council said the barriers would stay in place until the water level falls below the warning mark, which forecasters expect to happen by the end of next week.",
        "Residents of the lower streets were asked to move their cars to higher ground and to keep sandbags at the doors of their houses, as they did during the spring floods three years ago.",
        "A spokesman for the water authority said that the new pumps installed last year were working at full capacity and that no homes had been flooded so far.",
    ],
    "ru": [
        "В Заречье начали строить временные дамбы",
        "В понедельник рабочие начали устанавливать временные дамбы вдоль набережной, после того как за выходные уровень воды в реке поднялся почти на два метра.",
        "В городской администрации сообщили, что заграждения простоят до тех пор, пока вода не опустится ниже отметки опасности, что, по прогнозам синоптиков, случится к концу следующей недели.",
        "Жителей нижних улиц попросили перегнать машины на возвышенность и держать мешки с песком у дверей, как это было во время весеннего паводка три года назад.",
        "Представитель водоканала сказал, что новые насосы, установленные в прошлом году, работают на полную мощность и ни один дом пока не затоплен.",
    ],
    "pl": [
        "Nad rzeką stanęły tymczasowe zapory",
        "W poniedziałek robotnicy zaczęli ustawiać tymczasowe zapory przeciwpowodziowe wzdłuż bulwaru, ponieważ w czasie weekendowych opadów poziom rzeki podniósł się o prawie dwa metry.",
        "Urząd miasta poinformował, że zapory pozostaną na miejscu, dopóki woda nie opadnie poniżej stanu ostrzegawczego, co według synoptyków powinno nastąpić pod koniec przyszłego tygodnia.",
        "Mieszkańców niżej położonych ulic poproszono, aby przestawili samochody na wyżej położone parkingi i trzymali worki z piaskiem przy drzwiach, tak jak podczas wiosennej powodzi trzy lata temu.",
        "Rzecznik wodociągów powiedział, że nowe pompy zainstalowane w zeszłym roku pracują pełną mocą i jak dotąd żaden dom nie został zalany.",
    ],
    "uk": [
        "На набережній встановлюють тимчасові дамби",
        "У понеділок робітники почали встановлювати тимчасові дамби вздовж набережної, після того як за вихідні рівень води в річці піднявся майже на два метри.",
        "У міській раді повідомили, що загородження стоятимуть доти, доки вода не опуститься нижче позначки небезпеки, що, за прогнозами синоптиків, станеться до кінця наступного тижня.",
        "Мешканців нижніх вулиць попросили перегнати автівки на підвищення і тримати мішки з піском біля дверей, як це було під час весняної повені три роки тому.",
        "Представник водоканалу сказав, що нові насоси, встановлені минулого року, працюють на повну потужність і жоден будинок поки не затоплено.",
    ],
}

COOKIES = {
    "en": ["We use cookies to improve your experience on our website. By continuing to browse, you agree to our use of cookies and to our Privacy Policy.", "Accept all", "Manage preferences"],
    "ru": ["Мы используем файлы cookie, чтобы сайт работал лучше. Продолжая пользоваться сайтом, вы соглашаетесь с политикой конфиденциальности и обработкой персональных данных.", "Принять все"],
    "pl": ["Ta strona używa plików cookie. Korzystając z serwisu, wyrażasz zgodę na przetwarzanie danych osobowych zgodnie z naszą polityką prywatności.", "Akceptuję"],
    "uk": ["Ми використовуємо файли cookie для покращення роботи сайту. Продовжуючи користуватися сайтом, ви погоджуєтеся з політикою конфіденційності та обробкою персональних даних.", "Прийняти все"],
}

RELATED = ["Read more", "* City budget for next year passes its first reading", "* New tram line to open in the autumn", "* Museum night draws record crowds"]


def dump(*parts: list[str]) -> str:
    """A plain-text dump: one block a line, blank lines between blocks."""
    return "\n\n".join(line for part in parts for line in part) + "\n"


def stage(**changes) -> Boilerplate:
    settings = dict(CONFIG["boilerplate"], **changes)
    return Boilerplate(build_config(Boilerplate.Config, settings, "boilerplate"))


@pytest.fixture(scope="module")
def bp() -> Boilerplate:
    return stage()


@pytest.fixture(scope="module")
def reader() -> tuple[Read, Blocks]:
    return Read(build_config(Read.Config, CONFIG["read"], "read")), Blocks(build_config(Blocks.Config, CONFIG["blocks"], "blocks"))


def read(reader, content: str, fmt: str = "text", id: str = "t", meta: dict | None = None) -> Document:
    r, b = reader
    doc = r.read_one(content, id=id, format=fmt, source="test", meta=meta)
    assert doc.error is None
    return b.process(doc)


def labelled(doc: Document) -> dict[str, tuple[str, str | None]]:
    return {doc.text[b.start : b.end]: (b.role, b.kind) for b in doc.blocks}


# -- whole pages -----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ru", "pl", "uk"])
def test_article_with_cookie_notice_nav_share_and_footer(bp, reader, lang):
    doc = bp.process(read(reader, dump(NAV, ARTICLES[lang], SHARE, FOOTER, COOKIES[lang])))
    got = labelled(doc)
    for paragraph in ARTICLES[lang][1:]:
        assert got[paragraph] == (BODY, None), paragraph
    for line in COOKIES[lang]:
        assert got[line] == (BOILERPLATE, "cookie_notice"), line
    for line in NAV:
        assert got[line][0] == BOILERPLATE, line
    for line in SHARE:
        assert got[line][0] == BOILERPLATE, line
    assert got["Share"] == (BOILERPLATE, "share")
    assert got[FOOTER[0]] == (BOILERPLATE, "footer")
    assert not any(line in doc.body for line in COOKIES[lang])


def test_title_between_nav_and_article_is_body(bp, reader):
    doc = bp.process(read(reader, dump(NAV, ARTICLES["en"], RELATED, FOOTER)))
    got = labelled(doc)
    assert got[ARTICLES["en"][0]] == (BODY, None)
    assert got["* Home"] == (BOILERPLATE, "navigation")
    assert got["Read more"] == (BOILERPLATE, "related")


def test_nav_bar_with_separators_is_navigation(bp, reader):
    bar = ["Home | News | Sport | Weather | Culture | Contact"]
    doc = bp.process(read(reader, dump(bar, ARTICLES["pl"], FOOTER)))
    got = labelled(doc)
    assert got[bar[0]] == (BOILERPLATE, "navigation")
    assert got[ARTICLES["pl"][2]] == (BODY, None)


def test_short_article_long_comments(bp, reader):
    article = [
        "Library opens on Sundays",
        "From next month the central library will open on Sundays from ten to four, the city council announced on Friday after a trial that ran through the summer.",
    ]
    comments = [
        "Comments (5)",
        "Anna K. wrote: Finally! I have been asking for Sunday opening hours for years, and I am glad that somebody at the council listened to the readers for once.",
        "Reply",
        "Tom wrote: I wonder who is going to pay for the extra staff, because the library already had to cut its budget for new books twice in the last three years.",
        "Reply",
        "Maria wrote: The trial in the summer was great, my children went there every Sunday, and the reading room was always full of people of every age.",
        "Reply",
        "Peter wrote: It would be even better if the branch libraries in the suburbs opened on Sundays too, since not everyone can get to the city centre easily.",
        "Reply",
        "Olga wrote: Does anyone know whether the café on the ground floor will also be open on Sundays, or only the reading rooms and the lending desk?",
    ]
    doc = bp.process(read(reader, dump(NAV, article, comments, FOOTER)))
    got = labelled(doc)
    assert got[article[1]] == (BODY, None)
    for line in comments:
        assert got[line] == (BOILERPLATE, "comments"), line


TEASERS = [
    "Flood warning for the Eastbrook valley The water authority warned residents of the Eastbrook valley that the river could rise by another metre this week, and asked them to keep sandbags at their doors. more »",
    "Harbour festival returns in June Organisers of the harbour festival say this year's event will be the largest yet, with three stages, a night market and boat races on both weekends. more »",
    "School meals to get cheaper Parents will pay less for school lunches from September, after the regional government agreed to cover a larger share of the cost for every pupil in primary schools. more »",
]


def test_teasers_ending_in_a_read_more_link_are_boilerplate(reader):
    """Teasers of other stories (a headline, a summary, "more »") read like prose; the link at
    their end gives them away. Without the rule the model takes these for body."""
    page = dump(NAV, ARTICLES["en"], TEASERS, FOOTER)
    got = labelled(stage(teaser_rule=True).process(read(reader, page)))
    for teaser in TEASERS:
        assert got[teaser] == (BOILERPLATE, "related"), teaser
    for paragraph in ARTICLES["en"]:
        assert got[paragraph] == (BODY, None), paragraph
    without = labelled(stage(teaser_rule=False).process(read(reader, page)))
    assert any(without[teaser][0] == BODY for teaser in TEASERS)


def test_a_teaser_gets_the_kind_related_only_with_the_rule(reader):
    """Off, the rule leaves kinds alone too: no block is "related" for its "read more" link."""
    teaser = "Harbour festival. more »"
    page = dump(NAV, ARTICLES["en"], [teaser] * 3, FOOTER)
    kinds = {}
    for on in (True, False):
        doc = stage(teaser_rule=on).process(read(reader, page))
        kinds[on] = [b.kind for b in doc.blocks if doc.text[b.start : b.end] == teaser]
    assert kinds[True] and all(kind == "related" for kind in kinds[True])
    assert kinds[False] and all(kind != "related" for kind in kinds[False])


def test_read_more_link_at_the_end_of_a_block():
    from textpipe.boilerplate_features import TEASER_END

    ends = ["Harbour festival returns. more »", "Summary of the story … Read more »", "Podsumowanie tekstu. Więcej»", "Краткое изложение новости. Подробнее", "czytaj dalej >", "Continue reading →"]
    not_ends = [
        "Prices don't tell the full story.", "We want more", "She said she wanted more.", "Read more about it in our guide to the river walks",
        "Подробнее об этом читайте ниже",
        # a sentence that ends in "more" or "далее" and an ellipsis is no link
        "Volunteers brought sandbags, pumps, boats and more...", "Соседи принесли мешки, насосы, лодки и так далее…",
    ]
    assert all(TEASER_END.search(text) for text in ends)
    assert not any(TEASER_END.search(text) for text in not_ends)
    extras = PageExtras()
    page_features(["A story. more »", "we want more", "Read more about floods"], [None] * 3, load_lexicon("builtin"), extras)
    assert extras.teasers.tolist() == [True, False, False]


COMMENTS_SIGNED = [
    "Jan 16, 2024 4:32 PM",
    "I live on one of the lower streets and we moved the car yesterday, but nobody from the council came to check on the older neighbours who cannot carry sandbags themselves.",
    "Jan 16, 2024 5:10 PM",
    "The same thing happened three years ago and we were promised a permanent wall along the river, so why are we still talking about temporary barriers every single spring?",
    "Jan 16, 2024 6:45 PM",
    "Thanks to the workers who were out there in the rain all weekend, they did a great job and deserve better pay for the overtime they put in for the whole town.",
    "Jan 17, 2024 8:02 AM",
    "Does anybody know whether the bridge to the east bank will stay open during the week, or should we plan to take the long way round through the industrial estate?",
]


def test_signed_comments_without_a_heading_end_the_body(reader):
    """Reader comments with no "Comments" heading, each under a line of a date and a time (its
    signature): the third signature followed by prose shows a thread, which ends the body at the
    first. Without the cut the model keeps most of the comments as body."""
    page = dump(NAV, ARTICLES["en"], COMMENTS_SIGNED, FOOTER)
    got = labelled(stage(thread_cut_dates=3).process(read(reader, page)))
    for line in COMMENTS_SIGNED:
        assert got[line][0] == BOILERPLATE, line
    for paragraph in ARTICLES["en"]:
        assert got[paragraph] == (BODY, None), paragraph
    without = labelled(stage(thread_cut_dates=0).process(read(reader, page)))
    assert sum(without[line][0] == BODY for line in COMMENTS_SIGNED[1::2]) >= 2
    # two signatures are not a thread (an article may carry its own date and time)
    short = dump(NAV, ARTICLES["en"], COMMENTS_SIGNED[:4], FOOTER)
    assert labelled(stage(thread_cut_dates=3).process(read(reader, short))) == labelled(stage(thread_cut_dates=0).process(read(reader, short)))


def test_a_signature_is_a_date_and_time_with_a_name_at_most():
    from textpipe.stages.boilerplate import _is_signature

    assert _is_signature("#3 - Mon Jan 16, 2024 4:32 PM EST")
    assert _is_signature("* March 2, 2024 - 8:06am Anna Nowak")
    assert _is_signature("16.01.24, 22:41")
    assert _is_signature("Иван Петров 16.01.2024 в 22:41")
    assert not _is_signature("16.01.2024")  # a date without a time: a related link's, an article's
    assert not _is_signature("12:35 Minister opens the new bridge over the river in the old town")  # a news feed's headline
    assert not _is_signature("* Flood barriers rise along the river - Local news (11 Jan 24)")


LISTICLE = [
    "Six bakeries worth the walk across the old town",
    "We spent a month eating our way through the old town, queueing before sunrise and comparing crusts, so that you do not have to guess where the good bread is.",
    "1. Northgate Bread Company",
    "Opening hours: 7am to 3pm",
    "The sourdough at Northgate has a dark, blistered crust and a crumb that stays soft for days; the owners still bake every loaf in the brick oven that came with the building.",
    "2. The Little Rye House",
    "Opening hours: 6am to 1pm",
    "A tiny counter with three kinds of rye bread, sold by weight, and a seed loaf that regulars buy by the half; arrive early on Saturdays, because the shelves are empty by ten.",
    "3. Corner Crumb",
    "Opening hours: 8am to 6pm",
    "Corner Crumb is known for its cinnamon buns, but the plain white tin loaf is the reason to come back, with a thin crust and a sweet smell that fills the whole street.",
    "4. Miller and Daughters",
    "Opening hours: 7am to 5pm",
    "The family has milled its own flour for three generations, and you can taste it in the wholemeal loaves, which are heavy, nutty and perfect for thick slices of cheese.",
    "5. Bridge Street Bakehouse",
    "Opening hours: 9am to 4pm",
    "This bakehouse by the river makes flat breads in a wood oven in front of the customers, and the queue on market days stretches past the bridge and along the water.",
    "6. Sunrise Ovens",
    "Opening hours: 5am to noon",
    "Sunrise Ovens bakes for half the cafes in town before it opens its own doors, and the baguettes that are left over at seven are the best bargain in the neighbourhood.",
]
MOST_READ = ["Most read", "1. Council approves new parking rules", "2. Tram line to open in autumn", "3. Museum night draws record crowds", "4. Storm closes the harbour road"]


def test_numbered_sections_touching_the_body_are_body(reader):
    """A listicle: numbered sections, each a heading, a short line and a paragraph. The sections
    look alike, and without the rule the model drops the last of them; with it, the whole list
    is body. Numbered headlines without prose between them ("Most read") stay boilerplate."""
    page = dump(NAV, LISTICLE, FOOTER)
    got = labelled(stage(numbered_sections=True).process(read(reader, page)))
    for line in LISTICLE:
        assert got[line] == (BODY, None), line
    for line in NAV + FOOTER:
        assert got[line][0] == BOILERPLATE, line
    without = labelled(stage(numbered_sections=False).process(read(reader, page)))
    assert any(without[line][0] == BOILERPLATE for line in LISTICLE)
    headlines = dump(NAV, ARTICLES["en"], MOST_READ, FOOTER)
    got = labelled(stage(numbered_sections=True).process(read(reader, headlines)))
    for line in MOST_READ:
        assert got[line][0] == BOILERPLATE, line
    for paragraph in ARTICLES["en"]:
        assert got[paragraph] == (BODY, None), paragraph


def test_numbered_lists_follow_their_numbers_past_nested_lists():
    from textpipe.stages.boilerplate import numbered_lists

    texts = [
        "Ten steps to a safer office network",  # 0
        "1. Control who gets in",  # 1
        "To get started:",  # 2
        "1. Turn on two-step sign-in",  # 3: a nested list ...
        "2. Give people only the access they need",  # 4
        "3. Review the access list every quarter",  # 5
        "2. Keep the software up to date",  # 6: ... and the outer list goes on
        "Updates close the holes that attackers use first.",  # 7
        "3) Encrypt what you keep",  # 8
        "12. A heading far too long to be a heading because it goes on and on and on and on and on",  # 9
        "4. Back up every day",  # 10
    ]
    words = [len(re.findall(r"\w+", t)) for t in texts]
    assert numbered_lists(texts, words) == [[1, 6, 8, 10], [3, 4, 5]]
    assert numbered_lists(texts[:6], words[:6]) == [[3, 4, 5]]  # two headings are no list
    # a plain numbered list (one line after the other) ends at the next line of prose: a "4." after
    # it goes on the outer list, whose last heading is "3." as well
    nested = [
        "1. Lock the doors",  # 0
        "Start with who holds the keys.",  # 1
        "2. Check the windows",  # 2
        "Old frames let the cold in.",  # 3
        "3. Keep a record",  # 4
        "Here is a simple approach:",  # 5
        "1. Write down every key",  # 6
        "2. Note who has a copy",  # 7
        "3. Check the list each spring",  # 8
        "A notebook by the door is enough.",  # 9
        "4. Test the alarm",  # 10
    ]
    assert numbered_lists(nested, [len(re.findall(r"\w+", t)) for t in nested]) == [[0, 2, 4, 10], [6, 7, 8]]
    # a list whose headings are far apart is two lists (or none)
    spread = ["1. One", *["A line of prose in between."] * 30, "2. Two", "3. Three"]
    assert numbered_lists(spread, [len(re.findall(r"\w+", t)) for t in spread]) == []


def test_page_of_only_boilerplate_has_an_empty_body(bp, reader):
    page = dump(
        NAV,
        ["Sign in to your account", "Forgot your password?", "Subscribe to our newsletter", "Most read", "* Weather: sunny spells", "* Traffic updates"],
        SHARE,
        FOOTER,
        COOKIES["en"],
    )
    doc = bp.process(read(reader, page))
    assert doc.body == ""
    assert all(b.role == BOILERPLATE and b.kind is not None for b in doc.blocks)


def test_empty_and_wordless_pages(bp, reader):
    doc = bp.process(Document(id="e", text=""))
    assert doc.blocks == []
    doc = bp.process(read(reader, "*\n\n+\n\n|\n"))
    assert all(b.role == BOILERPLATE for b in doc.blocks)


def test_html_page_uses_dom_hints(bp, reader):
    nav = "".join(f'<li><a href="/{x}">{x}</a></li>' for x in ("Home", "News", "Sport", "Contact"))
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLES["ru"][1:])
    html = (
        f"<html><body><nav><ul>{nav}</ul></nav>"
        f'<article class="article-body"><h1>{ARTICLES["ru"][0]}</h1>{paragraphs}</article>'
        f'<div class="share-buttons"><a href="#">Поделиться</a> <a href="#">ВКонтакте</a></div>'
        f'<div id="cookie-banner"><p>{COOKIES["ru"][0]}</p><button>{COOKIES["ru"][1]}</button></div>'
        "<footer><p>© 2024 Заречье. Все права защищены.</p></footer></body></html>"
    )
    doc = bp.process(read(reader, html, fmt="html"))
    got = labelled(doc)
    assert all(b.hints is not None for b in doc.blocks)
    for paragraph in ARTICLES["ru"]:
        assert got[paragraph] == (BODY, None)
    assert got["Home"] == (BOILERPLATE, "navigation")
    assert got[COOKIES["ru"][0]] == (BOILERPLATE, "cookie_notice")
    assert got["© 2024 Заречье. Все права защищены."] == (BOILERPLATE, "footer")


def test_the_seed_page_kinds(bp, reader):
    from conftest import SEED

    doc = bp.process(read(reader, SEED.read_text(encoding="utf-8")))
    got = labelled(doc)
    assert got["Text resize: A A"] == (BOILERPLATE, "accessibility")
    assert got["Cookies settings"] == (BOILERPLATE, "cookie_notice")
    assert got["Bynet: A slippery weapon!"] == (BODY, None)


# -- batch evidence --------------------------------------------------------------------------------
def site_pages(reader, lang: str, n: int, url: str = "https://www.example.org/news/{i}") -> list[Document]:
    """``n`` pages of one site: different articles (numbered paragraphs), a promo line on every page."""
    promo = ["Get our daily digest in your mailbox every morning, free of charge"]
    docs = []
    for i in range(n):
        article = [f"{ARTICLES[lang][0]} ({i})"] + [f"{i}.{k}. {p}" for k, p in enumerate(ARTICLES[lang][1:])]
        docs.append(read(reader, dump(promo, article, FOOTER), id=f"p{i}", meta={"url": url.format(i=i)}))
    return docs


def test_recurring_lines_of_a_site_become_boilerplate(reader):
    docs = list(stage(recurring_lines=True).run(site_pages(reader, "en", 4)))
    promo = "Get our daily digest in your mailbox every morning, free of charge"
    for doc in docs:
        assert labelled(doc)[promo][0] == BOILERPLATE
        assert promo not in doc.body
        assert ARTICLES["en"][1] in doc.body  # the article's lines are the page's own


def test_recurring_lines_off_or_across_sites(reader):
    promo = "Get our daily digest in your mailbox every morning, free of charge"
    # the promo line alone gets through the model as prose; batch evidence is what removes it
    off = list(stage(recurring_lines=False).run(site_pages(reader, "en", 4)))
    on_other_sites = list(stage(recurring_lines=True).run(site_pages(reader, "en", 4, url="https://site{i}.example.com/a")))
    assert [labelled(d)[promo] for d in off] == [labelled(d)[promo] for d in on_other_sites]


def test_recurring_memory_is_bounded(reader):
    bp = stage(recurring_lines=True, recurring_max_lines=3, recurring_max_sites=2, recurring_lookahead=0)
    docs = site_pages(reader, "ru", 3, url="https://a{i}.example.ru/x")
    list(bp.run(docs))
    assert len(bp._lines._sites) <= 2
    assert all(len(lines) <= 3 for lines in bp._lines._sites.values())


def test_a_recurring_lines_table_counted_beforehand(reader, tmp_path):
    """The pre-pass's table: every page, the first included, sees the whole run's evidence, and no
    document is held back."""
    promo = "Get our daily digest in your mailbox every morning, free of charge"
    counter = RecurringLines(min_pages=3, min_chars=12, max_lines=100, max_sites=10)
    table = counter.count(site_pages(reader, "pl", 4))
    assert list(table) == ["example.org"]
    save_table(table, tmp_path / "table.json")
    assert load_table(tmp_path / "table.json") == table
    bp = stage(recurring_table=str(tmp_path / "table.json"))
    stream = iter(site_pages(reader, "pl", 4))
    first = next(bp.run(stream))  # given before the other pages are read
    assert labelled(first)[promo][0] == BOILERPLATE
    assert ARTICLES["pl"][1] in first.body


def test_a_table_of_another_shape_is_refused(tmp_path):
    (tmp_path / "table.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="recurring-lines table"):
        stage(recurring_table=str(tmp_path / "table.json"))


def test_lookahead_lets_the_first_pages_of_a_site_benefit(reader):
    promo = "Get our daily digest in your mailbox every morning, free of charge"
    late = list(stage(recurring_lines=True, recurring_lookahead=0).run(site_pages(reader, "pl", 4)))
    early = list(stage(recurring_lines=True, recurring_lookahead=8).run(site_pages(reader, "pl", 4)))
    assert all(labelled(d)[promo][0] == BOILERPLATE for d in early)
    assert labelled(late[-1])[promo][0] == BOILERPLATE


def test_site_key():
    assert site_key({"url": "https://www.example.org/a/b"}, "file.jsonl") == "example.org"
    assert site_key({}, "file.jsonl") == "file.jsonl"
    assert site_key({"source": "crawl-7"}, "file.jsonl") == "crawl-7"


# -- pieces ------------------------------------------------------------------------------------------
def test_features_are_finite_and_named(reader):
    lex = load_lexicon("builtin")
    doc = read(reader, dump(NAV, ARTICLES["uk"], COOKIES["uk"]))
    texts = [doc.text[b.start : b.end] for b in doc.blocks]
    X = page_features(texts, [None] * len(texts), lex)
    assert X.shape == (len(texts), len(FEATURES))
    assert np.isfinite(X).all()
    Z = context_features(np.linspace(0, 1, len(texts)), X)
    assert Z.shape == (len(texts), len(CONTEXT_FEATURES)) and np.isfinite(Z).all()


def test_lexicon_hits_per_language():
    lex = load_lexicon("builtin")
    names = lex.kind_names
    for lang in ("en", "ru", "pl", "uk"):
        counts = lex.hits(COOKIES[lang][0].lower())
        assert lex.kind_of(counts, len(COOKIES[lang][0].split())) == "cookie_notice", lang
    assert lex.kind_of(lex.hits("поделиться"), 1) == "share"
    assert names[0] == "cookie_notice"


def test_gold_labels_rule():
    texts = ["* Home", "Flood barriers go up", "Workers began installing temporary flood barriers on Monday.", "Share this", "Other text entirely here"]
    gold = "Flood barriers go up\nWorkers began installing temporary flood barriers on Monday, after rain."
    assert gold_labels(texts, gold) == [0, 1, 1, 0, 0]


def test_main_region_picks_the_longest_confident_stretch():
    p = np.array([0.9, 0.0, 0.0, 0.8, 0.2, 0.9, 0.9, 0.1])
    words = np.array([5, 30, 30, 40, 4, 50, 60, 3])
    assert main_region(p, words, 0.3, 0.5) == (3, 6)
    assert main_region(np.zeros(3), np.ones(3), 0.3, 0.5) == (-1, -2)


def test_shipped_model_is_small_json_and_numpy_only():
    path = package_path("models", "boilerplate", "model.json")
    assert path.stat().st_size < 1_000_000
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == BoilerplateModel.FORMAT and data["stage1"]["features"] == list(FEATURES)
    model = load_model("builtin")
    p = model.predict_proba(np.zeros((3, len(FEATURES)), dtype=np.float32))
    assert p.shape == (3,) and all(0 <= x <= 1 and not math.isnan(x) for x in p)
    import sys

    assert "sklearn" not in sys.modules


def test_second_stage_averages_its_members(tmp_path):
    """The shipped second stage has a member with the cohesion features and one without; the
    model's probability is their mean, and the file round-trips."""
    model = load_model("builtin")
    assert len(model.stage2) == 2
    assert "cohesion" in model.stage2[0].features and "cohesion" not in model.stage2[1].features
    texts = ARTICLES["en"] + SHARE + FOOTER
    extras = PageExtras()
    X = page_features(texts, [None] * len(texts), load_lexicon("builtin"), extras)
    Z = context_features(model.stage1.predict_proba(X), X, extras.terms)
    members = [m.predict_proba(Z[:, [CONTEXT_FEATURES.index(f) for f in m.features]]) for m in model.stage2]
    assert np.allclose(model.predict_proba(X, extras.terms), np.mean(members, axis=0))
    model.save(tmp_path / "m.json")
    assert np.allclose(BoilerplateModel.load(tmp_path / "m.json").predict_proba(X, extras.terms), model.predict_proba(X, extras.terms))


def test_an_old_model_file_is_refused_with_a_hint(tmp_path):
    old = {"format": "textpipe-boilerplate-2", "stage1": load_model("builtin").stage1.spec, "stage2": None}
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        BoilerplateModel.load(tmp_path / "old.json")


def test_config_has_no_hidden_defaults():
    assert all(f.default is dataclasses.MISSING for f in dataclasses.fields(Boilerplate.Config))
    assert set(CONFIG["boilerplate"]) == {f.name for f in dataclasses.fields(Boilerplate.Config)}


def test_unknown_rule_kind_fails():
    with pytest.raises(ValueError, match="rule_kinds"):
        stage(rule_kinds=["cookie_notice", "weather"])


def test_missing_model_file_fails_at_load(tmp_path):
    with pytest.raises(ValueError, match="no model file"):
        stage(model=str(tmp_path / "nope.json"))


# -- the page-level feature extractor and the tree evaluator ------------------------------------------
def _column(X: np.ndarray, name: str) -> list[float]:
    return [round(float(x), 4) for x in X[:, FEATURES.index(name)]]


def test_block_features_from_the_whole_page():
    """Counts taken for the whole page at once land on the right blocks (words as ``str.split``
    cuts them, ALL CAPS as ``str.isupper`` says, sentence ends past closing quotes)."""
    texts = [
        "* Home",
        "NEWS from the BBC and ITV, today.",
        "«Он сказал: «нет».»",
        "Read more:",
        "ǅemal ǄEMAL (ŁÓDŹ) 𝐁𝐨𝐥𝐝 text",  # a titlecase letter is not upper case; letters past the BMP
        "12.03.2024 | 10:45",
        "Posted by Anna Kowalska",
        "March 3 was cold",
        "visit www.example.com",
        "* Home",
    ]
    X = page_features(texts, [None] * len(texts), load_lexicon("builtin"))
    assert _column(X, "log_words") == [round(math.log1p(n), 4) for n in (1, 7, 3, 2, 5, 5, 4, 4, 4, 1)]
    assert _column(X, "capitalised") == [0.5, round(3 / 7, 4), 0.0, 0.5, 0.4, 0.0, 0.75, 0.25, 0.0, 0.5]
    assert _column(X, "all_caps") == [0.0, round(3 / 7, 4), 0.0, 0.0, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert _column(X, "sentence_end") == [0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert _column(X, "colon_end") == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert _column(X, "quote") == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert _column(X, "bullet") == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert _column(X, "date") == [0, 0, 0, 0, 0, 1, 0, 1, 0, 0]
    assert _column(X, "byline") == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    assert _column(X, "separators") == [0, 0, 2, 0, 0, 1, 0, 0, 0, 0]  # "»" counts (a breadcrumb separator)
    assert _column(X, "urlish") == [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]
    assert _column(X, "dup_in_page") == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert _column(X, "lower_start") == [1, 1, 1, 1, 1, 0, 1, 1, 1, 1]  # read on the lower-cased block: a letter
    assert _column(X, "sentence_punct")[1] == round(1 / 7, 4) and _column(X, "commas")[1] == round(1 / 7, 4)


def test_lexicon_phrases_do_not_span_blocks():
    lex = load_lexicon("builtin")
    one = page_features(["we use cookies"], [None], lex)
    split = page_features(["we use", "cookies and more text here"], [None, None], lex)
    cookie = FEATURES.index("lex_cookie_notice")
    assert one[0, cookie] == 1.0
    assert split[0, cookie] == 0.0 and split[1, cookie] > 0  # "cookie*" alone still hits the second


def _walk(spec: dict, row: np.ndarray) -> float:
    """The plain way to evaluate the exported trees: walk each from its root to a leaf."""
    total = spec["init"]
    for feature, threshold, left, right, value in zip(spec["feature"], spec["threshold"], spec["left"], spec["right"], spec["value"]):
        node = 0
        while left[node] != node:
            node = right[node] if float(row[feature[node]]) > threshold[node] else left[node]
        total += value[node]
    return total


def test_tree_model_equals_walking_the_trees():
    stage1 = load_model("builtin").stage1
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, len(FEATURES))).astype(np.float32) * 3
    thresholds = [t for tree in stage1.spec["threshold"] for t in tree if t < 1e300]
    X[:20, :] = rng.choice(np.asarray(thresholds, dtype=np.float32), size=(20, len(FEATURES)))  # on the splits
    expected = [_walk(stage1.spec, row) for row in X]
    assert np.allclose(stage1.decision(X), expected, atol=1e-9)


def test_float32_thresholds_keep_the_comparisons():
    from textpipe.boilerplate_model import _float32_below

    thresholds = np.array([0.1, 1 / 3, 2.5, -0.7, 1e300, 16777217.0])
    low = _float32_below(thresholds)
    for t, t32 in zip(thresholds, low):
        for x in np.nextafter(np.float32(min(t, 3e38)), np.array([-np.inf, np.inf], dtype=np.float32)).tolist() + [np.float32(min(t, 3e38))]:
            assert (np.float32(x) > t32) == (float(np.float32(x)) > t), (t, x)


def test_line_blocks_are_trimmed_lines():
    from textpipe.stages.blocks import split_blocks

    text = "  Title  \n\n\t* Home\u00a0\n \u2003 \nlast line with \u00a0 inner  spaces\nx"
    doc = Blocks(build_config(Blocks.Config, {"split": "lines"}, "blocks")).process(Document(id="t", text=text))
    assert [(b.start, b.end) for b in doc.blocks] == [(b.start, b.end) for b in split_blocks(text)]
    assert [text[b.start : b.end] for b in doc.blocks] == ["Title", "* Home", "last line with \u00a0 inner  spaces", "x"]


def test_cohesion_separates_the_article_from_teasers_of_other_stories():
    from textpipe.boilerplate_features import cohesion

    texts = [
        "Flood barriers rise along the Riverside embankment",
        "Workers installed temporary flood barriers along the Riverside embankment after heavy rain.",
        "The barriers should protect the embankment until the river falls, engineers said.",
        "Local team wins the regional basketball championship",
        "Bakery celebrates fifty years with free pastries",
    ]
    extras = PageExtras()
    page_features(texts, [None] * len(texts), load_lexicon("builtin"), extras)
    p = np.array([0.6, 0.9, 0.9, 0.6, 0.6])  # the teasers look like body to the first stage
    soft, core = cohesion(p, extras.terms).T
    assert min(soft[:3]) > 0.3 and max(soft[3:]) == 0.0
    assert min(core[:3]) > 0.3 and max(core[3:]) == 0.0
    assert extras.hits[0] is not None and len(extras.hits) == len(texts)


def test_features_of_empty_blocks_and_characters_past_the_bmp():
    """A library caller may hand over empty blocks; astral characters (emoji, rare CJK) take the
    slow path of the character table, which stays linear in the page's distinct characters."""
    lex = load_lexicon("builtin")
    for texts in ([""], ["", ""], ["Title", ""], ["\U00020000" * 3, "x\U0001F600 \u01c4EMAL"]):
        extras = PageExtras()
        X = page_features(texts, [None] * len(texts), lex, extras)
        assert X.shape == (len(texts), len(FEATURES)) and np.isfinite(X).all()
        assert load_model("builtin").predict_proba(X, extras.terms).shape == (len(texts),)
    X = page_features(["x\U0001F600 \u01c4EMAL"], [None], lex)
    assert _column(X, "all_caps") == [0.5] and _column(X, "log_words") == [round(math.log1p(2), 4)]


# -- the fast paths give what the plain ones give ----------------------------------------------------
def test_second_stage_members_scored_in_one_pass_equal_each_member_alone():
    model = load_model("builtin")
    rng = np.random.default_rng(3)
    Z = rng.random((25, len(CONTEXT_FEATURES))).astype(np.float32)
    Z[:, 0] = rng.choice([0.0, 0.3, 0.5, 0.9, 1.0], size=25)
    together = model._stage2_forest.decisions(np.ascontiguousarray(Z.T))
    for member, columns, scores in zip(model.stage2, model._columns, together):
        alone = member.decision(Z[:, columns])
        assert np.array_equal(scores, alone)  # to the last bit: each member's trees summed in their own order
        assert np.allclose(alone, [_walk(member.spec, row) for row in Z[:, columns]], atol=1e-9)


def test_list_markers_are_what_the_bullet_regex_matches():
    from textpipe.boilerplate_features import _BULLET

    texts = [
        "* item", "*item", "o one", "of course", "o", "o ", "- x", "-x", "• bullet", "▪\u00a0nbsp",
        "1. First", "1.First", "12) twelve", "123. no", "1)", "1) ", "1.", "12.", "12. ", "9\u00a0x",
        "١. arabic-indic", "²) superscript", "7 days", "3.5 million", "+ plus", "+1 vote",
    ]
    X = page_features(texts, [None] * len(texts), load_lexicon("builtin"))
    bullet = X[:, FEATURES.index("bullet")]
    assert bullet.tolist() == [float(_BULLET.match(t) is not None) for t in texts]
    level = X[:, FEATURES.index("bullet_level")]
    assert level[texts.index("* item")] == 1.0 and level[texts.index("- x")] == 2.0 and level[texts.index("1. First")] == 3.0
    assert level[texts.index("*item")] == 0.0


def test_dates_found_only_where_the_date_patterns_match():
    from textpipe.boilerplate_features import _TOKEN, DATE_NUMERIC, DATE_WORDS, MONTH_NAMES

    texts = [
        "12.05.2021", "Posted 2021-05-12 by the editor", "Updated 10:30", "May 5", "5 мая 2023", "3 stycznia",
        "Room 101 and 202", "1/2/20", "v1.2", "Page 3 of 10", "2 - 3 goals", "12:5", "Chapter 7: the end",
    ]
    X = page_features(texts, [None] * len(texts), load_lexicon("builtin"))

    def is_date(t: str) -> bool:
        months = any(tok in MONTH_NAMES for tok in _TOKEN.findall(t.lower()))
        return DATE_NUMERIC.search(t) is not None or (months and DATE_WORDS.search(t) is not None)

    assert X[:, FEATURES.index("date")].tolist() == [float(is_date(t)) for t in texts]


def _sections_by_loop(comments, related, prose, footer, cookies, words):  # the plain reading of ``_sections``' rule
    in_comments, in_related, section = [], [], 0
    for c, r, p, f, k, w in zip(comments, related, prose, footer, cookies, words):
        if c == 1.0 and w <= 6:
            section = 1
        elif r == 1.0 and w <= 6:
            section = 2
        elif section == 2 and p and w >= 25:  # noqa: SIM114 - the rule as the plain loop reads it
            section = 0
        elif f == 1.0 or k == 1.0:
            section = 0
        in_comments.append(section == 1)
        in_related.append(section == 2)
    return in_comments, in_related


def test_sections_visiting_only_the_turning_blocks_equal_the_plain_loop():
    from textpipe.boilerplate_features import _INDEX, _sections

    rng = np.random.default_rng(5)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        X = np.zeros((n, len(FEATURES)), dtype=np.float32)
        for name in ("lex_comments", "lex_related", "lex_footer", "lex_cookie_notice"):
            X[:, _INDEX[name]] = rng.choice([0.0, 0.5, 1.0], size=n, p=[0.8, 0.1, 0.1])
        X[:, _INDEX["prose"]] = rng.random(n) < 0.4
        words = rng.choice([1.0, 4.0, 6.0, 7.0, 24.0, 25.0, 60.0], size=n)
        expected = _sections_by_loop(*(X[:, _INDEX[k]].tolist() for k in ("lex_comments", "lex_related", "prose", "lex_footer", "lex_cookie_notice")), words.tolist())
        got = _sections(X, words)
        if got is None:
            assert not any(expected[0]) and not any(expected[1])
        else:
            assert got[0].tolist() == expected[0] and got[1].tolist() == expected[1]


def test_prefix_stems_found_by_their_heads_as_by_startswith():
    from textpipe.boilerplate_features import _PageChars, _Tokens

    lex = load_lexicon("builtin")
    tokens = ["cookies", "cookie", "cook", "c", "ca", "consent", "consensus", "ciasteczka", "куки", "кукиш", "кук", "copyright", "przetwarzania", "pr", "x", "печенье", "coo\u4e00kie", "\U0001F600"]
    expected = [t.startswith(lex.prefix_stems) for t in tokens]
    assert any(expected) and not all(expected)
    assert lex.prefixed(tokens).tolist() == expected
    joined = " ".join(tokens)
    found = _Tokens.of(joined, _PageChars.of([joined]))
    assert found.words == tokens[:-1]  # (the emoji is no word character)
    assert lex.prefixed(found.words, found.heads(len(lex.prefix_columns))).tolist() == expected[:-1]


def test_windows_from_one_running_sum_equal_one_window_at_a_time():
    from textpipe.boilerplate_features import _windows

    values = np.random.default_rng(7).random((30, 3))
    for radius, both in zip((2, 5), _windows(values, (2, 5))):
        for column in range(3):
            csum = np.concatenate(([0.0], np.cumsum(values[:, column])))
            idx = np.arange(30)
            lo, hi = np.maximum(idx - radius, 0), np.minimum(idx + radius + 1, 30)
            assert np.array_equal(both[:, column], (csum[hi] - csum[lo]) / (hi - lo))


def test_sorted_unique_equals_numpy_unique():
    from textpipe.boilerplate_features import _sorted_unique

    rng = np.random.default_rng(11)
    for size in (0, 1, 50, 500):
        values = rng.integers(0, 300, size=size)
        assert np.array_equal(_sorted_unique(values, 300), np.unique(values))
        assert np.array_equal(_sorted_unique(values, 1 << 30), np.unique(values))


# -- the faster paths of this pass give what the plain ones give --------------------------------------
def _random_texts(rng: np.random.Generator, alphabet: list[str], count: int, most: int) -> list[str]:
    return ["".join(rng.choice(alphabet, size=int(rng.integers(0, most + 1)))) for _ in range(count)]


def test_character_flags_computed_a_class_at_a_time_equal_one_character_at_a_time():
    from textpipe.boilerplate_features import _TABLED, _flags, _flags_of, _string_flags, _table_flags

    table = _table_flags()
    assert table.tolist() == [_flags_of(chr(c)) for c in range(_TABLED)]
    beyond = "".join(chr(c) for c in range(_TABLED, 0x110000, 7))  # CJK, Hangul, surrogates, astral planes
    assert _string_flags(beyond).tolist() == [_flags_of(c) for c in beyond]
    page = "Aa \u01c5\u00df_1\u0661 \u3042\u30a2\U0001F600\ud800\n"
    cps = np.frombuffer(page.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    assert _flags(cps).tolist() == [_flags_of(c) for c in page]


def test_words_cut_at_the_flags_equal_the_tokenizer():
    from textpipe.boilerplate_features import _TOKEN, _PageChars

    rng = np.random.default_rng(21)
    alphabet = list("ab Z_9-.,'\u00e9\u0436\u0661\u00b2\u2167\u3042\u00a0\t") + ["\U0001F600", "\U00020000", "\ud800", "\u0301"]
    for _ in range(300):
        texts = _random_texts(rng, alphabet, int(rng.integers(1, 5)), 12)
        joined = "\n".join(texts)
        assert _PageChars.of(texts, joined).words() == _TOKEN.findall(joined)


def test_a_page_lower_cased_at_once_equals_block_by_block():
    from textpipe.boilerplate_features import _lowered, _PageChars

    pages = [
        ["ΟΔΟΣ", "ΣΑΣ ΣΟΦΟΣ.", "Σ"],  # final sigmas at the ends of blocks
        ["Istanbul", "İSTANBUL", "x"],  # "İ" lower-cases to two characters: the blocks move
        ["ABC", "", "Déjà VU"],
    ]
    for texts in pages:
        joined = "\n".join(texts)
        lowered_joined, lowered_page = _lowered(texts, joined, _PageChars.of(texts, joined))
        expected = [t.lower() for t in texts]
        assert lowered_joined == "\n".join(expected)
        reference = _PageChars.of(expected)
        assert np.array_equal(lowered_page.cps, reference.cps) and np.array_equal(lowered_page.block_of, reference.block_of)
        assert np.array_equal(lowered_page.flags, reference.flags)  # (only the changed characters looked up again)


def test_lower_case_from_the_table_equals_str_lower():
    from textpipe.boilerplate_features import _lower_cps

    def cps(text: str) -> np.ndarray:
        return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    # every 7th code point (but the surrogates and a capital sigma), the table's and those beyond it
    text = "".join(chr(c) for c in range(0, 0x110000, 7) if not 0xD800 <= c < 0xE000 and c != 0x3A3 and len(chr(c).lower()) == 1)
    assert _lower_cps(cps(text)).tobytes().decode("utf-32-le") == text.lower()
    # a capital sigma (its lower case depends on what follows) and "İ" (two characters): str.lower's to do
    assert _lower_cps(cps("ΟΔΟΣ x")) is None and _lower_cps(cps("İx")) is None
    assert _lower_cps(cps("")).tolist() == []


def test_token_codes_read_off_the_characters_equal_the_dictionary():
    from textpipe.boilerplate_features import _PageChars, _Tokens

    lex = load_lexicon("builtin")
    known = list(lex.token_codes)
    places = lex.code_table.places
    assert any(len(w) > places for w in known)  # (some are looked up by their string)
    # the lexicon's words, shorter and longer ones with their first characters, characters outside their alphabet
    pool = known + [w[:-1] for w in known] + [w + "s" for w in known] + [w[:places] + "q" * 3 for w in known]
    pool += ["x\u4e00", "\u4e00", "ko\u00dfmentar", "a" * 40, "9", "\u00f6", "_", "\u0436" * 9]
    rng = np.random.default_rng(31)
    for _ in range(60):
        joined = " ".join(rng.choice(pool, size=int(rng.integers(1, 80))))
        tokens = _Tokens.of(joined, _PageChars.of([joined]))
        assert np.array_equal(lex.codes_at(tokens), lex.codes_of(tokens.words))
    empty = _Tokens.of("", _PageChars.of([""]))
    assert lex.codes_at(empty).tolist() == []


def test_a_code_table_of_a_large_alphabet_finds_its_words():
    from textpipe.boilerplate_features import _CodeTable, _PageChars, _Tokens

    rng = np.random.default_rng(32)
    letters = [chr(c) for c in range(0x4E00, 0x4E00 + 300)] + list("abc")  # 303 letters: 9 bits each, 6 places
    words = {"".join(rng.choice(letters, size=int(rng.integers(1, 12)))): int(code) for code in rng.integers(1, 1 << 40, size=400)}
    table = _CodeTable.of(words)
    assert (table.bits, table.places) == (9, 6)
    pool = list(words) + [w[:-1] for w in words] + [w + "a" for w in words] + ["zz", "a"]
    for _ in range(30):
        joined = " ".join(rng.choice(pool, size=60))
        tokens = _Tokens.of(joined, _PageChars.of([joined]))
        expected = [words.get(w, 0) for w in tokens.words]
        assert table.codes(tokens.page.cps, tokens.starts, tokens.lengths, tokens.joined, words).tolist() == expected
    assert not _CodeTable.of({}).codes(tokens.page.cps, tokens.starts, tokens.lengths, tokens.joined, {}).any()


def test_phrase_hits_reading_only_the_tokens_that_may_start_a_phrase_equal_reading_all():
    from textpipe.boilerplate_features import _lowered, _PageChars, _Tokens

    lex = load_lexicon("builtin")
    phrase_tokens = sorted({t for entries in lex.phrases.values() for seq, _, _ in entries for t in seq})
    long_phrases = [" ".join(seq) for entries in lex.phrases.values() for seq, _, _ in entries if len(seq) > 2]
    pool = phrase_tokens + long_phrases + ["cookies", "the", "news", "river", "42", "Read more", "\u00a9 2024", "|"]
    rng = np.random.default_rng(33)
    for _ in range(60):
        texts = [" ".join(rng.choice(pool, size=int(rng.integers(0, 12)))) for _ in range(int(rng.integers(1, 6)))]
        joined = "\n".join(texts)
        tokens = _Tokens.of(*_lowered(texts, joined, _PageChars.of(texts, joined)))
        codes, heads = lex.codes_at(tokens), tokens.heads(len(lex.prefix_columns))
        some, their_blocks = lex.phrase_words(tokens, codes, heads)
        every, all_blocks = tokens.words, tokens.block.tolist()
        assert all(word is None or word == full for word, full in zip(some, every))
        assert all(block is None or block == full for block, full in zip(their_blocks, all_blocks))
        args = (tokens.joined, tokens.page.block_of, codes, heads)
        assert np.array_equal(lex.block_hits(some, their_blocks, *args), lex.block_hits(every, all_blocks, *args))


def test_urlish_alternatives_apart_find_the_blocks_of_the_whole_regex():
    from textpipe.boilerplate_features import (
        _URLISH,
        _URLISH_PARTS,
        _PageChars,
        _Tokens,
    )

    rng = np.random.default_rng(34)
    alphabet = ["http", "https", "s", ":", "//", "www", ".", "@", "a", "com", "ru", "de", "netx", " ", "\u00e9", "_"]
    for _ in range(300):
        texts = _random_texts(rng, alphabet, int(rng.integers(1, 5)), 8)
        joined = "\n".join(texts)
        tokens = _Tokens.of(joined, _PageChars.of(texts, joined))
        assert tokens.blocks_matching(*_URLISH_PARTS).tolist() == tokens.blocks_matching(_URLISH).tolist()


def test_sections_of_a_batch_equal_those_of_its_pages_one_by_one():
    from textpipe.boilerplate_features import _INDEX, Pages, _sections

    rng = np.random.default_rng(35)
    for _ in range(200):
        sizes = rng.integers(1, 12, size=int(rng.integers(1, 6))).tolist()
        n = sum(sizes)
        X = np.zeros((n, len(FEATURES)), dtype=np.float32)
        for name in ("lex_comments", "lex_related", "lex_footer", "lex_cookie_notice"):
            X[:, _INDEX[name]] = rng.choice([0.0, 0.5, 1.0], size=n, p=[0.7, 0.1, 0.2])
        X[:, _INDEX["prose"]] = rng.random(n) < 0.4
        words = rng.choice([1.0, 6.0, 7.0, 25.0, 60.0], size=n)
        expected = [np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)]
        start = 0
        for size in sizes:
            alone = _sections(X[start : start + size], words[start : start + size])
            if alone is not None:
                expected[0][start : start + size], expected[1][start : start + size] = alone
            start += size
        got = _sections(X, words, Pages.of(sizes))
        if got is None:
            assert not expected[0].any() and not expected[1].any()
        else:
            assert got[0].tolist() == expected[0].tolist() and got[1].tolist() == expected[1].tolist()
    # a page that ends inside a comments section, then a page without a turn: the section stays on its page
    X = np.zeros((3, len(FEATURES)), dtype=np.float32)
    X[0, _INDEX["lex_comments"]] = 1.0
    got = _sections(X, np.array([1.0, 8.0, 8.0]), Pages.of([1, 2]))
    assert got is not None and got[0].tolist() == [True, False, False]


def test_line_blocks_found_by_their_newlines_equal_the_regex():
    from textpipe.stages.blocks import _TRIMMED_LINE, line_blocks

    rng = np.random.default_rng(36)
    alphabet = list("ab \t\n\n\u00a0\u3000\u2028\r\x1c.") + ["\U0001F600", "xyz", "\u0436"]
    for _ in range(500):
        text = "".join(rng.choice(alphabet, size=int(rng.integers(0, 30))))
        assert line_blocks(text) == [Block(*m.span()) for m in _TRIMMED_LINE.finditer(text)]


METADATA = {
    "caption": "Workers on the embankment on Monday. (Photo: City press office)",
    "caption_ru": "Рабочие на набережной. Фото: пресс-служба администрации",
    "caption_pl": "Robotnicy na bulwarze (fot. Urząd Miasta)",
    "tags": "Tags: floods, river, embankment",
    "tags_ru": "Теги: паводок, дамбы, набережная",
    "byline": "By Anna Nowak",
    "dateline": "9 декабря 2023 года, 17:54",
}


def test_captions_tags_bylines_and_datelines_are_metadata(reader):
    """Between the title and the article (and after it) a text dump keeps the photo's caption or
    credit, the byline, the date and time, the tags: short lines the model often takes for the
    article's own. With ``metadata_rule`` they are boilerplate of kind ``metadata``."""
    title, *paragraphs = ARTICLES["en"]
    article = [title, METADATA["byline"], METADATA["dateline"], METADATA["caption"], paragraphs[0], METADATA["caption_ru"], *paragraphs[1:3],
               METADATA["caption_pl"], *paragraphs[3:], METADATA["tags"], METADATA["tags_ru"]]
    page = dump(NAV, article, FOOTER)
    got = labelled(stage(metadata_rule=True).process(read(reader, page)))
    for name, line in METADATA.items():
        assert got[line] == (BOILERPLATE, "metadata"), name
    for paragraph in paragraphs:
        assert got[paragraph] == (BODY, None), paragraph
    without = labelled(stage(metadata_rule=False).process(read(reader, page)))
    assert without[METADATA["caption"]] == (BODY, None)  # the model alone keeps the caption
    assert all(without[METADATA[name]][1] != "metadata" for name in ("caption_ru", "caption_pl", "tags", "tags_ru"))


@pytest.mark.parametrize("lang, section", [("en", "Business"), ("ru", "Общество"), ("pl", "Gospodarka")])
def test_a_section_name_before_the_article_is_no_title(reader, lang, section):
    """The title finder takes the heading-like block just before the body; a site's section name
    ("Business") stands there as often as the article's title does, and the model gives it a far
    lower probability. With ``title_min_probability`` it stays navigation; the title stays body."""
    title, *paragraphs = ARTICLES[lang]
    for heading in (section, title):
        page = dump(NAV, [heading], paragraphs, FOOTER)
        got = labelled(stage().process(read(reader, page)))
        assert got[heading] == ((BOILERPLATE, "navigation") if heading == section else (BODY, None)), heading
        assert all(got[paragraph] == (BODY, None) for paragraph in paragraphs)
    old = labelled(stage(title_min_probability=0.0).process(read(reader, dump(NAV, [section], paragraphs, FOOTER))))
    assert old[section] == (BODY, None)  # taken for the title without the threshold


def test_a_line_repeated_on_the_page_is_body_once(reader):
    """A text dump repeats lines: the title over itself, a table of contents' entries before their
    headings, the whole article (a print version). The article is body once, in its last copy;
    another page's copy of the same text is no copy."""
    title, *paragraphs = ARTICLES["en"]
    contents = paragraphs[:2]
    page = dump(NAV, [title, title], contents, ARTICLES["en"], paragraphs, FOOTER)
    doc = stage(body_once=True).process(read(reader, page))
    for line in ARTICLES["en"]:
        assert doc.body.count(line) == 1, line
    assert "\n".join(paragraphs) in doc.body  # the last copy, whole
    without = stage(body_once=False).process(read(reader, page))
    assert sum(without.body.count(line) for line in paragraphs) > len(paragraphs)
    # pages labelled together: each keeps its own copy of a text the other page has too
    docs = list(stage(body_once=True, batch_size=8).run([read(reader, dump(NAV, ARTICLES["en"], FOOTER), id=f"p{k}") for k in range(2)]))
    assert all(doc.body.count(paragraphs[0]) == 1 for doc in docs)


def test_a_caption_is_a_short_block_with_a_credit_or_tags_that_is_no_sentence():
    from textpipe.boilerplate_features import is_caption

    captions = [
        "Здание суда. Фото с сайта mos.ru", "Кадр телеканала «Россия 1»", "Фото: РИА Новости", "Workers on the embankment (Picture: EPA)",
        "Photo credit: Anna Nowak", "PHOTOS: The floods of 2021", "Credit: Reuters/Anna Nowak", "fot. YouTube.com", "Zdjęcie: PAP",
        "The river at night... View Full Caption", "Tags: floods, rivers", "tagi: powódź, rzeka", "Метки: паводок",
        "Więcej o: powódź , rzeka , zapory", "Posted in: News , Local Tags: floods", "The bakery at dawn. | Photo by Anna Nowak",
    ]
    not_captions = [
        "* Has nice images: the guide shows pictures of every bakery", "Optimize the title tags: use the main keywords first.",
        "Фотография дня", "The photographer waited for the light", "Kadry z filmu", "We tagged the photos ourselves.",
        "Price tags: from 10 to 20 euros.", "Fotografia: sztuka czekania na światło.", "A photo by her son won the prize",
    ]
    assert [c for c in captions if not is_caption(c)] == []
    assert [c for c in not_captions if is_caption(c)] == []


def test_captions_found_through_the_token_codes_equal_the_plain_check():
    """``PageExtras.captions`` reads only the short blocks with a word of ``CAPTION_WORDS``: the same
    as ``is_caption`` on every block of at most ``CAPTION_MAX_WORDS`` words."""
    from textpipe.boilerplate_features import CAPTION_MAX_WORDS, is_caption

    texts = list(METADATA.values()) + ARTICLES["en"] + ARTICLES["ru"] + NAV + FOOTER + [
        "Здание суда. Фото с сайта mos.ru", "FOTO: Anna Nowak", "(AP Photo/Anna Nowak)", "Tags:floods", "КЛЮЧЕВЫЕ СЛОВА: паводок",
        "Słowa kluczowe: powódź", "A long paragraph that mentions a photo: " + "word " * 30, "Image: a", "",
    ]
    extras = PageExtras()
    page_features(texts, [None] * len(texts), load_lexicon("builtin"), extras)
    expected = [len(re.findall(r"\w+", t)) <= CAPTION_MAX_WORDS and bool(re.search(r"\w", t)) and is_caption(t) for t in texts]
    assert extras.captions.tolist() == expected
    assert sum(expected) >= 12


def test_kinds_of_many_blocks_at_once_equal_kind_of_one_by_one():
    lex = load_lexicon("builtin")
    rng = np.random.default_rng(37)
    counts = rng.choice([0, 0, 0, 1, 2, 3, 5], size=(500, len(lex.kinds)))
    words = rng.choice([0.0, 1.0, 3.0, 6.0, 7.0, 12.0, 40.0, 200.0], size=500)
    expected = [lex.kind_of(row, int(w)) for row, w in zip(counts.tolist(), words.tolist())]
    assert lex.kinds_of(counts, words) == expected
    assert len(set(expected)) > 3


def test_max_sum_runs_skipping_to_the_positive_scores_equal_the_plain_loop():
    from textpipe.boilerplate_features import Pages, _max_sum_run, max_sum_runs

    rng = np.random.default_rng(38)
    for _ in range(300):
        sizes = rng.integers(1, 20, size=int(rng.integers(1, 5))).tolist()
        scores = rng.choice([-2.0, -0.5, -0.1, 0.0, 0.1, 0.7, 3.0], size=sum(sizes)) * rng.random(sum(sizes))
        bounds = np.cumsum([0, *sizes]).tolist()
        expected = [_max_sum_run(scores[a:b].tolist()) for a, b in itertools.pairwise(bounds)]
        start, end = max_sum_runs(scores, Pages.of(sizes))
        assert list(zip(start.tolist(), end.tolist())) == expected


def test_separators_counted_without_the_regex_equal_its_matches():
    from textpipe.boilerplate_features import _SEPARATOR

    rng = np.random.default_rng(22)
    alphabet = list("|»•›·/>–—«‹") + [" ", " ", "\t", "\u00a0", "a", "b", "1", "-", ":", "Home", " | "]
    lex = load_lexicon("builtin")
    for _ in range(400):
        texts = _random_texts(rng, alphabet, int(rng.integers(1, 5)), 10)
        X = page_features(texts, [None] * len(texts), lex)
        assert X[:, FEATURES.index("separators")].tolist() == [len(_SEPARATOR.findall(t)) for t in texts]


def test_date_regexes_written_for_speed_match_where_the_plain_ones_do():
    from textpipe.boilerplate_features import _MONTHS, DATE_NUMERIC, DATE_NUMERIC_FAST, DATE_WORDS

    plain_words = re.compile(rf"(?i:\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\b)")
    rng = np.random.default_rng(23)
    months = _MONTHS.split("|")
    word_parts = months + ["1", "12", "123", ".", " ", "\t", "x", "MAY", "Мая", "Sept.", "\u017f", "\u212a"]
    number_parts = list("0123456789./-: a_") + ["\u0663", "12", "2024-", "x1"]
    for _ in range(3000):
        text = "".join(rng.choice(word_parts, size=int(rng.integers(1, 6))))
        assert (DATE_WORDS.search(text) is None) == (plain_words.search(text) is None), text
        text = "".join(rng.choice(number_parts, size=int(rng.integers(1, 12))))
        assert (DATE_NUMERIC_FAST.search(text) is None) == (DATE_NUMERIC.search(text) is None), text


def test_date_candidates_miss_no_date():
    from textpipe.boilerplate_features import _TOKEN, DATE_NUMERIC, DATE_WORDS, MONTH_NAMES

    rng = np.random.default_rng(24)
    parts = ["May", "мая", "june", "5", "12", "2021", ".", ":", "-", "/", " ", "\t", "x", "3.5", "10:30", "Posted"]
    lex = load_lexicon("builtin")
    for _ in range(300):
        texts = _random_texts(rng, parts, int(rng.integers(1, 4)), 7)
        X = page_features(texts, [None] * len(texts), lex)
        expected = [
            float(any(c.isdecimal() for c in t) and (DATE_NUMERIC.search(t) is not None or (any(w in MONTH_NAMES for w in _TOKEN.findall(t.lower())) and DATE_WORDS.search(t) is not None)))
            for t in texts
        ]
        assert X[:, FEATURES.index("date")].tolist() == expected


def test_stems_numbered_by_first_occurrence_as_by_a_dictionary():
    from textpipe.boilerplate_features import _first_occurrences, _PageChars, _stem_keys, _Tokens

    for words in (["cookie", "cookies", "data", "datum", "cook", "cookbook", "data"], ["日本語のテキスト", "日本語のテ", "abcd", "日本語のテx", "abcde", "abcd"]):
        joined = " ".join(words)
        tokens = _Tokens.of(joined, _PageChars.of([joined]))
        first_seen: dict[str, int] = {}
        expected = [first_seen.setdefault(w[:5], k) for k, w in enumerate(tokens.words)]
        keys = _stem_keys(tokens, np.ones(len(tokens.words), dtype=bool))
        assert _first_occurrences(*keys).tolist() == expected
    rng = np.random.default_rng(25)
    high, low = rng.integers(0, 5, 300), rng.integers(0, 3, 300)
    first_seen = {}
    assert _first_occurrences(high, low).tolist() == [first_seen.setdefault(pair, k) for k, pair in enumerate(zip(high.tolist(), low.tolist()))]


def test_symbols_found_in_the_whole_page_as_block_by_block():
    lex = load_lexicon("builtin")
    texts = ["© 2024 ©©", "no symbol", "", "x ©", "©"]
    lowered = [t.lower() for t in texts]
    joined = "\n".join(lowered)
    block_of = np.repeat(np.arange(len(texts)), [len(t) + 1 for t in lowered])
    tokens = [w for t in lowered for w in re.findall(r"\w+", t)]
    token_block = [b for b, t in enumerate(lowered) for _ in re.findall(r"\w+", t)]
    fast = lex.block_hits(tokens, token_block, joined, block_of)
    footer = next(k for k, spec in enumerate(lex.kinds) if spec.name == "footer")
    assert fast[:, footer].tolist() == [t.count("©") for t in lowered]
    assert fast[0, footer] == 3


def test_phrases_found_from_the_candidate_tokens_as_by_every_token():
    """``block_hits`` visits only the tokens that can start a phrase (``ALONE_BIT``, or ``PHRASE_BIT``
    before a ``SECOND_BIT`` token): the same hits as the plain reading of every token."""
    from textpipe.boilerplate_features import ALONE_BIT, PHRASE_BIT, SECOND_BIT

    lex = load_lexicon("builtin")
    firsts = list(lex.phrases)
    seconds = [seq[1] for entries in lex.phrases.values() for seq, _, _ in entries if len(seq) > 1]
    assert any(lex.token_codes[t] & ALONE_BIT for t in firsts) and any(lex.token_codes[t] & SECOND_BIT for t in seconds)
    assert all(lex.token_codes[t] & PHRASE_BIT for t in firsts)
    rng = np.random.default_rng(26)
    vocabulary = firsts + seconds + ["the", "news", "cookies", "x", "2024"]
    for _ in range(200):
        tokens = [str(t) for t in rng.choice(vocabulary, size=int(rng.integers(1, 12)))]
        assert lex.block_hits(tokens, [0] * len(tokens), " ".join(tokens), np.zeros(2, dtype=np.intp))[0].tolist() == _hits_by_loop(lex, tokens)


def test_runs_and_capitals_read_off_the_flags_equal_the_plain_reading():
    from textpipe.boilerplate_features import _PageChars, _runs, _Words

    rng = np.random.default_rng(27)
    for _ in range(200):
        on = rng.random(int(rng.integers(0, 12))) < 0.5
        runs = [(m.start(), m.end() - 1) for m in re.finditer("1+", "".join("1" if x else "0" for x in on))]
        starts, ends = _runs(on)
        assert list(zip(starts.tolist(), ends.tolist())) == runs
    alphabet = list("aB \u01c5\u00df_1.ÉЖжX\t") + ["NATO", "Ab", "\U0001F600"]
    for _ in range(200):
        texts = _random_texts(rng, alphabet, int(rng.integers(1, 5)), 8)
        words = _Words.of(_PageChars.of(texts), len(texts))
        split = [t.split() for t in texts]
        assert words.count.tolist() == [len(ws) for ws in split]
        assert words.all_caps.tolist() == [sum(len(w) > 1 and w.isupper() for w in ws) for ws in split]
        assert words.capitalised.tolist() == [sum(w[0].isupper() for w in ws) for ws in split]


def _dom_by_loop(X, hints, lexicon):  # the plain reading of the DOM columns, a block at a time
    from textpipe.boilerplate_features import _INDEX, HINT_KINDS, TAG_GROUPS

    for i, h in enumerate(hints):
        if h is None:
            continue
        row = X[i]
        row[_INDEX["has_dom"]] = 1.0
        row[_INDEX["link_density"]] = h.link_density
        row[_INDEX[f"tag_{TAG_GROUPS.get(h.tag, 'other')}"]] = 1.0
        for depth, token in enumerate(h.attrs):
            kind = lexicon.html_hints.get(token)
            weight = 1.0 / (1 + 0.25 * depth)
            if kind in HINT_KINDS and row[_INDEX[f"hint_{kind}"]] < weight:
                row[_INDEX[f"hint_{kind}"]] = weight
            if token in lexicon.html_body and row[_INDEX["hint_body"]] < weight:
                row[_INDEX["hint_body"]] = weight


def test_dom_columns_and_hint_kinds_worked_out_per_token_list_equal_a_block_at_a_time():
    from textpipe.boilerplate_features import _dom_features
    from textpipe.document import BlockHints

    lex = load_lexicon("builtin")
    known = sorted(lex.html_tokens)[:40]
    rng = np.random.default_rng(26)
    vocabulary = known + ["x", "wrapper", "row", "col"]
    for _ in range(100):
        n = int(rng.integers(1, 30))
        shared = [tuple(rng.choice(vocabulary, size=int(rng.integers(0, 6)))) for _ in range(4)]
        hints = [
            None if rng.random() < 0.2 else BlockHints(str(rng.choice(["p", "div", "li", "h1", "a", "nav", "span"])), shared[int(rng.integers(0, 4))], float(rng.random()))
            for _ in range(n)
        ]
        fast, plain = (np.zeros((n, len(FEATURES)), dtype=np.float32, order="F") for _ in range(2))
        extras = PageExtras()
        _dom_features(fast, hints, lex, extras)
        _dom_by_loop(plain, hints, lex)
        assert np.array_equal(fast, plain)
        assert extras.hint_kinds == [None if h is None else next((lex.html_hints[t] for t in h.attrs if t in lex.html_hints), None) for h in hints]
        assert extras.link_density.tolist() == [0.0 if h is None else h.link_density for h in hints]


def _hits_by_loop(lexicon, tokens):  # the plain reading of the lexicon's rule on one block's tokens
    counts, i = [0] * len(lexicon.kinds), 0
    while i < len(tokens):
        for seq, prefix, k in lexicon.phrases.get(tokens[i], ()):
            m = len(seq)
            head, last = tuple(tokens[i : i + m - 1]), tokens[i + m - 1] if i + m <= len(tokens) else None
            if last is not None and head == seq[:-1] and (last == seq[-1] or (prefix and last.startswith(seq[-1]))):
                counts[k] += 1
                i += m
                break
        else:
            k = next((k for stem, k in lexicon.prefixes if tokens[i].startswith(stem)), None)
            if k is not None:
                counts[k] += 1
            i += 1
    return counts


def test_phrase_hits_skipping_on_the_second_token_equal_the_plain_rule():
    lex = load_lexicon("builtin")
    vocabulary = sorted({t for entries in lex.phrases.values() for seq, _, _ in entries for t in seq}) + ["cookies", "cookiefoo", "x", "policyx"]
    rng = np.random.default_rng(27)
    for _ in range(1500):
        tokens = [str(t) for t in rng.choice(vocabulary, size=int(rng.integers(1, 9)))]
        assert lex.block_hits(tokens, [0] * len(tokens), " ".join(tokens), np.zeros(2, dtype=np.intp))[0].tolist() == _hits_by_loop(lex, tokens)


# -- batches: many pages at once, the same labels as one by one --------------------------------------
COMMENTS_PAGE = ["Comments", "471", "I walked along the embankment yesterday and the water was almost at the top of the wall, scary to see.", "Reply"]


def _batch_pages(reader) -> list[Document]:
    """Pages of every shape we write: text dumps in four languages, HTML pages, a page of one
    block, pages of a title alone, of separators only, with comments, with repeated lines."""
    texts = [dump(NAV, ARTICLES[lang], SHARE, FOOTER, COOKIES[lang]) for lang in ARTICLES]
    texts += [
        dump(ARTICLES["en"][1:2]),
        dump(["Home | News | Sport"]),
        dump(NAV, ARTICLES["en"], COMMENTS_PAGE, RELATED, FOOTER),
        dump(["* Home", "* Home", "* News"], ARTICLES["pl"][:3], ["* Home"], FOOTER),
        dump(ARTICLES["uk"][:1]),
        "*\n\n+\n\n|\n",
        dump(["January 5, 2024 - Posted by Anna Smith"], ARTICLES["ru"], ["Автор: Иван Петров"]),
        dump(NAV, ARTICLES["en"][:1], ARTICLES["en"], ARTICLES["en"][1:3], FOOTER),  # lines repeated on the page (``body_once``)
        dump(ARTICLES["pl"][:2], list(METADATA.values()), ARTICLES["pl"][2:]),  # captions, tags, a byline, a date (``metadata_rule``)
    ]
    docs = [read(reader, text, id=f"t{k}") for k, text in enumerate(texts)]
    for k, lang in enumerate(("ru", "en")):
        nav = "".join(f'<li><a href="/{x}">{x}</a></li>' for x in ("Home", "News", "Sport", "Contact"))
        paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLES[lang][1:])
        html = (
            f"<html><body><nav><ul>{nav}</ul></nav>"
            f'<article class="article-body"><h1>{ARTICLES[lang][0]}</h1>{paragraphs}</article>'
            f'<div class="share-buttons"><a href="#">Share</a> <a href="#">Facebook</a></div>'
            f'<div id="cookie-banner"><p>{COOKIES[lang][0]}</p><button>{COOKIES[lang][1]}</button></div>'
            "<footer><p>© 2024 Riverside. All rights reserved.</p></footer></body></html>"
        )
        docs.append(read(reader, html, fmt="html", id=f"h{k}"))
    docs.insert(3, read(reader, f"<html><body><p>{ARTICLES['pl'][1]}</p></body></html>", fmt="html", id="h-one"))
    return docs


def _labels(docs: list[Document]) -> list[list[tuple[str, str | None]]]:
    return [[(b.role, b.kind) for b in doc.blocks] for doc in docs]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 32])
def test_a_batch_labels_its_pages_as_one_by_one(bp, reader, size, monkeypatch):
    alone = [bp.process(doc) for doc in _batch_pages(reader)]
    batched_stage = stage(batch_size=size)
    sizes: list[int] = []
    label = batched_stage.label
    monkeypatch.setattr(batched_stage, "label", lambda docs, recurring: (sizes.append(len(docs)), label(docs, recurring))[1])
    batched = list(batched_stage.run(_batch_pages(reader)))
    assert max(sizes) == min(size, len(alone))  # the pages really went through together
    assert [doc.id for doc in batched] == [doc.id for doc in alone]
    assert _labels(batched) == _labels(alone)
    assert any(role == BODY for page in _labels(batched) for role, _ in page)


def _bits(values: np.ndarray) -> np.ndarray:
    return values.view(np.uint32 if values.dtype == np.float32 else np.uint64)


def _batch_and_alone(model, lex, pages: list[list[str]], hints: list[list] | None = None):
    """The features and probabilities of ``pages`` as one batch, and page by page."""
    from textpipe.boilerplate_features import Pages, batch_features

    hints = hints or [[None] * len(texts) for texts in pages]
    extras = PageExtras()
    layout = Pages.of([len(texts) for texts in pages])
    X = batch_features([t for texts in pages for t in texts], [h for page in hints for h in page], lex, layout, extras)
    p = model.predict_proba(X, extras.terms, layout)
    Xs, ps = [], []
    for texts, page_hints in zip(pages, hints):
        alone = PageExtras()
        Xs.append(page_features(texts, page_hints, lex, alone))
        ps.append(model.predict_proba(Xs[-1], alone.terms))
    return (X, p), (np.concatenate(Xs), np.concatenate(ps))


def test_batch_features_and_probabilities_are_those_of_each_page_to_the_bit(bp, reader):
    docs = _batch_pages(reader)
    pages = [[doc.text[b.start : b.end] for b in doc.blocks] for doc in docs]
    hints = [[b.hints for b in doc.blocks] for doc in docs]
    (X, p), (X1, p1) = _batch_and_alone(bp.model, bp.lexicon, pages, hints)
    assert np.array_equal(_bits(X), _bits(X1))
    assert np.array_equal(_bits(p), _bits(p1))


def test_pages_of_one_block_score_in_a_batch_as_alone(bp):
    # numpy sums one row's tree values pairwise and many rows' tree by tree: a page of one block
    # must be summed as alone, whatever stands beside it in its batch
    one = [[paragraph] for lang in ARTICLES for paragraph in ARTICLES[lang]]
    pages = [ARTICLES["en"] + NAV] + one + [NAV, SHARE]
    (X, p), (X1, p1) = _batch_and_alone(bp.model, bp.lexicon, pages)
    assert np.array_equal(_bits(X), _bits(X1))
    assert np.array_equal(_bits(p), _bits(p1))


_LINES = [line for lang in ARTICLES for line in ARTICLES[lang] + COOKIES[lang]] + NAV + SHARE + FOOTER + RELATED + COMMENTS_PAGE


@given(st.lists(st.lists(st.one_of(st.sampled_from(_LINES), st.text(max_size=30)), min_size=1, max_size=12), min_size=1, max_size=6), st.integers(1, 4))
@settings(max_examples=30, deadline=None)
def test_random_pages_in_batches_label_as_one_by_one(pages, size):
    bp = _BATCH_STAGE
    (X, p), (X1, p1) = _batch_and_alone(bp.model, bp.lexicon, pages)
    assert np.array_equal(_bits(X), _bits(X1))
    assert np.array_equal(_bits(p), _bits(p1))

    def docs() -> list[Document]:
        out = []
        for k, lines in enumerate(pages):
            text, blocks, at = "", [], 0
            for line in lines:
                blocks.append(Block(at, at + len(line)))
                text += line + "\n"
                at = len(text)
            out.append(Document(id=f"r{k}", text=text, blocks=blocks))
        return out

    alone = [bp.process(doc) for doc in docs()]
    assert _labels(list(stage(batch_size=size).run(docs()))) == _labels(alone)


_BATCH_STAGE = stage()


def test_a_failing_page_in_a_batch_gets_its_error_and_the_others_their_labels(bp, reader):
    docs = _batch_pages(reader)[:5]
    docs[2].blocks[0].hints = "not hints"  # type: ignore[assignment]  (the DOM features read its attributes)
    expected = _labels([bp.process(doc) for doc in _batch_pages(reader)[:5]])
    out = list(stage(batch_size=5).run(docs))
    assert [doc.error is None for doc in out] == [True, True, False, True, True]
    assert out[2].error.type == "AttributeError" and out[2].error.stage == "boilerplate"
    assert [labels for k, labels in enumerate(_labels(out)) if k != 2] == [labels for k, labels in enumerate(expected) if k != 2]


def test_a_batch_passes_documents_with_errors_or_without_blocks_through(reader):
    from textpipe.document import DocumentError

    docs = _batch_pages(reader)[:3]
    broken = Document(id="broken", text="x")
    broken.error = DocumentError("BinaryInput", "binary", stage="read")
    empty = Document(id="empty", text="")
    out = list(stage(batch_size=4).run([docs[0], broken, empty, docs[1], docs[2]]))
    assert [doc.id for doc in out] == ["t0", "broken", "empty", "t1", "t2"]
    assert out[1].error.type == "BinaryInput" and out[2].error is None and out[2].blocks == []
    assert all(doc.error is None and any(b.role == BODY for b in doc.blocks) for doc in (out[0], out[3], out[4]))


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        stage(batch_size=0)


def test_windows_means_and_neighbours_of_a_batch_are_those_of_each_page_to_the_bit():
    from textpipe.boilerplate_features import Pages, _page_means, _windows, along

    rng = np.random.default_rng(31)
    sizes = [1, 2, 40, 3, 1, 17, 250, 9]
    pages = Pages.of(sizes)
    values = rng.random((sum(sizes), 3)) * 10.0  # (a running sum over the batch, less the part before a page, rounds otherwise)
    for radius, got in zip((1, 3, 7), _windows(values, (1, 3, 7), pages)):
        alone = np.concatenate([_windows(values[start:end], (radius,))[0] for start, end in pages.spans()])
        assert np.array_equal(_bits(got), _bits(alone))
    column = rng.random(sum(sizes)).astype(np.float32)
    assert np.array_equal(_bits(_page_means(column, pages)), _bits(np.array([column[start:end].mean() for start, end in pages.spans()])))
    for offset in (-3, -1, 1, 2):
        expected = [column[start + i + offset] if 0 <= i + offset < end - start else -1.0 for start, end in pages.spans() for i in range(end - start)]
        assert along(column, offset, pages, -1.0).tolist() == np.array(expected, dtype=np.float32).tolist()
    p = rng.random(sum(sizes))
    X = np.zeros((sum(sizes), len(FEATURES)), dtype=np.float32, order="F")
    X[:, FEATURES.index("log_words")] = np.log1p(rng.integers(0, 60, sum(sizes)))
    Z = context_features(p, X, None, pages)
    alone = np.concatenate([context_features(p[start:end], X[start:end]) for start, end in pages.spans()])
    assert np.array_equal(_bits(Z), _bits(alone))
