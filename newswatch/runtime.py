"""The composition root: builds the database, HTTP client, worker, channels and daemon
from one :class:`Settings` value. Nothing else in newswatch constructs these."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console

import storage
from newswatch.config import Settings
from scheduler.channels import Channel, build_channel
from scheduler.daemon import Daemon, DaemonTiming
from scheduler.delivery import Deliverer
from scheduler.policy import RecheckPolicy, Tier
from scheduler.worker import Worker, WorkerConfig, utc_now
from scraper.fetch import Fetcher, FetchLimits, build_client
from scraper.topic import TopicQuery


@dataclass(frozen=True, slots=True)
class Runtime:
    db: storage.Database
    worker: Worker
    deliverer: Deliverer
    daemon: Daemon
    channels: tuple[Channel, ...]


def daemon_owner() -> str:
    """A name for this daemon's leases that no other daemon shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def source_specs(settings: Settings) -> list[storage.SourceSpec]:
    return [storage.SourceSpec(url=s.url, kind=s.kind,
                               every_seconds=int(s.every.total_seconds()))
            for s in settings.sources]


@asynccontextmanager
async def open_runtime(settings: Settings, *, console: Console | None = None,
                       clock: Callable[[], datetime] = utc_now) -> AsyncIterator[Runtime]:
    """Everything the daemon needs, opened in order and closed in reverse."""
    channels = tuple(build_channel(alert.url, console) for alert in settings.alerts)
    db = storage.open_database(settings.database.url)
    try:
        with db.transaction() as session:
            storage.sync_sources(session, source_specs(settings), now=clock())
        limits = FetchLimits(read_timeout=settings.fetch.timeout.total_seconds(),
                             max_bytes=settings.fetch.max_bytes)
        async with build_client(user_agent=settings.fetch.user_agent, limits=limits) as client:
            worker = Worker(
                db=db, fetcher=Fetcher(client, limits=limits),
                topic=TopicQuery(settings.topic.query),
                policy=RecheckPolicy(tuple(Tier(t.younger_than, t.every)
                                           for t in settings.recheck.tiers)),
                config=WorkerConfig(owner=daemon_owner(), batch=settings.daemon.batch,
                                    lease=settings.daemon.lease,
                                    concurrency=settings.fetch.concurrency),
                clock=clock,
            )
            deliverer = Deliverer(db=db, channels=channels, clock=clock)
            daemon = Daemon(worker=worker, deliverer=deliverer, timing=DaemonTiming(
                tick=settings.daemon.tick, deliver_every=settings.daemon.tick,
                shutdown_grace=settings.daemon.shutdown_grace))
            yield Runtime(db=db, worker=worker, deliverer=deliverer, daemon=daemon,
                          channels=channels)
    finally:
        db.close()
