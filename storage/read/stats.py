"""Totals over the whole database, and coverage per outlet per day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, or_
from sqlmodel import Session, col, func, select

from storage.discovery import ProviderStats, discovery_stats
from storage.models import Alert, Article, FetchLog, Snapshot, Source, Version
from storage.outlets import outlet_clause
from storage.read.alerts import ALERT_STATES, alert_state_filter
from storage.read.languages import language_clause
from storage.walls import OutletWalls, wall_shares


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many articles one outlet published (or, without a date, was first seen) on a day."""

    day: date
    outlet: str
    articles: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Totals for ``newswatch stats`` and ``/api/stats``."""

    articles: int
    articles_by_status: dict[str, int]
    edited_articles: int
    versions: int
    outlets: int
    sources: int
    sources_enabled: int
    sources_failing: int
    alerts: int
    alerts_by_state: dict[str, int]
    snapshots: int
    snapshot_bytes: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    last_fetch_at: datetime | None
    fetches: int
    # Per search provider: hits, decoded, new articles, on-topic share, errors by kind.
    discovery: tuple[ProviderStats, ...] = ()
    # Per outlet with judged fetches in the last week: its share of walls and teasers.
    walls: tuple[OutletWalls, ...] = ()


def coverage_by_day(
    s: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
    language: str | None = None,
) -> list[DayCount]:
    """Articles per outlet per day, oldest day first; the day is the publication date when the
    page gave one (that is when the coverage appeared), else the day newswatch first saw it."""
    when = func.coalesce(Version.published, Article.hint_published, Article.first_seen_at)
    day = func.date(when)
    stmt = (
        select(day, Article.outlet, func.count(col(Article.id)))
        .select_from(Article)
        .outerjoin(Version, col(Version.id) == col(Article.current_version_id))
        .where(col(Article.version_count) > 0)
        .group_by(day, Article.outlet)
        .order_by(day, Article.outlet)
    )
    if since is not None:
        stmt = stmt.where(when >= since)
    if until is not None:
        stmt = stmt.where(when < until)
    if outlet:
        stmt = stmt.where(outlet_clause(outlet))
    if language:
        stmt = stmt.where(language_clause(Version.language, language))
    return [
        DayCount(
            day=d if isinstance(d, date) else date.fromisoformat(str(d)), outlet=o, articles=int(n)
        )
        for d, o, n in s.exec(stmt).all()
        if d is not None
    ]


def stats(s: Session) -> Stats:
    """Totals over the whole database, a handful of aggregate queries."""
    by_status = dict(s.exec(select(Article.status, func.count()).group_by(Article.status)).all())
    articles = sum(by_status.values())
    seen = s.exec(select(func.min(Article.first_seen_at), func.max(Article.first_seen_at))).one()
    src_total, src_enabled, src_failing = s.exec(
        select(
            func.count(),
            func.coalesce(func.sum(func.cast(col(Source.enabled), Integer())), 0),
            func.coalesce(func.sum(func.cast(col(Source.failures) > 0, Integer())), 0),
        ).select_from(Source)
    ).one()
    snapshots, snapshot_bytes = s.exec(
        select(func.count(), func.coalesce(func.sum(Snapshot.size), 0)).select_from(Snapshot)
    ).one()
    # A search poll's line in the fetch log is discovery's record, not a request.
    last_fetch, fetches = s.exec(
        select(func.max(FetchLog.at), func.count(col(FetchLog.id))).where(
            or_(col(FetchLog.error_kind).is_(None), col(FetchLog.error_kind) != "discovery")
        )
    ).one()
    alerts = int(s.exec(select(func.count(col(Alert.id)))).one())
    by_state = {
        name: int(s.exec(alert_state_filter(select(func.count(col(Alert.id))), name)).one())
        for name in ALERT_STATES
    }
    return Stats(
        articles=articles,
        articles_by_status={str(k): int(v) for k, v in sorted(by_status.items())},
        edited_articles=int(
            s.exec(select(func.count()).where(col(Article.version_count) > 1)).one()
        ),
        versions=int(s.exec(select(func.count(col(Version.id)))).one()),
        outlets=int(s.exec(select(func.count(func.distinct(Article.outlet)))).one()),
        sources=int(src_total),
        sources_enabled=int(src_enabled),
        sources_failing=int(src_failing),
        alerts=alerts,
        alerts_by_state=by_state,
        snapshots=int(snapshots),
        snapshot_bytes=int(snapshot_bytes),
        first_seen_at=seen[0],
        last_seen_at=seen[1],
        last_fetch_at=last_fetch,
        fetches=int(fetches),
        discovery=tuple(discovery_stats(s)),
        walls=tuple(wall_shares(s)),
    )


def last_fetch_at(s: Session) -> datetime | None:
    """When anything was last fetched: how a health check tells a busy daemon from a stuck one."""
    return s.exec(select(func.max(FetchLog.at))).one()
