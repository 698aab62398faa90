"""The web page served by a real uvicorn over a database the pipeline filled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import storage
from newswatch.api import create_app
from newswatch.api.server import serve_in_thread
from newswatch.config import load_settings
from tests.api.populate import Populated, populate


@pytest.fixture(scope="package")
def populated(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    return populate(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="package")
def site(populated: Populated) -> Iterator[str]:
    """The base URL of the served app."""
    with (
        storage.open_database(populated.url) as db,
        serve_in_thread(create_app(db, load_settings(populated.config))) as base,
    ):
        yield base
