"""Soak on the single-node path: one SQLite file, 1,000 articles, edits, restarts and faults.

Six passes, each a fresh start of the daemon's parts: the first is a real ``newswatch run
--once`` process, two more are fresh processes running one pass on the test's clock
(``soak_pass.py``), the rest run in this process. Between passes the clock moves past every
recheck and backoff, some articles are edited, and a different tenth of the article pages
misbehaves (500s, slow past the read timeout, truncated bodies, binary garbage); during one
pass the feed itself answers 500 while 50 articles are published behind it. The last two
passes run with every fault off.

What is proven:

* after each pass, the articles with a recorded failure are exactly those whose page
  misbehaved in that pass (failures are recorded, and a good fetch clears them);
* every one of the 1,000 articles ends stored and live, with no failure left;
* every edit is one version, exactly once: an article edited once has two versions, the others
  one; one ``new`` alert per article and one ``edited`` alert per edit, no other alert;
* no alert was delivered twice (idempotency keys unique in the jsonl channel);
* the last pass, with nothing changed, records nothing (every recheck a 304);
* ``PRAGMA integrity_check`` answers ``ok`` and no lease is left behind.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import storage
from newswatch.config import load_settings
from newswatch.newsroom import Newsroom, Story
from scraper.urls import canonicalize_url
from tests.newsroom_config import write_newsroom_config

from .conftest import Clock, Pipeline
from .generated import story

pytestmark = pytest.mark.slow

ARTICLES = 1000
LATE = 50  # published while the feed is down
EDITS_PER_ROUND = 60
FAULT_MODES = ("status", "truncated", "garbage")
SLOW_PER_TURN = 2  # each slow page holds its whole batch for a read timeout: a few suffice
SOAK_PASS = Path(__file__).with_name("soak_pass.py")
NEWSWATCH = [sys.executable, "-m", "newswatch"]
STEP = timedelta(minutes=25)  # past the 15-minute recheck, the 20-minute source ceiling, backoffs


def write_config(room: Newsroom, tmp_path: Path) -> Path:
    return write_newsroom_config(
        room,
        tmp_path,
        extra="""
[fetch]
delay = "0s"
per_host = 8
concurrency = 8
host_backoff = "1ms"        # one host serves every page: long pauses would stall the pass
host_backoff_cap = "10ms"
connect_timeout = "1s"
timeout = "1s"
total_timeout = "5s"

