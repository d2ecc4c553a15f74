"""HTML to blocks: boundaries, inline joining, hints, offsets, robustness."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from textpipe.document import BODY, Block
from textpipe.html import HtmlPage, html_to_page
from textpipe.normalize import normalize_text


def texts(page: HtmlPage) -> list[str]:
    return [page.text[b.start : b.end] for b in page.blocks]


def check_invariants(page: HtmlPage) -> None:
    """Offsets, joining, normalization: what every page must satisfy."""
    parts = texts(page)
    assert page.text == "\n\n".join(parts)
    position = 0
    for block, part in zip(page.blocks, parts):
        assert isinstance(block, Block)
        assert block.start == position and block.end == position + len(part)
        position = block.end + 2
        assert part and part == part.strip()
        assert "\n" not in part
        assert "  " not in part or block.hints.tag == "pre"  # pre keeps inner spacing
        assert block.role == BODY and block.kind is None
        assert block.hints is not None and 0.0 <= block.hints.link_density <= 1.0
    assert normalize_text(page.text) == page.text
    assert unicodedata.is_normalized("NFC", page.text)


def block_of(page: HtmlPage, text: str) -> Block:
    for block in page.blocks:
        if page.text[block.start : block.end] == text:
            return block
    raise AssertionError(f"no block {text!r} in {texts(page)}")


ENGLISH_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>  Flood warning
     for the valley &amp; town </title>
  <style>p { color: red }</style>
  <script>var tracking = "<p>not text</p>";</script>
</head>
<body class="article-page">
  <header class="site-header"><a href="/" class="logo">Daily Valley</a></header>
  <nav id="main-nav"><ul>
    <li><a href="/news">News</a></li>
    <li><a href="/sport">Sport</a></li>
  </ul></nav>
  <main>
    <article class="story">
      <h1>Flood warning for the valley</h1>
      <p class="lead">Heavy rain is expected on <b>Tuesday</b>, the agency said.</p>
      <p>Residents near the river should move cars to
         higher ground. See the <a href="/map">flood map</a> for details.</p>
      <!-- <p>commented out</p> -->
      <noscript>Please enable JavaScript</noscript>
      <blockquote>We are ready, said the mayor.</blockquote>
    </article>
  </main>
  <footer><p>&copy; 2024 Daily Valley</p></footer>
</body>
</html>
"""

RUSSIAN_PAGE = """<html lang="ru"><head><title>Погода в Москве</title></head>
<body>
<div class="content">
  <h2>Прогноз на выходные</h2>
  <p>В субботу в Москве ожидается <strong>мокрый снег</strong>, температура около нуля.</p>
  <p>В воскресенье осадки прекратятся.<br>Ветер ослабнет до 3&nbsp;м/с.</p>
  <ul class="tags"><li><a href="/t/1">погода</a></li><li><a href="/t/2">Москва</a></li></ul>
</div>
</body></html>"""

POLISH_PAGE = """<html lang="pl-PL"><head><title>Wiadomości</title></head>
<body><section id="news_list">
<h3>Źródła: minister złożył dymisję</h3>
<p>Według nieoficjalnych informacji <em>Gazety</em> decyzja zapadła w piątek.</p>
<table class="results">
  <tr><th>Miasto</th><th>Temperatura</th></tr>
  <tr><td>Kraków</td><td>−2 °C</td></tr>
  <tr><td>Gdańsk</td><td></td><td>0 °C</td></tr>
</table>
</section></body></html>"""


def test_english_page_blocks() -> None:
    page = html_to_page(ENGLISH_PAGE)
    check_invariants(page)
    assert texts(page) == [
        "Daily Valley",
        "News",
        "Sport",
        "Flood warning for the valley",
        "Heavy rain is expected on Tuesday, the agency said.",
        "Residents near the river should move cars to higher ground. See the flood map for details.",
        "We are ready, said the mayor.",
        "© 2024 Daily Valley",
    ]
    assert page.title == "Flood warning for the valley & town"
    assert page.lang == "en"


def test_russian_page_blocks_and_br() -> None:
    page = html_to_page(RUSSIAN_PAGE)
    check_invariants(page)
    assert texts(page) == [
        "Прогноз на выходные",
        "В субботу в Москве ожидается мокрый снег, температура около нуля.",
        "В воскресенье осадки прекратятся.",
        "Ветер ослабнет до 3 м/с.",
        "погода",
        "Москва",
    ]
    assert page.title == "Погода в Москве"
    assert page.lang == "ru"
    # Both halves of the <br>-split paragraph are "p" blocks.
    assert block_of(page, "Ветер ослабнет до 3 м/с.").hints.tag == "p"


