"""Shared fixtures for the whole test suite."""

from collections.abc import Iterator

import pytest

from newswatch.newsroom import Newsroom


@pytest.fixture
def newsroom() -> Iterator[Newsroom]:
    """A started newsroom on loopback with every built-in story published."""
    room = Newsroom.with_articles().start()
    try:
        yield room
    finally:
        room.stop()
