"""Building the fetch path from settings: client, limits, throttle, robots, sources.

The factories behind the daemon's composition root (``newswatch.runtime``) and the commands
that fetch outside it: where ``[fetch]`` and ``[[sources]]`` settings become scraper objects and
storage source rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import httpx
from sqlmodel import Session

import storage
from newswatch.config import ConfigError, Settings, SourceConfig
from scheduler.ledger import DatabaseLedger
from scraper.addresses import AddressPolicy
from scraper.discover import ListingRules
from scraper.fetch import DEFAULT_USER_AGENT, Fetcher, FetchLimits, build_client
from scraper.guard import shared_tls_context
from scraper.polite import Observer, PoliteFetcher, Politeness
from scraper.render import BrowserRenderer, RenderLimits
from scraper.search import SearchPlan, UntranslatableTopic, build_plan, provider_named
from scraper.throttle import Throttle, ThrottleSettings
from scraper.topic import TopicQuery

logger = logging.getLogger(__name__)
# A host's turn outlives its request's time limit by this much before it lapses by itself.
HOLD_MARGIN = 5.0


def fetch_limits(settings: Settings) -> FetchLimits:
    f = settings.fetch
    return FetchLimits(
        connect_timeout=f.connect_timeout.total_seconds(),
        read_timeout=f.timeout.total_seconds(),
        total_timeout=f.total_timeout.total_seconds(),
        max_redirects=f.max_redirects,
        max_bytes=f.max_bytes,
        max_retry_after=f.max_retry_after.total_seconds(),
    )


def throttle_settings(settings: Settings) -> ThrottleSettings:
    f = settings.fetch
    return ThrottleSettings(
        per_host=f.per_host,
        delay=f.delay.total_seconds(),
        global_concurrency=f.concurrency,
        max_wait=f.max_wait.total_seconds(),
        backoff_base=f.host_backoff.total_seconds(),
        backoff_cap=f.host_backoff_cap.total_seconds(),
        max_crawl_delay=f.max_crawl_delay.total_seconds(),
        max_pause=f.max_retry_after.total_seconds(),
    )


def politeness(settings: Settings) -> Politeness:
    f = settings.fetch
    return Politeness(
        obey_robots=f.obey_robots,
        robots_ttl=f.robots_ttl.total_seconds(),
        robots_error_ttl=f.robots_error_ttl.total_seconds(),
        disallowed_retry=f.disallowed_retry.total_seconds(),
    )


def address_policy(settings: Settings) -> AddressPolicy:
    """Where fetches may connect (``[fetch] allow_private``, ``allow``, ``ports``)."""
    f = settings.fetch
    return AddressPolicy.build(allow_private=f.allow_private, allow=f.allow, ports=f.ports)


def open_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None, *, keepalive: bool = True
) -> httpx.AsyncClient:
    """The daemon's HTTP client (use it as an async context manager); every connection it
    opens passes the address guard with :func:`address_policy`. ``keepalive=False``: the
    client of confirming fetches, where each request gets a new connection."""
    f = settings.fetch
    if f.user_agent == DEFAULT_USER_AGENT:
        logger.warning(
            "the User-Agent names no contact; set [fetch] user_agent to one with "
            "your URL or e-mail",
            extra={"event": "user_agent_without_contact"},
        )
    return build_client(
        user_agent=f.user_agent,
        limits=fetch_limits(settings),
        transport=transport,
        http2=f.http2,
        proxy=f.proxy,
        cookies=f.cookies,
        max_connections=max(f.concurrency, f.per_host),
        policy=address_policy(settings),
        keepalive=keepalive,
    )


# A webhook receiver answers at once: one that takes longer is down, and its alert is retried.
ALERT_TIMEOUT = 15.0


def open_alert_client(settings: Settings) -> httpx.AsyncClient:
    """The client alert webhooks post through, one per daemon: the configured proxy, HTTP/2 and
    connect timeout apply, and its connections are kept between messages. It has no address
    guard: the operator chose a channel's URL (often an intranet host), a third party did not."""
    f = settings.fetch
    return build_client(
        user_agent=f.user_agent,
        limits=FetchLimits(
            connect_timeout=min(f.connect_timeout.total_seconds(), ALERT_TIMEOUT),
            read_timeout=ALERT_TIMEOUT,
        ),
        transport=httpx.AsyncHTTPTransport(
            verify=shared_tls_context(http2=f.http2), http2=f.http2, proxy=f.proxy, trust_env=False
        ),
        http2=f.http2,
        cookies=False,
    )


def fetcher(
    settings: Settings, client: httpx.AsyncClient, *, clock: Callable[[], datetime] | None = None
) -> Fetcher:
    """The single-request fetcher on ``client``, with the configured limits and policy."""
    return Fetcher(
        client, limits=fetch_limits(settings), clock=clock, policy=address_policy(settings)
    )


