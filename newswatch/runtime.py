"""The daemon's composition root: builds the database, HTTP client, worker, channels and daemon
from one :class:`Settings` value. Commands that need only one of these (``doctor``, ``sources
check``, ``check``, the read commands) build it through the same factories
(``newswatch.fetching``, ``storage.open_database``), so a setting applies to every door."""

from __future__ import annotations

import ctypes
import gc
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import httpx
from rich.console import Console

import storage
from newswatch import fetching
from newswatch.config import Settings
from newswatch.redaction import channel_names
from scheduler.channels import Channel, build_channel
from scheduler.daemon import Daemon, DaemonTiming
from scheduler.delivery import Deliverer
from scheduler.extraction import extraction_for
from scheduler.fetchlog import FetchRecorder
from scheduler.metrics import Metrics
from scheduler.policy import RecheckPolicy, Tier
from scheduler.reschedule import reschedule_for_tiers
from scheduler.routing import AlertFilter, Route
from scheduler.search_step import SearchStep
from scheduler.source_policy import SourcePacing
from scheduler.worker import Worker, WorkerConfig, utc_now
from scraper.polite import PoliteFetcher
from scraper.topic import TopicQuery

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_MALLOC_ARENAS = 2
# Blocks this large or larger get pages of their own, given back when freed (see below).
_MMAP_THRESHOLD = 1024 * 1024
_TRIM_THRESHOLD = 128 * 1024  # glibc's default, which a fixed mmap threshold keeps


@dataclass(frozen=True, slots=True)
class Runtime:
    db: storage.Database
    worker: Worker
    deliverer: Deliverer
    daemon: Daemon
    routes: tuple[Route, ...]
    metrics: Metrics
    fetcher: PoliteFetcher  # the daemon's politeness (its throttle shows what hosts are owed)