def test_polish_page_and_table_rows() -> None:
    page = html_to_page(POLISH_PAGE)
    check_invariants(page)
    assert texts(page) == [
        "Źródła: minister złożył dymisję",
        "Według nieoficjalnych informacji Gazety decyzja zapadła w piątek.",
        "Miasto | Temperatura",
        "Kraków | −2 °C",
        "Gdańsk | 0 °C",  # the empty cell leaves no empty column
    ]
    row = block_of(page, "Kraków | −2 °C").hints
    assert row.tag == "tr"
    assert row.attrs == ("results", "news_list", "news", "list")
    assert page.lang == "pl"


def test_layout_table_cells_are_containers() -> None:
    page = html_to_page(
        "<table><tr><td class='side'>Menu<br>Links</td>"
        "<td><h2>Title</h2><p>Body text.</p>Signed</td></tr></table>"
    )
    check_invariants(page)
    assert texts(page) == ["Menu", "Links", "Title", "Body text.", "Signed"]
    assert block_of(page, "Menu").hints.tag == "td"
    assert block_of(page, "Signed").hints.tag == "td"


def test_anonymous_blocks_between_block_elements() -> None:
    page = html_to_page(
        "<body>Before <div>intro<p>para</p>middle <span>text</span><p>second</p>after</div>end</body>"
    )
    check_invariants(page)
    assert texts(page) == ["Before", "intro", "para", "middle text", "second", "after", "end"]
    tags = [b.hints.tag for b in page.blocks]
    assert tags == ["body", "div", "p", "div", "p", "div", "body"]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p><b>Mo</b>scow</p>", ["Moscow"]),
        ("<p>a <a href='x'>link</a> here</p>", ["a link here"]),
        ("<p>Hello<i>,</i> <em>world</em>!</p>", ["Hello, world!"]),
        ("<p>x<sub>2</sub> + y<sup>2</sup></p>", ["x2 + y2"]),
        ("<p><span>one</span>\n\t<span>two</span></p>", ["one two"]),
        ("<p>Jo<wbr>hann<span></span>es</p>", ["Johannes"]),
        ("<p>line<br>break<br/><br>again</p>", ["line", "break", "again"]),
        ("<h1>Head</h1><h2>Sub</h2><h6>Small</h6>", ["Head", "Sub", "Small"]),
        ("<dl><dt>Term</dt><dd>Definition</dd></dl>", ["Term", "Definition"]),
        ("<figure><img src=x alt='no alt text'><figcaption>Caption</figcaption></figure>", ["Caption"]),
        ("<address>1 Main St</address><hr>After rule", ["1 Main St", "After rule"]),
        ("<ul><li>one<ul><li>nested</li></ul>tail</li></ul>", ["one", "nested", "tail"]),
        ("<p>  spaced   out \n text  </p>", ["spaced out text"]),
        ("<p> </p><div>\n</div><p>&nbsp;</p>", []),
    ],
)
def test_block_rules(html: str, expected: list[str]) -> None:
    page = html_to_page(html)
    check_invariants(page)
    assert texts(page) == expected


def test_pre_lines_are_blocks() -> None:
    page = html_to_page("<pre>def f():\n    return  1\n\n<b>bold</b> line\n</pre><p>after</p>")
    check_invariants(page)
    assert texts(page) == ["def f():", "return  1", "bold line", "after"]
    assert [b.hints.tag for b in page.blocks] == ["pre", "pre", "pre", "p"]


@pytest.mark.parametrize(
    "tag",
    ["script", "style", "noscript", "template", "iframe", "textarea", "select"],
)
def test_dropped_elements(tag: str) -> None:
    page = html_to_page(f"<p>keep</p><{tag}>drop me</{tag}><p>also kept</p>")
    assert texts(page) == ["keep", "also kept"]


def test_svg_and_comments_dropped() -> None:
    page = html_to_page(
        "<p>a<!-- hidden --> b</p><svg><title>Icon</title><text>svg text</text></svg><p>c</p>"
    )
    assert texts(page) == ["a b", "c"]


def test_attrs_tokens_and_ancestor_tags() -> None:
    html = (
        "<body class='page'><footer id='site-footer'><nav role='navigation' aria-label='Footer links'>"
        "<div class='cookie-banner  Cookie_Notice is-visible'><p class='text'>We use cookies.</p>"
        "</div></nav></footer></body>"
    )
    page = html_to_page(html)
    attrs = page.blocks[0].hints.attrs
    assert attrs == (
        "text",
        "cookie-banner",
        "cookie",
        "banner",
        "cookie_notice",
        "notice",
        "is-visible",
        "is",
        "visible",
        "<nav>",
        "role=navigation",
        "footer",
        "links",
        "<footer>",
        "site-footer",
        "site",
    )
    assert "page" not in attrs  # the body's own classes are not included
    assert page.blocks[0].hints.tag == "p"


def test_attrs_semantic_tags_survive_the_cap() -> None:
    classes = " ".join(f"c{i}" for i in range(40))
    page = html_to_page(f"<article><aside><div class='{classes}'><p>Text</p></div></aside></article>")
    attrs = page.blocks[0].hints.attrs
    assert [a for a in attrs if not a.startswith("<")] == [f"c{i}" for i in range(30)]
    assert attrs[-2:] == ("<aside>", "<article>")


