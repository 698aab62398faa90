"""Churn: a page that says something new on every visit stops being versioned until it settles.

Some pages put a counter, a clock or a rotating teaser inside the article text, so every check
finds "an edit". Recorded as such, one page grows the database by a version, a snapshot and an
alert per check, forever. Two signs mark such a page *churning*: ``churn_after`` consecutive
checks that each recorded a new version (live-blog updates do not count: growing is what live
blogs are for), or ``per_day`` versions in the last 24 hours. Then:

- the change that would have been the next version is not recorded, nor are later ones;
- one ``churning`` alert is queued (none if one was queued for this article in the last week,
  so a page that settles and churns again does not flood the channels);
- the daemon checks it every ``churn_recheck`` only, in full (no validators);
- each check compares the text with what the previous check saw, not with the last version.
  Once the same text has been seen for ``settle_after``, the article is back to normal: that
  check is recorded as usual (an ``edited`` alert if the text differs from the last version).

Every function runs in the caller's transaction, on an article row it has locked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.alerts import ChurnDetail, ChurnReason
from storage.limits import VersionLimits
from storage.models import Alert, Article, Snapshot, Version
from storage.outbox import queue_article_alert
from storage.utc import as_utc

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)
# A page that settles and churns again within this time does not get a second alert.
REALERT_AFTER = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class DayUse:
    """What an article stored in the last 24 hours: versions, and their snapshots' raw bytes."""

    versions: int
    snapshot_bytes: int


def day_use(s: Session, *, article_id: int, now: datetime) -> DayUse:
    """The versions (and snapshot bytes) fetches stored for an article in the 24 hours to ``now``.

    Derived versions (``newswatch reextract``) are not fetches and do not count.
    """
    stmt = (
        select(func.count(col(Version.id)), func.coalesce(func.sum(Snapshot.size), 0))
        .select_from(Version)
        .outerjoin(Snapshot, col(Snapshot.sha256) == col(Version.snapshot_sha256))
        .where(
            col(Version.article_id) == article_id,
            col(Version.fetched_at) > now - DAY,
            col(Version.origin) == "fetch",
        )
    )
    versions, snapshot_bytes = s.exec(stmt).one()
    return DayUse(int(versions), int(snapshot_bytes))


def churn_reason(article: Article, used: DayUse, limits: VersionLimits) -> ChurnReason | None:
    """Why recording one more version would make ``article`` churning, or ``None``."""
    if used.versions >= limits.per_day:
        return "versions"
    if article.edit_streak >= limits.churn_after:
        return "streak"
    return None


def start_churning(
    s: Session,
    article: Article,
    *,
    fingerprint: str,
    reason: ChurnReason,
    used: DayUse,
    fetched_at: datetime,
    limits: VersionLimits,
) -> int | None:
    """Mark ``article`` churning as of this fetch; queue its one alert (return its id)."""
    assert article.id is not None
    streak = article.edit_streak
    article.churning_since = fetched_at
    article.churn_fingerprint, article.churn_stable_since = fingerprint, fetched_at
    article.edit_streak = 0
    s.add(article)
    s.flush()
    logger.warning(
        "article changes on every visit; its versions stop until it settles",
        extra={
            "event": "churning",
            "article_id": article.id,
            "url": article.url,
            "reason": reason,
            "versions_today": used.versions,
            "streak": streak,
        },
    )
    if _alerted_lately(s, article.id, fetched_at):
        return None
    detail = ChurnDetail(
        reason=reason,
        versions_today=used.versions,
        streak=streak,
        recheck_seconds=int(limits.churn_recheck.total_seconds()),
        settle_seconds=int(limits.settle_after.total_seconds()),
    )
    return queue_article_alert(s, kind="churning", article=article, detail=detail, now=fetched_at)


def still_churning(
    article: Article, *, fingerprint: str, fetched_at: datetime, limits: VersionLimits
) -> bool:
    """One check of a churning article: ``False`` once its text has settled (it is then
    normal again, and this fetch is to be recorded as any other)."""
    if article.churn_fingerprint != fingerprint or article.churn_stable_since is None:
        article.churn_fingerprint, article.churn_stable_since = fingerprint, fetched_at
        return True
    if as_utc(fetched_at) - as_utc(article.churn_stable_since) < limits.settle_after:
        return True
    logger.info(
        "article settled; its versions are recorded again",
        extra={
            "event": "churn_settled",
            "article_id": article.id,
            "url": article.url,
            "churning_since": article.churning_since,
        },
    )
    article.churning_since = article.churn_fingerprint = article.churn_stable_since = None
    article.edit_streak = 0
    return False


def _alerted_lately(s: Session, article_id: int, now: datetime) -> bool:
    stmt = select(col(Alert.id)).where(
        col(Alert.article_id) == article_id,
        col(Alert.kind) == "churning",
        col(Alert.created_at) > now - REALERT_AFTER,
    )
    return s.exec(stmt.limit(1)).first() is not None
