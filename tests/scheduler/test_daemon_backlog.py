"""The running daemon works off a backlog at the pace the machine allows.

A pass claims ``batch`` sources, then article batches, each claimed as soon as the previous
one's articles all hold a fetch slot (so fetches never drain between batches), up to eight
batches. When a claim comes back full there is probably more due right now, so the daemon's
tick runs another pass at once; it waits for the next tick only when a pass comes back short.
"""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
import time
from pathlib import Path

import psycopg
import pytest
from sqlmodel import select

import storage
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from scheduler.worker import PassReport
from scraper.urls import canonicalize_url
from tests import pg

from .conftest import Clock, Pipeline, make_settings
from .generated import stories


def test_a_backlog_is_worked_off_within_one_tick(quiet_room: Newsroom, tmp_path: Path) -> None:
    # An hour-long tick: every article recorded here was recorded by the first tick.
    articles, batch = 50, 4
    room = quiet_room
    for item in stories(articles, prefix="backlog"):
        room.publish(item)
    settings = make_settings(room, tmp_path, daemon={"tick": "1h", "batch": batch, "serve": False})

    async def run() -> list[PassReport]:
        async with open_runtime(settings) as runtime:
            daemon = runtime.daemon
            task = asyncio.create_task(daemon.run(handle_signals=False))
            try:
                for _ in range(600):  # a minute at most
                    if daemon.passes and not daemon.passes[-1].more_due:
                        break
                    await asyncio.sleep(0.1)
                assert daemon.liveness().alive
            finally:
                daemon.stop()
                await task
            return daemon.passes

    passes = asyncio.run(run())
    with storage.open_database(settings.database.url) as db, db.session() as session:
        stored = storage.query_articles(session, storage.ArticleQuery(limit=100))
    assert len([a for a in stored if a.version_count == 1]) == articles
    assert sum(p.articles for p in passes) == articles, passes
    # 13 claims of 4 are more than one pass takes: full passes asked for another one at once,
    # and the short one ended the tick.
    assert len(passes) >= 2
    assert all(p.more_due for p in passes[:-1]) and not passes[-1].more_due


