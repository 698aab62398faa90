"""Each alert channel's backlog: what it still owes, and since when.

An alert is owed to every configured channel; a channel has *settled* it once it sent it or
its filter skipped it. Whatever is not settled is pending on that channel, whether it was
never tried (no ``deliveries`` row) or failed and waits for its next attempt. A channel that
is backing off thus shows its backlog even while the others send every newer alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, func, select

from storage.models import Alert, Delivery

SETTLED = ("sent", "skipped")


@dataclass(frozen=True, slots=True)
class ChannelBacklog:
    """How many alerts one channel has not settled, and when the oldest of them was made."""

    channel: str
    pending: int
    oldest_pending_at: datetime | None
    failing: int  # of those, how many failed at their last attempt


def settled_on(channel: str) -> Any:
    """An EXISTS clause: the current alert is settled on ``channel``."""
    return exists().where(
        and_(
            col(Delivery.alert_id) == col(Alert.id),
            col(Delivery.channel) == channel,
            col(Delivery.status).in_(SETTLED),
        )
    )


def unsettled_somewhere(channels: Sequence[str]) -> Any:
    """The current alert is not settled on at least one of ``channels``."""
    return or_(*(~settled_on(channel) for channel in channels))


def channel_backlog(s: Session, channels: Sequence[str]) -> list[ChannelBacklog]:
    """Per channel (in the order given), its pending alerts and the oldest one's time."""
    found = []
    for channel in channels:
        count, oldest = s.exec(
            select(func.count(), func.min(Alert.created_at)).where(~settled_on(channel))
        ).one()
        failing = s.exec(
            select(func.count())
            .select_from(Delivery)
            .where(col(Delivery.channel) == channel, col(Delivery.status) == "failed")
        ).one()
        found.append(
            ChannelBacklog(
                channel=channel, pending=int(count), oldest_pending_at=oldest, failing=int(failing)
            )
        )
    return found
