"""The headline a reader sees: the h1's text as the page displays it."""

from __future__ import annotations

import pytest

from scraper import extract
from scraper.extract.headline import heading_text

_PROSE = (
    "<p>Negotiators from both countries met for three hours on Monday in the Ottoman palace,"
    " officials said, and agreed to meet again within weeks.</p>"
    "<p>The talks, mediated by the host country, produced an agreement on a large exchange of"
    " prisoners but no ceasefire, to the disappointment of many.</p>"
)


def test_a_kickers_colon_is_spaced_from_the_headline() -> None:
    page = (
        '<html><head><meta property="og:title" content="Police catch two: gold found">'
        '</head><body><article><h1><span class="kicker">Police catch two:</span>gold found'
        f"</h1>{_PROSE}</article></body></html>"
    )
    assert extract(page).title == "Police catch two: gold found"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kicker:Headline", "Kicker: Headline"),
        ("पकड़ा:दो दिनों", "पकड़ा: दो दिनों"),
        ("Polls open at 10:30 today", "Polls open at 10:30 today"),
        ("See https://example.org", "See https://example.org"),
        ("Already: spaced", "Already: spaced"),
    ],
)
def test_heading_text(raw: str, expected: str) -> None:
    assert heading_text(raw) == expected