def test_attrs_include_inline_ancestors() -> None:
    page = html_to_page("<a class='card-link' href='/x'><div class='card'><p>Card text</p></div></a>")
    block = page.blocks[0]
    assert block.hints.attrs == ("card", "card-link", "link")
    assert block.hints.link_density == 1.0


def test_link_density() -> None:
    page = html_to_page(
        "<p>abcd <a href='#'>efgh</a></p><p><a>all</a> <a>links</a></p><p>no links</p>"
        "<div><a href='/1'>one</a> | <a href='/2'>two</a></div>"
    )
    densities = {page.text[b.start : b.end]: b.hints.link_density for b in page.blocks}
    assert densities["abcd efgh"] == pytest.approx(0.5)
    assert densities["all links"] == 1.0
    assert densities["no links"] == 0.0
    assert densities["one | two"] == pytest.approx(6 / 7)


def test_title_and_lang_variants() -> None:
    assert html_to_page("<html><body><p>x</p></body></html>").title is None
    assert html_to_page("<title>  </title><p>x</p>").title is None
    assert html_to_page("<title>A &lt;b&gt; title</title>").title == "A <b> title"
    assert html_to_page("<html lang='RU-ru'><p>x</p>").lang == "ru"
    assert html_to_page("<html lang='be_BY'><p>x</p>").lang == "be"
    assert html_to_page("<html lang='{{ lang }}'><p>x</p>").lang is None
    assert html_to_page("<html lang=''><p>x</p>").lang is None
    assert html_to_page("<html><p>x</p>").lang is None
    # The title is not body text.
    assert texts(html_to_page("<title>Only title</title>")) == []


def test_entities_nbsp_and_non_bmp() -> None:
    page = html_to_page("<p>Tom&nbsp;&amp;&nbsp;Jerry &lt;3 &#8212; &#x1F600; &euro;5 &copy; 𝕏 𝄞</p>")
    check_invariants(page)
    assert texts(page) == ["Tom & Jerry <3 — 😀 €5 © 𝕏 𝄞"]
    block = page.blocks[0]
    assert page.text[block.start : block.end].endswith("𝄞")
    assert block.end == len(page.text)


def test_text_is_normalized() -> None:
    page = html_to_page("<p>Cafe\u0301 ok\u0007\u00ad</p><p>line\u2028sep\ufeff</p><p>\x85</p>")
    check_invariants(page)
    assert texts(page) == ["Café ok\u00ad", "line sep"]


def test_lone_surrogates_become_replacement_characters() -> None:
    page = html_to_page("<p>a\ud800b</p>")
    assert texts(page) == ["a\ufffdb"]


@pytest.mark.parametrize(
    "html", ["", "   \n ", "<html></html>", "<!-- only a comment -->", "<script>x()</script>"]
)
def test_empty_html(html: str) -> None:
    page = html_to_page(html)
    assert page.text == ""
    assert page.blocks == []


def test_deeply_nested_html() -> None:
    depth = 10_000
    page = html_to_page("<div class='x'>" * depth + "deep text" + "</div>" * depth)
    assert texts(page) == ["deep text"]
    assert page.blocks[0].hints.attrs == ("x",)
    page = html_to_page("<span>" * depth + "<p>inline chain</p>")
    assert texts(page) == ["inline chain"]
    page = html_to_page("<ul><li>" * 3000 + "item")
    assert texts(page) == ["item"]


def test_broken_html() -> None:
    html = (
        "<p>unclosed <b>bold <i>both</b> italic</i> text<p>next</td></tr>"
        "<div>div</span>&amp &bogus; 1 < 2 <<>></p"
    )
    page = html_to_page(html)
    check_invariants(page)
    assert texts(page)[:2] == ["unclosed bold both italic text", "next"]
    assert texts(page)[2].startswith("div& &bogus; 1 < 2")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div class='a-b'>",
                "</div>",
                "<b>",
                "</b>",
                "<a href=x>",
                "</a>",
                "<br>",
                "<li>",
                "<ul>",
                "</ul>",
                "<table><tr><td>",
                "</td><td>",
                "</table>",
                "<pre>",
                "</pre>",
                "<script>",
                "</script>",
                "<!--",
                "-->",
                "&nbsp;",
                "&amp;",
                "\n",
                "  ",
                "Привет",
                "mąka",
                "word",
                "😀",
                "e\u0301",
                "\u2028",
                "\r\n",
                "\x00",
            ]
        ),
        max_size=60,
    )
)
def test_random_html_keeps_invariants(parts: list[str]) -> None:
    check_invariants(html_to_page("".join(parts)))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_keeps_invariants(html: str) -> None:
    check_invariants(html_to_page(html))
