"""The README's example commands run against a database filled from the demo newsroom, with
the exit codes the README gives; docker-compose.yml has the shape the README describes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from newswatch.cli import app
from tests.api.populate import Populated, populate

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_examples() -> list[tuple[str, int]]:
    """``(command, expected exit code)`` for each line of the marked example block."""
    block = README.split("<!-- readme-examples:start -->", 1)[1].split(
        "<!-- readme-examples:end -->", 1)[0]
    found = []
    for line in block.splitlines():
        if not line.startswith("newswatch "):
            continue
        command, _, comment = line.partition("  #")
        code = re.search(r"exit (\d)", comment)
        found.append((command.strip(), int(code.group(1)) if code else 0))
    return found


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    return populate(tmp_path_factory.mktemp("readme"))


@pytest.mark.parametrize(("command", "code"), readme_examples())
def test_readme_example_runs_as_documented(command: str, code: int, filled: Populated,
                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    monkeypatch.chdir(tmp_path)  # exports land here
    args = [*shlex.split(command)[1:], "--config", str(filled.config)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == code, f"{command}: {result.output}"


def test_readme_has_examples_of_every_reading_command() -> None:
    used = {command.split()[1] for command, _ in readme_examples()}
    assert used >= {"articles", "show", "history", "diff", "edits", "search", "stories",
                    "alerts", "stats", "sources", "export"}


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
