"""Scale-out on this machine: three ``newswatch run`` daemons share one PostgreSQL database.

A newsroom publishes 500 articles in one RSS feed. Three daemon processes, told apart by their
User-Agent in the newsroom's request log and by their pid in ``lease_owner``, work them off.
Some article pages answer slowly, so a daemon is certain to hold leases while it waits; the
first daemon found waiting on one (after doing its share of work) is killed with SIGKILL.

What is proven, exactly (one due period: the recheck tier and the feed interval are an hour):

* every article ends with exactly one version and exactly one ``new`` alert in the outbox;
* an article not leased by the killed daemon at the moment of the kill was requested exactly
  once, in all, by all three daemons; an article it leased (an orphan) was requested at most
  once by it (the fetch that died with it) and exactly once by a survivor: no live daemon
  ever fetched an article another daemon held or had finished;
* every orphan was taken over by a survivor only once its lease had expired (the version's
  ``fetched_at`` is not before the dead lease's ``lease_until``), and all were recorded
  within the wait bound of the lease time plus a margin;
* work was spread: each daemon answered for at least 10 % of the articles;
* every alert reached the shared jsonl channel once: daemons claim each delivery before
  sending, so the only repeat allowed is the one alert the killed daemon may have been
  sending when it died (at-least-once delivery); the survivors stop on SIGTERM holding no
  lease.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from newswatch.newsroom import Newsroom, RequestRecord
from tests import pg
from tests.newsroom_config import write_newsroom_config

from .generated import stories

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ARTICLES = 500
NAMES = ("one", "two", "three")
LEASE_SECONDS = 5
SLOW_SECONDS = 1.5  # below the lease: a live daemon always finishes a slow page in time
SLOW_EVERY = 40  # every 40th article from the 100th on answers slowly
FAIR_SHARE = ARTICLES // 10
KILL_AFTER = FAIR_SHARE + 10  # the victim has done its share before it dies
NEWSWATCH = [sys.executable, "-m", "newswatch"]


@dataclass
class Daemon:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def user_agent(self) -> str:
        return user_agent(self.name)

    @property
    def owner_pattern(self) -> str:
        return f"%:{self.process.pid}:%"  # lease_owner is host:pid:random


def user_agent(name: str) -> str:
    return f"newswatch-scale-test/{name} (+http://127.0.0.1/scale-test)"


def write_config(room: Newsroom, tmp_path: Path, database_url: str) -> Path:
    return write_newsroom_config(
        room,
        tmp_path,
        database_url=database_url,
        source_every="1h",
        recheck_every="1h",
        extra=f"""
[fetch]
delay = "0s"
per_host = 8
concurrency = 8
timeout = "20s"
total_timeout = "30s"

[daemon]
tick = "200ms"
batch = 8
lease = "{LEASE_SECONDS}s"
shutdown_grace = "10s"
serve = false
extract_processes = 1
""",
    )


def wait_for(
    condition: Callable[[], bool], *, timeout: float, what: str, daemons: list[Daemon]
) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` s or if a daemon died."""
    deadline = time.monotonic() + timeout
    while not condition():
        for daemon in daemons:
            assert daemon.process.poll() is None, f"daemon {daemon.name} exited early"
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def article_requests(room: Newsroom) -> list[RequestRecord]:
    return [r for r in room.requests if r.path.startswith("/news/")]


def by_agent(requests: list[RequestRecord], daemon: Daemon) -> list[RequestRecord]:
    return [r for r in requests if r.headers.get("user-agent") == daemon.user_agent]


