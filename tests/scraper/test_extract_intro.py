"""The intro printed above the article's text block opens the body, unless it is a standfirst."""

from __future__ import annotations

from scraper import extract

_PROSE = (
    "<p>Negotiators from both countries met for three hours on Monday in the Ottoman palace,"
    " officials said, and agreed to meet again within weeks.</p>"
    "<p>The talks, mediated by the host country, produced an agreement on a large exchange of"
    " prisoners but no ceasefire, to the disappointment of many.</p>"
    "<p>Delegates described the mood as businesslike, although neither side moved on the core"
    " territorial questions that divide them.</p>"
)
_INTRO = (
    "Our repair café opens its doors again: volunteers fix toasters, bicycles and lamps for"
    " anyone who brings them along."
)


def _page(head: str = "", intro_class: str = "teaser-text", tag: str = "div") -> str:
    return (
        f"<html><head>{head}</head><body><main><article>"
        f'<header><h1>Repair café reopens</h1><{tag} class="{intro_class}">{_INTRO}</{tag}>'
        f'</header><div class="text">{_PROSE}</div></article></main></body></html>'
    )


def test_an_intro_above_the_text_block_opens_the_body() -> None:
    body = extract(_page()).body
    assert body.startswith(_INTRO)
    assert "Negotiators from both countries" in body


def test_an_intro_named_in_camel_case_is_found() -> None:
    assert extract(_page(intro_class="articleTeaser")).body.startswith(_INTRO)


def test_a_picture_description_is_not_an_intro() -> None:
    assert _INTRO not in extract(_page(intro_class="img-description")).body


def test_a_deck_set_as_a_heading_is_not_an_intro() -> None:
    assert _INTRO not in extract(_page(intro_class="article-excerpt", tag="h2")).body


def test_a_news_articles_standfirst_stays_out_of_the_body() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    assert _INTRO not in extract(_page(head=ld)).body


def test_an_intro_saying_what_the_description_says_stays_out_of_the_body() -> None:
    head = f'<meta name="description" content="{_INTRO[:80]}…">'
    found = extract(_page(head=head))
    assert _INTRO not in found.body
    assert found.subtitle == f"{_INTRO[:80]}…"
