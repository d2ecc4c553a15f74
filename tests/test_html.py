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


def check_invariants(page: HtmlPage, *, in_pre: bool = False) -> None:
    """Offsets, joining, normalization: what every page must satisfy. ``in_pre``: the page may
    have blocks inside a ``<pre>`` (which keep their inner spacing whatever their own tag)."""
    parts = texts(page)
    assert page.text == "\n\n".join(parts)
    position = 0
    for block, part in zip(page.blocks, parts):
        assert isinstance(block, Block)
        assert block.start == position and block.end == position + len(part)
        position = block.end + 2
        assert part and part == part.strip()
        assert "\n" not in part
        assert "  " not in part or block.hints.tag == "pre" or in_pre  # pre keeps inner spacing
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


def test_blocks_inside_pre_keep_their_spacing() -> None:
    page = html_to_page("<pre><p>Привет  Привет</p>  two  spaces\n</pre><p>a  b</p>")
    assert [(page.text[b.start : b.end], b.hints.tag) for b in page.blocks] == [
        ("Привет  Привет", "p"),
        ("two  spaces", "pre"),
        ("a b", "p"),
    ]


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
    html = "".join(parts)
    check_invariants(html_to_page(html), in_pre="<pre>" in html)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_keeps_invariants(html: str) -> None:
    check_invariants(html_to_page(html))


def test_attrs_of_repeated_classes_under_different_ancestors() -> None:
    # Repeated class values are worked out once per page; each block still gets its own ancestors.
    page = html_to_page(
        "<div class='menu'><div class='menu-item'><p>One</p></div><div class='menu-item'><p>Two</p></div></div>"
        "<section id='post-7'><div class='menu-item'><p>Three</p></div></section>"
        "<div class='MENU-Item'><p>Four</p></div>"
    )
    assert block_of(page, "One").hints.attrs == ("menu-item", "menu", "item")
    assert block_of(page, "Two").hints.attrs == ("menu-item", "menu", "item")
    assert block_of(page, "Three").hints.attrs == ("menu-item", "menu", "item", "post-7", "post", "7")
    assert block_of(page, "Four").hints.attrs == ("menu-item", "menu", "item")


def test_attrs_over_the_cap_keep_inherited_role_and_semantic_tokens() -> None:
    classes = " ".join(f"c{i}" for i in range(29))
    page = html_to_page(f"<nav role='navigation'><div class='{classes} extra-wide'><p class='lead'>Text</p></div></nav>")
    expected = ("lead", *(f"c{i}" for i in range(29)), "<nav>", "role=navigation")
    assert page.blocks[0].hints.attrs == expected  # "extra-wide" and its parts fell off the cap
    # A class that looks like a role token is kept past the cap, as role tokens are.
    page = html_to_page(f"<div role='main'><div class='{classes} role=x'><p class='p'>Text</p></div></div>")
    assert page.blocks[0].hints.attrs == ("p", *(f"c{i}" for i in range(29)), "role=x", "role=main", "<main>")


def test_whitespace_before_a_blocks_text_changes_nothing() -> None:
    page = html_to_page("<p>   <a href='#'>link</a> text</p><p>\n <b> </b>plain</p><div>\n\n</div><p> <a> </a> </p>")
    assert texts(page) == ["link text", "plain"]
    assert block_of(page, "link text").hints.link_density == pytest.approx(0.5)
    assert block_of(page, "plain").hints.link_density == 0.0


def test_title_is_the_head_title_else_the_first_title_anywhere() -> None:
    # The <title> child of <head> wins over an earlier-looking one in an <svg> icon of the body.
    page = html_to_page("<html><head><meta charset='utf-8'><title>Page title</title><title>Second</title></head>"
                        "<body><svg><title>Icon</title></svg><p>x</p></body></html>")
    assert page.title == "Page title"
    # No title in <head>: the first one anywhere.
    assert html_to_page("<body><svg><title> Icon  name </title></svg><p>x</p></body>").title == "Icon name"


def test_link_density_of_blocks_wholly_and_partly_in_links() -> None:
    page = html_to_page(
        "<ul><li><a href='/a'>Home <b>page</b></a></li><li>About <a href='/b'>us</a></li>"
        "<li><a href='/c'> </a>Contact</li></ul>"
    )
    densities = {page.text[b.start : b.end]: b.hints.link_density for b in page.blocks}
    assert densities == {"Home page": 1.0, "About us": pytest.approx(2 / 7), "Contact": 0.0}


def test_attrs_over_the_cap_overlapping_the_parents() -> None:
    # Own tokens come first; the parent's tokens that repeat them are dropped before the cap counts.
    classes = " ".join(f"c{i}" for i in range(30))
    page = html_to_page(f"<div class='{classes}'><p class='c3 lead c0'>Text</p></div>")
    expected = ("c3", "lead", "c0", "c1", "c2", *(f"c{i}" for i in range(4, 29)))  # c29 fell off
    assert page.blocks[0].hints.attrs == expected
    assert len(expected) == 30


