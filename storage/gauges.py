"""Numbers about the work queue and the outbox, read at once for health checks and metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Alert, Article, Delivery, Source, Version


@dataclass(frozen=True, slots=True)
class QueueGauges:
    """How much work is due now and how late the oldest of it is."""

    due_sources: int
    due_articles: int
    oldest_due_at: datetime | None
    articles: int
    versions: int
    alerts: int
    deliveries_failed: int


def queue_gauges(s: Session, *, now: datetime) -> QueueGauges:
    """Counts over indexed columns only: cheap enough for every metrics scrape."""
    due_sources = s.exec(
        select(func.count())
        .select_from(Source)
        .where(col(Source.enabled), col(Source.next_check_at) <= now)
    ).one()
    due_articles, oldest_article = s.exec(
        select(func.count(), func.min(Article.next_check_at)).where(
            col(Article.next_check_at) <= now
        )
    ).one()
    oldest_source = s.exec(
        select(func.min(Source.next_check_at)).where(
            col(Source.enabled), col(Source.next_check_at) <= now
        )
    ).one()
    oldest = min((t for t in (oldest_article, oldest_source) if t is not None), default=None)
    return QueueGauges(
        due_sources=due_sources,
        due_articles=due_articles,
        oldest_due_at=oldest,
        articles=s.exec(select(func.count()).select_from(Article)).one(),
        versions=s.exec(select(func.count()).select_from(Version)).one(),
        alerts=s.exec(select(func.count()).select_from(Alert)).one(),
        deliveries_failed=s.exec(
            select(func.count()).select_from(Delivery).where(col(Delivery.status) == "failed")
        ).one(),
    )


def outbox_backlog(s: Session, *, channels: list[str]) -> dict[str, int]:
    """Per channel, how many alerts it has not settled yet (neither sent nor skipped)."""
    total = s.exec(select(func.count()).select_from(Alert)).one()
    settled = dict(
        s.exec(
            select(Delivery.channel, func.count())
            .where(
                col(Delivery.channel).in_(channels), col(Delivery.status).in_(("sent", "skipped"))
            )
            .group_by(Delivery.channel)
        ).all()
    )
    return {channel: total - settled.get(channel, 0) for channel in channels}
