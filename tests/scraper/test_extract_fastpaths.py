"""The extractor's fast paths give exactly what the plain code they replace would give."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.body import Line, _links_over, link_density, squash
from scraper.extract.document import _looks_binary, count_tag_starts, parse
from scraper.extract.jsonld import _DECODER
from scraper.extract.lines import clean_lines
from scraper.extract.scan import scan

_ALPHABET = "ab é\n\t\r\x0b\x0c\xa0\u2009\u3000\u2028\u2029\u200b\u2060\x00\x1f\ufffd中"


@pytest.mark.parametrize("seed", range(5))
def test_squash_is_split_and_join(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(2000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 40)))
        assert squash(text) == " ".join(text.split()), repr(text)


def test_looks_binary_counts_controls_like_the_regex() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        sample = "".join(rng.choice(_ALPHABET + "\ud800") for _ in range(rng.randint(0, 60)))
        controls = sum(
            1 for ch in sample if ch == "\ufffd" or (ord(ch) < 0x20 and ch not in "\t\n\x0c\r")
        )
        assert _looks_binary(sample) == (controls > len(sample) * 0.05), repr(sample)


def test_tag_starts_are_counted_in_the_bytes_as_in_the_text() -> None:
    rng = random.Random(11)
    for _ in range(500):
        text = "".join(rng.choice(_ALPHABET + "<>﹤＜") for _ in range(rng.randint(0, 200)))
        assert count_tag_starts(text.encode("utf-8")) == text.count("<"), repr(text)
    # Past the mebibyte counted at a time, "<" at both sides of the cut.
    data = b"x" * ((1 << 20) - 1) + b"<<" + b"<p>" * 400_000
    assert count_tag_starts(data) == data.count(b"<") == 400_002


@pytest.mark.parametrize("as_bytes", [False, True])
def test_a_big_deeply_nested_page_is_flattened_from_text_or_bytes(as_bytes: bool) -> None:
    # Over 50,000 tags in over 200,000 characters: nesting past 400 levels is dropped before
    # lexbor parses the page, whether the page came as text or as its UTF-8 bytes.
    text = "<html><body>" + "<div>" * 60_000 + "<p>é deep</p>" + "</div>" * 60_000
    raw = text.encode("utf-8") if as_bytes else None
    tree = parse(text, None, raw)
    assert len(tree.css("div")) == 400
    assert tree.css_first("p").text() == "é deep"


def test_a_big_page_with_few_tags_is_parsed_as_it_is() -> None:
    text = "<html><body>" + "<div>" * 500 + "<script>" + "x" * 300_000 + "</script>中"
    tree = parse(text, None)
    assert len(tree.css("div")) == 500
    assert tree.body.text().endswith("中")


def test_links_over_a_share_is_link_density_over_it() -> None:
    rng = random.Random(3)
    words = ["word", "a longer phrase", "é", "", "  "]
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(0, 8)):
            word = rng.choice(words)
            parts.append(f'<a href="/x">{word}</a>' if rng.random() < 0.4 else word)
        block = LexborHTMLParser(f"<div>{' '.join(parts)}</div>").css_first("div")
        assert block is not None
        for share in (0.0, 0.1, 0.25, 0.5):
            expected = link_density(block) > share
            assert _links_over(block, len(block.text()), share) == expected, (parts, share)


def test_scan_finds_metadata_and_paragraphs_in_one_walk() -> None:
    tree = LexborHTMLParser(
        "<html lang='en'><head><title>T</title><meta property='og:title' content='OG'>"
        "<script type='application/LD+JSON'>{}</script><script>var x;</script></head>"
        "<body><h1>Head</h1><p itemprop='author'>Jane Doe</p><div>a<br>b</div>"
        "<blockquote>q</blockquote><p itemprop='articleBody'>long body</p></body></html>"
    )
    found = scan(tree)
    assert [node.tag for node in found.paragraphs] == ["p", "br", "blockquote", "p"]
    meta = found.meta
    assert (meta.title, meta.heading, meta.language) == ("T", "Head", "en")
    assert meta.values["og:title"] == ["OG"]
    assert meta.jsonld == ["{}"]
    assert meta.microdata == {"author": ["Jane Doe"]}  # articleBody is never read


def test_scan_reads_a_paragraphs_attributes_only_when_it_has_an_itemprop() -> None:
    tree = LexborHTMLParser(
        "<body><p role='main'>no itemprop: not a main region</p>"
        "<p role='main' itemprop='author'>Jane Doe</p><br itemprop='author'>"
        "<pre itemprop='headline'>Head</pre><main role='main'><p>x</p></main>"
        "<p itemprop='author' role='main'>John Roe</p><time datetime='2025-06-02'>2 June</time>"
    )
    found = scan(tree)
    assert [node.tag for node in found.paragraphs] == ["p", "p", "br", "pre", "p", "p"]
    assert found.positions == [0, 2, 5, 7, 11, 12]  # each listing of an element counts
    assert [node.tag for node in found.mains] == ["p", "main", "p"]
    assert found.meta.microdata == {"author": ["Jane Doe", "John Roe"], "headline": ["Head"]}
    assert found.meta.times == [("2025-06-02", "2 June")]


def _outcome(decode: Callable[[str], object], text: str) -> str:
    try:
        return repr(decode(text))
    except RecursionError:
        return "too deep"
    except ValueError:
        return "not JSON"  # _load treats every ValueError alike, whatever its message


@pytest.mark.parametrize(
    "text",
    [
        '{"@type": "NewsArticle", "headline": "A\ttab"}',
        '\ufeff{"@type": "NewsArticle"}',
        '<!--{"a": [1, 2,], }-->',
        '<![CDATA[{"a": 1}]]>',
        '{"a": 1}{"b": 2}',
        "[NaN, 1e400]",
        "[" * 100_000,
        "  ",
    ],
)
def test_json_ld_is_decoded_as_json_loads_decodes_it(text: str) -> None:
    def loads(value: str) -> object:
        return json.loads(value, strict=False)

    assert _outcome(_DECODER.decode, text) == _outcome(loads, text)


def test_credit_lines_are_dropped_and_not_taken_for_bylines() -> None:
    lines = [
        Line(text, False, 0.0)
        for text in (
            "A first paragraph of the story that is long enough to stay in the body.",
            "By Jane Doe/AFP",
            "The minister speaks in Istanbul (Getty Images).",
            "By John Smith",
            "A last paragraph of the story that is long enough to stay in the body too.",
        )
    ]
    cleaned = clean_lines(lines)
    assert [line.text for line in cleaned.lines] == [lines[0].text, lines[-1].text]
    assert cleaned.bylines == ["John Smith"]
