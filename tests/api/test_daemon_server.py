"""`newswatch run` serves its web page and API from a child process it supervises: readers
cannot starve the daemon, a crashed server comes back, and no server outlives its daemon."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from newswatch.api.server import serve_daemon
from newswatch.config import load_settings
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from tests.newsroom_config import write_newsroom_config

TIMEOUT = 60.0


@dataclass
class RunningDaemon:
    """``newswatch run --log-json`` as a process, its log lines parsed as they come."""

    process: subprocess.Popen[str]
    events: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    reader: threading.Thread | None = None
    unclaimed: list[dict[str, Any]] = field(default_factory=list)

    def wait_for(self, event: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The earliest log line whose event is ``event`` that no wait has returned yet.

        Lines of other events are kept for later waits: the daemon's threads log in no fixed
        order (the server's supervisor may say its child started before the daemon says it
        is serving).
        """
        deadline = time.monotonic() + timeout
        while True:
            for index, line in enumerate(self.unclaimed):
                if line.get("event") == event:
                    return self.unclaimed.pop(index)
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {event!r} logged within {timeout}s"
            try:
                self.unclaimed.append(self.events.get(timeout=remaining))
            except queue.Empty:
                continue


def start_daemon(config: Path) -> RunningDaemon:
    process = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "run", "--config", str(config), "--log-json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    daemon = RunningDaemon(process)

    def read() -> None:
        assert process.stderr is not None
        with process.stderr:
            for line in process.stderr:
                try:
                    daemon.events.put(json.loads(line))
                except ValueError:
                    daemon.events.put({"text": line})

    daemon.reader = threading.Thread(target=read, daemon=True)
    daemon.reader.start()
    return daemon


def until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Poll ``condition`` (an HTTP answer, a process state) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


def healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for init to reap it counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[RunningDaemon, Newsroom]]:
    room = Newsroom.with_articles().start()
    config = write_newsroom_config(
        room,
        tmp_path,
        extra="""
[fetch]
delay = "0s"
[daemon]
tick = "1s"
[api]
port = 0
""",
    )
    running = start_daemon(config)
    try:
        yield running, room
    finally:
        if running.process.poll() is None:
            running.process.kill()
        running.process.wait(timeout=30)
        room.stop()
        if running.reader is not None:
            running.reader.join(timeout=30)


def test_the_server_is_a_child_that_reports_the_daemon(
    daemon: tuple[RunningDaemon, Newsroom],
) -> None:
    running, _ = daemon
    url = running.wait_for("serving")["url"]
    child = running.wait_for("serve_child_started")["pid"]
    assert child != running.process.pid and parent_of(child) == running.process.pid
    until(lambda: healthy(url), "the daemon's server answers /healthz with 200")
    health = httpx.get(url + "/healthz").json()
    assert health["daemon"] == "ticking" and health["writes"] == "ok"
    until(
        lambda: httpx.get(url + "/api/articles").json()["items"] != [],
        "the daemon has recorded articles",
    )
    metrics = httpx.get(url + "/metrics").text
    # The daemon's counters (from its process) and the database's gauges (read by the child).
    assert 'newswatch_checks_total{outcome="new"}' in metrics
    assert "newswatch_due_items" in metrics and "newswatch_versions" in metrics


def test_a_crashed_server_is_restarted_and_the_daemon_goes_on(
    daemon: tuple[RunningDaemon, Newsroom],
) -> None:
    running, _ = daemon
    url = running.wait_for("serving")["url"]
    first = running.wait_for("serve_child_started")["pid"]
    until(lambda: healthy(url), "the server answers")
    os.kill(first, signal.SIGKILL)
    assert running.wait_for("serve_child_exited")["code"] == -signal.SIGKILL
    second = running.wait_for("serve_child_started")["pid"]
    assert second != first and running.process.poll() is None
    until(lambda: healthy(url), "the restarted server answers on the same address")

    running.process.send_signal(signal.SIGTERM)
    assert running.process.wait(timeout=TIMEOUT) == 0
    until(lambda: gone(second), "the server stopped with its daemon", timeout=15)


def test_a_killed_daemon_leaves_no_server_behind(daemon: tuple[RunningDaemon, Newsroom]) -> None:
    running, _ = daemon
    url = running.wait_for("serving")["url"]
    child = running.wait_for("serve_child_started")["pid"]
    until(lambda: healthy(url), "the server answers")
    running.process.kill()  # no chance to stop its child: the child must notice by itself
    running.process.wait(timeout=TIMEOUT)
    until(lambda: gone(child), "the orphaned server stopped by itself", timeout=15)


def test_serve_false_starts_no_server(tmp_path: Path) -> None:
    room = Newsroom()
    room.start()
    try:
        settings = load_settings(
            write_newsroom_config(
                room,
                tmp_path,
                extra="""
[daemon]
serve = false
[api]
port = 0
""",
            )
        )

        async def check() -> None:
            async with open_runtime(settings) as runtime:
                with serve_daemon(runtime, settings) as url:
                    assert url is None

        asyncio.run(check())
    finally:
        room.stop()
