"""Changing ``[recheck] tiers`` reaches the articles already queued, at the next start;
``newswatch recheck`` makes articles due at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

import storage
from newswatch.cli import app
from newswatch.config import Settings
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime, recheck_policy
from scheduler.reschedule import reschedule_for_tiers
from tests.api.populate import Clock


def _settings(room: Newsroom, folder: Path, every: str) -> Settings:
    return Settings(
        **{
            "database": {"url": f"sqlite:///{folder / 'nw.db'}"},
            "sources": [{"url": f"{room.base_url}/feed.xml", "kind": "feed", "every": "5m"}],
            "recheck": {"tiers": [{"younger_than": "3650d", "every": every}]},
            "alerts": [{"url": f"jsonl://{folder / 'alerts.jsonl'}"}],
            "fetch": {"delay": "0s", "allow": [room.address]},
        }
    )


def _queued(url: str) -> dict[str, tuple[datetime | None, datetime | None]]:
    with storage.open_database(url) as db, db.session() as session:
        return {
            a.url: (a.last_checked_at, a.next_check_at)
            for a in session.exec(select(storage.Article)).all()
        }


def test_faster_tiers_move_queued_checks_sooner_at_start(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    clock = Clock()
    slow = _settings(newsroom, tmp_path, "6h")

    asyncio.run(_one_pass(slow, clock))
    before = _queued(slow.database.url)
    assert before and all(
        due - checked >= slow.recheck.tiers[0].every
        for checked, due in before.values()
        if due is not None
    )

    fast = _settings(newsroom, tmp_path, "10m")
    asyncio.run(_start_only(fast, clock))
    after = _queued(fast.database.url)
    moved = [
        url
        for url, (checked, due) in after.items()
        if due is not None and due - checked == fast.recheck.tiers[0].every
    ]
    assert len(moved) == len([d for _, d in before.values() if d is not None]) > 0

    asyncio.run(_start_only(slow, clock))  # slower again: nothing is put off
    assert _queued(slow.database.url) == after


def test_a_history_is_rescheduled_a_batch_at_a_time(newsroom: Newsroom, tmp_path: Path) -> None:
    clock = Clock()
    slow = _settings(newsroom, tmp_path, "6h")
    asyncio.run(_one_pass(slow, clock))
    queued = [d for _, d in _queued(slow.database.url).values() if d is not None]
    assert len(queued) > 3
    fast = recheck_policy(_settings(newsroom, tmp_path, "10m"))
    with storage.open_database(slow.database.url) as db:
        # Batches of 2: every batch, the last one short or empty, is read and moved.
        assert reschedule_for_tiers(db, fast, batch=2) == len(queued)
        assert reschedule_for_tiers(db, fast, batch=2) == 0  # moved already: nothing sooner
    after = _queued(slow.database.url)
    assert all(due - checked == timedelta(minutes=10) for checked, due in after.values() if due)


async def _start_only(settings: Settings, clock: Clock) -> None:
    async with open_runtime(settings, clock=clock):
        pass


async def _one_pass(settings: Settings, clock: Clock) -> None:
    async with open_runtime(settings, clock=clock) as runtime:
        await runtime.worker.run_until_idle()


def test_recheck_command_makes_an_outlet_due(newsroom: Newsroom, tmp_path: Path) -> None:
    clock = Clock()
    settings = _settings(newsroom, tmp_path, "6h")
    asyncio.run(_one_pass(settings, clock))
    env = {"NEWSWATCH_DATABASE_URL": settings.database.url}
    runner = CliRunner()
    result = runner.invoke(app, ["recheck", "--outlet", "elsewhere.example"], env=env)
    assert result.exit_code == 1 and "no article" in result.output
    result = runner.invoke(app, ["recheck", "--outlet", "127.0.0.1"], env=env)
    assert result.exit_code == 0, result.output
    count = len(_queued(settings.database.url))
    assert f"{count} article(s) due now" in result.output
    now = datetime.now(UTC)
    assert all(due is not None and due <= now for _, due in _queued(settings.database.url).values())
    result = runner.invoke(app, ["recheck"], env=env)
    assert result.exit_code == 2 and "--outlet" in result.output
