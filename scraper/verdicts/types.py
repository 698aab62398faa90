"""What judging a fetched page says, and what the judge knows about the article beforehand."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from scraper.types import Extracted, Page

VerdictKind = Literal["challenge", "consent", "login", "paywall", "soft_404", "not_article"]
# Verdicts that say the *site* is keeping us out (not this one page): they pause the host.
WALLS: frozenset[str] = frozenset({"challenge", "consent", "login"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """The page is not the article as a reader sees it: ``kind``, and the signals that said so.

    ``hint`` is advice for the user (``render = "browser"`` for a page whose text arrives by
    script). A paywall verdict means "a teaser": the visible part of an article whose full
    text the site sometimes shows.
    """

    kind: VerdictKind
    evidence: tuple[str, ...]
    hint: str | None = None

    @property
    def wall(self) -> bool:
        return self.kind in WALLS

    def describe(self) -> str:
        """One line for logs, ``last_error`` and the fetch log: ``kind: evidence; evidence``."""
        text = f"{self.kind}: {'; '.join(self.evidence)}"
        return f"{text} ({self.hint})" if self.hint else text


@dataclass(frozen=True, slots=True)
class Known:
    """What is stored about the article, so a fetch can be judged against it.

    ``body_chars`` is the length of the last full text seen (``None``: never seen in full);
    ``requested_url`` is where the fetch started (a redirect to the front page is a soft 404).
    """

    requested_url: str | None = None
    body_chars: int | None = None


@dataclass(frozen=True)
class Evidence:
    """The page as the detectors see it: the fetch, what extraction found, and its text."""

    page: Page
    found: Extracted | None
    known: Known = field(default_factory=Known)

    @cached_property
    def head(self) -> str:
        """The start of the document, lower-cased: where walls put their markers. Detectors
        look at it only for pages with little main text, so an article costs no scan."""
        return self.page.text[:HEAD_CHARS].lower()

    @property
    def short(self) -> bool:
        """Little main text: a wall's or an error page's worth (or a very short article)."""
        return self.body_chars < SHORT_BODY_CHARS

    @property
    def body_chars(self) -> int:
        """How much main text there is, in characters: words are no measure in Japanese."""
        return len(self.found.body) if self.found is not None else 0


HEAD_CHARS = 64 * 1024
# Less main text than this (about 150 English words): a wall's or an error page's worth, or a
# very short article; a wall marker on such a page decides.
SHORT_BODY_CHARS = 1000
