"""Shared fixtures for the whole test suite."""

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from newswatch.newsroom import Newsroom
from tests import pg


def pytest_configure(config: pytest.Config) -> None:
    # The default database lives in the user's data folder: no test may touch the real one
    # (subprocesses inherit this too).
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="newswatch-test-data-")
    # Nor the user's cache folder, where the first extraction unpacks the language model
    # (58 MB, scraper/extract/language_model.py): the suite's copy goes when it ends.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="newswatch-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ["XDG_CACHE_HOME"], ignore_errors=True)


@contextlib.contextmanager
def logging_kept() -> Iterator[None]:
    """Put the root logger back as it was: a command run in-process (CliRunner) points it at
    its own output stream, which is closed once the command returns."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture
def keep_logging() -> Iterator[None]:
    with logging_kept():
        yield


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
