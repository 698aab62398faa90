"""Which blocks hold the article text: misnamed wrappers and the parts of their layout."""

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


def test_sections_named_after_a_misnamed_wrapper_are_the_article() -> None:
    # The layout calls its main column a "sidebar grid" and cuts the story into sections
    # around ads: each section holds a quarter of the text, under the 40 % of a wrapper.
    sections = "".join(
        f'<div class="sidebar-grid__container"><p>{text}</p></div><div class="ad">Ad</div>'
        for text in _SENTENCES
    )
    page = (
        "<html><body><main><article><h1>Talks resume in Istanbul</h1>"
        f'<div class="sidebar-grid sidebar-grid--is-narrow">{sections}</div>'
        "</article></main></body></html>"
    )
    body = extract(page).body
    for text in _SENTENCES:
        assert text in body


def test_comments_inside_a_forgiven_comments_wrapper_stay_out() -> None:
    article = "".join(f"<p>{text}</p>" for text in _SENTENCES)
    comment = (
        '<div class="comment-body"><p>I have said this for years, and nobody listens to'
        " a word of it, which is a shame, really.</p></div>"
    )
    page = (
        '<html><body><div class="comments-area"><article><h1>Talks resume in Istanbul</h1>'
        f"{article}</article>{comment}</div></body></html>"
    )
    body = extract(page).body
    assert _SENTENCES[0] in body
    assert "nobody listens" not in body


def test_a_comment_thread_longer_than_the_article_is_not_the_article() -> None:
    # Under an opinion piece, one reader's long reply outweighs the short article.
    article = "".join(f"<p>{text}</p>" for text in _SENTENCES[:2])
    reply = "".join(
        f"<p>I have read this twice, point {n}, and I still do not see why anyone believes"
        " these talks will lead anywhere, given all we have seen, frankly, so far.</p>"
        for n in range(5)
    )
    page = (
        "<html><body><main><article><h1>Talks resume in Istanbul</h1>"
        f'<div class="body">{article}</div></article><section><ul class="comments-list">'
        f'<li id="message_1"><div class="text">{reply}</div></li></ul></section>'
        "</main></body></html>"
    )
    body = extract(page).body
    assert _SENTENCES[0] in body
    assert "I have read this twice" not in body


def test_a_noscript_copy_of_the_post_is_its_text() -> None:
    # Blogger renders the post from a script template and prints it again for readers
    # without scripts.
    paragraphs = "".join(f"<p>{text}</p>" for text in _SENTENCES)
    page = (
        '<html><body><div class="post"><h2>Talks resume</h2><div class="post-body">'
        f'<script type="text/template">{paragraphs}</script><noscript>{paragraphs}</noscript>'
        "</div></div></body></html>"
    )
    body = extract(page).body
    for text in _SENTENCES:
        assert text in body


def test_a_noscript_notice_is_not_text() -> None:
    article = "".join(f"<p>{text}</p>" for text in _SENTENCES)
    notice = "<noscript><p>Please enable JavaScript to view the comments.</p></noscript>"
    page = f"<html><body><article><h1>Talks resume</h1>{article}{notice}</article></body></html>"
    assert "enable JavaScript" not in extract(page).body


def test_parts_named_with_a_modifier_class_are_the_article() -> None:
    # A CMS cuts the story into paragraph items; the second carries a modifier class.
    first = "".join(f"<p>{text}</p>" for text in _SENTENCES[:2])
    second = "".join(f"<p>{text}</p>" for text in _SENTENCES[2:])
    page = (
        "<html><body><article><h1>Talks resume in Istanbul</h1>"
        f'<div class="item"><div class="field--story">{first}</div></div>'
        '<div class="item"><div class="field--story field--story--article">'
        f"{second}</div></div></article></body></html>"
    )
    body = extract(page).body
    for text in _SENTENCES:
        assert text in body


def test_a_list_named_like_the_article_is_not_a_part() -> None:
    article = "".join(f"<p>{text}</p>" for text in _SENTENCES)
    teasers = "".join(
        f"<li><p>Teaser {n}: the next round of negotiations, explained, with all the names"
        " and places, in one page.</p></li>"
        for n in range(4)
    )
    page = (
        '<html><body><div><article class="sectbody"><h1>Talks resume</h1>'
        f'{article}</article></div><div><ul class="sectbody news">{teasers}</ul></div>'
        "</body></html>"
    )
    body = extract(page).body
    assert _SENTENCES[0] in body
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
def test_blocks_named_as_post_metadata_read_also_contents_or_legend_are_not_text(
    name: str, text: str
) -> None:
    first = "".join(f"<p>{sentence}</p>" for sentence in _SENTENCES[:2])
    rest = "".join(f"<p>{sentence}</p>" for sentence in _SENTENCES[2:])
    page = (
        '<html><body><article><h1>Talks resume</h1><div class="entry">'
        f'{first}<div class="{name}"><p>{text}</p></div>{rest}</div></article></body></html>'
    )
    body = extract(page).body
    assert text not in body
    assert _SENTENCES[-1] in body


def test_a_sentence_of_mostly_linked_words_is_text_a_labelled_link_is_not() -> None:
    linked = (
        '<p><a href="/a">Krzysztoszek replaced Wiese</a>, who for the last eight months'
        ' <a href="/b">held both posts at the company</a>.</p>'
    )
    read_also = '<p>Read also: <a href="/c">The talks in Istanbul, one year on</a></p>'
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in _SENTENCES)
    page = (
        "<html><body><article><h1>Talks resume</h1>"
        f"{paragraphs}{linked}{read_also}{paragraphs}</article></body></html>"
    )
    body = extract(page).body
    assert "Krzysztoszek replaced Wiese, who for the last eight months" in body
    assert "one year on" not in body


def test_a_subheading_is_not_judged_by_its_anchor_id() -> None:
    # heise gives each subheading an anchor id "nav_<its words>" for the table of contents.
    first = "".join(f"<p>{text}</p>" for text in _SENTENCES[:2])
    rest = "".join(f"<p>{text}</p>" for text in _SENTENCES[2:])
    page = (
        '<html><body><article><h1>Talks resume</h1><div class="article-content">'
        f'{first}<h3 id="nav_only_the_foil_is_left">Only the foil is left</h3>{rest}'
        "</div></article></body></html>"
    )
    assert "Only the foil is left" in extract(page).body
