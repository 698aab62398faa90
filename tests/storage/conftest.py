"""Storage fixtures: a real database per test, on SQLite (always) and PostgreSQL (when it answers).

PostgreSQL tests create a throwaway database ``nw_test_<hex>`` per test module on the server
named by ``NEWSWATCH_TEST_POSTGRES_URL`` (default: the local trust-auth server that ``.ci/run``
starts), empty its tables before each test, and drop it after the module. Without a server
they are skipped with the reason, except under ``CI=true``, where a missing server is a
failure: CI must never pass by skipping.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

import storage
from storage.database import TABLES
from tests import pg

BODY = (
    "Delegations from Russia and Ukraine met in Istanbul on Friday.\n"
    "The Russian side was led by Vladimir Madinsky, an aide to the president.\n"
    "Turkey's foreign minister opened the talks at the Dolmabahçe palace."
)


@pytest.fixture(scope="module")
def postgres_database_url(postgres_admin_url: str) -> Iterator[str]:
    """A throwaway database with the newswatch tables, shared by one test module.

    CREATE DATABASE costs ~0.3 s (a checkpoint), so each test empties the tables instead.
    The server (``postgres_admin_url``) and the skip rules are in ``tests/pg.py``.
    """
    with pg.scratch_database(postgres_admin_url) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[storage.Database]:
    """A fresh, empty newswatch database on each engine."""
    if request.param == "sqlite":
        database = storage.open_database(f"sqlite:///{tmp_path}/data/newswatch.db")
    else:
        url = request.getfixturevalue("postgres_database_url")
        database = storage.open_database(url, create_tables=False)
        tables = ", ".join(table.name for table in TABLES)
        with database.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def now() -> datetime:
    return datetime(2025, 5, 16, 10, 0, tzinfo=UTC)


@pytest.fixture
def base_fields() -> storage.ArticleFields:
    """A realistic first version of an article."""
    return storage.ArticleFields(
        title="Russia and Ukraine hold first direct talks in three years",
        subtitle="The meeting in Istanbul lasted under two hours",
        body=BODY,
        authors=("Anna Petrova", "John Smith"),
        published=datetime(2025, 5, 16, 9, 30, 12, tzinfo=UTC),
        language="en",
        canonical_url="https://example.com/news/istanbul-talks",
        site_name="Example News",
    )


@pytest.fixture
def make_article(db: storage.Database, now: datetime) -> Callable[..., int]:
    """Add a pending article (as discovery would) and return its id."""

    def make(url: str = "https://www.example.com/news/istanbul-talks", **hints: object) -> int:
        with db.transaction() as s:
            (article_id,) = storage.add_candidates(
                s, source_id=None, candidates=[storage.Candidate(url, **hints)], now=now
            )
        return article_id

    return make
