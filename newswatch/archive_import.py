"""Recording archived pages (a WARC's) as fetched when they were archived, without fetching.

Each batch of pages is extracted and hashed outside any transaction, then recorded in one
short write transaction as the daemon records a fetch (``storage.record``: versions, diffs,
stories, alerts), at the page's archive time. An article goes on to be checked by the daemon
as its recheck tiers say, counted from that time: an article archived long ago is not fetched
again. A page no newer than what is stored of its article is skipped: a rerun skips what an
earlier run recorded, and an older copy never lands on top of a newer one.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from itertools import islice

from sqlmodel import Session, col, select

import storage
from newswatch.warcs import ArchivedPage
from scheduler.article_fields import fields_from_extracted
from scheduler.policy import RecheckPolicy
from scraper import extract
from scraper.topic import TopicQuery
from storage.utc import as_utc

logger = logging.getLogger(__name__)

# Pages per write transaction: a daemon sharing the database waits for one batch at most.
BATCH = 100


class Recorded(Enum):
    """What importing one archived page did."""

    NEW = "new articles"
    EDITED = "edits"
    UNCHANGED = "unchanged"
    STORED = "already stored (not newer than the history)"
    OFF_TOPIC = "off topic"
    FAILED = "unreadable pages"


@dataclass(frozen=True, slots=True)
class ArchiveRules:
    """How archived pages are judged and kept: the daemon's topic, caps and recheck tiers."""

    topic: TopicQuery
    limits: storage.Limits
    policy: RecheckPolicy
    now: datetime
    alerts: bool = True  # False: record the pages without queuing their alerts


@dataclass(frozen=True, slots=True)
class _Read:
    page: ArchivedPage
    fields: storage.ArticleFields | None  # None: the extractor failed on it
    on_topic: bool
    snapshot: storage.PreparedSnapshot


@dataclass(slots=True)
class ImportTally:
    """Counts of what an import did, by :class:`Recorded`."""

    counts: Counter[Recorded] = field(default_factory=Counter)

    @property
    def pages(self) -> int:
        return sum(self.counts.values())


def import_pages(
    db: storage.Database,
    pages: Iterable[ArchivedPage],
    *,
    rules: ArchiveRules,
    batch: int = BATCH,
    on_batch: Callable[[ImportTally], None] | None = None,
) -> ImportTally:
    """Record ``pages`` a batch per transaction; ``on_batch(tally so far)`` after each."""
    tally = ImportTally()
    for chunk in _chunks(pages, batch):
        with db.session() as s:
            checked = _last_checked(s, [page.url for page in chunk])
        # Pages stored by an earlier run are not even extracted: a rerun gets past them fast.
        fresh = [p for p in chunk if not _stored(checked.get(p.url), p)]
        tally.counts[Recorded.STORED] += len(chunk) - len(fresh)
        # Same URL twice in a batch: recorded oldest first, as they were seen.
        read = [_read(page, rules) for page in sorted(fresh, key=_order)]
        with db.transaction() as s:
            for one in read:
                tally.counts[_record(s, one, rules)] += 1
        if on_batch is not None:
            on_batch(tally)
    return tally


def _last_checked(s: Session, urls: list[str]) -> dict[str, datetime | None]:
    """When each stored article of these URLs was last checked (fetched or imported)."""
    rows = s.exec(
        select(storage.Article.url, storage.Article.last_checked_at).where(
            col(storage.Article.url).in_(urls)
        )
    ).all()
    return dict(rows)


def _stored(checked: datetime | None, page: ArchivedPage) -> bool:
    """Whether the history already holds this page or a newer check of its article."""
    return checked is not None and as_utc(checked) >= page.fetched_at


def _order(page: ArchivedPage) -> tuple[str, datetime]:
    return page.url, page.fetched_at


def _chunks(pages: Iterable[ArchivedPage], size: int) -> Iterator[list[ArchivedPage]]:
    it = iter(pages)
    while chunk := list(islice(it, size)):
        yield chunk


def _read(page: ArchivedPage, rules: ArchiveRules) -> _Read:
    snapshot = storage.prepare_snapshot(page.body)
    try:
        found = extract(page.body, url=page.url)
    except Exception as error:  # foreign bytes: one bad page must not stop an import
        logger.warning(
            "archived page unreadable",
            extra={"event": "import_extract_failed", "url": page.url, "error": str(error)},
        )
        return _Read(page, None, False, snapshot)
    on_topic = rules.topic.matches(found.title, found.subtitle, found.body)
    return _Read(page, fields_from_extracted(found, rules.limits.fields), on_topic, snapshot)


def _record(s: Session, read: _Read, rules: ArchiveRules) -> Recorded:
    page = read.page
    if read.fields is None:
        return Recorded.FAILED
    storage.add_candidates(
        s, source_id=None, candidates=[storage.Candidate(url=page.url)], now=page.fetched_at
    )
    article_id = storage.resolve_url(s, page.url)
    article = s.get(storage.Article, article_id) if article_id is not None else None
    assert article is not None and article_id is not None  # added just above
    if _stored(article.last_checked_at, page):  # recorded meanwhile, by another run
        return Recorded.STORED
    if article.version_count == 0 and not read.on_topic:
        storage.mark_off_topic(s, article_id=article_id, now=page.fetched_at)
        return Recorded.OFF_TOPIC
    born = min(read.fields.published or page.fetched_at, rules.now)
    next_check = rules.policy.next_check(now=rules.now, born=born, last_changed=page.fetched_at)
    outcome = storage.record(
        s,
        article_id=article_id,
        fields=read.fields,
        snapshot=read.snapshot,
        fetched_at=page.fetched_at,
        etag=page.etag,
        last_modified=page.last_modified,
        limits=rules.limits.versions,
        alert=rules.alerts,
        # A version written sets the next check in the same UPDATE of the article's row.
        if_recorded=storage.NextCheck(next_check),
    )
    if not outcome.rescheduled:  # unchanged or churning: nothing wrote the row's schedule
        storage.reschedule_article(
            s, article_id=article_id, next_check_at=next_check, now=rules.now
        )
    if outcome.kind is storage.OutcomeKind.NEW:
        return Recorded.NEW
    if outcome.kind is storage.OutcomeKind.EDITED:
        return Recorded.EDITED
    return Recorded.UNCHANGED
