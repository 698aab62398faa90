"""How much a hostile newsroom can make the daemon store, with the caps of ``[limits]`` and
without them.

    python bench/growth.py [--hours 2] [--links 2000] [--fake-links 200] [--every 15m]

The newsroom serves a feed that names ``--links`` fresh URLs on its own host at every fetch, a
listing page that names ``--fake-links`` fresh URLs each on a made-up ``.invalid`` host of its
own, two articles whose text changes on every visit, and one with a 2 MB headline (the hostile
modes of ``newswatch/newsroom/hostile.py``); its sitemap lists its articles as usual.
``newswatch run --once`` passes run against it on a fresh SQLite file, a hand-held clock moving
``--every`` between them, for ``--hours`` of simulated time: once with the default caps, once
with caps so high they never bind (what newswatch stored before it had them). The table shows
what each run stored: rows and bytes, not time. Links on made-up hosts fail and are retried
with backoff, which takes real time: ``--fake-links 0`` for long runs.
A benchmark: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
from newswatch.config import Settings  # noqa: E402
from newswatch.durations import parse_duration  # noqa: E402
from newswatch.newsroom import Newsroom  # noqa: E402
from newswatch.runtime import open_runtime  # noqa: E402

CHURNING = (
    "envoys-arrive-istanbul-second-meeting",
    "istanbul-talks-delegations-swap-rival-peace-memorandums",
)
LONG_TITLE = "turkey-offers-to-host-leaders-meeting-after-istanbul-round"
NO_CAPS = {
    "new_links_per_check": 10**9,
    "new_links_per_source_per_day": 10**9,
    "new_links_per_host_per_day": 10**9,
    "title_chars": 10**8,
    "subtitle_chars": 10**8,
    "body_chars": 10**8,
    "versions_per_day": 10**9,
    "snapshot_bytes_per_day": 10**12,
    "churn_after": 10**9,
}


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def settings(room: Newsroom, db_file: Path, limits: dict[str, int]) -> Settings:
    return Settings(
        database={"url": f"sqlite:///{db_file}"},
        sources=[
            {"url": f"{room.base_url}/feed.xml", "kind": "feed", "every": "5m"},
            {
                "url": f"{room.base_url}/",
                "kind": "page",
                "every": "5m",
                "match": r"\.invalid/news/",
            },
            {"url": f"{room.base_url}/sitemap.xml", "kind": "sitemap", "every": "5m"},
        ],
        topic={"query": ""},
        recheck={"tiers": [{"younger_than": "3650d", "every": "15m"}]},
        alerts=[{"url": f"jsonl://{db_file.with_suffix('.jsonl')}"}],
        fetch={
            "delay": "0s",
            "per_host": 8,
            "concurrency": 16,
            "host_backoff": "50ms",
            "connect_timeout": "1s",
            "timeout": "5s",
            "total_timeout": "10s",
        },
        daemon={"batch": 64},
        limits=limits,
    )  # type: ignore[arg-type]


def hostile_room(links: int, fake_links: int) -> Newsroom:
    room = Newsroom.with_articles().start()
    room.misbehave("/feed.xml", "flood", links=links)
    # One link per made-up host: a host that failed is paused, and its next links would wait.
    room.misbehave("/", "flood", links=fake_links, hosts=fake_links)
    for slug in CHURNING:
        room.misbehave(slug, "churn")
    room.misbehave(LONG_TITLE, "long_title")
    return room


async def passes(config: Settings, clock: Clock, hours: float, every: timedelta) -> int:
    n = 0
    end = clock.now + timedelta(hours=hours)
    while clock.now < end:
        async with open_runtime(config, clock=clock) as runtime:
            await runtime.worker.run_until_idle()
            await runtime.deliverer.deliver(limit=100_000)
        clock.now += every
        n += 1
    return n


def stored(db_file: Path) -> dict[str, int]:
    with sqlite3.connect(db_file) as con:
        one = lambda sql: int(con.execute(sql).fetchone()[0] or 0)  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles"),
            "versions": one("SELECT count(*) FROM versions"),
            "churning": one("SELECT count(*) FROM articles WHERE churning_since IS NOT NULL"),
            "alerts": one("SELECT count(*) FROM alerts"),
            "snapshot kB": one("SELECT sum(length(data)) FROM snapshots") // 1024,
            "longest title": one("SELECT max(length(title)) FROM versions"),
            "file MB": db_file.stat().st_size // 2**20,
        }


def run(label: str, limits: dict[str, int], args: argparse.Namespace) -> dict[str, int]:
    room = hostile_room(args.links, args.fake_links)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db_file = Path(tmp) / "newswatch.db"
            n = asyncio.run(
                passes(
                    settings(room, db_file, limits), Clock(), args.hours, parse_duration(args.every)
                )
            )
            result = {"passes": n, **stored(db_file)}
    finally:
        room.stop()
    print(f"{label:<14}" + "  ".join(f"{k} {v:,}" for k, v in result.items()), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=2.0, help="simulated time")
    parser.add_argument(
        "--links", type=int, default=2000, help="fresh links on the newsroom's host per feed fetch"
    )
    parser.add_argument(
        "--fake-links", type=int, default=200, help="fresh links on made-up hosts per listing fetch"
    )
    parser.add_argument("--every", default="15m", help="simulated time between passes")
    args = parser.parse_args()
    run("default caps", {}, args)
    run("no caps", NO_CAPS, args)


if __name__ == "__main__":
    main()
