"""The alert outbox: alerts are queued in the recording transaction and delivered later.

An alert is owed to every channel the daemon is configured with. A ``Delivery`` row tracks one
(alert, channel) pair once delivery has been tried: ``sent``, or ``failed`` with the time of the
next attempt (``None`` when the scheduler has given up). No row means not tried yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, insert, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.alerts import AlertDetail, AlertPayload, article_alert, read_alert
from storage.models import Alert, Article, Delivery, Version
from storage.prepared import Prepared
from storage.sql import upsert_insert
from storage.types import AlertKind, PendingDelivery

logger = logging.getLogger(__name__)


def queue_alert(s: Session, alert: AlertPayload, *, now: datetime) -> int:
    """Add an alert to the outbox in the caller's transaction; return its id."""
    # One INSERT … RETURNING rather than an ORM object: every new version queues one. The
    # flush first writes the caller's pending rows (the version this alert points at).
    s.flush()
    row = {
        "kind": alert.kind,
        "article_id": alert.article_id,
        "version_id": alert.version_id,
        "payload": alert.stored(),
        "created_at": now,
    }
    inserted = _INSERT_ALERT.first(s.connection(), row)
    assert inserted is not None  # RETURNING answers the one row inserted
    alert_id: int = inserted[0]
    logger.debug(
        "alert queued", extra={"event": "alert_queued", "alert_id": alert_id, "kind": alert.kind}
    )
    return alert_id


def queue_article_alert(
    s: Session,
    *,
    kind: AlertKind,
    article: Article,
    version: Version | None = None,
    detail: AlertDetail,
    now: datetime,
) -> int:
    """Build the alert of ``kind`` about ``article`` (see :func:`article_alert`) and queue it."""
    return queue_alert(s, article_alert(kind, article, version, detail), now=now)


_INSERT_ALERT = Prepared(insert(Alert.__table__).returning(Alert.__table__.c.id))  # type: ignore[attr-defined]


def pending_deliveries(
    s: Session,
    *,
    channels: list[str],
    now: datetime,
    limit: int,
    since: datetime | None = None,
) -> list[PendingDelivery]:
    """(alert, channel) pairs still to deliver, oldest alert first, at most ``limit``.

    A pair is pending when it has no delivery row, a failed one whose retry time has come, or
    a claim (see :func:`claim_delivery`) whose holder did not finish in time.
    ``since`` skips older alerts (e.g. those queued before the channel was configured).
    """
    found: list[PendingDelivery] = []
    for channel in sorted(set(channels)):
        delivery = and_(col(Delivery.alert_id) == col(Alert.id), col(Delivery.channel) == channel)
        stmt = (
            select(Alert, Delivery.attempts)
            .outerjoin(Delivery, delivery)
            .where(
                or_(
                    col(Delivery.id).is_(None),
                    and_(
                        col(Delivery.status).in_(("failed", "claimed")),
                        col(Delivery.next_attempt_at).is_not(None),
                        col(Delivery.next_attempt_at) <= now,
                    ),
                )
            )
            .order_by(col(Alert.created_at), col(Alert.id))
            .limit(limit)
        )
        if since is not None:
            stmt = stmt.where(col(Alert.created_at) >= since)
        for alert, attempts in s.exec(stmt).all():
            assert alert.id is not None
            found.append(
                PendingDelivery(
                    alert_id=alert.id,
                    channel=channel,
                    alert=read_alert(
                        kind=alert.kind,
                        article_id=alert.article_id,
                        version_id=alert.version_id,
                        stored=alert.payload,
                    ),
                    created_at=alert.created_at,
                    attempts=attempts or 0,
                )
            )
    found.sort(key=lambda p: (p.created_at, p.alert_id, p.channel))
    return found[:limit]


def mark_sent(s: Session, *, alert_id: int, channel: str, now: datetime) -> None:
    """Record a successful delivery of ``alert_id`` to ``channel``."""
    mark_sent_many(s, alert_ids=[alert_id], channel=channel, now=now)


def mark_sent_many(
    s: Session | Connection, *, alert_ids: Sequence[int], channel: str, now: datetime
) -> None:
    """Record successful deliveries of ``alert_ids`` to ``channel`` (in a session, or on a
    Core connection: see :meth:`storage.Database.write_connection`)."""
    _upsert_many(
        s,
        alert_ids,
        channel=channel,
        status="sent",
        error=None,
        sent_at=now,
        next_attempt_at=None,
    )


def mark_failed(
    s: Session,
    *,
    alert_id: int,
    channel: str,
    error: str,
    now: datetime,
    retry_at: datetime | None,
) -> None:
    """Record a failed attempt; retry at ``retry_at``, or never if it is ``None``."""
    _upsert_many(
        s,
        [alert_id],
        channel=channel,
        status="failed",
        error=error,
        sent_at=None,
        next_attempt_at=retry_at,
    )
    logger.debug(
        "delivery failed",
        extra={
            "event": "delivery_failed",
            "alert_id": alert_id,
            "channel": channel,
            "error": error,
            "now": now,
        },
    )


