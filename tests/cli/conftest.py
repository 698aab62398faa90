"""Fixtures of the command tests: a newsroom with the two articles the import tests use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newswatch.newsroom import Newsroom

SLUGS = (
    "istanbul-talks-delegations-swap-rival-peace-memorandums",
    "vtoroy-raund-peregovorov-v-stambule",
)


@pytest.fixture
def room() -> Iterator[Newsroom]:
    """The newsroom with the articles of :data:`SLUGS` published."""
    newsroom = Newsroom().start()
    for slug in SLUGS:
        newsroom.publish(slug)
    try:
        yield newsroom
    finally:
        newsroom.stop()
