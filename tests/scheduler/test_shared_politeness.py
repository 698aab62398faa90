"""Daemons on one database share each host's pace: delays, Crawl-delay and Retry-After pauses.

Each "daemon" is what ``newswatch run`` builds for fetching (``newswatch.fetching``): its own
database object, HTTP client and throttle, on a thread with its own event loop. Gaps are
measured from the newsroom's own request log, i.e. as the *server* saw them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlmodel import select

import storage
from newswatch import fetching
from newswatch.config import Settings
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from scheduler.ledger import DatabaseLedger
from scheduler.worker import utc_now
from scraper import HTTPStatusError, Page
from scraper.polite import PoliteFetcher, Refused
from scraper.throttle import LEDGER_RETRY, LEDGER_WARN_EVERY, Throttle, ThrottleSettings
from scraper.urls import canonicalize_url
from tests import pg

from .conftest import make_settings

T = TypeVar("T")
DELAY = 0.25
SEED = "envoys-arrive-istanbul-second-meeting"
SECOND = "istanbul-talks-delegations-swap-rival-peace-memorandums"
Job = Callable[[PoliteFetcher], Awaitable[T]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One database, migrated, that every daemon of the test opens on its own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'newswatch.db'}"
        storage.open_database(url).close()
        yield url
        return
    with pg.scratch_database(request.getfixturevalue("postgres_admin_url")) as url:
        yield url


def settings(database_url: str, name: str, *, share: bool = True) -> Settings:
    return Settings(
        database={"url": database_url},  # type: ignore[arg-type]
        fetch={
            "delay": f"{int(DELAY * 1000)}ms",
            "max_wait": "5s",
            "share_host_delays": share,
            "allow": ["127.0.0.1"],
            "user_agent": f"newswatch-test/{name} (+http://127.0.0.1/test)",
        },
    )


def run_daemons(jobs: list[tuple[Settings, Job[T]]]) -> list[T]:
    """Run each job in a daemon of its own, all starting together; their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    async def daemon(config: Settings, job: Job[T]) -> T:
        with storage.open_database(config.database.url, create_tables=False) as db:
            async with fetching.open_client(config) as client:
                fetcher = fetching.polite_fetcher(config, client, clock=utc_now, db=db)
                barrier.wait(timeout=30)
                return await job(fetcher)

    def thread(n: int, config: Settings, job: Job[T]) -> None:
        try:
            results[n] = asyncio.run(daemon(config, job))
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [
        threading.Thread(target=thread, args=(n, config, job))
        for n, (config, job) in enumerate(jobs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return [results[n] for n in range(len(jobs))]


def fetch_all(urls: list[str]) -> Job[list[Page | Refused]]:
    async def job(fetcher: PoliteFetcher) -> list[Page | Refused]:
        return list(await asyncio.gather(*(fetcher.fetch(url) for url in urls)))

    return job


def gaps_between_two_daemons(room: Newsroom, database_url: str, *, share: bool) -> list[float]:
    """Two daemons fetch three pages each from the newsroom; the gaps its log shows."""
    slugs = room.slugs()[:6]
    one, two = (
        settings(database_url, "one", share=share),
        settings(database_url, "two", share=share),
    )
    pages = run_daemons(
        [
            (one, fetch_all([room.url_of(s) for s in slugs[:3]])),
            (two, fetch_all([room.url_of(s) for s in slugs[3:]])),
        ]
    )
    assert all(isinstance(p, Page) and p.status == 200 for p in pages[0] + pages[1])
    requests = room.requests
    assert len(requests) == 8, "robots.txt and three pages, by each daemon"
    agents = {r.headers["user-agent"] for r in requests}
    assert agents == {one.fetch.user_agent, two.fetch.user_agent}
    times = sorted(r.time for r in requests)
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def test_two_daemons_on_one_database_keep_the_delay_between_them(
    newsroom: Newsroom, database_url: str
) -> None:
    gaps = gaps_between_two_daemons(newsroom, database_url, share=True)
    assert min(gaps) >= DELAY, f"gaps seen by the server: {gaps}"


def test_without_sharing_two_daemons_ask_a_host_too_often(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    # What the test above would see without the database's turns: it is not passing by luck.
    url = f"sqlite:///{tmp_path / 'newswatch.db'}"
    storage.open_database(url).close()
    gaps = gaps_between_two_daemons(newsroom, url, share=False)
    assert min(gaps) < DELAY, f"gaps seen by the server: {gaps}"


def test_a_retry_after_seen_by_one_daemon_pauses_the_other(
    newsroom: Newsroom, database_url: str
) -> None:
    newsroom.misbehave(SEED, "status", code=429, retry_after=120)

    async def hit_the_429(fetcher: PoliteFetcher) -> HTTPStatusError:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.fetch(newsroom.url_of(SEED))
        return caught.value

    one, two = settings(database_url, "one"), settings(database_url, "two")
    [error] = run_daemons([(one, hit_the_429)])
    assert error.status == 429
    [[other]] = run_daemons([(two, fetch_all([newsroom.url_of(SECOND)]))])
    assert isinstance(other, Refused) and other.kind == "paused"
    assert 100 <= other.retry_in <= 121 and "Retry-After" in other.reason
    assert [
        r for r in newsroom.requests if r.headers["user-agent"] == two.fetch.user_agent
    ] == [], "the other daemon asked the paused host nothing, not even robots.txt"


def test_daemons_built_by_open_runtime_pace_a_host_together(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    def config(name: str) -> Settings:
        # Two fetches in flight and one article per claim: both daemons get articles to do.
        return make_settings(
            newsroom,
            tmp_path,
            sources=[],
            daemon={"batch": 1},
            fetch={
                "delay": "100ms",
                "per_host": 8,
                "concurrency": 2,
                "total_timeout": "5s",
                "user_agent": f"newswatch-test/{name} (+http://127.0.0.1/test)",
            },
        )

    one, two = config("one"), config("two")
    with storage.open_database(one.database.url) as db, db.transaction() as s:
        storage.add_candidates(
            s,
            source_id=None,
            now=utc_now(),
            candidates=[
                storage.Candidate(canonicalize_url(newsroom.url_of(slug)))
                for slug in newsroom.slugs()
            ],
        )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    async def daemon(config: Settings) -> None:
        async with open_runtime(config, clock=utc_now) as runtime:
            barrier.wait(timeout=30)
            await runtime.worker.run_until_idle()

    def thread(config: Settings) -> None:
        try:
            asyncio.run(daemon(config))
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=thread, args=(c,)) for c in (one, two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    requests = newsroom.requests
    pages = {newsroom.path_of(slug) for slug in newsroom.slugs()}
    articles = [r for r in requests if r.path in pages]
    assert len(articles) == len(pages)
    assert {r.headers["user-agent"] for r in articles} == {
        one.fetch.user_agent,
        two.fetch.user_agent,
    }
    times = sorted(r.time for r in requests)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.1, f"gaps seen by the server: {gaps}"


# -- the throttle and its ledger -----------------------------------------------------------------


def test_throttles_on_one_database_take_turns_at_a_host(database_url: str) -> None:
    turns: list[tuple[float, float, int]] = []  # (entered, left, throttle), local clock

    async def requests(throttle: Throttle, n: int) -> None:
        async with throttle.slot("http://news.example/a"):
            entered = time.monotonic()
            await asyncio.sleep(0.02)  # the request
            turns.append((entered, time.monotonic(), n))

    async def go() -> None:
        with (
            storage.open_database(database_url, create_tables=False) as a,
            storage.open_database(database_url, create_tables=False) as b,
        ):
            throttles = [
                Throttle(
                    ThrottleSettings(delay=0.1, per_host=4), ledger=DatabaseLedger(db, hold=10)
                )
                for db in (a, b)
            ]
            await asyncio.gather(
                *(requests(t, n) for n, t in enumerate(throttles) for _ in range(3))
            )

    asyncio.run(go())
    turns.sort()
    assert {n for _, _, n in turns} == {0, 1}
    gaps = [b[0] - a[1] for a, b in zip(turns, turns[1:], strict=False)]
    assert min(gaps) >= 0.1, gaps


def test_with_no_delay_the_ledger_is_never_asked(database_url: str) -> None:
    async def go(db: storage.Database) -> None:
        throttle = Throttle(ThrottleSettings(delay=0), ledger=DatabaseLedger(db, hold=10))
        for _ in range(3):
            async with throttle.slot("http://news.example/a"):
                pass
        # A Crawl-delay is a delay: from then on the host is shared.
        throttle.set_crawl_delay("http://news.example/", 0.01)
        async with throttle.slot("http://news.example/b"):
            with db.session() as s:
                rows = s.exec(select(storage.HostSlot)).all()
        assert [(r.host, r.holder is not None) for r in rows] == [("http://news.example:80", True)]

    with storage.open_database(database_url, create_tables=False) as db:
        with db.session() as s:
            assert s.exec(select(storage.HostSlot)).all() == []
        asyncio.run(go(db))


def test_a_failing_ledger_falls_back_to_local_pacing_and_warns_rarely(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    # Nothing listens on port 1: every ledger call fails to connect.
    db = storage.open_database(
        "postgresql+psycopg://postgres@127.0.0.1:1/none", create_tables=False
    )
    throttle = Throttle(
        ThrottleSettings(delay=1),
        clock=lambda: now[0],
        sleep=sleep,
        ledger=DatabaseLedger(db, hold=10),
    )
    entered: list[float] = []

    async def requests(count: int) -> None:
        for _ in range(count):
            async with throttle.slot("http://news.example/a"):
                entered.append(now[0])
            now[0] += LEDGER_RETRY  # so the next request asks the ledger again

    async def go() -> None:
        await requests(5)
        assert len(entered) == 5, "every request went ahead"
        assert [r.getMessage() for r in caplog.records] == [
            "host ledger failed: pacing hosts by this daemon's own rules for now"
        ]
        now[0] += LEDGER_WARN_EVERY
        await requests(1)

    with caplog.at_level(logging.WARNING, logger="scraper.throttle"), db:
        asyncio.run(go())
    warnings = [r for r in caplog.records if getattr(r, "event", "") == "host_ledger_failed"]
    assert [getattr(r, "failures", None) for r in warnings] == [1, 5]


def test_a_turn_granted_after_its_reserve_was_cancelled_is_given_back(tmp_path: Path) -> None:
    # A shutdown cancels a fetch while its reserve waits on the database: the transaction
    # goes on and grants the turn, which must not hold the host until its hold runs out.
    url = f"sqlite:///{tmp_path / 'newswatch.db'}"
    with storage.open_database(url) as db, storage.open_database(url) as blocker:
        ledger = DatabaseLedger(db, hold=3600)

        async def cancel_a_waiting_reserve() -> None:
            with blocker.write_connection():  # holds SQLite's write lock: the reserve waits
                task = asyncio.create_task(ledger.reserve("http://news.example:80", 0.01))
                await asyncio.sleep(0.3)
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            # The lock is free: the reserve commits, then the turn goes back.

        asyncio.run(cancel_a_waiting_reserve())
        rows: list[storage.HostSlot] = []
        for _ in range(200):  # the reserve, then the release, run on the ledger's thread
            with db.session() as s:
                rows = list(s.exec(select(storage.HostSlot)).all())
            if rows and rows[0].holder is None:
                break
            time.sleep(0.05)
        ledger.close()
        assert [(r.holder, r.held_until) for r in rows] == [(None, None)]
