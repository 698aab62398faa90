"""The background database check of ``/healthz``: a database that stops answering shows."""

from __future__ import annotations

import asyncio

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
