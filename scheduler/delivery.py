"""Delivering alerts from the outbox: at least once, per channel, retried with backoff.

Each (alert, channel) pair is tracked on its own, so a channel that is down delays only its own
alerts, and an alert is marked sent on a channel only after that channel took it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import storage
from scheduler.channels import Channel
from scheduler.exceptions import ChannelError
from scheduler.messages import render
from scheduler.policy import Backoff

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0


class Deliverer:
    """Sends pending alerts to every configured channel."""

    def __init__(self, *, db: storage.Database, channels: Sequence[Channel],
                 clock: Callable[[], datetime], backoff: Backoff | None = None,
                 since: datetime | None = None) -> None:
        self._db = db
        self._channels = {channel.key: channel for channel in channels}
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._since = since

    async def deliver(self, *, limit: int = 200) -> DeliveryReport:
        """Deliver what is due now; channels are served concurrently, each in alert order."""
        report = DeliveryReport()
        if not self._channels:
            return report
        with self._db.session() as session:
            pending = storage.pending_deliveries(
                session, channels=list(self._channels), now=self._clock(), limit=limit,
                since=self._since)
        by_channel: dict[str, list[storage.PendingDelivery]] = defaultdict(list)
        for item in pending:
            by_channel[item.channel].append(item)
        await asyncio.gather(*(self._drain(self._channels[key], items, report)
                               for key, items in by_channel.items()))
        return report

    async def _drain(self, channel: Channel, items: list[storage.PendingDelivery],
                     report: DeliveryReport) -> None:
        for item in items:
            message = render(alert_id=item.alert_id, kind=item.kind, payload=item.payload)
            try:
                await channel.send(message)
            except (ChannelError, OSError) as error:
                self._failed(channel, item, str(error))
                report.failed += 1
                return  # keep order: the rest of this channel waits for the retry
            except Exception as error:  # a channel plug-in's bug must not stop the daemon
                logger.exception("alert channel crashed", extra={"channel": channel.label})
                self._failed(channel, item, f"{type(error).__name__}: {error}")
                report.failed += 1
                return
            with self._db.transaction() as session:
                storage.mark_sent(session, alert_id=item.alert_id, channel=channel.key,
                                  now=self._clock())
            report.sent += 1
            logger.info("alert sent", extra={"event": "alert_sent", "channel": channel.label,
                                             "alert": message.key, "kind": item.kind})

    def _failed(self, channel: Channel, item: storage.PendingDelivery, error: str) -> None:
        now = self._clock()
        retry_at = now + self._backoff.delay(item.attempts + 1)
        logger.warning("alert delivery failed", extra={
            "event": "alert_failed", "channel": channel.label, "alert": item.alert_id,
            "error": error, "retry_at": retry_at.isoformat()})
        with self._db.transaction() as session:
            storage.mark_failed(session, alert_id=item.alert_id, channel=channel.key,
                                error=error, now=now, retry_at=retry_at)
