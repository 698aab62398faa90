"""``/healthz`` turns 503 when the daemon's writes fail, though reads still answer: a full
disk (SQLite's ``max_page_count``, set on every connection of the daemon) must not look
healthy while every new version is being lost."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from newswatch.api import create_app
from newswatch.api.daemonview import LocalDaemon
from newswatch.api.server import serve_in_thread
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from tests.api.populate import SEED, Clock, settings_for

TIMEOUT = 60.0


async def until_health(client: httpx.AsyncClient, status: int, what: str) -> dict[str, Any]:
    """Poll ``/healthz`` until it answers ``status``; its body."""
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        response = await client.get("/healthz")
        if response.status_code == status:
            body: dict[str, Any] = response.json()
            return body
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.05)


def fill_the_disk(engine: Any) -> None:
    """From now on the file cannot grow: every connection gets SQLite's page cap at the
    file's current size (pooled connections are dropped so the new ones get it)."""
    with engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()

    @event.listens_for(engine, "connect")
    def _cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    engine.dispose()


def test_healthz_fails_while_writes_fail(tmp_path: Path) -> None:
    room = Newsroom.with_articles().start()
    clock = Clock()
    settings = settings_for(room, tmp_path).model_copy(
        update={
            "daemon": settings_for(room, tmp_path).daemon.model_copy(
                update={"tick": timedelta(seconds=0.2)}
            )
        }
    )

    async def scenario() -> None:
        async with open_runtime(settings, clock=clock) as runtime:
            daemon = asyncio.create_task(runtime.daemon.run(handle_signals=False))
            app = create_app(runtime.db, settings, daemon=LocalDaemon(runtime))
            with serve_in_thread(app) as base:
                async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                    healthy = await until_health(client, 200, "the daemon ticks")
                    assert healthy["writes"] == "ok"
                    fill_the_disk(runtime.db.engine)
                    room.edit(SEED, "Madinsky", "Medinsky")  # a new version to record
                    clock.now += timedelta(minutes=16)  # every article is due again
                    sick = await until_health(client, 503, "a failed write shows")
                    runtime.daemon.stop()
                    await daemon
            assert sick["daemon"] == "ticking" and sick["database"] == "ok"
            assert sick["writes"].startswith("failing: database or disk is full"), sick

    try:
        asyncio.run(scenario())
    finally:
        room.stop()
