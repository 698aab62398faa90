"""Alerts and where each got to on every configured channel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists
from sqlmodel import Session, col, select

from storage.alerts import read_row
from storage.backlog import unsettled_somewhere
from storage.models import Alert, Article, Delivery

ALERT_STATES = ("pending", "sent", "failed", "skipped")


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """One channel's view of one alert."""

    channel: str
    status: str  # "sent" | "failed" | "skipped" | "pending" (not tried yet)
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class AlertRow:
    """An alert and where it got to: ``pending`` (no channel tried yet), ``sent`` (delivered,
    no channel failed), ``failed`` (some channel failed; ``next_attempt_at`` says if it will
    retry) or ``skipped`` (every channel's filter declined it)."""

    id: int
    kind: str
    created_at: datetime
    article_id: int
    url: str
    title: str | None
    state: str
    deliveries: tuple[DeliveryState, ...]


def list_alerts(
    s: Session,
    *,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
    channels: Sequence[str] = (),
) -> list[AlertRow]:
    """Alerts newest first, optionally only those ``pending``, ``sent`` or ``failed``.

    ``channels`` (the configured channels' keys) makes each alert show every one of them:
    a channel that has not tried it yet is ``pending`` there, and the alert is pending until
    every channel settled it (see ``storage.backlog``).
    """
    if state not in (None, *ALERT_STATES):
        raise ValueError(f"unknown alert state {state!r}: use {', '.join(ALERT_STATES)}")
    stmt = (
        select(Alert, Article.url, Article.title)
        .join(Article, col(Article.id) == col(Alert.article_id))
        .order_by(col(Alert.created_at).desc(), col(Alert.id).desc())
    )
    stmt = alert_state_filter(stmt, state, channels)
    found = s.exec(stmt.offset(offset).limit(limit)).all()
    ids = [alert.id for alert, _, _ in found]
    by_alert: dict[int, list[DeliveryState]] = {}
    if ids:
        for d in s.exec(select(Delivery).where(col(Delivery.alert_id).in_(ids))).all():
            by_alert.setdefault(d.alert_id, []).append(
                DeliveryState(
                    channel=d.channel,
                    status=d.status,
                    attempts=d.attempts,
                    last_error=d.last_error,
                    sent_at=d.sent_at,
                    next_attempt_at=d.next_attempt_at,
                )
            )
    rows = []
    for alert, url, title in found:
        tried = by_alert.get(alert.id or 0, [])
        untried = [
            DeliveryState(
                channel=c,
                status="pending",
                attempts=0,
                last_error=None,
                sent_at=None,
                next_attempt_at=None,
            )
            for c in channels
            if c not in {d.channel for d in tried}
        ]
        deliveries = tuple(sorted(tried + untried, key=lambda d: d.channel))
        rows.append(
            AlertRow(
                id=alert.id or 0,
                kind=alert.kind,
                created_at=alert.created_at,
                article_id=alert.article_id,
                url=url,
                title=title or read_row(alert).title,
                state=_state(deliveries),
                deliveries=deliveries,
            )
        )
    return rows


def _state(deliveries: Sequence[DeliveryState]) -> str:
    statuses = {d.status for d in deliveries}
    if not statuses or "pending" in statuses and "failed" not in statuses:
        return "pending"
    if "failed" in statuses:
        return "failed"
    # A channel whose filter did not want the alert marks it "skipped": settled, never sent.
    return "sent" if "sent" in statuses else "skipped"


def alert_state_filter(stmt: Any, state: str | None, channels: Sequence[str] = ()) -> Any:
    """``stmt`` (over alerts) narrowed to the alerts in ``state`` (``None``: all of them)."""

    def having(status: str) -> Any:
        return exists().where(
            and_(col(Delivery.alert_id) == col(Alert.id), col(Delivery.status) == status)
        )

    any_delivery = exists().where(col(Delivery.alert_id) == col(Alert.id))
    # Untried on a configured channel: pending, even where another channel sent it.
    waiting = unsettled_somewhere(channels) if channels else ~any_delivery
    if state == "pending":
        return stmt.where(waiting, ~having("failed"))
    if state == "failed":
        return stmt.where(having("failed"))
    if state == "sent":
        return stmt.where(having("sent"), ~having("failed"), ~waiting)
    if state == "skipped":
        return stmt.where(any_delivery, ~having("sent"), ~having("failed"), ~waiting)
    return stmt
