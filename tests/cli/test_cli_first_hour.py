"""What a new user trips on (issue 17): commands that read never make a database, the default
database is the same wherever a command starts, the demo on a busy port, plain diffs."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import get_type_hints

import pytest
import typer
from prometheus_client import generate_latest
from typer.testing import CliRunner

import storage
from newswatch.cli import app
from newswatch.config import AlertConfig, Settings, load_settings
from newswatch.newsroom import Newsroom
from newswatch.redaction import channel_names
from newswatch.runtime import open_runtime
from scheduler.metrics import database_gauges
from tests.api.populate import Populated, populate

runner = CliRunner()
READERS = [
    ["articles"],
    ["show", "1"],
    ["history", "1"],
    ["diff", "1"],
    ["edits"],
    ["search", "talks"],
    ["stories"],
    ["alerts"],
    ["stats"],
    ["sources", "list"],
    ["export", "--format", "csv"],
    ["health"],
    ["db", "status"],
    ["serve"],
    ["recheck", "--all"],
]


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_reading_command_never_creates_a_database(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_logging: None
) -> None:
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "data"
    code, output = invoke(*command, env={"XDG_DATA_HOME": str(data)})
    assert code == 2, output
    flat = " ".join(output.split())
    assert f"no newswatch database at {data / 'newswatch' / 'newswatch.db'}" in flat, flat
    assert "newswatch run" in flat  # what to do about it
    assert not data.exists() and list(tmp_path.iterdir()) == [], "something was created"


def test_a_mistyped_url_makes_no_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "nw.db"
    code, output = invoke("stats", env={"NEWSWATCH_DATABASE_URL": f"sqlite:///{missing}"})
    assert code == 2 and "no newswatch database at" in output
    assert not (tmp_path / "no").exists()


def test_run_and_queries_agree_on_the_default_database_wherever_they_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    env = {"XDG_DATA_HOME": str(data), "NEWSWATCH_SOURCES": "[]"}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    # A process of its own: the daemon sets up logging, which must not outlive this test.
    ran = subprocess.run(
        [sys.executable, "-m", "newswatch", "run", "--once"],
        cwd=tmp_path / "a",
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert (data / "newswatch" / "newswatch.db").is_file()
    monkeypatch.chdir(tmp_path / "b")
    code, output = invoke("stats", env=env)
    assert code == 0, output
    assert not (tmp_path / "b" / "newswatch.db").exists()


def test_init_creates_the_database_it_names(tmp_path: Path) -> None:
    data = tmp_path / "data"
    code, output = invoke("init", str(tmp_path / "nw.toml"), env={"XDG_DATA_HOME": str(data)})
    assert code == 0, output
    assert (data / "newswatch" / "newswatch.db").is_file()
    code, output = invoke(
        "articles", "--config", str(tmp_path / "nw.toml"), env={"XDG_DATA_HOME": str(data)}
    )
    assert code == 1 and "nothing matched" in output


def test_demo_on_a_busy_port_says_which_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep_logging: None
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # where the demo's data folder goes
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, output = invoke("demo", "--port", str(port))
    flat = " ".join(output.split())
    assert code == 2, output
    assert "Traceback" not in output
    assert f"port {port}" in flat and "--port" in flat, flat
    assert list(temp.iterdir()) == [], "the demo left a folder behind"


def test_health_is_unhealthy_when_every_fetch_fails(newsroom: Newsroom, tmp_path: Path) -> None:
    settings = Settings(
        **{
            "database": {"url": f"sqlite:///{tmp_path / 'nw.db'}"},
            "sources": [
                {"url": f"{newsroom.base_url}/feed.xml", "kind": "feed"},
                {"url": f"{newsroom.base_url}/sitemap.xml", "kind": "sitemap"},
            ],
            "alerts": [{"url": f"jsonl://{tmp_path / 'alerts.jsonl'}"}],
            "fetch": {"delay": "0s", "allow": [newsroom.address], "host_backoff": "0s"},
        }
    )
    env = {
        "NEWSWATCH_DATABASE_URL": settings.database.url,
        "NEWSWATCH_HEALTH_MIN_FETCHES": "2",
        "NEWSWATCH_HEALTH_MIN_SUCCESS": "0.5",
    }

    async def one_pass() -> None:
        async with open_runtime(settings) as runtime:
            await runtime.worker.run_until_idle()

    for path in ("/feed.xml", "/sitemap.xml"):
        newsroom.misbehave(path, "status", code=503)
    asyncio.run(one_pass())
    code, output = invoke("health", env=env)
    flat = " ".join(output.split())
    assert code == 1, flat
    # robots.txt answered; the feed and the sitemap did not.
    assert "unhealthy: only 33% of 3 fetches in the last 1h succeeded" in flat, flat
    assert "HTTP 503 2" in flat  # what failed
    newsroom.behave()
    assert invoke("recheck", "--all", env=env)[0] == 0  # the failed sources wait otherwise
    asyncio.run(one_pass())
    code, output = invoke("health", env=env)
    assert code == 0 and "healthy: last fetch" in output and "succeeded" in output, output


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    return populate(tmp_path_factory.mktemp("filled"))


def test_a_channel_is_shown_by_name_with_its_backlog(filled: Populated) -> None:
    """The populated database's alerts went to its jsonl channel; a second channel, named in
    the configuration, has tried none of them: its backlog shows everywhere."""
    jsonl = f"jsonl://{Path(filled.config).parent / 'alerts.jsonl'}"
    channels = [{"url": jsonl}, {"url": "json://127.0.0.1:9/hook?token=abc", "name": "desk"}]
    env = {
        "NEWSWATCH_DATABASE_URL": filled.url,
        "NEWSWATCH_ALERTS": json.dumps(channels),
        "COLUMNS": "250",
    }
    code, output = invoke("alerts", "--json", "--limit", "500", env=env)
    assert code == 0, output
    rows = json.loads(output)
    assert rows and all(r["state"] == "pending" for r in rows)
    states = [{d["channel"]: d["status"] for d in r["deliveries"]} for r in rows]
    assert all(set(s) == {jsonl, "desk"} and s["desk"] == "pending" for s in states)
    # The alerts the pipeline made were sent on the jsonl channel; the ones populate stored
    # by hand were never delivered anywhere.
    sent_on_jsonl = sum(s[jsonl] == "sent" for s in states)
    assert 0 < sent_on_jsonl < len(rows)
    assert invoke("alerts", "sent", env=env)[0] == 1  # nothing is settled everywhere
    code, output = invoke("alerts", "pending", "--limit", "1", env=env)
    flat = " ".join(output.split())
    assert code == 0 and "desk: pending" in flat and "ch-" not in flat, flat
    assert f"desk: {len(rows)} pending, the oldest" in flat, flat
    code, output = invoke("stats", "--json", env=env)
    backlog = {c["channel"]: c["pending"] for c in json.loads(output)["channels"]}
    assert backlog == {jsonl: len(rows) - sent_on_jsonl, "desk": len(rows)}
    with storage.open_database(filled.url) as db:
        names = channel_names(
            load_settings(None).model_copy(
                update={"alerts": tuple(AlertConfig(**c) for c in channels)}
            )
        )
        metrics = generate_latest(
            database_gauges(db, channels=names, clock=lambda: datetime.now(UTC))
        ).decode()
    assert f'newswatch_alerts_pending{{channel="desk"}} {float(len(rows))}' in metrics
    assert 'newswatch_alerts_oldest_pending_seconds{channel="desk"}' in metrics
    assert "token=abc" not in metrics and "ch-" not in metrics


def test_help_keeps_the_section_names(keep_logging: None) -> None:
    code, output = invoke("serve", "--help", env={"COLUMNS": "200"})
    assert code == 0 and "[api] port" in output and "[api] host" in output, output
    code, output = invoke("recheck", "--help", env={"COLUMNS": "200"})
    assert "[daemon] tick" in output, output


def test_the_command_list_shows_each_summary_unwrapped(keep_logging: None) -> None:
    # Docstrings are wrapped at the source's width; typer's list of commands kept those line
    # breaks, so a summary broke off mid-sentence in `newswatch --help`.
    code, output = invoke("--help", env={"COLUMNS": "200"})
    lines = {line.split()[1]: line for line in output.splitlines() if len(line.split()) > 2}
    assert code == 0
    assert "and create the database it names" in lines["init"], output
    assert 'versions, status ("churning" added' in lines["articles"], output
    code, output = invoke("sources", "--help", env={"COLUMNS": "200"})
    lines = {line.split()[1]: line for line in output.splitlines() if len(line.split()) > 2}
    assert "With --config it is also written" in lines["add"], output


def _commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[list[str], str]]:
    """Every command's words and the help texts written for it (docstring and options)."""
    found = []
    for command in group.registered_commands:
        texts = [command.callback.__doc__ or ""] if command.callback else []
        for hint in get_type_hints(command.callback, include_extras=True).values():
            texts += [m.help for m in getattr(hint, "__metadata__", ()) if getattr(m, "help", "")]
        name = command.name or (command.callback.__name__ if command.callback else "")
        found.append(([*prefix, name.replace("_", "-")], "\n".join(texts)))
    for sub in group.registered_groups:
        if sub.typer_instance is not None and sub.name:
            found += _commands(sub.typer_instance, (*prefix, sub.name))
    return found


