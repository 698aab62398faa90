"""The ``newswatch`` command, as a user types it."""

from __future__ import annotations

import json
import os
import pty
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from newswatch.cli import app
from newswatch.newsroom import Newsroom
from tests.newsroom_config import write_newsroom_config

SEED = "envoys-arrive-istanbul-second-meeting"
runner = CliRunner()
NEWSWATCH = [sys.executable, "-m", "newswatch"]


def write_config(
    room: Newsroom, tmp_path: Path, *, tick: str = "5s", every: str = "15m", api_port: int = 0
) -> Path:
    return write_newsroom_config(
        room,
        tmp_path,
        source_every="1s",
        recheck_every=every,
        extra=f"""
[daemon]
tick = "{tick}"
shutdown_grace = "5s"

[fetch]
delay = "0s"   # the newsroom is on loopback: no politeness gap needed

[api]
port = {api_port}
""",
    )


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def run_once(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NEWSWATCH, "run", "--config", str(config), "--once"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def watched(tmp_path: Path) -> Iterator[tuple[Newsroom, Path]]:
    """A newsroom with the seed story published, already seen once by `run --once`."""
    room = Newsroom().start()
    room.publish(SEED)
    config = write_config(room, tmp_path, every="0s")
    result = run_once(config)
    assert result.returncode == 0, result.stderr
    try:
        yield room, config
    finally:
        room.stop()


def test_run_once_then_articles_history_and_diff(watched: tuple[Newsroom, Path]) -> None:
    room, config = watched
    url = room.url_of(SEED)
    room.edit(SEED, "Madinsky", "Medinsky")
    assert run_once(config).returncode == 0

    code, output = invoke("articles", "--config", str(config), "--json")
    assert code == 0
    [article] = json.loads(output)
    assert set(article) >= {"url", "outlet", "title", "first_seen_at", "version_count"}
    assert article["version_count"] == 2

    code, output = invoke("history", url, "--config", str(config), "--json")
    assert code == 0
    history = json.loads(output)
    assert [v["number"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["changed_fields"] == ["body"]

    code, output = invoke("diff", url, "--config", str(config), "--json")
    assert code == 0
    diff = json.loads(output)
    changed = [
        (op["op"], op["text"].strip()) for op in diff["fields"]["body"] if op["op"] != "equal"
    ]
    assert changed == [("delete", "Madinsky"), ("insert", "Medinsky")]

    code, output = invoke("diff", url, "--config", str(config))
    assert code == 0 and "Madinsky" in output and "Medinsky" in output
    code, output = invoke("history", url, "--config", str(config))
    assert code == 0 and "body" in output


def test_diff_is_coloured_in_a_terminal(watched: tuple[Newsroom, Path]) -> None:
    room, config = watched
    room.edit(SEED, "Madinsky", "Medinsky")
    assert run_once(config).returncode == 0
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "120"}
    result = subprocess.run(
        [*NEWSWATCH, "diff", room.url_of(SEED), "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "\x1b[" in result.stdout  # ANSI styles: red strike-through out, green in
    assert "Madinsky" in result.stdout and "Medinsky" in result.stdout


def test_diff_is_marked_in_text_under_no_color_on_a_terminal(
    watched: tuple[Newsroom, Path],
) -> None:
    # NO_COLOR on a terminal kept bold strike-through and underline without their colours,
    # and no [-old-]{+new+} markers: a deletion looked like an insertion.
    room, config = watched
    room.edit(SEED, "Madinsky", "Medinsky")
    assert run_once(config).returncode == 0
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "TERM": "xterm"}
    env.pop("FORCE_COLOR", None)
    main, other = pty.openpty()  # a real terminal for stdout: rich styles what it sees there
    try:
        process = subprocess.Popen(
            [*NEWSWATCH, "diff", room.url_of(SEED), "--config", str(config)],
            stdout=other,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        os.close(other)
        output = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(timeout=60) == 0
    finally:
        os.close(main)
    text = output.decode()
    assert "[-Madinsky-]" in text and "{+Medinsky+}" in text, text
    assert "\x1b[9m" not in text and "\x1b[1;9m" not in text, text


def test_a_reader_that_stops_early_ends_export_quietly(watched: tuple[Newsroom, Path]) -> None:
    # `export | head` printed "cannot use a file Broken pipe" and exited 2.
    _, config = watched
    process = subprocess.Popen(
        [*NEWSWATCH, "export", "--format", "jsonl", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # gone before the first line is written
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1, stderr
    assert "cannot use a file" not in stderr and "Traceback" not in stderr, stderr


def test_piped_output_keeps_urls_whole(watched: tuple[Newsroom, Path]) -> None:
    # Rich wraps at 80 columns when it does not write to a terminal: a URL was broken in two
    # (`history URL | grep URL` found nothing) and `show` cut it short with an ellipsis.
    room, config = watched
    url = room.url_of(SEED)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR")}
    assert len(url) + len("  version 1") > 80

    def piped(*args: str) -> str:
        result = subprocess.run(
            [*NEWSWATCH, *args, "--config", str(config)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert any(url in line for line in piped("history", url).splitlines())
    shown = piped("show", url)
    assert "…" not in shown and "second-meeting.html" in shown, shown


def test_exit_codes_mean_something(watched: tuple[Newsroom, Path], tmp_path: Path) -> None:
    room, config = watched
    code, output = invoke("history", room.base_url + "/never/seen.html", "--config", str(config))
    assert code == 1 and "no stored article" in output
    code, _ = invoke("diff", room.url_of(SEED), "--config", str(config), "--from", "5")
    assert code == 1
    bad = tmp_path / "bad.toml"
    bad.write_text('[database]\nurll = "x"\n')
    code, output = invoke("articles", "--config", str(bad))
    assert code == 2 and "database.urll" in output and "unknown key" in output


# Not a speed claim: only how long a test waits for an event before calling the process stuck.
HANG_GUARD = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_daemon_stops_cleanly_on_sigterm_and_serves_health_and_metrics(tmp_path: Path) -> None:
    room = Newsroom().start()
    try:
        room.publish(SEED)
        port = free_port()
        config = write_config(room, tmp_path, tick="200ms", api_port=port)
        alerts = tmp_path / "alerts.jsonl"
        daemon = subprocess.Popen(
            [*NEWSWATCH, "run", "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            hang_guard = time.monotonic() + HANG_GUARD
            while not (alerts.exists() and alerts.read_text().strip()):
                assert daemon.poll() is None, daemon.communicate()[1]
                assert time.monotonic() < hang_guard, "the daemon never alerted: is it stuck?"
                time.sleep(0.1)
            # The port is bound before the server's child process has started (seconds on a
            # loaded machine): the first request waits in the backlog, so give it time.
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=60)
            assert health.status_code == 200 and health.json()["status"] == "ok"
            assert health.json()["daemon"] == "ticking"
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            assert 'newswatch_fetches_total{error_kind="",status="200"}' in metrics
            assert 'newswatch_checks_total{outcome="new"} 1.0' in metrics
            assert "newswatch_due_items" in metrics and "newswatch_alerts_pending" in metrics
            page = httpx.get(f"http://127.0.0.1:{port}/")
            assert page.status_code == 200 and room.story(SEED).title[:20] in page.text
            daemon.send_signal(signal.SIGTERM)
            _, stderr = daemon.communicate(timeout=30)
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.communicate()
        assert daemon.returncode == 0, stderr
        assert "daemon stopped" in stderr
        code, output = invoke("articles", "--config", str(config), "--json")
        assert code == 0 and json.loads(output)[0]["version_count"] == 1
        with sqlite3.connect(tmp_path / "newswatch.db") as con:
            held = con.execute(
                "select count(*) from articles where lease_owner is not null "
                "union all select count(*) from sources "
                "where lease_owner is not null"
            ).fetchall()
        assert held == [(0,), (0,)], "a stopped daemon holds no leases"
    finally:
        room.stop()


def test_check_shows_fields_and_their_signals(tmp_path: Path) -> None:
    room = Newsroom.with_articles().start()
    try:
        config = tmp_path / "nw.toml"
        config.write_text(
            '[fetch]\nuser_agent = "newswatch-check-test/1 (+mailto:a@b.c)"\n'
            f'allow = ["{room.address}"]\n'
        )
        code, output = invoke("check", room.url_of(SEED), "--json", "--config", str(config))
        assert code == 0
        found = json.loads(output)
        assert found["title"] == room.story(SEED).title
        assert found["signals"]["title"]
        # Fetched as the daemon would: the configured User-Agent, not the library default.
        [request] = room.requests_for(SEED)
        assert request.headers["user-agent"] == "newswatch-check-test/1 (+mailto:a@b.c)"
        saved = tmp_path / "page.html"
        saved.write_bytes(httpx.get(room.url_of(SEED)).content)
        code, output = invoke("check", str(saved))
        assert code == 0 and "title" in output and room.story(SEED).title[:30] in output
    finally:
        room.stop()
    code, output = invoke("check", str(tmp_path / "missing.html"))
    assert code == 2 and "no such file" in output  # a path that is not there: usage


def test_init_writes_a_config_that_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The written config names a database relative to the working directory: keep it here.
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "nw.toml"
    code, _ = invoke("init", str(target))
    assert code == 0 and "[database]" in target.read_text()
    code, output = invoke("init", str(target))
    assert code == 2 and "--force" in output
    code, output = invoke("articles", "--config", str(target))
    assert code == 1  # a valid config, an empty database: nothing found


def test_health(watched: tuple[Newsroom, Path], tmp_path: Path) -> None:
    _, config = watched
    code, output = invoke("health", "--config", str(config))
    assert code == 0 and "healthy" in output
    code, output = invoke("health", "--config", str(config), "--max-age", "0s")
    assert code == 1 and "unhealthy" in output
    code, output = invoke("health", "--config", str(config), "--max-age", "soon")
    assert code == 2


@pytest.mark.slow
def test_demo_shows_new_coverage_then_an_edit(tmp_path: Path) -> None:
    alerts = tmp_path / "alerts.jsonl"
    demo = subprocess.Popen(
        [*NEWSWATCH, "demo", "--port", "0", "--data", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        hang_guard = time.monotonic() + HANG_GUARD
        kinds: list[str] = []
        while "edited" not in kinds:
            assert demo.poll() is None, demo.communicate()
            assert time.monotonic() < hang_guard, f"the demo is stuck: it alerted only {kinds}"
            time.sleep(0.5)
            if alerts.exists():
                kinds = [json.loads(line)["kind"] for line in alerts.read_text().splitlines()]
        demo.send_signal(signal.SIGINT)
        stdout, stderr = demo.communicate(timeout=30)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.communicate()
    assert demo.returncode == 0, stderr
    # The events, in their order: the article is first new coverage, then edited.
    assert "new" in kinds and kinds.index("new") < kinds.index("edited"), kinds
    edit = [
        json.loads(line)
        for line in alerts.read_text().splitlines()
        if json.loads(line)["kind"] == "edited"
    ][0]
    assert edit["changes"] == ["Madinsky → Medinsky"]
    assert "New coverage" in stdout and "Madinsky → Medinsky" in stdout
