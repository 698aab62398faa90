"""The extractor's fast paths give exactly what the plain code they replace would give."""

from __future__ import annotations

import random

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.body import Line, squash
from scraper.extract.document import _looks_binary
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
