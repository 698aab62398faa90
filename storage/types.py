"""Typed values that cross the storage boundary on the write path: inputs from the scheduler
and the outcomes it gets back (the rows readers get are in ``storage.read``).

``storage`` has its own input types so it never imports ``scraper``: the scheduler copies a
``scraper.Extracted`` into an :class:`ArticleFields`, a ``scraper.Link`` into a :class:`Candidate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from storage.alerts import AlertPayload

ArticleStatus = Literal["pending", "live", "gone", "off_topic", "failed"]
# Every kind of alert storage queues (the configuration's channel filters accept these).
AlertKind = Literal["new", "edited", "gone", "update", "moved", "churning"]
# Who manages a source: the configuration file (a daemon's start makes these match it) or a
# person, through the API or ``newswatch sources add`` (kept until removed by hand).
SourceOrigin = Literal["config", "manual"]


@dataclass(frozen=True, slots=True)
class ArticleFields:
    """What was extracted from one fetch of an article page."""

    title: str | None = None
    subtitle: str | None = None
    body: str = ""
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    modified: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    section: str | None = None
    # schema.org type of the page (e.g. "NewsArticle", "LiveBlogPosting"): live blogs grow.
    page_type: str | None = None


class OutcomeKind(StrEnum):
    """What recording a fetch did to the article's history."""

    NEW = "new"
    UNCHANGED = "unchanged"
    EDITED = "edited"
    GONE = "gone"
    MOVED = "moved"
    # The article changes on every visit: this fetch was checked, not recorded as a version.
    CHURNING = "churning"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of ``record``/``record_gone``/``record_not_modified``.

    ``version_number`` is the article's current version after the call (``None`` if it has none);
    ``alert_id`` is set only when this call queued an alert.
    """

    kind: OutcomeKind
    article_id: int
    version_number: int | None = None
    changed_fields: tuple[str, ...] = ()
    words_added: int = 0
    words_removed: int = 0
    alert_id: int | None = None
    classes: tuple[str, ...] = ()
    reverts: int | None = None
    story_id: int | None = None
    # True when the call also set the article's next check and released its lease
    # (``record_if_unchanged``): the caller must not do it again.
    rescheduled: bool = False


@dataclass(frozen=True, slots=True)
class FetchEntry:
    """One line of the fetch log: an HTTP attempt, or a request refused before it was made."""

    url: str
    at: datetime
    status: int | None
    bytes: int
    elapsed: float
    error_kind: str | None = None
    message: str | None = None
    verdict: str | None = None  # what the page was, when it was not the article
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class NotModifiedCheck:
    """One article that answered 304 Not Modified, and when to look at it next (``None``: never)."""

    article_id: int
    checked_at: datetime
    next_check_at: datetime | None


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One configured source (feed, sitemap, listing page)."""

    url: str
    kind: str
    every_seconds: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A discovered article link; ``url`` is already canonical.

    ``seen_at``: when the link was first seen, if not when it is added (an archived page's
    capture time); a new article is first seen, and due, then.
    """

    url: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    seen_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DueSource:
    """A source claimed for checking, with the validators for a conditional GET.

    ``failures`` counts the consecutive failed checks before this one (for back-off);
    ``last_checked_at`` and ``next_check_at`` are what the previous check set (the scheduler
    derives the source's current polling pace from them).
    """

    id: int
    url: str
    kind: str
    every_seconds: int
    etag: str | None
    last_modified: str | None
    failures: int = 0
    last_checked_at: datetime | None = None
    next_check_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DueArticle:
    """An article claimed for checking; ``published`` comes from its current version or hint."""

    id: int
    url: str
    source_id: int | None
    etag: str | None
    last_modified: str | None
    first_seen_at: datetime
    last_changed_at: datetime | None
    published: datetime | None
    version_count: int
    full_chars: int | None = None  # length of the text when last seen in full
    pending_fingerprint: str | None = None  # a drastic change seen once, to be seen again
    # Changes on every visit (see storage.churn): checked rarely, and in full (no validators).
    churning: bool = False


@dataclass(frozen=True, slots=True)
class DiffOp:
    """One run of a word diff.

    ``text`` keeps the whitespace that preceded each word, so joining the ``equal`` and ``delete``
    runs gives the old text back and joining ``equal`` and ``insert`` gives the new one.
    """

    op: Literal["equal", "insert", "delete"]
    text: str


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """An alert still owed to one channel."""

    alert_id: int
    channel: str
    alert: AlertPayload
    created_at: datetime
    attempts: int


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """A syndication cluster as alerts and listings show it."""

    id: int
    title: str | None
    articles: int
    outlets: int


@dataclass(frozen=True, slots=True)
class ReextractReport:
    """What a re-extraction run did."""

    articles: int = 0
    snapshots: int = 0
    derived: int = 0
    unchanged: int = 0
    failed: int = 0
    missing_snapshots: int = 0

    def __add__(self, other: ReextractReport) -> ReextractReport:
        """Reports of two runs (or two articles) added up."""
        return ReextractReport(
            articles=self.articles + other.articles,
            snapshots=self.snapshots + other.snapshots,
            derived=self.derived + other.derived,
            unchanged=self.unchanged + other.unchanged,
            failed=self.failed + other.failed,
            missing_snapshots=self.missing_snapshots + other.missing_snapshots,
        )
