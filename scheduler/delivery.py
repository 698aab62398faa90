"""Delivering alerts from the outbox: at least once, per channel, retried with backoff.

Each (alert, channel) pair is tracked on its own, so a channel that is down delays only its own
alerts, and an alert is marked sent on a channel only after that channel took it. A channel's
filter settles unwanted alerts as skipped; a digest channel collects alerts and sends them as
one message once the oldest has waited its interval.

A failure's text is masked with the channel's secrets before it is stored or logged: apprise
and HTTP errors may echo the service URL, and the outbox is shown by ``newswatch alerts`` and
``/api/alerts``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import storage
from scheduler.exceptions import ChannelError
from scheduler.messages import AlertMessage, render, render_digest
from scheduler.metrics import Metrics
from scheduler.policy import Backoff
from scheduler.redact import Redactor
from scheduler.routing import Route

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


class Deliverer:
    """Sends pending alerts along every configured route."""

    def __init__(
        self,
        *,
        db: storage.Database,
        routes: Sequence[Route],
        clock: Callable[[], datetime],
        backoff: Backoff | None = None,
        since: datetime | None = None,
        metrics: Metrics | None = None,
        claim: timedelta = timedelta(minutes=2),
    ) -> None:
        self._db = db
        self._metrics = metrics
        self._routes = {route.channel.key: route for route in routes}
        self._redactors = {route.channel.key: Redactor(route.channel.secrets) for route in routes}
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._since = since
        # Long enough for the slowest channel's send; a daemon that dies mid-send leaves its
        # claim to expire, and another daemon then sends the alert (at least once).
        self._claim_for = claim

    async def deliver(self, *, limit: int = 200) -> DeliveryReport:
        """Deliver what is due now; channels are served concurrently, each in alert order."""
        report = DeliveryReport()
        if not self._routes:
            return report
        with self._db.session() as session:
            pending = storage.pending_deliveries(
                session,
                channels=list(self._routes),
                now=self._clock(),
                limit=limit,
                since=self._since,
            )
        by_channel: dict[str, list[storage.PendingDelivery]] = defaultdict(list)
        for item in pending:
            by_channel[item.channel].append(item)
        await asyncio.gather(
            *(self._serve(self._routes[key], items, report) for key, items in by_channel.items())
        )
        if self._metrics is not None:
            for result in ("sent", "failed", "skipped"):
                self._metrics.deliveries.labels(result).inc(getattr(report, result))
        return report

    async def _serve(
        self, route: Route, items: list[storage.PendingDelivery], report: DeliveryReport
    ) -> None:
        wanted = [item for item in items if self._wanted(route, item, report)]
        if route.digest is None:
            for item in wanted:
                if not self._claim(route, item):
                    continue  # another daemon is sending this one
                message = render(alert_id=item.alert_id, alert=item.alert, template=route.template)
                if not await self._send(route, [item], message, report):
                    return  # the rest of this channel waits for the next round
            return
        if wanted and self._clock() - wanted[0].created_at >= route.digest:
            wanted = [item for item in wanted if self._claim(route, item)]
            if not wanted:
                return
            messages = [
                render(alert_id=i.alert_id, alert=i.alert, template=route.template) for i in wanted
            ]
            await self._send(
                route,
                wanted,
                render_digest(channel_label=route.channel.label, messages=messages),
                report,
            )

    def _claim(self, route: Route, item: storage.PendingDelivery) -> bool:
        """Several daemons share one outbox: only the one whose claim lands sends."""
        now = self._clock()
        with self._db.transaction() as session:
            return storage.claim_delivery(
                session,
                alert_id=item.alert_id,
                channel=route.channel.key,
                now=now,
                until=now + self._claim_for,
            )

    def _wanted(self, route: Route, item: storage.PendingDelivery, report: DeliveryReport) -> bool:
        text = self._text_of(item) if route.filter.needs_text else None
        if route.filter.accepts(item.alert, text):
            return True
        with self._db.transaction() as session:
            storage.mark_skipped(
                session, alert_id=item.alert_id, channel=route.channel.key, now=self._clock()
            )
        report.skipped += 1
        return False

    def _text_of(self, item: storage.PendingDelivery) -> str | None:
        """The body of the version the alert names (a topic filter reads the text too)."""
        if not item.alert.version:
            return None
        with self._db.session() as session:
            version = storage.get_version(session, item.alert.article_id, item.alert.version)
            return version.body if version else None

    async def _send(
        self,
        route: Route,
        items: list[storage.PendingDelivery],
        message: AlertMessage,
        report: DeliveryReport,
    ) -> bool:
        channel = route.channel
        try:
            await channel.send(message)
        except (ChannelError, OSError) as error:
            self._failed(route, items, str(error))
            report.failed += len(items)
            return False
        except Exception as error:  # a channel plug-in's bug must not stop the daemon
            logger.exception("alert channel crashed", extra={"channel": channel.label})
            self._failed(route, items, f"{type(error).__name__}: {error}")
            report.failed += len(items)
            return False
        with self._db.transaction() as session:
            for item in items:
                storage.mark_sent(
                    session, alert_id=item.alert_id, channel=channel.key, now=self._clock()
                )
        report.sent += len(items)
        logger.info(
            "alert sent",
            extra={
                "event": "alert_sent",
                "channel": channel.label,
                "alert": message.key,
                "kind": message.kind,
            },
        )
        return True

    def _failed(self, route: Route, items: list[storage.PendingDelivery], error: str) -> None:
        now = self._clock()
        error = self._redactors[route.channel.key].text(error)
        with self._db.transaction() as session:
            for item in items:
                retry_at = now + self._backoff.delay(item.attempts + 1)
                storage.mark_failed(
                    session,
                    alert_id=item.alert_id,
                    channel=route.channel.key,
                    error=error,
                    now=now,
                    retry_at=retry_at,
                )
        logger.warning(
            "alert delivery failed",
            extra={
                "event": "alert_failed",
                "channel": route.channel.label,
                "alerts": [item.alert_id for item in items],
                "error": error,
            },
        )