def host_ledger(settings: Settings, db: storage.Database | None) -> DatabaseLedger | None:
    """The database as the hosts' shared pace, unless ``[fetch] share_host_delays`` is off."""
    if db is None or not settings.fetch.share_host_delays:
        return None
    if db.in_memory:
        # In-memory SQLite: no other daemon to share it with, and its one connection must not
        # be used from the ledger's thread too.
        return None
    # A daemon killed mid-request must not hold its host for longer than a request may last.
    return DatabaseLedger(
        db,
        hold=settings.fetch.total_timeout.total_seconds() + HOLD_MARGIN,
        max_pause=settings.fetch.max_retry_after.total_seconds(),
    )


def polite_fetcher(
    settings: Settings,
    client: httpx.AsyncClient,
    *,
    clock: Callable[[], datetime],
    observer: Observer | None = None,
    throttle: Throttle | None = None,
    db: storage.Database | None = None,
    fresh_client: httpx.AsyncClient | None = None,
) -> PoliteFetcher:
    """Robots, throttle and the single-request fetcher around ``client``.

    With ``db``, hosts are paced together with every other daemon on that database; with
    ``fresh_client`` (one that keeps no connection), confirming fetches go through it.
    """
    return PoliteFetcher(
        fetcher(settings, client, clock=clock),
        throttle=throttle
        or Throttle(throttle_settings(settings), ledger=host_ledger(settings, db)),
        user_agent=settings.fetch.user_agent,
        politeness=politeness(settings),
        observer=observer,
        clock=clock,
        fresh=fetcher(settings, fresh_client, clock=clock) if fresh_client else None,
    )


def render_choice(
    settings: Settings, session: Session
) -> Callable[[storage.DueArticle], bool] | None:
    """Which articles are rendered in a browser before extraction: those of ``[render]
    outlets`` and those found by sources with ``render = "browser"``; ``None``: none."""
    outlets = frozenset(storage.outlet_host(o) for o in settings.render.outlets)
    source_ids = frozenset(
        found.id
        for source in settings.sources
        if source.render == "browser"
        for url in source_urls(settings, source)
        if (found := storage.find_source(session, url)) is not None and found.id is not None
    )
    if not outlets and not source_ids:
        return None
    return lambda due: storage.article_host(due.url) in outlets or due.source_id in source_ids


def renderer(settings: Settings, client: httpx.AsyncClient) -> BrowserRenderer:
    """The browser that renders pages of script-only sites; its requests go through
    ``client`` (the address guard, caps and timeouts apply to them)."""
    r = settings.render
    plain = fetcher(settings, client)
    return BrowserRenderer(
        lambda url: plain.fetch(url),
        limits=RenderLimits(
            timeout=r.timeout.total_seconds(),
            pages=r.pages,
            memory_mb=r.memory,
            executable=r.browser or None,
        ),
    )


def source_urls(settings: Settings, source: SourceConfig) -> list[str]:
    """The URLs one configured source polls (a search source: one per language)."""
    if source.kind != "search":
        return [source.url]
    return [plan.url for plan in source_plans(settings, source)]


def source_plans(settings: Settings, source: SourceConfig) -> list[SearchPlan]:
    """A search source's plans, one per language (the query translated for its provider)."""
    if not (source.query or settings.topic.query.strip()):
        raise ConfigError("a search source needs a query: set its query or [topic] query")
    provider = provider_named(source.provider)
    topic = TopicQuery(settings.topic.query)
    pace = source.pace.total_seconds() if source.pace is not None else None
    try:
        return [
            build_plan(
                provider,
                topic,
                language,
                endpoint=source.endpoint,
                query=source.query,
                pace=pace,
                decode_limit=source.decode_limit,
            )
            for language in source.languages
        ]
    except UntranslatableTopic as error:
        raise ConfigError(f"sources ({source.provider} search): {error}") from None


def search_plans(settings: Settings, *, warn: bool = False) -> dict[str, SearchPlan]:
    """Every configured search source's plans by source URL; ``warn``: say once which topic
    terms a provider cannot take (they are left out of its query, never sent to be refused)."""
    plans: dict[str, SearchPlan] = {}
    for source in settings.sources:
        if source.kind != "search":
            continue
        for plan in source_plans(settings, source):
            plans.setdefault(plan.url, plan)
            if warn and plan.dropped:
                logger.warning(
                    "search terms left out",
                    extra={
                        "event": "search_terms_dropped",
                        "provider": plan.provider,
                        "language": plan.language,
                        "dropped": list(plan.dropped),
                    },
                )
    return plans


def source_specs(settings: Settings) -> list[storage.SourceSpec]:
    """The sources table as the configuration wants it."""
    specs: dict[str, storage.SourceSpec] = {}
    for source in settings.sources:
        for url in source_urls(settings, source):
            specs.setdefault(
                url,
                storage.SourceSpec(
                    url=url, kind=source.kind, every_seconds=int(source.every.total_seconds())
                ),
            )
    return list(specs.values())


def listing_rules(settings: Settings) -> dict[str, ListingRules]:
    """Per-source link rules (``match``/``select``) by source URL."""
    return {
        s.url: ListingRules(match=s.match, select=s.select)
        for s in settings.sources
        if s.match or s.select
    }
