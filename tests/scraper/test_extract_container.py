"""Which blocks hold the article text: misnamed wrappers, the parts of their layout, the intro
above them, and the blocks and lines inside them that are not text."""

from __future__ import annotations

import pytest

from scraper import extract

_SENTENCES = [
    "Negotiators from both countries met for three hours on Monday in the Ottoman palace,"
    " officials said, and agreed to meet again within weeks.",
    "The talks, mediated by the host country, produced an agreement on a large exchange of"
    " prisoners but no ceasefire, to the disappointment of many.",
    "Delegates described the mood as businesslike, although neither side moved on the core"
    " territorial questions that divide them.",
    "Observers said the next round would test whether either government is ready to"
    " compromise on security guarantees.",
]
_FIRST = "".join(f"<p>{text}</p>" for text in _SENTENCES[:2])
_REST = "".join(f"<p>{text}</p>" for text in _SENTENCES[2:])
_ALL = _FIRST + _REST


def _body(inside_body: str, head: str = "") -> str:
    return extract(f"<html><head>{head}</head><body>{inside_body}</body></html>").body


def _holds_the_article(body: str) -> bool:
    return all(text in body for text in _SENTENCES)


def test_sections_named_after_a_misnamed_wrapper_are_the_article() -> None:
    # The layout calls its main column a "sidebar grid" and cuts the story into sections
    # around ads: each section holds a quarter of the text, under the 40 % of a wrapper.
    sections = "".join(
        f'<div class="sidebar-grid__container"><p>{text}</p></div><div class="ad">Ad</div>'
        for text in _SENTENCES
    )
    body = _body(
        "<main><article><h1>Talks resume in Istanbul</h1>"
        f'<div class="sidebar-grid sidebar-grid--is-narrow">{sections}</div></article></main>'
    )
    assert _holds_the_article(body)


def test_comments_inside_a_forgiven_comments_wrapper_stay_out() -> None:
    comment = (
        '<div class="comment-body"><p>I have said this for years, and nobody listens to'
        " a word of it, which is a shame, really.</p></div>"
    )
    body = _body(
        '<div class="comments-area"><article><h1>Talks resume in Istanbul</h1>'
        f"{_ALL}</article>{comment}</div>"
    )
    assert _holds_the_article(body)
    assert "nobody listens" not in body


def test_a_comment_thread_longer_than_the_article_is_not_the_article() -> None:
    # Under an opinion piece, one reader's long reply outweighs the short article.
    reply = "".join(
        f"<p>I have read this twice, point {n}, and I still do not see why anyone believes"
        " these talks will lead anywhere, given all we have seen, frankly, so far.</p>"
        for n in range(5)
    )
    body = _body(
        "<main><article><h1>Talks resume in Istanbul</h1>"
        f'<div class="body">{_FIRST}</div></article><section><ul class="comments-list">'
        f'<li id="message_1"><div class="text">{reply}</div></li></ul></section></main>'
    )
    assert _SENTENCES[0] in body
    assert "I have read this twice" not in body


def test_a_noscript_copy_of_the_post_is_its_text() -> None:
    # Blogger renders the post from a script template and prints it again for readers
    # without scripts.
    body = _body(
        '<div class="post"><h2>Talks resume</h2><div class="post-body">'
        f'<script type="text/template">{_ALL}</script><noscript>{_ALL}</noscript></div></div>'
    )
    assert _holds_the_article(body)


def test_a_noscript_notice_is_not_text() -> None:
    notice = "<noscript><p>Please enable JavaScript to view the comments.</p></noscript>"
    body = _body(f"<article><h1>Talks resume</h1>{_ALL}{notice}</article>")
    assert "enable JavaScript" not in body


def test_parts_named_with_a_modifier_class_are_the_article() -> None:
    # A CMS cuts the story into paragraph items; the second carries a modifier class.
    body = _body(
        "<article><h1>Talks resume in Istanbul</h1>"
        f'<div class="item"><div class="field--story">{_FIRST}</div></div>'
        '<div class="item"><div class="field--story field--story--article">'
        f"{_REST}</div></div></article>"
    )
    assert _holds_the_article(body)


