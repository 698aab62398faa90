"""Credits the metadata and the page state in less usual ways: agencies, initials, bold names."""

from __future__ import annotations

from scraper import extract

_PROSE = (
    "<p>Negotiators from both countries met for three hours on Monday in the Ottoman palace,"
    " officials said, and agreed to meet again within weeks.</p>"
    "<p>The talks, mediated by the host country, produced an agreement on a large exchange of"
    " prisoners but no ceasefire, to the disappointment of many.</p>"
    "<p>Delegates described the mood as businesslike, although neither side moved on the core"
    " territorial questions that divide them.</p>"
    "<p>Observers said the next round would test whether either government is ready to"
    " compromise on security guarantees.</p>"
)


def _page(head: str, article: str) -> str:
    return (
        f'<html lang="en"><head><title>Talks resume in Istanbul</title>{head}</head>'
        f"<body><article><h1>Talks resume in Istanbul</h1>{article}</article></body></html>"
    )


def test_a_wire_agency_listed_as_organization_author_is_credited() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline":'
        ' "Talks resume in Istanbul", "author": [{"@type": "Person", "name": "Paula Steiger"},'
        ' {"@type": "Organization", "name": "SDA"}], "publisher": {"@type": "Organization",'
        ' "name": "Tages-Anzeiger"}}</script>'
    )
    found = extract(_page(ld, _PROSE), url="https://news.example/talks")
    assert found.authors == ("Paula Steiger", "SDA")


def test_the_publisher_as_organization_author_is_still_not_a_person() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline":'
        ' "Talks resume in Istanbul", "author": [{"@type": "Person", "name": "Paula Steiger"},'
        ' {"@type": "Organization", "name": "Tages-Anzeiger"}]}</script>'
    )
    found = extract(_page(ld, _PROSE), url="https://news.example/talks")
    assert found.authors == ("Paula Steiger",)


def test_a_printed_agency_on_its_own_line_is_whom_the_reporter_writes_for() -> None:
    byline = '<p class="byline">By Jane Doe</p><p class="byline">Associated Press</p>'
    found = extract(_page("", byline + _PROSE), url="https://news.example/talks")
    assert found.authors == ("Jane Doe",)


def test_the_site_names_initials_credit_the_publication() -> None:
    head = '<meta property="og:site_name" content="The Portugal News">'
    found = extract(_page(head, '<p class="author">TPN</p>' + _PROSE))
    assert found.authors == ("TPN",)


def test_initials_that_are_not_the_sites_stay_unknown() -> None:
    head = '<meta property="og:site_name" content="The Portugal News">'
    found = extract(_page(head, '<p class="author">XYZ</p>' + _PROSE))
    assert found.authors == ()


def test_a_bold_name_opening_the_article_is_its_byline() -> None:
    head = (
        '<meta name="author" content="Lesotho Times">'
        '<meta property="og:site_name" content="Lesotho Times">'
    )
    article = (
        "<p><em>…as villages cry foul over lost livelihoods</em></p>"
        "<p><strong>Mathatisi Sebusi/Mohalenyane Phakela</strong></p>" + _PROSE
    )
    found = extract(_page(head, article), url="https://news.example/talks")
    assert found.authors == ("Mathatisi Sebusi", "Mohalenyane Phakela")
    assert "Sebusi" not in found.body
    assert found.body.startswith("…as villages cry foul")


def test_a_bold_heading_opening_the_article_stays_in_the_body() -> None:
    article = "<p><strong>Änderung der Zinshöhe bei Privatkrediten</strong></p>" + _PROSE
    found = extract(_page("", article), url="https://news.example/talks")
    assert found.body.startswith("Änderung der Zinshöhe bei Privatkrediten")
    assert found.authors == ()


def _header_block(line: str) -> str:
    # The layout of a Turkish agency's article header (fundus-dev tr/AnadoluAjansi_2025_04_05):
    # section, headline, summary, then the reporter's name and the dateline on one row.
    return (
        '<html lang="tr"><head><title>Talks resume in Istanbul</title></head><body>'
        '<div class="detay-spot-category"><span>Ekonomi</span><br><br>'
        "<h1>Talks resume in Istanbul</h1>"
        "<h4>Negotiators met for three hours on Monday.</h4>"
        f'<div class="row"><span style="float:left">{line}</span>'
        '<span class="tarih">05.04.2025 - Güncelleme : 05.04.2025</span></div></div>'
        f"<article>{_PROSE}</article></body></html>"
    )


def test_a_name_printed_before_the_dateline_is_the_byline() -> None:
    found = extract(_header_block("Sehernur Karsu &nbsp;|"), url="https://news.example/talks")
    assert found.authors == ("Sehernur Karsu",)
    assert found.signals["authors"] == "dom"


def test_a_one_word_label_before_the_dateline_is_no_byline() -> None:
    found = extract(_header_block("Gündem &nbsp;|"), url="https://news.example/talks")
    assert found.authors == ()
