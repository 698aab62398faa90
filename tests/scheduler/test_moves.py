"""An article found at a new address: the move and the page it was seen on are one write."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection, event

import storage
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from scheduler.outcomes import ArticleOutcome

from .conftest import Clock, Pipeline, make_settings

SEED = "envoys-arrive-istanbul-second-meeting"
SECOND = "istanbul-talks-delegations-swap-rival-peace-memorandums"


def test_a_moved_article_is_moved_and_recorded_in_one_transaction(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    tiers = [{"younger_than": "3650d", "every": "15m"}]
    pipeline = Pipeline(
        room=quiet_room,
        # Recorded at once rather than held for a second look: the new page is another text.
        settings=make_settings(
            quiet_room, tmp_path, recheck={"tiers": tiers, "confirm_after": "0s"}
        ),
        clock=Clock(),
        alerts_file=tmp_path / "alerts.jsonl",
    )
    quiet_room.publish(SEED)
    pipeline.run_pass()
    moved_from = pipeline.article(SEED)
    # The page now redirects to an address no stored article has: the article moves there.
    quiet_room.publish(SECOND)
    quiet_room.misbehave(SEED, "redirect", to=quiet_room.path_of(SECOND))
    pipeline.clock.advance(minutes=16)

    async def check_once() -> tuple[ArticleOutcome, int]:
        async with open_runtime(pipeline.settings, clock=pipeline.clock) as runtime:
            with runtime.db.transaction() as session:
                [due] = storage.claim_due_articles(
                    session,
                    owner="test",
                    now=pipeline.clock(),
                    limit=10,
                    lease=timedelta(minutes=5),
                )
            commits: list[Connection] = []

            def count(connection: Connection) -> None:
                commits.append(connection)

            event.listen(runtime.db.engine, "commit", count)
            try:
                outcome = await runtime.worker.check_article(due)
            finally:
                event.remove(runtime.db.engine, "commit", count)
            return outcome, len(commits)

    outcome, commits = asyncio.run(check_once())
    assert outcome.label == "edited"
    assert commits == 1, "the move and the version it was seen with commit together"
    moved = pipeline.article(SECOND)
    assert (moved.id, moved.version_count) == (moved_from.id, 2)
    with pipeline.db() as db, db.session() as session:
        assert storage.aliases_of(session, moved_from.id or 0) == [pipeline.url(SEED)]