def test_the_next_batch_is_fetched_while_a_slow_page_holds_its_slot(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    room = quiet_room
    published = stories(12, prefix="overlap")
    for item in published:
        room.publish(item)
    # Articles are claimed oldest due first, then by id: the frontier adds a listing's URLs in
    # sorted order, so the first URL is in the first batch. Its page takes 1.5 s to answer.
    paths = {canonicalize_url(room.url_of(s.slug)): room.path_of(s.slug) for s in published}
    slow = paths[min(paths)]
    room.misbehave(slow, "slow", seconds=1.5)
    settings = make_settings(
        room,
        tmp_path,
        daemon={"batch": 4},
        fetch={
            "delay": "0s",
            "per_host": 4,
            "concurrency": 4,
            "timeout": "5s",
            "total_timeout": "10s",
        },
    )
    pipeline = Pipeline(
        room=room, settings=settings, clock=Clock(), alerts_file=tmp_path / "alerts.jsonl"
    )

    report = pipeline.run_pass()

    assert report.outcomes.get("new") == 12 and report.errors == 0
    pages = set(paths.values())
    arrivals = [r for r in room.requests if r.path in pages]
    slow_at = next(r.time for r in arrivals if r.path == slow)
    # Before the slow page answered, the three other slots went on to the next batch: more
    # than the first batch's four pages were asked for while it was still waiting.
    while_slow = [r for r in arrivals if r.time < slow_at + 1.0]
    assert len(while_slow) > 4, [(r.path, round(r.time - slow_at, 2)) for r in arrivals]


@pytest.mark.postgres
def test_on_postgresql_the_loop_goes_on_while_the_writes_between_batches_wait(
    quiet_room: Newsroom, tmp_path: Path, postgres_admin_url: str
) -> None:
    # The 304s and fetch-log lines of a batch are written, and the next batch claimed, on the
    # writer thread. Here that write waits on a lock the test holds on the fetch log; the event
    # loop must go on meanwhile (a ticker keeps ticking), and nothing may be lost once it is let go.
    room = quiet_room
    for item in stories(12, prefix="writer"):
        room.publish(item)
    clock = Clock()
    with pg.scratch_database(postgres_admin_url) as url:
        settings = make_settings(
            room,
            tmp_path,
            database={"url": url},
            daemon={"batch": 4},
            # The feed stays quiet in the recheck (not due for a day): only articles are due.
            sources=[{"url": f"{room.base_url}/feed.xml", "kind": "feed", "every": "1d"}],
            fetch={"delay": "0s", "per_host": 4, "concurrency": 4},
        )
        pipeline = Pipeline(
            room=room, settings=settings, clock=clock, alerts_file=tmp_path / "alerts.jsonl"
        )
        assert pipeline.run_pass().outcomes.get("new") == 12
        clock.advance(hours=1)
        held = _FetchLogLock(url.replace("postgresql+psycopg://", "postgresql://"))

        async def recheck() -> tuple[PassReport, list[float]]:
            async with open_runtime(settings, clock=clock) as runtime:
                ticks: list[float] = []

                async def ticker() -> None:
                    while True:
                        ticks.append(time.monotonic())
                        await asyncio.sleep(0.02)

                ticking = asyncio.create_task(ticker())
                held.start()
                try:
                    report = await runtime.worker.run_until_idle()
                finally:
                    ticking.cancel()
                return report, ticks

        report, ticks = asyncio.run(recheck())
        held.join()
        with storage.open_database(url) as db, db.session() as session:
            rows = session.exec(select(storage.Article)).all()

    assert held.waiter_seen, "no write waited on the fetch log: the test proved nothing"
    assert report.outcomes == {"not_modified": 12} and report.errors == 0
    during = [
        b - a
        for a, b in zip(ticks, ticks[1:], strict=False)
        if held.locked_at <= b and a <= held.released_at
    ]
    assert during and max(during) < 0.5, max(during, default=None)
    assert len(rows) == 12
    assert all(a.last_checked_at == clock.now and a.lease_owner is None for a in rows)


@pytest.mark.postgres
def test_on_postgresql_twice_as_many_pages_as_fetch_slots_wait_for_the_writer(
    quiet_room: Newsroom, tmp_path: Path, postgres_admin_url: str
) -> None:
    # On PostgreSQL a commit waits for round trips and a WAL flush, so pages may wait for the
    # batch writer twice as many as fetch slots (on SQLite as many). Here the writer waits on
    # a lock the test holds on the versions table: with 8 fetch slots, 16 pages are read and
    # wait for it and 8 more are fetched and wait for a place; the fetching stops there, and
    # every page is recorded once the lock is let go.
    room = quiet_room
    published = stories(40, prefix="depth")
    for item in published:
        room.publish(item)
    pages = {room.path_of(s.slug) for s in published}
    with pg.scratch_database(postgres_admin_url) as url:
        settings = make_settings(
            room,
            tmp_path,
            database={"url": url},
            daemon={"batch": 40, "serve": False},
            fetch={"delay": "0s", "per_host": 8, "concurrency": 8},
        )
        held = _VersionsLock(url.replace("postgresql+psycopg://", "postgresql://"), room, pages)

        async def ingest() -> PassReport:
            async with open_runtime(settings) as runtime:
                held.start()
                return await runtime.worker.run_until_idle()

        report = asyncio.run(ingest())
        held.join()
        with storage.open_database(url) as db, db.session() as session:
            versions = session.exec(select(storage.Version)).all()

    assert held.waiter_seen, "no recording waited on the versions table: the test proved nothing"
    # As many places as fetch slots (SQLite's) would have stopped the fetching at 16 pages.
    assert held.fetched_while_held == 16 + 8
    assert report.outcomes.get("new") == 40 and report.errors == 0, report
    assert len(versions) == 40


def _a_waiter_on_a_lock(dsn: str, deadline: float) -> bool:
    """Whether a session of the database waits on a lock before ``deadline`` (monotonic)."""
    with psycopg.connect(dsn, autocommit=True) as probe:
        while time.monotonic() < deadline:
            waiting = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            ).fetchone()
            if waiting and waiting[0]:
                return True
            time.sleep(0.02)
    return False