def daemon_owner() -> str:
    """A name for this daemon's leases that no other daemon shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def alert_routes(
    settings: Settings, console: Console | None = None, client: httpx.AsyncClient | None = None
) -> tuple[Route, ...]:
    """One route per configured alert channel, with its filter, template and digest; webhook
    channels post through ``client``."""
    return tuple(
        Route(
            channel=_named(build_channel(alert.url, console, client), alert.name),
            filter=AlertFilter(
                kinds=alert.kinds,
                classes=alert.classes,
                outlets=alert.outlets,
                topic=TopicQuery(alert.topic) if alert.topic else None,
            ),
            template=alert.template or None,
            digest=alert.digest if alert.digest.total_seconds() > 0 else None,
        )
        for alert in settings.alerts
    )


def recheck_policy(settings: Settings) -> RecheckPolicy:
    """The configured article recheck tiers."""
    return RecheckPolicy(tuple(Tier(t.younger_than, t.every) for t in settings.recheck.tiers))


def _named(channel: Channel, name: str) -> Channel:
    """The channel, called ``name`` in logs and digests when the configuration names it."""
    if name:
        channel.label = name
    return channel


def source_specs(settings: Settings) -> list[storage.SourceSpec]:
    return fetching.source_specs(settings)


def source_pacing(settings: Settings) -> dict[str, SourcePacing]:
    """Polling bounds by source URL (a search source's bounds apply to each of its feeds).

    Only the sources that set a bound: the others get the default pacing where it is looked
    up (scheduler.source_step), and 10,000 default entries cost a daemon 2 MB for nothing.
    """
    return {
        url: SourcePacing(min_every=source.min_every, max_every=source.max_every)
        for source in settings.sources
        if source.min_every is not None or source.max_every is not None
        for url in fetching.source_urls(settings, source)
    }


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, console: Console | None = None, clock: Callable[[], datetime] = utc_now
) -> AsyncIterator[Runtime]:
    """Everything the daemon needs, opened in order and closed in reverse."""
    # Opening a client does no I/O; a channel URL that cannot be used fails here, first.
    alert_client = fetching.open_alert_client(settings)
    try:
        routes = alert_routes(settings, console, alert_client)
        async with _opened(settings, routes, console, clock) as runtime:
            yield runtime
    finally:
        await alert_client.aclose()


@asynccontextmanager
async def _opened(
    settings: Settings,
    routes: tuple[Route, ...],
    console: Console | None,
    clock: Callable[[], datetime],
) -> AsyncIterator[Runtime]:
    _tune_malloc()
    db = storage.open_database(settings.database.url)
    try:
        with db.transaction() as session:
            storage.sync_sources(session, source_specs(settings), now=clock())
        policy = recheck_policy(settings)
        reschedule_for_tiers(db, policy)  # tiers changed since the last start: applied now
        metrics = Metrics()
        metrics.watch_database(db, channels=channel_names(settings), clock=clock)
        with db.session() as session:
            render = fetching.render_choice(settings, session)
        async with (
            fetching.open_client(settings) as client,
            fetching.open_client(settings, keepalive=False) as fresh_client,
        ):
            recorder = FetchRecorder(db, metrics)
            fetcher = fetching.polite_fetcher(
                settings, client, clock=clock, observer=recorder, db=db, fresh_client=fresh_client
            )
            renderer = fetching.renderer(settings, client) if render is not None else None
            search = SearchStep(
                fetcher, fetching.search_plans(settings, warn=True), clock=clock, metrics=metrics
            )
            worker = Worker(
                db=db,
                fetcher=fetcher,
                source_rules=fetching.listing_rules(settings),
                source_pacing=source_pacing(settings),
                topic=TopicQuery(settings.topic.query),
                policy=policy,
                config=WorkerConfig(
                    owner=daemon_owner(),
                    batch=settings.daemon.batch,
                    lease=settings.daemon.lease,
                    concurrency=settings.fetch.concurrency,
                ),
                clock=clock,
                metrics=metrics,
                fetch_log=recorder,
                search=search,
                confirm_after=settings.recheck.confirm_after,
                render=render,
                renderer=renderer,
                limits=settings.limits.limits(),
                extraction=extraction_for(_extract_processes(settings)),
            )
            deliverer = Deliverer(
                db=db, routes=routes, clock=clock, metrics=metrics, claim=settings.daemon.lease
            )
            daemon = Daemon(
                worker=worker,
                deliverer=deliverer,
                timing=DaemonTiming(
                    tick=settings.daemon.tick,
                    deliver_every=settings.daemon.tick,
                    shutdown_grace=settings.daemon.shutdown_grace,
                ),
            )
            _settle_heap()
            try:
                yield Runtime(
                    db=db,
                    worker=worker,
                    deliverer=deliverer,
                    daemon=daemon,
                    routes=routes,
                    metrics=metrics,
                    fetcher=fetcher,
                )
            finally:
                gc.unfreeze()  # what the daemon held may be garbage now (tests open many)
                await worker.aclose()
                recorder.flush()
                if renderer is not None:
                    await renderer.close()
    finally:
        db.close()


def _extract_processes(settings: Settings) -> int | None:
    processes = settings.daemon.extract_processes
    return None if processes == "auto" else processes


def _tune_malloc() -> None:
    """Two glibc malloc arenas for the daemon's threads, and large blocks mapped on their own.

    Every thread that allocates while another holds the main arena (the batch writer, the
    claim writer, the event loop's executor) gets an arena of its own, up to eight per core,
    each keeping the freed memory of its thread. Measured with ``bench/pipeline.py
    --only-rss``'s daemon (10,000 sources, 1,280 articles, alternated runs): peak RSS 239-244 →
    222 MB, the same CPU (23.2 / 22.0 → 23.2 / 21.4 s).

    glibc maps a block of its own only above a threshold it raises to the size of every
    mapped block freed, up to 32 MiB: after the first large page, every page body, decoded
    text and compressed snapshot (up to megabytes each) came from the arenas, whose freed
    pieces stayed resident between the ticks. A fixed threshold gives such blocks back when
    freed. At 256 KiB (same daemon, alternated, 2 runs each: RSS after each tick 214-226 →
    206-210 MB, peak 228 / 231 → 222 / 222 MB, CPU 13.2 / 12.7 → 13.7 / 13.7 s), every news
    page's body, text and frames (100-400 kB each) were mapped and faulted in afresh. At 1 MiB
    they come from the arenas, and a rare huge page is still given back whole: a same-200
    recheck took 5.6-5.8 instead of 6.2-7.0 ms of CPU in bench/pipeline.py (3 alternated runs
    each), for RSS after each tick of 131-136 instead of 127-130 MB with the extraction in a
    process of its own (peak 144 / 149 against 144 / 141 MB). Threads started before this call
    keep the arenas they have; elsewhere than glibc this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other libcs: no mallopt, nothing to set
        return
    mallopt(_M_ARENA_MAX, _MALLOC_ARENAS)
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)


def _settle_heap() -> None:
    """Collect start-up's garbage, then keep what is left out of every later collection.

    A daemon opens with ~120,000 objects that live as long as it does: modules, SQLAlchemy's
    mapped classes and statement cache, the extractor's tables. The collector walked them all
    again and again while the daemon worked; frozen (``gc.freeze``), it walks only what the
    work allocates. Measured with bench/pipeline.py's daemon, alternating runs: 11 % less CPU
    per 304 recheck and 13 % less per new article. Collecting first keeps start-up's own
    garbage from being frozen with the rest.
    """
    gc.collect()
    gc.freeze()
