"""The background database check of ``/healthz``: a database that stops answering shows."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import storage
from newswatch.api.probe import DatabaseProbe
from tests import pg


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.postgres
def test_a_database_that_stops_answering_turns_the_probe(postgres_admin_url: str) -> None:
    with pg.scratch_database(postgres_admin_url) as url:
        db = storage.open_database(url)
        clock = Clock()
        probe = DatabaseProbe(db, clock=clock)

        async def scenario() -> list[str]:
            seen = [await probe.state()]  # the first probe waits for the query
            admin = create_engine(
                postgres_admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as conn:
                name = make_url(url).database
                conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.dispose()
            clock.now += 2
            seen.append(await probe.state())  # the last answer; a refresh starts behind it
            refreshing = probe._refreshing
            assert refreshing is not None
            await refreshing
            seen.append(await probe.state())
            return seen

        try:
            seen = asyncio.run(scenario())
        finally:
            db.close()
    assert seen[:2] == ["ok", "ok"] and seen[2].startswith("error: "), seen


def test_a_quiet_spell_between_probes_is_not_a_failure(tmp_path: Path) -> None:
    # Monitors probe every 10 to 30 s (Docker every 30 s): the answer kept from the last probe
    # is older than that, and was reported as "no answer for 30s" with a 503.
    db = storage.open_database(f"sqlite:///{tmp_path / 'probe.db'}")
    clock = Clock()
    probe = DatabaseProbe(db, clock=clock)

    async def scenario() -> list[str]:
        seen = [await probe.state()]
        clock.now += 30
        seen.append(await probe.state())
        clock.now += 0.5
        seen.append(await probe.state())
        return seen

    try:
        seen = asyncio.run(scenario())
    finally:
        db.close()
    assert seen == ["ok", "ok", "ok"], seen


def test_a_database_that_never_answers_is_reported_without_hanging_the_probe() -> None:
    # A server that takes the connection and never says a word: the probe gives up waiting
    # after its bound, says so, and a later probe gets the failure once the connection fails.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        db = storage.open_database(
            f"postgresql+psycopg://newswatch@127.0.0.1:{port}/nothing", create_tables=False
        )
        probe = DatabaseProbe(db, stale_after=0.5)

        async def scenario() -> list[str]:
            seen = [await probe.state()]
            silent.close()  # the pending connection is refused: the ping ends with an error
            refreshing = probe._refreshing
            assert refreshing is not None
            await refreshing
            seen.append(await probe.state())
            return seen

        try:
            seen = asyncio.run(asyncio.wait_for(scenario(), timeout=30))
        finally:
            db.close()
    assert seen[0].startswith("error: no answer for "), seen
    assert seen[1].startswith("error: ") and "no answer" not in seen[1], seen
