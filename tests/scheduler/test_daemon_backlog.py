"""The running daemon works off a backlog pass after pass, not one batch per tick.

A tick claims ``batch`` sources and ``batch`` articles. When a claim comes back full there is
probably more due right now, so the tick claims again at once; it waits for the next tick only
when a pass comes back short. Here the tick is an hour long and the batch is 4: every one of the
20 articles is fetched before a second tick could ever fire.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import storage
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from scheduler.worker import PassReport

from .conftest import make_settings
from .generated import stories

ARTICLES = 20
BATCH = 4


def test_a_backlog_is_worked_off_within_one_tick(quiet_room: Newsroom, tmp_path: Path) -> None:
    room = quiet_room
    for item in stories(ARTICLES, prefix="backlog"):
        room.publish(item)
    settings = make_settings(room, tmp_path, daemon={"tick": "1h", "batch": BATCH,
                                                     "serve": False})

    async def run() -> list[PassReport]:
        async with open_runtime(settings) as runtime:
            daemon = runtime.daemon
            task = asyncio.create_task(daemon.run(handle_signals=False))
            try:
                for _ in range(600):  # a minute at most
                    if daemon.passes and not daemon.passes[-1].more_due:
                        break
                    await asyncio.sleep(0.1)
            finally:
                daemon.stop()
                await task
            return daemon.passes

    passes = asyncio.run(run())
    with storage.open_database(settings.database.url) as db, db.session() as session:
        stored = storage.list_articles(session, limit=100)
    assert len([a for a in stored if a.version_count == 1]) == ARTICLES
    worked = sum(p.articles for p in passes)
    assert worked == ARTICLES, [(p.articles, p.more_due) for p in passes]
    # Full claims asked for another pass at once; the short one ended the tick.
    assert len(passes) >= ARTICLES // BATCH
    assert all(p.more_due for p in passes[:-1]) and not passes[-1].more_due
