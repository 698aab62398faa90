"""The README's example commands run against the database `newswatch demo --once` makes, with
the exit codes and the words the README gives; docker-compose.yml has the shape the README
describes."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

import storage
from newswatch.cli import app
from storage.utc import as_utc
from tests.conftest import logging_kept

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Example:
    """One line of the README's example block: the command, its exit code, words it prints."""

    command: str
    code: int
    says: tuple[str, ...]


def readme_examples() -> list[Example]:
    """Each line of the marked example block."""
    block = README.split("<!-- readme-examples:start -->", 1)[1].split(
        "<!-- readme-examples:end -->", 1
    )[0]
    found = []
    for line in block.splitlines():
        if not line.startswith("newswatch "):
            continue
        command, _, comment = line.partition("  #")
        code = re.search(r"exit (\d)", comment)
        found.append(
            Example(
                command.strip(),
                int(code.group(1)) if code else 0,
                tuple(re.findall(r'"([^"]+)"', comment)),
            )
        )
    return found


def readme_demo_setup() -> tuple[list[str], str]:
    """The README's two lines that make the examples' database: the demo command, and the
    database URL it exports."""
    block = README.split("play the demo's whole script at once", 1)[1].split("```sh\n", 1)[1]
    demo, export = block.split("```", 1)[0].strip().splitlines()
    return shlex.split(demo)[1:], export.removeprefix("export NEWSWATCH_DATABASE_URL=")


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database the README's demo command makes (on a free port: 8765 may be busy)."""
    folder = tmp_path_factory.mktemp("readme")
    args, url = readme_demo_setup()
    assert "--once" in args and url.startswith("sqlite:///"), (args, url)
    here = os.getcwd()
    os.chdir(folder)  # the README's paths are relative to where the reader types them
    try:
        with logging_kept():
            result = CliRunner().invoke(app, [*args, "--port", "0"])
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return "sqlite:///" + str(folder / url.removeprefix("sqlite:///"))


@pytest.mark.parametrize("example", readme_examples(), ids=lambda e: e.command)
def test_readme_example_runs_as_documented(
    example: Example, demo_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # exports land here
    result = CliRunner().invoke(
        app,
        shlex.split(example.command)[1:],
        env={"NEWSWATCH_DATABASE_URL": demo_database, "COLUMNS": "200"},
    )
    assert result.exit_code == example.code, f"{example.command}: {result.output}"
    for words in example.says:
        assert words in result.output, (
            f"{example.command} does not show {words!r}:\n{result.output}"
        )


def test_readme_says_how_to_run_the_installed_command() -> None:
    setup = README.split("## Set up on a fresh machine", 1)[1].split("## Try it offline", 1)[0]
    assert ".venv/bin/newswatch" in setup and ". .venv/bin/activate" in setup


def test_readme_has_examples_of_every_reading_command() -> None:
    used = {example.command.split()[1] for example in readme_examples()}
    assert used >= {
        "articles",
        "show",
        "history",
        "diff",
        "edits",
        "search",
        "stories",
        "alerts",
        "stats",
        "sources",
        "export",
    }


def test_docker_compose_runs_newswatch_on_postgres() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"db", "daemon", "web"} <= set(services)
    assert services["db"]["image"].startswith("postgres")
    assert "healthcheck" in services["db"]
    volume = services["db"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    for name in ("daemon", "web"):
        service = services[name]
        url = service["environment"]["NEWSWATCH_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url, url
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["command"][0] == "newswatch"
    assert services["daemon"]["command"] == ["newswatch", "run"]
    assert services["web"]["command"][:2] == ["newswatch", "serve"]
    assert any(str(p).endswith(":8080") for p in services["web"]["ports"])


def test_the_demos_history_ends_now_not_in_the_future(demo_database: str) -> None:
    # The replay's clock started at the real now and moved an hour on: its history was stamped
    # up to an hour ahead, and `health` read a future last fetch as "0s ago".
    now = datetime.now(UTC)
    with storage.open_database(demo_database, create=False) as db, db.session() as session:
        newest_fetch = session.exec(select(func.max(storage.FetchLog.at))).one()
        newest_seen = session.exec(select(func.max(storage.Article.first_seen_at))).one()
        oldest_seen = session.exec(select(func.min(storage.Article.first_seen_at))).one()
    assert newest_fetch is not None and newest_seen is not None and oldest_seen is not None
    assert as_utc(newest_fetch) <= now and as_utc(newest_seen) <= now
    assert now - as_utc(oldest_seen) < timedelta(hours=3)  # recent, as a demo's should be
