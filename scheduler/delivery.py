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

# Alerts of one channel claimed together, in one transaction (see Deliverer._send_each).
CLAIM_CHUNK = 50


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
        wanted = self._wanted(route, items, report)
        if route.digest is None:
            for start in range(0, len(wanted), CLAIM_CHUNK):
                if not await self._send_each(route, wanted[start : start + CLAIM_CHUNK], report):
                    return  # the rest of this channel waits for the next round
            return
        if wanted and self._clock() - wanted[0].created_at >= route.digest:
            claimed, _ = self._claim(route, wanted)
            if not claimed:
                return
            messages = [
                render(alert_id=i.alert_id, alert=i.alert, template=route.template) for i in claimed
            ]
            digest = render_digest(channel_label=route.channel.label, messages=messages)
            if await self._send(route, claimed, digest, report):
                self._settle(route, sent=claimed, unsent=[])

    async def _send_each(
        self, route: Route, items: list[storage.PendingDelivery], report: DeliveryReport
    ) -> bool:
        """Claim ``items`` together, then send each as a message of its own and record it
        sent; False when the channel failed (the rest waits for the next round).

        One claim for the lot instead of one per alert: on a burst of new articles, a
        transaction per alert to claim it cost more than recording the article. Each alert is
        still recorded as sent right after its channel took it, so a daemon that dies sends
        at most the one alert it was sending again (at least once); the claims it held on the
        others expire, and another daemon sends those.
        """
        claimed, claimed_at = self._claim(route, items)
        # Stop well before the claims run out: another daemon may take an expired claim, and
        # what was not sent is given back while it is still ours.
        deadline = claimed_at + self._claim_for / 2
        done = 0
        try:
            for item in claimed:
                if self._clock() >= deadline:
                    break  # a slow channel: the rest is claimed again next round
                message = render(alert_id=item.alert_id, alert=item.alert, template=route.template)
                sent = await self._send(route, [item], message, report)
                done += 1  # sent, or recorded as failed by _send
                if not sent:
                    return False
                self._settle(route, sent=[item], unsent=[])
            return True
        finally:
            self._settle(route, sent=[], unsent=claimed[done:])

    def _claim(
        self, route: Route, items: list[storage.PendingDelivery]
    ) -> tuple[list[storage.PendingDelivery], datetime]:
        """Several daemons share one outbox: only the one whose claim lands sends. The items
        claimed, in order, and when."""
        now = self._clock()
        with self._db.write_connection() as conn:
            taken = storage.claim_deliveries(
                conn,
                alert_ids=[item.alert_id for item in items],
                channel=route.channel.key,
                now=now,
                until=now + self._claim_for,
            )
        return [item for item in items if item.alert_id in taken], now

    def _settle(
        self,
        route: Route,
        *,
        sent: list[storage.PendingDelivery],
        unsent: list[storage.PendingDelivery],
    ) -> None:
        """Record what ``route``'s channel took, and give back the claims not used."""
        if not sent and not unsent:
            return
        now = self._clock()
        # A Core connection, not a session: this runs once for every alert sent.
        with self._db.write_connection() as conn:
            storage.mark_sent_many(
                conn,
                alert_ids=[item.alert_id for item in sent],
                channel=route.channel.key,
                now=now,
            )
            storage.release_claims(
                conn,
                alert_ids=[item.alert_id for item in unsent],
                channel=route.channel.key,
                now=now,
            )

    def _wanted(
        self, route: Route, items: list[storage.PendingDelivery], report: DeliveryReport
    ) -> list[storage.PendingDelivery]:
        """The items ``route``'s filter accepts; the others are settled as skipped."""
        wanted: list[storage.PendingDelivery] = []
        unwanted: list[int] = []
        for item in items:
            text = self._text_of(item) if route.filter.needs_text else None
            if route.filter.accepts(item.alert, text):
                wanted.append(item)
            else:
                unwanted.append(item.alert_id)
        if unwanted:
            with self._db.write_connection() as conn:
                storage.mark_skipped_many(
                    conn, alert_ids=unwanted, channel=route.channel.key, now=self._clock()
                )
            report.skipped += len(unwanted)
        return wanted

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
        """Send ``message`` (about ``items``); a failure is recorded, a success is the
        caller's to record (see :meth:`_settle`)."""
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