[daemon]
batch = 64
""",
    )


class Soak:
    """The newsroom, the configuration and the clock the passes share."""

    def __init__(self, room: Newsroom, tmp_path: Path) -> None:
        self.room = room
        self.config = write_config(room, tmp_path)
        self.db_path = tmp_path / "newswatch.db"
        self.pipeline = Pipeline(
            room=room,
            settings=load_settings(self.config),
            clock=Clock(),
            alerts_file=tmp_path / "alerts.jsonl",
        )
        self.stories: list[Story] = []
        self.faulty: dict[str, str] = {}  # URL path -> mode, misbehaving in the current pass
        self.edited: set[int] = set()

    @property
    def clock(self) -> Clock:
        return self.pipeline.clock

    def publish(self, indices: range) -> None:
        for index in indices:
            item = story(index, prefix="soak", now=self.clock())
            self.stories.append(item)
            self.room.publish(item)

    def misbehave(self, turn: int) -> None:
        """A different tenth of the pages misbehaves each turn, in a mode that depends on it."""
        self.room.behave()
        self.room.clear_requests()
        self.faulty = {}
        for index, item in enumerate(self.stories):
            if (index * 7 + turn * 3) % 10 != 0:
                continue
            mode = FAULT_MODES[(index // 10 + turn) % len(FAULT_MODES)]
            if len(self.faulty) < SLOW_PER_TURN:
                mode = "slow"
            options = {"status": {"code": 500}, "slow": {"seconds": 3}}.get(mode, {})
            self.room.misbehave(item.path, mode, **options)
            self.faulty[item.path] = mode

    def edit(self) -> None:
        """Edit stored, never-edited articles: each article is edited at most once."""
        with self.pipeline.db() as db, db.session() as session:
            stored = {
                a.url
                for a in storage.query_articles(session, storage.ArticleQuery(limit=10_000))
                if a.version_count > 0
            }
        done = 0
        for index, item in enumerate(self.stories):
            if done == EDITS_PER_ROUND:
                break
            if index in self.edited or self.url_of(item) not in stored:
                continue
            self.room.edit(item.slug, f"Marker-{index}", f"Marker-{index} (corrected)")
            self.edited.add(index)
            done += 1

    def run_cli_once(self) -> None:
        """A real ``newswatch run --once`` on the real clock; the test's clock follows it."""
        result = subprocess.run(
            [*NEWSWATCH, "run", "--config", str(self.config), "--once", "--log-level", "WARNING"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        self.clock.now = max(self.clock.now, datetime.now(UTC))

    def run_process(self) -> dict[str, object]:
        """One pass in a fresh process, at the test's clock."""
        result = subprocess.run(
            [sys.executable, str(SOAK_PASS), str(self.config), self.clock().isoformat()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
        return report

    def bitten(self) -> set[str]:
        """The misbehaving paths whose fault hit this pass's fetch.

        A truncated 304 is still a whole 304: an unchanged page asked for conditionally has no
        body to cut, so that fault does not bite.
        """
        return {
            path
            for path, mode in self.faulty.items()
            if mode != "truncated" or any(r.status != 304 for r in self.room.requests_for(path))
        }

    def failing_paths(self) -> set[str]:
        with sqlite3.connect(self.db_path) as con:
            urls = [url for (url,) in con.execute("select url from articles where failures > 0")]
        return {urlsplit(url).path for url in urls}

    def url_of(self, item: Story) -> str:
        return canonicalize_url(self.room.base_url + item.path)


def test_a_thousand_articles_through_edits_restarts_and_faults(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    soak = Soak(quiet_room, tmp_path)
    soak.publish(range(ARTICLES - LATE))

    soak.misbehave(turn=0)
    soak.run_cli_once()  # pass 1: a real process on the real clock
    assert soak.failing_paths() == soak.bitten()

    soak.edit()
    soak.misbehave(turn=1)
    soak.clock.now += STEP
    soak.pipeline.run_pass()  # pass 2: in this process
    assert soak.failing_paths() == soak.bitten()

    soak.edit()
    soak.misbehave(turn=2)
    soak.room.misbehave("/feed.xml", "status", code=500)
    soak.publish(range(ARTICLES - LATE, ARTICLES))  # behind the broken feed, for now
    soak.clock.now += STEP
    report = soak.run_process()  # pass 3: a fresh process
    assert report["outcomes"].get("source_error") == 1  # type: ignore[attr-defined]
    assert soak.failing_paths() == soak.bitten()

    soak.edit()
    soak.misbehave(turn=3)  # the feed answers again: the late articles are found now
    soak.clock.now += STEP
    soak.pipeline.run_pass()  # pass 4
    assert soak.failing_paths() == soak.bitten()

    soak.room.behave()
    soak.clock.now += STEP
    soak.run_process()  # pass 5: every fault off, a fresh process
    assert soak.failing_paths() == set(), "every failure recovered"

    soak.clock.now += STEP
    quiet = soak.pipeline.run_pass()  # pass 6: nothing changed since
    assert set(quiet.outcomes) <= {"not_modified", "source_ok", "source_not_modified"}, (
        quiet.outcomes
    )

    check_the_store(soak)


def check_the_store(soak: Soak) -> None:
    assert len(soak.edited) >= 2 * EDITS_PER_ROUND
    with sqlite3.connect(soak.db_path) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = con.execute(
            "select url, status, version_count, failures, lease_owner from articles"
        ).fetchall()
        alerts = con.execute(
            "select a.kind, r.url from alerts a join articles r on r.id = a.article_id"
        ).fetchall()
        versions = con.execute("select count(*) from versions").fetchone()[0]
        source_leases = con.execute(
            "select count(*) from sources where lease_owner is not null"
        ).fetchone()[0]
    edited_urls = {soak.url_of(soak.stories[i]) for i in soak.edited}
    assert len(rows) == ARTICLES
    assert {(status, failures, owner) for _, status, _, failures, owner in rows} == {
        ("live", 0, None)
    }
    assert source_leases == 0
    wrong = {url: n for url, _, n, _, _ in rows if n != (2 if url in edited_urls else 1)}
    assert not wrong, f"versions per article off: {list(wrong.items())[:5]}"
    assert versions == ARTICLES + len(soak.edited)
    new = [url for kind, url in alerts if kind == "new"]
    edited = [url for kind, url in alerts if kind == "edited"]
    assert len(new) == len(set(new)) == ARTICLES
    assert sorted(edited) == sorted(edited_urls)
    assert len(alerts) == ARTICLES + len(soak.edited)
    keys = [a["id"] for a in soak.pipeline.alerts()]
    assert len(keys) == len(set(keys)) == len(alerts), "each alert delivered exactly once"
