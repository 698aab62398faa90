"""An article's life apart from new versions: unchanged checks, gone pages, failures, off-topic.

Also the pieces every recording function shares: loading the article row *for update* (so two
daemons recording the same article queue on PostgreSQL; SQLite already holds the write lock),
and a successful check's bookkeeping.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert
from sqlmodel import Session, select

from storage.alerts import GoneDetail
from storage.exceptions import NotFound
from storage.models import Article, FetchLog
from storage.outbox import queue_article_alert
from storage.statements import (
    NOT_MODIFIED_AND_RESCHEDULE,
    NOT_MODIFIED_AND_RESCHEDULE_ARRAYS,
    TOUCH_NOT_MODIFIED,
    sync_loaded,
)
from storage.types import FetchEntry, NotModifiedCheck, Outcome, OutcomeKind
from storage.utc import as_utc

logger = logging.getLogger(__name__)

ERROR_CHARS = 2000
# A fetch-log line keeps this much of its URL: a redirect may name a URL of any length, and
# PostgreSQL cannot index a much longer one (a B-tree entry holds at most ~2,700 bytes).
URL_CHARS = 2048


def record_not_modified(s: Session, *, article_id: int, now: datetime) -> Outcome:
    """Record a 304 Not Modified: the article was checked and is unchanged.

    One UPDATE (which also takes the row lock on PostgreSQL) and no ORM object: this is the
    cheapest check there is, and the most frequent one where sites send validators.
    """
    s.flush()
    version_count = (
        s.connection()
        .execute(TOUCH_NOT_MODIFIED, {"article_id": article_id, "now": now})
        .scalar_one_or_none()
    )
    if version_count is None:
        raise NotFound("article", article_id)
    sync_loaded(
        s,
        article_id,
        {"last_checked_at": as_utc(now), "failures": 0, "last_error": None, "edit_streak": 0},
    )
    return Outcome(OutcomeKind.UNCHANGED, article_id, version_count or None)


def record_not_modified_many(s: Session, checks: Sequence[NotModifiedCheck]) -> int:
    """Record many 304s at once, each rescheduled and released; return how many were updated.

    One statement in the caller's transaction (an executemany on SQLite, arrays on PostgreSQL):
    where servers send validators, most checks of a watched article end as a 304, and a
    transaction each would cost more than the request.
    An article forgotten in the meantime is skipped (it is not an error to have checked it).
    """
    if not checks:
        return 0
    s.flush()
    conn = s.connection()
    if conn.dialect.name == "postgresql":
        arrays = {
            "ids": [c.article_id for c in checks],
            "checked": [as_utc(c.checked_at) for c in checks],
            "next": [
                as_utc(c.next_check_at) if c.next_check_at is not None else None for c in checks
            ],
        }
        updated = conn.execute(NOT_MODIFIED_AND_RESCHEDULE_ARRAYS, arrays).rowcount
    else:
        rows = [
            {"article_id": c.article_id, "now": c.checked_at, "next_check_at": c.next_check_at}
            for c in checks
        ]
        updated = conn.execute(NOT_MODIFIED_AND_RESCHEDULE, rows).rowcount
    for c in checks:
        due = as_utc(c.next_check_at) if c.next_check_at is not None else None
        sync_loaded(
            s,
            c.article_id,
            {
                "last_checked_at": as_utc(c.checked_at),
                "failures": 0,
                "last_error": None,
                "edit_streak": 0,
                "next_check_at": due,
                "lease_owner": None,
                "lease_until": None,
            },
        )
    # Both drivers report the executemany's total; a driver that could not would say -1.
    return int(updated) if updated is not None and updated >= 0 else len(checks)


def record_gone(s: Session, *, article_id: int, status: int, now: datetime) -> Outcome:
    """Record a 404/410. The first time a published article goes, queue a "gone" alert.

    An article that never had a version (a dead link from a feed) goes quietly: the user was
    never told about it, so its disappearance is not news. A gone article that comes back is
    made live again by :func:`record`, and may then go (and alert) again.
    """
    article = locked_article(s, article_id)
    touch(article, now=now)
    already_gone = article.status == "gone"
    article.status = "gone"
    if not already_gone:
        article.gone_at = now
    s.add(article)
    s.flush()
    alert_id = None
    if not already_gone and article.version_count > 0:
        alert_id = queue_article_alert(
            s, kind="gone", article=article, detail=GoneDetail(status=status), now=now
        )
    return Outcome(OutcomeKind.GONE, article_id, article.version_count or None, alert_id=alert_id)


def record_failure(
    s: Session, *, article_id: int, error_kind: str, message: str, now: datetime
) -> int:
    """Count a failed check (network error, 5xx, unparseable page); return the failure streak.

    The streak (1 for the first failure in a row) is what back-off policies need.
    """
    article = locked_article(s, article_id)
    article.failures += 1
    article.last_error = f"{error_kind}: {message}"[:ERROR_CHARS]
    article.last_checked_at = now
    if article.status == "pending":
        # Never fetched successfully: say so; a live article stays live through outages.
        article.status = "failed"
    s.add(article)
    s.flush()
    return article.failures


def mark_off_topic(s: Session, *, article_id: int, now: datetime) -> None:
    """Mark an article whose content does not match the story's topic."""
    article = locked_article(s, article_id)
    touch(article, now=now)
    article.status = "off_topic"
    s.add(article)
    s.flush()


def log_fetch(
    s: Session,
    *,
    url: str,
    at: datetime,
    status: int | None,
    bytes: int,
    elapsed: float,
    error_kind: str | None = None,
    message: str | None = None,
) -> None:
    """Append one line to the fetch log."""
    log_fetches(s, [FetchEntry(url, at, status, bytes, elapsed, error_kind, message)])


def log_fetches(s: Session, entries: Sequence[FetchEntry]) -> None:
    """Append many lines to the fetch log with one executemany (every request makes one)."""
    if not entries:
        return
    rows = [
        {
            "url": e.url[:URL_CHARS],
            "at": e.at,
            "status": e.status,
            "bytes": e.bytes,
            "elapsed": e.elapsed,
            "error_kind": e.error_kind,
            "message": e.message[:ERROR_CHARS] if e.message else None,
            "verdict": e.verdict,
            "outlet": e.outlet,
        }
        for e in entries
    ]
    s.connection().execute(_INSERT_FETCH_LOG, rows)


_INSERT_FETCH_LOG = insert(FetchLog.__table__)  # type: ignore[attr-defined]


def locked_article(s: Session, article_id: int) -> Article:
    """Load the article for update (a row lock on PostgreSQL; SQLite already holds the lock)."""
    article = s.exec(_LOCKED_ARTICLE, params={"article_id": article_id}).first()
    if article is None:
        raise NotFound("article", article_id)
    return article


# Built once: every new version locks its article, and building the statement cost a third
# as much as running it.
_LOCKED_ARTICLE = (
    select(Article)
    .where(Article.id == bindparam("article_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def touch(
    article: Article,
    *,
    now: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A successful check: clear the failure streak and keep fresher validators."""
    article.last_checked_at = now
    article.failures, article.last_error = 0, None
    if etag is not None:
        article.etag = etag
    if last_modified is not None:
        article.last_modified = last_modified
