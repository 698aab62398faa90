"""Malformed input raises ExtractionError only, and hostile pages finish with their text."""

from __future__ import annotations

import pytest

from scraper import Extracted, ExtractionError, extract

URL = "https://example.com/news/article"


@pytest.mark.parametrize(
    "page",
    [
        "",
        "   \n\t ",
        b"",
        b"\x00\x01\x02\x03" * 4000,
        bytes(range(256)) * 64,
        "just a line of plain text, no markup at all",
        "\x00\x01\x02\x03\x04\x05\x06\x07" * 512,
    ],
    ids=["empty", "blank", "empty-bytes", "nul-bytes", "binary", "plain-text", "control-chars"],
)
def test_unreadable_input_raises_extraction_error_naming_the_url(page: str | bytes) -> None:
    with pytest.raises(ExtractionError) as info:
        extract(page, url=URL)
    assert URL in str(info.value)
    assert info.value.url == URL


@pytest.mark.parametrize("value", [None, 42, ["<p>x</p>"]], ids=["none", "int", "list"])
def test_wrong_types_raise_extraction_error(value: object) -> None:
    with pytest.raises(ExtractionError):
        extract(value, url=URL)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>unclosed <b>bold <i>italic",
        "<<<>>><p>>>text</p><</",
        "<html><head><title>Only a title</title></head></html>",
        "<p>" + "&amp;" * 5000 + "</p>",
        '<html><body><script type="application/ld+json">{"@type": "NewsArticle", bad json</script>'
        "<p>Text after a broken JSON-LD block is still extracted as the body.</p></body></html>",
        '<html><body><script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['
        + "[" * 5000
        + "]" * 5000
        + "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]</script><p>Deep JSON, fine.</p></body></html>",
        "<html><body><svg><title>icon</title></svg><p>a\x00b</p></body></html>",
    ],
    ids=["unclosed", "brackets", "title-only", "entities", "bad-jsonld", "deep-jsonld", "nul"],
)
def test_malformed_html_returns_a_result(page: str) -> None:
    result = extract(page, url=URL)
    assert isinstance(result, Extracted)
    assert isinstance(result.body, str)


def test_broken_json_ld_does_not_hide_the_body() -> None:
    page = (
        '<html><body><script type="application/ld+json">{"@type": "NewsArticle", bad</script>'
        "<p>Text after a broken JSON-LD block is still extracted as the body.</p></body></html>"
    )
    assert extract(page).body == "Text after a broken JSON-LD block is still extracted as the body."


@pytest.mark.slow
@pytest.mark.parametrize("tag", ["div", "section", "span", "blockquote", "table", "a"])
def test_100000_nested_tags_finish(tag: str) -> None:
    depth = 100_000
    page = (
        "<html><body>"
        + f"<{tag}>" * depth
        + "<p>The deepest paragraph, with enough words to be a body.</p>"
        + f"</{tag}>" * depth
        + "</body></html>"
    )
    # Nesting is no reason to lose the text: the paragraph is the whole body.
    assert extract(page, url=URL).body == ("The deepest paragraph, with enough words to be a body.")


def test_100000_unclosed_nested_tags_finish_with_their_text() -> None:
    page = "<html><body>" + "<div><ul><li><section>" * 25_000 + "words" + "</body></html>"
    assert extract(page, url=URL).body == "words"


@pytest.mark.slow
def test_20_megabyte_page_finishes_with_its_text() -> None:
    paragraph = (
        "<p>Negotiators met again in Istanbul on Monday, officials said, "
        'and <a href="/x">agreed</a> to exchange more prisoners.</p>\n'
    )
    page = (
        "<html><head><title>Big page</title></head><body><article>"
        + paragraph * (20_000_000 // len(paragraph))
        + "</article></body></html>"
    )
    assert len(page) >= 19_900_000
    outcome = extract(page, url=URL)
    assert outcome.title == "Big page"
    assert outcome.body.startswith("Negotiators met again in Istanbul")
    assert outcome.body.count("agreed to exchange more prisoners.") == 20_000_000 // len(paragraph)
