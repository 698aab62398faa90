"""Shared fixtures for the whole test suite."""

from collections.abc import Iterator

import pytest

from newswatch.newsroom import Newsroom
from tests import pg


@pytest.fixture
def newsroom() -> Iterator[Newsroom]:
    """A started newsroom on loopback with every built-in story published."""
    room = Newsroom.with_articles().start()
    try:
        yield room
    finally:
        room.stop()


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The maintenance-database URL of a reachable server, or skip (fail under CI=true)."""
    return pg.admin_url_or_skip()
