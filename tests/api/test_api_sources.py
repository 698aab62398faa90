"""A source added over the API outlives the daemon's next start, which syncs the config."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

import storage
from newswatch.api import create_app
from newswatch.api.server import serve_in_thread
from newswatch.config import Settings, load_settings
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from tests.newsroom_config import write_newsroom_config

AUTH = {"Authorization": "Bearer s3cret"}


def start_daemon(settings: Settings) -> None:
    """What a daemon does when it starts (the config's sources are synced), without a pass."""

    async def start() -> None:
        async with open_runtime(settings):
            pass

    asyncio.run(start())


def test_a_source_added_over_the_api_survives_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWATCH_API_TOKEN", "s3cret")
    room = Newsroom().start()
    try:
        settings = load_settings(write_newsroom_config(room, tmp_path))
        start_daemon(settings)
        feed, added = f"{room.base_url}/feed.xml", f"{room.base_url}/sitemap.xml"
        with (
            storage.open_database(settings.database.url) as db,
            serve_in_thread(create_app(db, settings)) as base,
            httpx.Client(base_url=base, timeout=30) as api,
        ):
            created = api.post("/api/sources", json={"url": added, "kind": "sitemap"}, headers=AUTH)
            assert created.status_code == 201, created.text
            assert created.json()["origin"] == "manual"
            start_daemon(settings)  # the configuration file still lists only the feed
            listed = {
                s["url"]: (s["origin"], s["enabled"])
                for s in api.get("/api/sources").json()["items"]
            }
    finally:
        room.stop()
    assert listed == {feed: ("config", True), added: ("manual", True)}
