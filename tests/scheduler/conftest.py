"""Fixtures for running the real pipeline against the newsroom on a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from newswatch.config import Settings
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from scheduler.worker import PassReport


class Clock:
    """A clock the test moves by hand, so rechecks fall due without waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Pipeline:
    """The daemon's parts on one SQLite file; each ``run_pass`` is a fresh start of them."""

    room: Newsroom
    settings: Settings
    clock: Clock
    alerts_file: Path

    def run_pass(self) -> PassReport:
        async def once() -> PassReport:
            async with open_runtime(self.settings, clock=self.clock) as runtime:
                report = await runtime.worker.run_until_idle()
                await runtime.deliverer.deliver(limit=1000)
                return report

        return asyncio.run(once())

    def alerts(self) -> list[dict[str, object]]:
        if not self.alerts_file.exists():
            return []
        return [json.loads(line) for line in self.alerts_file.read_text().splitlines()]

    def db(self) -> storage.Database:
        return storage.open_database(self.settings.database.url)

    def article(self, slug: str) -> storage.Article:
        with self.db() as db, db.session() as session:
            found = storage.find_article(session, self.url(slug))
            assert found is not None, f"{slug} is not stored"
            return found

    def versions(self, slug: str) -> list[storage.VersionSummary]:
        article = self.article(slug)
        with self.db() as db, db.session() as session:
            return storage.versions_of(session, article_id=article.id)

    def url(self, slug: str) -> str:
        from scraper.urls import canonicalize_url

        return canonicalize_url(self.room.url_of(slug))


def make_settings(room: Newsroom, tmp_path: Path, **overrides: object) -> Settings:
    data: dict[str, object] = {
        "database": {"url": f"sqlite:///{tmp_path / 'newswatch.db'}"},
        "sources": [{"url": f"{room.base_url}/feed.xml", "kind": "feed", "every": "5m"}],
        "topic": {"query": ""},
        "recheck": {"tiers": [{"younger_than": "3650d", "every": "15m"}]},
        "alerts": [{"url": f"jsonl://{tmp_path / 'alerts.jsonl'}"}],
        # Loopback: no politeness gap, and small backoffs so fault tests stay fast.
        "fetch": {
            "delay": "0s",
            "per_host": 8,
            "host_backoff": "50ms",
            "connect_timeout": "1s",
            "timeout": "2s",
            "total_timeout": "5s",
        },
    }
    data.update(overrides)
    # The address guard refuses loopback: the newsroom's port is allowed, nothing else.
    data["fetch"] = {"allow": [room.address], **data["fetch"]}  # type: ignore[dict-item]
    return Settings(**data)


@pytest.fixture
def quiet_room() -> Iterator[Newsroom]:
    """A started newsroom with nothing published yet."""
    room = Newsroom().start()
    try:
        yield room
    finally:
        room.stop()


@pytest.fixture
def pipeline(quiet_room: Newsroom, tmp_path: Path) -> Pipeline:
    return Pipeline(
        room=quiet_room,
        settings=make_settings(quiet_room, tmp_path),
        clock=Clock(),
        alerts_file=tmp_path / "alerts.jsonl",
    )
