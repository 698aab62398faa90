"""A real PostgreSQL for tests: find the server, make a throwaway database, drop it after.

The server is the one ``NEWSWATCH_TEST_POSTGRES_URL`` names (default: the local trust-auth
server that ``.ci/run`` starts). Without one, tests are skipped with the reason, except under
``CI=true``, where a missing server is a failure: CI must never pass by skipping. Tests never
create tables in the maintenance database: each gets its own ``nw_test_<hex>``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import storage

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def admin_url_or_skip() -> str:
    """The maintenance-database URL of a reachable server, or skip (fail under CI=true)."""
    raw = os.environ.get("NEWSWATCH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    url = make_url(raw).set(drivername="postgresql+psycopg")
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # any failure to answer means "no server" here
        reason = f"PostgreSQL not reachable at {url.host}:{url.port or 5432}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url.render_as_string(hide_password=False)


@contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A new database ``nw_test_<hex>`` with the newswatch tables; dropped on exit."""
    name = f"nw_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        storage.open_database(url).close()
        yield url
    finally:
        with admin.connect() as conn:
            # FORCE: a test that failed midway (or a killed daemon) may have left a connection.
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
