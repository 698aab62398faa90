"""A populated database and the app served over it by a real uvicorn on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import storage
from newswatch.api import create_app
from newswatch.api.server import serve_in_thread
from newswatch.config import load_settings
from tests.api.populate import Populated, populate


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    return populate(tmp_path_factory.mktemp("populated"))


@pytest.fixture(scope="module")
def api(populated: Populated) -> Iterator[httpx.Client]:
    """A client of the app served over the populated database (writing endpoints off)."""
    with (
        storage.open_database(populated.url) as db,
        serve_in_thread(create_app(db, load_settings(populated.config))) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield client


@pytest.fixture
def token_api(
    populated: Populated, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[httpx.Client]:
    """The same app with a write token configured through the environment."""
    monkeypatch.setenv("NEWSWATCH_API_TOKEN", "s3cret")
    settings = load_settings(populated.config)
    with (
        storage.open_database(populated.url) as db,
        serve_in_thread(create_app(db, settings)) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield client