def scalar(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


@pytest.fixture
def database_url(postgres_admin_url: str) -> Iterator[str]:
    with pg.scratch_database(postgres_admin_url) as url:
        yield url


def test_three_daemons_share_the_work_and_survive_a_kill(tmp_path: Path, database_url: str) -> None:
    room = Newsroom().start()
    daemons: list[Daemon] = []
    engine = create_engine(database_url, pool_size=2)
    try:
        published = stories(ARTICLES, prefix="scale")
        for item in published:
            room.publish(item)
        slow_paths = {s.path for i, s in enumerate(published) if i >= 100 and i % SLOW_EVERY == 0}
        for path in slow_paths:
            room.misbehave(path, "slow", seconds=SLOW_SECONDS)
        config = write_config(room, tmp_path, database_url)
        for name in NAMES:
            env = {**os.environ, "NEWSWATCH_FETCH_USER_AGENT": user_agent(name)}
            with (tmp_path / f"{name}.log").open("wb") as log:
                process = subprocess.Popen(
                    [*NEWSWATCH, "run", "--config", str(config), "--log-level", "WARNING"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            daemons.append(Daemon(name, process))

        started_at = time.monotonic()
        victim = kill_one_while_it_waits_on_a_slow_page(room, engine, daemons, slow_paths)
        killed_at = time.monotonic()
        survivors = [d for d in daemons if d is not victim]
        with engine.connect() as conn:
            orphans = {
                url: until
                for url, until in conn.execute(
                    text("select url, lease_until from articles where lease_owner like :owner"),
                    {"owner": victim.owner_pattern},
                )
            }
        assert orphans, "the killed daemon held leases"

        wait_for(
            lambda: (
                scalar(
                    engine,
                    "select count(*) from articles where url = any(:urls) and version_count > 0",
                    urls=list(orphans),
                )
                == len(orphans)
            ),
            timeout=LEASE_SECONDS + 20,
            what="the survivors take the orphans over",
            daemons=survivors,
        )
        taken_over_in = time.monotonic() - killed_at
        wait_for(
            lambda: (
                scalar(engine, "select count(*) from articles where version_count > 0") == ARTICLES
                and scalar(engine, "select count(*) from alerts") >= ARTICLES
            ),
            timeout=60,
            what="every article is recorded",
            daemons=survivors,
        )
        finished_in = time.monotonic() - killed_at
        alerts_file = tmp_path / "alerts.jsonl"
        wait_for(
            lambda: (
                alerts_file.exists()
                and len({json.loads(line)["id"] for line in alerts_file.read_text().splitlines()})
                == ARTICLES
            ),
            timeout=30,
            what="every alert is delivered",
            daemons=survivors,
        )
        for daemon in survivors:
            daemon.process.send_signal(signal.SIGTERM)
        for daemon in survivors:
            assert daemon.process.wait(timeout=30) == 0, (
                tmp_path / f"{daemon.name}.log"
            ).read_text()[-2000:]

        check_the_store(engine, orphans)
        check_the_requests(room, daemons, victim, {urlsplit(u).path for u in orphans})
        # Each delivery is claimed before it is sent, so live daemons never send an alert
        # twice; the killed daemon may have written one line and died before recording it,
        # and that alert is then sent again once its claim expires (at least once).
        delivered = [
            json.loads(line)["id"]
            for line in alerts_file.read_text().splitlines()
            if line.endswith("}")
        ]
        assert len(set(delivered)) == ARTICLES
        assert len(delivered) - ARTICLES <= 1, f"{len(delivered)} deliveries of {ARTICLES}"
        print(
            f"\nscale-out: killed {victim.name} {killed_at - started_at:.1f}s after the "
            f"start; {len(orphans)} orphaned lease(s) taken over {taken_over_in:.1f}s after "
            f"the kill (lease {LEASE_SECONDS}s), all recorded {finished_in:.1f}s after it; "
            f"{len(delivered)} deliveries for {ARTICLES} alerts"
        )
    finally:
        for daemon in daemons:
            if daemon.process.poll() is None:
                daemon.process.kill()
            daemon.process.wait(timeout=30)
        engine.dispose()
        room.stop()


def kill_one_while_it_waits_on_a_slow_page(
    room: Newsroom, engine: Engine, daemons: list[Daemon], slow_paths: set[str]
) -> Daemon:
    """SIGKILL the first daemon that did its share and now holds a slow page it asked for."""
    chosen: list[Daemon] = []

    def waiting_on_a_slow_page() -> bool:
        requests = article_requests(room)
        for daemon in daemons:
            mine = by_agent(requests, daemon)
            if len(mine) < KILL_AFTER:
                continue
            asked = {r.path for r in mine} & slow_paths
            with engine.connect() as conn:
                leased = {
                    urlsplit(url).path
                    for (url,) in conn.execute(
                        text("select url from articles where lease_owner like :owner"),
                        {"owner": daemon.owner_pattern},
                    )
                }
            if asked & leased:
                chosen.append(daemon)
                return True
        return False

    wait_for(
        waiting_on_a_slow_page, timeout=60, what="a daemon waits on a slow page", daemons=daemons
    )
    victim = chosen[0]
    extracting = extraction_processes(victim.process.pid)
    assert extracting, "the daemon extracts in a process of its own"
    victim.process.kill()
    victim.process.wait(timeout=10)
    # Its extraction process sees its input close and exits: no orphan is left running.
    wait_for(
        lambda: not any(running(pid) for pid in extracting),
        timeout=20,
        what="the killed daemon's extraction process exits",
        daemons=[d for d in daemons if d is not victim],
    )
    return victim


def extraction_processes(pid: int) -> list[int]:
    """The extraction processes a daemon started (its children running extraction_child)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return [c for c in children if b"extraction_child" in Path(f"/proc/{c}/cmdline").read_bytes()]


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited (a zombie has)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def check_the_store(engine: Engine, orphans: dict[str, datetime]) -> None:
    with engine.connect() as conn:
        counts = conn.execute(
            text("select count(*), min(version_count), max(version_count) from articles")
        ).one()
        assert tuple(counts) == (ARTICLES, 1, 1), "every article has exactly one version"
        assert scalar(engine, "select count(*) from versions") == ARTICLES
        kinds = conn.execute(
            text("select kind, count(*), count(distinct article_id) from alerts group by kind")
        ).all()
        assert [tuple(k) for k in kinds] == [("new", ARTICLES, ARTICLES)], (
            "exactly one new alert per article"
        )
        assert (
            scalar(engine, "select count(*) from articles where lease_owner is not null")
            + scalar(engine, "select count(*) from sources where lease_owner is not null")
            == 0
        )
        fetched = dict(
            conn.execute(
                text(
                    "select a.url, v.fetched_at from articles a "
                    "join versions v on v.article_id = a.id where a.url = any(:urls)"
                ),
                {"urls": list(orphans)},
            ).all()
        )
    early = {url: (fetched[url], until) for url, until in orphans.items() if fetched[url] < until}
    assert not early, f"taken over before the lease expired: {early}"


def check_the_requests(
    room: Newsroom, daemons: list[Daemon], victim: Daemon, orphan_paths: set[str]
) -> None:
    requests = article_requests(room)
    assert {r.status for r in requests} == {200}
    agents = {d.user_agent for d in daemons}
    assert {r.headers.get("user-agent") for r in requests} <= agents
    per_path = Counter(r.path for r in requests)
    assert len(per_path) == ARTICLES, "every article was fetched"
    by_victim = Counter(r.path for r in by_agent(requests, victim))
    by_survivors = per_path - by_victim
    twice = {path: n for path, n in per_path.items() if n != 1 and path not in orphan_paths}
    assert not twice, f"fetched more than once within one due period: {twice}"
    for path in orphan_paths:
        assert by_victim[path] <= 1 and by_survivors[path] == 1, path
    shares = {d.name: len(by_agent(requests, d)) for d in daemons}
    assert all(n >= FAIR_SHARE for n in shares.values()), f"work not spread: {shares}"
    print(
        f"\nscale-out shares: {shares}; orphans {len(orphan_paths)}, of which fetched twice "
        f"{sum(1 for p in orphan_paths if per_path[p] == 2)}"
    )