def _upsert_many(
    s: Session | Connection,
    alert_ids: Sequence[int],
    *,
    channel: str,
    status: str,
    error: str | None,
    sent_at: datetime | None,
    next_attempt_at: datetime | None,
) -> None:
    """Insert or update the delivery row of each of ``alert_ids``, counting the attempt; safe
    under concurrent daemons."""
    conn = _connection(s)
    upsert = _UPSERT_DELIVERY[conn.dialect.name]
    row = {
        "channel": channel,
        "status": status,
        "last_error": error,
        "sent_at": sent_at,
        "next_attempt_at": next_attempt_at,
    }
    for alert_id in alert_ids:
        upsert.run(conn, {**row, "alert_id": alert_id})


def _upsert_delivery(insert: Callable[[Any], Any]) -> Prepared:
    """The delivery row's upsert in ``insert``'s dialect, built once: a delivery is recorded
    for every alert on every channel, and building the statement cost more than running it."""
    stmt = insert(Delivery).values(attempts=1)
    return Prepared(
        stmt.on_conflict_do_update(
            index_elements=["alert_id", "channel"],
            set_={
                "status": stmt.excluded.status,
                "last_error": stmt.excluded.last_error,
                "sent_at": stmt.excluded.sent_at,
                "next_attempt_at": stmt.excluded.next_attempt_at,
                "attempts": col(Delivery.attempts) + 1,
            },
        )
    )


_UPSERT_DELIVERY = {
    "sqlite": _upsert_delivery(sqlite.insert),
    "postgresql": _upsert_delivery(postgresql.insert),
}


def mark_skipped_many(
    s: Session | Connection, *, alert_ids: Sequence[int], channel: str, now: datetime
) -> None:
    """Record that ``channel``'s filter does not want ``alert_ids``: settled, never sent."""
    _upsert_many(
        s,
        alert_ids,
        channel=channel,
        status="skipped",
        error=None,
        sent_at=None,
        next_attempt_at=None,
    )


def claim_delivery(
    s: Session, *, alert_id: int, channel: str, now: datetime, until: datetime
) -> bool:
    """Take the right to send ``alert_id`` to ``channel`` until ``until``; False if taken.

    Several daemons read the same pending pairs; only the one whose claim lands sends, so a
    channel gets each alert once. The claim is a delivery row in state ``claimed`` whose
    ``next_attempt_at`` is its expiry: a daemon that dies mid-send leaves a claim that
    :func:`pending_deliveries` offers again once it has expired. Commit right after claiming.
    """
    return alert_id in claim_deliveries(
        s, alert_ids=[alert_id], channel=channel, now=now, until=until
    )


def claim_deliveries(
    s: Session | Connection,
    *,
    alert_ids: Sequence[int],
    channel: str,
    now: datetime,
    until: datetime,
) -> set[int]:
    """:func:`claim_delivery` for each of ``alert_ids``, in two statements for every 150
    alerts: the ids whose claim landed. A row is added for each pair never tried; a failed pair
    whose retry is due, or a claim that expired, is taken over; any other pair is someone
    else's or settled."""
    claimed: set[int] = set()
    conn = _connection(s)
    # SQLite caps a statement's parameters (32,766 since 3.32, 999 before): five a row.
    for start in range(0, len(alert_ids), _CLAIMS_PER_STATEMENT):
        some = alert_ids[start : start + _CLAIMS_PER_STATEMENT]
        claimed |= _claim_some(conn, some, channel=channel, now=now, until=until)
    return claimed


_CLAIMS_PER_STATEMENT = 150


def _claim_some(
    conn: Connection, alert_ids: Sequence[int], *, channel: str, now: datetime, until: datetime
) -> set[int]:
    table = Delivery.__table__  # type: ignore[attr-defined]
    fresh = [
        {
            "alert_id": alert_id,
            "channel": channel,
            "status": "claimed",
            "attempts": 0,
            "next_attempt_at": until,
        }
        for alert_id in alert_ids
    ]
    added = conn.execute(
        upsert_insert(conn, table)
        .values(fresh)
        .on_conflict_do_nothing(index_elements=["alert_id", "channel"])
        .returning(table.c.alert_id)
    )
    claimed = {alert_id for (alert_id,) in added}
    rest = [alert_id for alert_id in alert_ids if alert_id not in claimed]
    if rest:
        retaken = conn.execute(
            update(table)
            .where(
                table.c.alert_id.in_(rest),
                table.c.channel == channel,
                table.c.status.in_(("failed", "claimed")),
                table.c.next_attempt_at.is_not(None),
                table.c.next_attempt_at <= now,
            )
            .values(status="claimed", next_attempt_at=until)
            .returning(table.c.alert_id)
        )
        claimed.update(alert_id for (alert_id,) in retaken)
    return claimed


def release_claims(
    s: Session | Connection, *, alert_ids: Sequence[int], channel: str, now: datetime
) -> None:
    """Give back claims on ``alert_ids`` that were not used: their pairs are pending again
    at once, as an expired claim is, rather than when the claim would have run out."""
    if not alert_ids:
        return
    table = Delivery.__table__  # type: ignore[attr-defined]
    _connection(s).execute(
        update(table)
        .where(
            table.c.alert_id.in_(list(alert_ids)),
            table.c.channel == channel,
            table.c.status == "claimed",
        )
        .values(next_attempt_at=now)
    )


def _connection(s: Session | Connection) -> Connection:
    """The connection a statement runs on: the session's, or the Core connection given."""
    return s if isinstance(s, Connection) else s.connection()