def test_attrs_over_the_cap_keep_an_ancestors_class_that_looks_like_a_role() -> None:
    # Counted as a class token where it was set, but kept past the cap by its form, as role tokens are.
    classes = " ".join(f"w{i}" for i in range(31))
    page = html_to_page(f"<div class='role=x'><div class='{classes}'><p>Leaf</p></div></div>")
    assert page.blocks[0].hints.attrs == (*(f"w{i}" for i in range(30)), "role=x")


def test_batch_separator_in_the_page_text() -> None:
    # Blocks are normalized in one batch joined by U+FDD0; a page holding that character is
    # normalized block by block instead, with the same result.
    page = html_to_page("<p>a\ufdd0b</p><p>Cafe\u0301</p><p> \ufdd0 </p>")
    check_invariants(page)
    assert texts(page) == ["a\ufdd0b", "Café", "\ufdd0"]


# A plain, unmemoized statement of the attrs rule, to check the reader's per-page memo against.
_SEMANTIC_TAGS = {"nav", "header", "footer", "aside", "form", "article", "main", "menu", "dialog", "figure", "address", "details"}
_LANDMARKS = {"navigation": "<nav>", "contentinfo": "<footer>", "banner": "<header>", "complementary": "<aside>",
              "main": "<main>", "article": "<article>", "form": "<form>", "search": "<form>"}


def _reference_free(token: str) -> bool:
    return token.startswith(("<", "role="))


def _reference_own(tag: str, attributes: dict[str, str]) -> tuple[list[str], list[str]]:
    free = [f"<{tag}>"] if tag in _SEMANTIC_TAGS else []
    for value in attributes.get("role", "").lower().split():
        free.append(f"role={value}")
        if value in _LANDMARKS and _LANDMARKS[value] not in free:
            free.append(_LANDMARKS[value])
    capped: list[str] = []
    for name in ("class", "id"):
        for word in attributes.get(name, "").lower().split():
            capped.append(word)
            if "-" in word or "_" in word:
                capped += [part for part in word.replace("_", "-").split("-") if part]
    capped += attributes.get("aria-label", "").lower().split()
    capped = list(dict.fromkeys(capped))
    if free:
        capped = [token for token in capped if not _reference_free(token)]
    return free, capped[:30]


def _reference_attrs(chain: list[tuple[str, dict[str, str]]]) -> tuple[str, ...]:
    """Tokens of the last element of ``chain`` (outermost first), merged element by element."""
    tokens: list[str] = []
    capped = 0
    for tag, attributes in chain:
        free, own = _reference_own(tag, attributes)
        if not free and not own:
            continue
        rest = [token for token in tokens if token not in free + own]
        if not tokens:
            tokens, capped = free + own, len(own)
        elif len(own) + capped <= 30:
            recount = len(rest) < len(tokens)
            tokens = free + own + rest
            capped = sum(not _reference_free(t) for t in tokens) if recount else len(own) + capped
        else:
            room = 30 - len(own)
            kept = []
            for token in rest:
                if not _reference_free(token):
                    if room <= 0:
                        continue
                    room -= 1
                kept.append(token)
            tokens, capped = free + own + kept, 30 - room
    return tuple(tokens)


_ELEMENT_ATTRS = st.fixed_dictionaries(
    {},
    optional={
        "class": st.sampled_from(["menu", "menu-item", "item", "card_body x", "Nav-Bar", "role=x", "<b>",
                                  " ".join(f"k{i}" for i in range(12)), " ".join(f"w{i}" for i in range(31))]),
        "id": st.sampled_from(["main", "post-1", "post-2", "item"]),
        "role": st.sampled_from(["navigation", "main", "x", "banner banner", "search"]),
        "aria-label": st.sampled_from(["Main menu", "Share", "menu item"]),
    },
)
_CONTAINERS = st.sampled_from(["div", "section", "nav", "aside", "footer", "span", "main", "article"])
_TREES = st.recursive(
    st.just("leaf"),
    lambda children: st.tuples(_CONTAINERS, _ELEMENT_ATTRS, st.lists(children, min_size=1, max_size=3)),
    max_leaves=12,
)


def _render(tree, chain: list, expected: list) -> str:
    if tree == "leaf":
        text = f"Leaf {len(expected)}"
        expected.append((text, _reference_attrs(chain + [("p", {})])))
        return f"<p>{text}</p>"
    tag, attributes, children = tree
    rendered = "".join(f" {name}='{value}'" for name, value in attributes.items())
    inner = "".join(_render(child, chain + [(tag, attributes)], expected) for child in children)
    return f"<{tag}{rendered}>{inner}</{tag}>"


@settings(max_examples=200, deadline=None)
@given(st.lists(_TREES, min_size=1, max_size=3))
def test_attrs_match_the_unmemoized_rule(trees) -> None:
    expected: list[tuple[str, tuple[str, ...]]] = []
    page = html_to_page("<body>" + "".join(_render(tree, [], expected) for tree in trees) + "</body>")
    assert [(page.text[b.start : b.end], b.hints.attrs) for b in page.blocks] == expected
