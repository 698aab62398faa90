"""Judging a fetch before it is diffed: is this the article, or a wall, a teaser, an error page?

The detectors run in order, most certain first, and the first that speaks decides. Each looks
at the fetched page (status, headers, final URL, the start of its HTML), at what extraction
found, and at what is known of the article (its length when last seen in full).
"""

from __future__ import annotations

from collections.abc import Callable

from scraper.types import Extracted, Page
from scraper.verdicts import challenge, consent, paywall, shell, soft404
from scraper.verdicts.types import Evidence, Known, Verdict

Detector = Callable[[Evidence], Verdict | None]
DETECTORS: tuple[Detector, ...] = (
    challenge.detect,
    paywall.detect_paywall,  # explicit markup: before the consent page's word count
    consent.detect,
    paywall.detect_login,
    soft404.detect,
    shell.detect,
)


def judge(page: Page, found: Extracted | None, known: Known | None = None) -> Verdict | None:
    """The verdict on one fetched page (``found``: what extraction made of it, ``None`` if it
    could not), or ``None`` when it is the article."""
    evidence = Evidence(page, found, known or Known())
    for detect in DETECTORS:
        verdict = detect(evidence)
        if verdict is not None:
            return verdict
    return None
