"""What one check of a source or an article came to, as values the worker counts.

Each step returns one of these instead of a string; :attr:`label` is the short name a pass
report, the ``checks`` metric and the logs count it under (``source_ok``, ``edited``,
``judged:paywall``, ``error:timeout``...), the same names the daemon has always reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import storage


class SourceResult(StrEnum):
    """How a source check ended."""

    READ = "ok"  # fetched and read; its links went to the frontier
    NOT_MODIFIED = "not_modified"  # a 304: nothing new to read
    FAILED = "error"  # fetch or discovery failed; backed off
    REFUSED = "refused"  # not fetched (robots.txt, a paused host); looked at again later


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """One source check: how it ended, and for a refusal, why (``disallowed``, ``paused``…)."""

    result: SourceResult
    refusal: str | None = None

    @property
    def label(self) -> str:
        if self.result is SourceResult.REFUSED:
            return f"source_{self.refusal}"
        return f"source_{self.result.value}"


class ArticleResult(StrEnum):
    """How an article check ended."""

    RECORDED = "recorded"  # storage recorded the page: see ``recorded`` for what it did
    NOT_MODIFIED = "not_modified"  # a 304 (or a teaser of a known full text): just checked
    GONE = "gone"  # 404/410
    MOVED = "moved"  # another article with its own history owns the page's URL
    OFF_TOPIC = "off_topic"  # never recorded: it does not match the topic
    UNCONFIRMED = "unconfirmed"  # a drastic change, held until seen a second time
    JUDGED = "judged"  # a wall, a consent page, a soft 404…: see ``reason``
    FAILED = "failed"  # an error: see ``reason``; backed off
    DEFERRED = "deferred"  # the host is paused: looked at again later


@dataclass(frozen=True, slots=True)
class ArticleOutcome:
    """One article check. ``recorded`` is storage's outcome when the page was recorded;
    ``reason`` is the verdict (``JUDGED``) or the error kind (``FAILED``)."""

    result: ArticleResult
    recorded: storage.OutcomeKind | None = None
    reason: str | None = None

    @property
    def label(self) -> str:
        if self.result is ArticleResult.RECORDED and self.recorded is not None:
            return self.recorded.value
        if self.result is ArticleResult.JUDGED:
            return f"judged:{self.reason}"
        if self.result is ArticleResult.FAILED:
            return f"error:{self.reason}"
        return self.result.value


def recorded(outcome: storage.Outcome) -> ArticleOutcome:
    """The step's outcome for a page storage recorded."""
    return ArticleOutcome(ArticleResult.RECORDED, recorded=outcome.kind)


def judged(verdict: str) -> ArticleOutcome:
    return ArticleOutcome(ArticleResult.JUDGED, reason=verdict)


def failed(kind: str) -> ArticleOutcome:
    return ArticleOutcome(ArticleResult.FAILED, reason=kind)


CheckOutcome = SourceOutcome | ArticleOutcome
