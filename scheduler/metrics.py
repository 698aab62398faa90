"""Prometheus metrics of one daemon: counters bumped as work happens, gauges read at scrape.

Each daemon has its own registry (no process-global state), so tests and several daemons in
one process never share counters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

import storage
from storage.gauges import outbox_backlog, queue_gauges

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """The counters the worker and the deliverer bump."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.fetches = Counter("newswatch_fetches", "HTTP fetches by status and error kind.",
                               ["status", "error_kind"], registry=self.registry)
        self.checks = Counter("newswatch_checks", "Source and article checks by outcome.",
                              ["outcome"], registry=self.registry)
        self.links_dropped = Counter(
            "newswatch_links_dropped", "Discovered links not taken, by reason: over_check, "
            "over_source, over_host (the caps on new URLs) or too_long.", ["reason"],
            registry=self.registry)
        self.deliveries = Counter("newswatch_alert_deliveries",
                                  "Alert deliveries by result (sent, failed, skipped).",
                                  ["result"], registry=self.registry)

    def watch_database(self, db: storage.Database, *, channels: Sequence[str],
                       clock: Callable[[], datetime]) -> None:
        """Also report the queue and the outbox, read from the database at each scrape."""
        self.registry.register(_DatabaseCollector(db, list(channels), clock))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _DatabaseCollector(Collector):
    def __init__(self, db: storage.Database, channels: list[str],
                 clock: Callable[[], datetime]) -> None:
        self._db = db
        self._channels = channels
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self._clock()
        with self._db.session() as session:
            gauges = queue_gauges(session, now=now)
            backlog = outbox_backlog(session, channels=self._channels)
        due = GaugeMetricFamily("newswatch_due_items", "Items due for a check now.",
                                labels=["kind"])
        due.add_metric(["source"], gauges.due_sources)
        due.add_metric(["article"], gauges.due_articles)
        yield due
        lag = (now - gauges.oldest_due_at).total_seconds() if gauges.oldest_due_at else 0.0
        yield GaugeMetricFamily("newswatch_queue_lag_seconds",
                                "How long the oldest due item has been waiting.", value=lag)
        yield GaugeMetricFamily("newswatch_articles", "Articles stored.", value=gauges.articles)
        yield GaugeMetricFamily("newswatch_versions", "Versions recorded.",
                                value=gauges.versions)
        pending = GaugeMetricFamily("newswatch_alerts_pending",
                                    "Alerts not yet settled, per channel.", labels=["channel"])
        for channel, count in backlog.items():
            pending.add_metric([channel], count)
        yield pending
        yield GaugeMetricFamily("newswatch_alerts_failed",
                                "Deliveries whose last attempt failed.",
                                value=gauges.deliveries_failed)