class _VersionsLock(threading.Thread):
    """Holds the versions table locked until a recording waits on it and the fetching has
    stopped (no new article page asked for in a second), then lets go."""

    def __init__(self, url: str, room: Newsroom, pages: set[str]) -> None:
        super().__init__(daemon=True)
        self._room = room
        self._pages = pages
        self._conn = psycopg.connect(url)
        self._conn.execute("LOCK TABLE versions IN EXCLUSIVE MODE")
        self.waiter_seen = False
        self.fetched_while_held = 0

    def _fetched(self) -> int:
        return sum(1 for r in self._room.requests if r.path in self._pages)

    def run(self) -> None:
        try:
            deadline = time.monotonic() + 30
            self.waiter_seen = _a_waiter_on_a_lock(self._conn.info.dsn, deadline)
            fetched, still_since = self._fetched(), time.monotonic()
            while self.waiter_seen and time.monotonic() < deadline:
                time.sleep(0.1)
                now_fetched = self._fetched()
                if now_fetched != fetched:
                    fetched, still_since = now_fetched, time.monotonic()
                elif time.monotonic() - still_since > 1.0:
                    break
            self.fetched_while_held = fetched
        finally:
            self._conn.commit()
            self._conn.close()


class _FetchLogLock(threading.Thread):
    """Holds the fetch log locked until a write waits on it, then one second more."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self._conn = psycopg.connect(url)
        self._conn.execute("LOCK TABLE fetch_log IN EXCLUSIVE MODE")
        self.locked_at = time.monotonic()
        self.released_at = float("inf")
        self.waiter_seen = False

    def run(self) -> None:
        try:
            self.waiter_seen = _a_waiter_on_a_lock(self._conn.info.dsn, time.monotonic() + 20)
            if self.waiter_seen:
                time.sleep(1.0)
        finally:
            self.released_at = time.monotonic()
            self._conn.commit()
            self._conn.close()


def test_the_start_up_heap_is_frozen_while_the_daemon_runs(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    # Every collection would otherwise walk the ~120,000 objects start-up leaves behind.
    settings = make_settings(quiet_room, tmp_path, daemon={"serve": False})

    async def frozen_while_open() -> int:
        async with open_runtime(settings):
            return gc.get_freeze_count()

    assert asyncio.run(frozen_while_open()) > 10_000
    # Closed, they are the collector's again: what the runtime held may be garbage by now.
    assert gc.get_freeze_count() == 0


def test_fetching_goes_on_while_the_batch_writer_waits(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    # A recording waits for the batch writer's thread; its article gives its fetch slot to the
    # next one meanwhile. Here the writer waits on SQLite's write lock, which another
    # connection takes as the first page is asked for (every page takes 0.3 s to answer, so no
    # recording gets in first) and holds for 3 s. With 2 fetch slots, two pages are fetched,
    # then two more while those two wait for the writer; before, the slots stayed with the
    # recordings and nothing more was fetched until the lock was let go.
    room = quiet_room
    published = stories(8, prefix="handover")
    for item in published:
        room.publish(item)
    pages = {room.path_of(s.slug) for s in published}
    for path in pages:
        room.misbehave(path, "slow", seconds=0.3)
    settings = make_settings(
        room,
        tmp_path,
        daemon={"batch": 8},
        fetch={"delay": "0s", "per_host": 2, "concurrency": 2, "total_timeout": "10s"},
    )
    pipeline = Pipeline(
        room=room, settings=settings, clock=Clock(), alerts_file=tmp_path / "alerts.jsonl"
    )
    held: list[float] = []

    def hold_the_write_lock() -> None:
        deadline = time.monotonic() + 60
        while not any(r.path in pages for r in room.requests) and time.monotonic() < deadline:
            time.sleep(0.005)
        conn = sqlite3.connect(tmp_path / "newswatch.db", isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            held.append(time.monotonic())
            time.sleep(3.0)
            held.append(time.monotonic())
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    # The feed is read first (its source's pass): the lock comes after the article claim.
    locker = threading.Thread(target=hold_the_write_lock)
    locker.start()
    try:
        report = pipeline.run_pass()
    finally:
        locker.join()

    assert report.outcomes.get("new") == 8 and report.errors == 0, report
    assert len(held) == 2
    arrivals = [r for r in room.requests if r.path in pages]
    # The first two pages are asked for at once; anything asked for later, while the lock was
    # held, was fetched while recordings waited for the writer.
    later = [r for r in arrivals if arrivals[0].time + 0.15 <= r.time < held[1]]
    assert held[0] < arrivals[0].time + 0.15
    assert len(later) >= 2, [(r.path, round(r.time - arrivals[0].time, 2)) for r in arrivals]