def test_a_list_named_like_the_article_is_not_a_part() -> None:
    teasers = "".join(
        f"<li><p>Teaser {n}: the next round of negotiations, explained, with all the names"
        " and places, in one page.</p></li>"
        for n in range(4)
    )
    body = _body(
        f'<div><article class="sectbody"><h1>Talks resume</h1>{_ALL}</article></div>'
        f'<div><ul class="sectbody news">{teasers}</ul></div>'
    )
    assert _holds_the_article(body)
    assert "Teaser 1" not in body


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("postmetadata alt", "This entry was posted on Wednesday and is filed under News."),
        ("entry-utility", "This entry was posted in General. Bookmark the permalink."),
        ("lee-tambien-caja", "Lee también: the strike reaches the ports of the north."),
        ("ez-toc-container", "Table of contents: history, practice, outlook of the talks."),
        ("legend", "The palace of the talks, seen from the Bosphorus at dawn."),
        ("c-flyout__content", "Every small donation helps the people of this world!"),
        ("appstores", "Read the magazine in our app for iPhone and Android."),
        ("steady-kasten", "If you enjoyed this post, would you consider supporting us?"),
        ("donation-box", "Support our reporting with a donation of five euros."),
    ],
)
def test_blocks_named_as_boilerplate_inside_the_article_are_not_text(name: str, text: str) -> None:
    body = _body(
        '<article><h1>Talks resume</h1><div class="entry">'
        f'{_FIRST}<div class="{name}"><p>{text}</p></div>{_REST}</div></article>'
    )
    assert text not in body
    assert _holds_the_article(body)


def test_a_sentence_of_mostly_linked_words_is_text_a_labelled_link_is_not() -> None:
    linked = (
        '<p><a href="/a">Krzysztoszek replaced Wiese</a>, who for the last eight months'
        ' <a href="/b">held both posts at the company</a>.</p>'
    )
    read_also = '<p>Read also: <a href="/c">The talks in Istanbul, one year on</a></p>'
    body = _body(f"<article><h1>Talks resume</h1>{_ALL}{linked}{read_also}{_ALL}</article>")
    assert "Krzysztoszek replaced Wiese, who for the last eight months" in body
    assert "one year on" not in body


def test_a_subheading_is_not_judged_by_its_anchor_id() -> None:
    # heise gives each subheading an anchor id "nav_<its words>" for the table of contents.
    body = _body(
        '<article><h1>Talks resume</h1><div class="article-content">'
        f'{_FIRST}<h3 id="nav_only_the_foil_is_left">Only the foil is left</h3>{_REST}'
        "</div></article>"
    )
    assert "Only the foil is left" in body


_INTRO = (
    "Our repair café opens its doors again: volunteers fix toasters, bicycles and lamps for"
    " anyone who brings them along."
)


def _with_intro(head: str = "", intro_class: str = "teaser-text", tag: str = "div") -> str:
    return _body(
        "<main><article>"
        f'<header><h1>Repair café reopens</h1><{tag} class="{intro_class}">{_INTRO}</{tag}>'
        f'</header><div class="text">{_ALL}</div></article></main>',
        head,
    )


def test_an_intro_above_the_text_block_opens_the_body() -> None:
    body = _with_intro()
    assert body.startswith(_INTRO)
    assert _holds_the_article(body)


def test_an_intro_named_in_camel_case_is_found() -> None:
    assert _with_intro(intro_class="articleTeaser").startswith(_INTRO)


def test_a_picture_description_is_not_an_intro() -> None:
    assert _INTRO not in _with_intro(intro_class="img-description")


def test_a_deck_set_as_a_heading_is_not_an_intro() -> None:
    assert _INTRO not in _with_intro(intro_class="article-excerpt", tag="h2")


def test_a_news_articles_standfirst_stays_out_of_the_body() -> None:
    ld = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    assert _INTRO not in _with_intro(head=ld)


def test_an_intro_saying_what_the_description_says_is_the_subtitle_not_text() -> None:
    description = f"{_INTRO[:80]}…"
    page = (
        f'<html><head><meta name="description" content="{description}"></head><body><main>'
        f'<article><header><h1>Repair café reopens</h1><div class="teaser-text">{_INTRO}'
        f'</div></header><div class="text">{_ALL}</div></article></main></body></html>'
    )
    found = extract(page)
    assert _INTRO not in found.body
    assert found.subtitle == description
