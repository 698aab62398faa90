"""Recording archived pages (a WARC's) as fetched when they were archived, without fetching.

Each batch of pages is read outside any transaction (extracted, matched against the topic,
fingerprinted, signed, its snapshot hashed and compressed), in worker processes for a big
import (:mod:`newswatch.workpool`), then recorded in one short write transaction as the daemon
records a fetch (``storage.record``: versions, diffs, stories, alerts), at the page's archive
time. While a batch is recorded, the workers read the next one.

An article goes on to be checked by the daemon as its recheck tiers say, counted from that
time: an article archived long ago is not fetched again. A page no newer than what is stored
of its article is skipped: a rerun skips what an earlier run recorded, and an older copy never
lands on top of a newer one.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import partial
from itertools import islice

from sqlmodel import Session, col, select

import storage
from newswatch.warcs import ArchivedPage
from newswatch.workpool import worker_cores, worker_map
from scheduler.article_fields import fields_from_extracted
from scheduler.policy import RecheckPolicy
from scraper import extract
from scraper.topic import TopicQuery
from storage.utc import as_utc

logger = logging.getLogger(__name__)

# Pages per write transaction: a daemon sharing the database waits for one batch at most.
BATCH = 100
# A smaller WARC (about a thousand gzipped news pages) is read in this process: a worker
# process imports the extractor and warms up for a second or two, which such a file does not
# win back (measured: 640 pages in 19 MB, 121 and 126 pages/s without a worker, 117 and 112
# with one; 1,920 pages in 58 MB, 124 and 131 without, 166 and 173 with one).
PARALLEL_FROM_BYTES = 32 << 20


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
    """What one archived page says, worked out before the write transaction (maybe in a
    worker process: the page itself is not sent back)."""

    digest: storage.FieldsDigest | None  # None: the extractor failed on it (``failure``)
    on_topic: bool
    snapshot: storage.PreparedSnapshot
    failure: str | None = None


@dataclass(slots=True)
class ImportTally:
    """Counts of what an import did, by :class:`Recorded`."""

    counts: Counter[Recorded] = field(default_factory=Counter)

    @property
    def pages(self) -> int:
        return sum(self.counts.values())


def default_workers(warc_bytes: int) -> int:
    """Worker processes to read a WARC of ``warc_bytes`` with: none for a small file (this
    process reads it), else one fewer than the cores, the last one this process's, which
    records. Recording a page costs about what reading it does: a worker more would only
    take the core the recording needs (measured: 157 pages/s with two workers on two cores,
    192 with one)."""
    return 0 if warc_bytes < PARALLEL_FROM_BYTES else worker_cores() - 1


def import_pages(
    db: storage.Database,
    pages: Iterable[ArchivedPage],
    *,
    rules: ArchiveRules,
    batch: int = BATCH,
    workers: int = 0,
    on_batch: Callable[[ImportTally], None] | None = None,
) -> ImportTally:
    """Record ``pages`` a batch per transaction, read by ``workers`` worker processes (0: by
    this one); ``on_batch(tally so far)`` after each batch."""
    tally = ImportTally()
    read = partial(_read_page, topic=rules.topic, limits=rules.limits.fields)
    with worker_map(workers) as map_pages:
        waiting: tuple[list[ArchivedPage], Iterator[_Read]] | None = None
        try:
            for chunk in _chunks(pages, batch):
                with db.session() as s:
                    checked = _last_checked(s, [page.url for page in chunk])
                # Pages stored by an earlier run are not even read: a rerun gets past them fast.
                # Same URL twice in a batch: recorded oldest first, as they were seen.
                fresh = sorted((p for p in chunk if not _stored(checked.get(p.url), p)), key=_order)
                tally.counts[Recorded.STORED] += len(chunk) - len(fresh)
                # Only the page of an article not stored yet is signed: it will be placed.
                new = [page.url not in checked for page in fresh]
                # Submitted now, so that the workers read this batch while the previous one is
                # recorded (a page recorded meanwhile is found stored by _record, and skipped).
                readings = map_pages(read, list(zip(fresh, new, strict=True)))
                if waiting is not None:
                    recording, waiting = waiting, None
                    _record_batch(db, *recording, rules, tally, on_batch)
                waiting = (fresh, readings)
        finally:
            # Also when the file turns out damaged further on: what was read before is kept.
            if waiting is not None:
                _record_batch(db, *waiting, rules, tally, on_batch)
    return tally


def _record_batch(
    db: storage.Database,
    pages: list[ArchivedPage],
    readings: Iterator[_Read],
    rules: ArchiveRules,
    tally: ImportTally,
    on_batch: Callable[[ImportTally], None] | None,
) -> None:
    read = list(readings)  # every page read before the write transaction begins
    with db.transaction() as s:
        _add_articles(s, pages, read, rules)
        for page, one in zip(pages, read, strict=True):
            tally.counts[_record(s, page, one, rules)] += 1
    if on_batch is not None:
        on_batch(tally)


def _add_articles(
    s: Session, pages: list[ArchivedPage], read: list[_Read], rules: ArchiveRules
) -> None:
    """Add the batch's readable pages' articles to the store, in one statement: each new one
    first seen at its earliest capture in the batch (the pages come oldest first)."""
    first_seen: dict[str, datetime] = {}
    for page, one in zip(pages, read, strict=True):
        if one.digest is not None:
            first_seen.setdefault(page.url, page.fetched_at)
    if first_seen:
        candidates = [storage.Candidate(url=url, seen_at=at) for url, at in first_seen.items()]
        storage.add_candidates(s, source_id=None, candidates=candidates, now=rules.now)


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


def _read_page(
    item: tuple[ArchivedPage, bool], *, topic: TopicQuery, limits: storage.FieldLimits
) -> _Read:
    """Read one page (``item``: the page, and whether its article is new to the store)."""
    page, new = item
    snapshot = storage.prepare_snapshot(page.body)
    try:
        found = extract(page.body, url=page.url)
    except Exception as error:  # foreign bytes: one bad page must not stop an import
        return _Read(None, False, snapshot, failure=str(error))
    on_topic = topic.matches(found.title, found.subtitle, found.body)
    fields = fields_from_extracted(found, limits)
    # An article off the topic is never recorded, so never placed: its body is not signed.
    return _Read(storage.digest_fields(fields, signed=new and on_topic), on_topic, snapshot)


def _record(s: Session, page: ArchivedPage, read: _Read, rules: ArchiveRules) -> Recorded:
    if read.digest is None:
        # Logged here, not where it was read: a worker process has no logging set up.
        logger.warning(
            "archived page unreadable",
            extra={"event": "import_extract_failed", "url": page.url, "error": read.failure},
        )
        return Recorded.FAILED
    article_id = storage.resolve_url(s, page.url)
    article = s.get(storage.Article, article_id) if article_id is not None else None
    assert article is not None and article_id is not None  # added by _add_articles
    if _stored(article.last_checked_at, page):  # recorded meanwhile, by another run
        return Recorded.STORED
    if article.version_count == 0 and not read.on_topic:
        storage.mark_off_topic(s, article_id=article_id, now=page.fetched_at)
        return Recorded.OFF_TOPIC
    born = min(read.digest.fields.published or page.fetched_at, rules.now)
    next_check = rules.policy.next_check(now=rules.now, born=born, last_changed=page.fetched_at)
    outcome = storage.record(
        s,
        article_id=article_id,
        fields=read.digest,
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