def test_no_bracketed_name_vanishes_from_a_commands_help(keep_logging: None) -> None:
    # Rich reads [render] or newswatch[browser] in help as markup and drops it, unless escaped:
    # `check --help` told users to install "newswatch" for the browser.
    checked = 0
    for words, texts in _commands(app):
        names = set(re.findall(r"\[[a-z_.]+\]", texts.replace("\\", "")))
        if not names:
            continue
        code, output = invoke(*words, "--help", env={"COLUMNS": "250"})
        flat = " ".join(output.replace("│", " ").split())
        assert code == 0, (words, output)
        for name in names:
            assert name in flat, (words, name, flat)
        checked += 1
    assert checked >= 3  # check, serve and recheck name config sections at least


def test_small_things_a_new_user_meets(filled: Populated) -> None:
    env = {"NEWSWATCH_DATABASE_URL": filled.url, "COLUMNS": "80"}
    code, output = invoke("sources", "list", env=env)
    assert code == 0 and "…" not in output  # URLs folded, never cut
    assert "feed.xml" in output.replace("\n", "").replace(" ", "")
    code, output = invoke("show", filled.seed_url, "--json", env=env)
    shown = json.loads(output)
    assert shown["title"].startswith("Russia and Ukraine") and shown["published"]
    code, output = invoke("show", filled.seed_url, env=env)
    assert " UTC" in output  # times say their zone
    one = json.loads(invoke("articles", "--json", "--limit", "500", env=env)[1])
    single = next(a for a in one if a["version_count"] == 1)
    code, output = invoke("diff", str(single["id"]), env=env)
    flat = " ".join(output.split())
    assert code == 1 and "has one version: nothing to compare" in flat, flat
    assert "0 → 1" not in flat
    # --version and --at each name the version to show: --at won without a word.
    code, output = invoke("show", filled.seed_url, "--version", "1", "--at", "24h", env=env)
    assert code == 2 and "give --version or --at, not both" in output, output
