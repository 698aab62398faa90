"""Prometheus metrics of one daemon: counters bumped as work happens, gauges read at scrape.

Each daemon has its own registry (no process-global state), so tests and several daemons in
one process never share counters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

import storage
from storage.gauges import queue_gauges

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DISCOVERY_WINDOW = timedelta(days=7)  # the shares in /metrics cover the last week's polls


class Metrics:
    """The counters the worker and the deliverer bump (in :attr:`registry`), and optionally
    the database's gauges, read at each scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._gauges: CollectorRegistry | None = None
        self.fetches = Counter(
            "newswatch_fetches",
            "HTTP fetches by status and error kind.",
            ["status", "error_kind"],
            registry=self.registry,
        )
        self.checks = Counter(
            "newswatch_checks",
            "Source and article checks by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.links_dropped = Counter(
            "newswatch_links_dropped",
            "Discovered links not taken, by reason: over_check, "
            "over_source, over_host (the caps on new URLs) or too_long.",
            ["reason"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "newswatch_alert_deliveries",
            "Alert deliveries by result (sent, failed, skipped).",
            ["result"],
            registry=self.registry,
        )
        self.search_hits = Counter(
            "newswatch_search_hits",
            "Search results, per provider.",
            ["provider"],
            registry=self.registry,
        )
        self.search_decoded = Counter(
            "newswatch_search_decoded",
            "Search results with the publisher's URL, per provider.",
            ["provider"],
            registry=self.registry,
        )
        self.search_new = Counter(
            "newswatch_search_new_articles",
            "Articles search found first, per provider.",
            ["provider"],
            registry=self.registry,
        )
        self.search_errors = Counter(
            "newswatch_search_errors",
            "Search results without the publisher's URL, per provider and why.",
            ["provider", "kind"],
            registry=self.registry,
        )
        self.verdicts = Counter(
            "newswatch_verdicts",
            "Article fetches judged not to be the "
            "article (challenge, consent, login, paywall teaser, soft_404, "
            "not_article), per outlet.",
            ["outlet", "verdict"],
            registry=self.registry,
        )
        self.article_pages = Counter(
            "newswatch_article_pages",
            "Article pages fetched and "
            "judged (whatever the verdict), per outlet: the base of "
            "the wall share.",
            ["outlet"],
            registry=self.registry,
        )

    def watch_database(
        self, db: storage.Database, *, channels: Mapping[str, str], clock: Callable[[], datetime]
    ) -> None:
        """Also report the queue and the outbox, read from the database at each scrape;
        ``channels``: each alert channel's name by its outbox key (the metrics' label)."""
        self._gauges = database_gauges(db, channels=channels, clock=clock)

    def counters(self) -> bytes:
        """The counters alone, in the text format (what a daemon hands its web server)."""
        return generate_latest(self.registry)

    def exposition(self) -> bytes:
        """Counters and, if watched, the database's gauges, in the text format."""
        gauges = generate_latest(self._gauges) if self._gauges is not None else b""
        return self.counters() + gauges


def database_gauges(
    db: storage.Database, *, channels: Mapping[str, str], clock: Callable[[], datetime]
) -> CollectorRegistry:
    """A registry of the queue and outbox gauges, read from ``db`` at each scrape."""
    registry = CollectorRegistry()
    registry.register(_DatabaseCollector(db, dict(channels), clock))
    return registry


class _DatabaseCollector(Collector):
    def __init__(
        self, db: storage.Database, channels: dict[str, str], clock: Callable[[], datetime]
    ) -> None:
        self._db = db
        self._channels = channels
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self._clock()
        with self._db.session() as session:
            gauges = queue_gauges(session, now=now)
            backlog = storage.channel_backlog(session, list(self._channels))
            discovery = storage.discovery_stats(session, since=now - DISCOVERY_WINDOW)
            walls = storage.wall_shares(session, now=now)
        due = GaugeMetricFamily(
            "newswatch_due_items", "Items due for a check now.", labels=["kind"]
        )
        due.add_metric(["source"], gauges.due_sources)
        due.add_metric(["article"], gauges.due_articles)
        yield due
        lag = (now - gauges.oldest_due_at).total_seconds() if gauges.oldest_due_at else 0.0
        yield GaugeMetricFamily(
            "newswatch_queue_lag_seconds",
            "How long the oldest due item has been waiting.",
            value=lag,
        )
        yield GaugeMetricFamily("newswatch_articles", "Articles stored.", value=gauges.articles)
        yield GaugeMetricFamily("newswatch_versions", "Versions recorded.", value=gauges.versions)
        pending = GaugeMetricFamily(
            "newswatch_alerts_pending", "Alerts not yet settled, per channel.", labels=["channel"]
        )
        oldest = GaugeMetricFamily(
            "newswatch_alerts_oldest_pending_seconds",
            "Age of the oldest alert a channel has not settled.",
            labels=["channel"],
        )
        for row in backlog:
            name = self._channels.get(row.channel, row.channel)
            pending.add_metric([name], row.pending)
            age = (now - row.oldest_pending_at).total_seconds() if row.oldest_pending_at else 0
            oldest.add_metric([name], max(age, 0.0))
        yield pending
        yield oldest
        yield GaugeMetricFamily(
            "newswatch_alerts_failed",
            "Deliveries whose last attempt failed.",
            value=gauges.deliveries_failed,
        )
        yield from _discovery_gauges(discovery)
        share = GaugeMetricFamily(
            "newswatch_wall_share",
            "Share of an outlet's fetches in the "
            "last 7 days that were a wall or a teaser (challenge, "
            "consent, login, paywall), for outlets with any.",
            labels=["outlet"],
        )
        for outlet in walls:
            share.add_metric([outlet.outlet], outlet.wall_share)
        yield share


def _discovery_gauges(rows: list[storage.ProviderStats]) -> Iterator[GaugeMetricFamily]:
    """Per provider, over the polls still in the fetch log: the share of hits decoded and of
    judged articles on topic, and the articles whose fetch ended on a non-publisher page."""
    decoded = GaugeMetricFamily(
        "newswatch_search_decoded_share",
        "Share of search results with the publisher's URL, per provider.",
        labels=["provider"],
    )
    on_topic = GaugeMetricFamily(
        "newswatch_search_on_topic_share",
        "Share of the articles search found that matched the topic, per provider.",
        labels=["provider"],
    )
    for row in rows:
        if row.decoded_share is not None:
            decoded.add_metric([row.provider], row.decoded_share)
        if row.on_topic_share is not None:
            on_topic.add_metric([row.provider], row.on_topic_share)
    yield decoded
    yield on_topic
