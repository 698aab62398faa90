"""No secret the configuration holds shows up anywhere a person or a program can read.

One fake secret per private part of every apprise service's URL, credentials in source URLs,
and a database password: after the daemon has worked (and failed to deliver, offline), none may
appear in the logs (every logger at DEBUG), the API, ``/metrics``, the CLI or an export.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

import storage
from newswatch.api import create_app
from newswatch.api.daemonview import LocalDaemon
from newswatch.api.server import serve_in_thread
from newswatch.cli import app
from newswatch.config import Settings, load_settings
from newswatch.logs import configure_logging
from newswatch.newsroom import Newsroom
from newswatch.redaction import redactor_for
from newswatch.runtime import open_runtime
from scheduler.channels import channel_key
from scheduler.delivery import DeliveryReport
from tests import pg
from tests.apprise_urls import ServiceURL, catalogue, unused_port

SEED = "envoys-arrive-istanbul-second-meeting"
NEWSWATCH = [sys.executable, "-m", "newswatch"]
# Every library at DEBUG, the ones kept quiet by default included.
ALL_DEBUG = "DEBUG," + ",".join(
    f"{name}=DEBUG"
    for name in ("httpx", "httpcore", "apprise", "apscheduler", "urllib3", "uvicorn.access")
)
runner = CliRunner()
WIDE = {**os.environ, "COLUMNS": "500"}  # rich must not fold a URL across lines


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every name lookup and connection that is not loopback: apprise's services live
    on the internet, and a test never goes there. They fail at once instead."""
    resolve, connect = socket.getaddrinfo, socket.socket.connect

    def loopback(host: object) -> bool:
        if host in (None, "localhost", b"localhost"):
            return True
        try:
            return ipaddress.ip_address(str(host)).is_loopback
        except ValueError:
            return False

    def guarded_resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not loopback(host.decode() if isinstance(host, bytes) else host):
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: tests resolve loopback only")
        return resolve(host, *args, **kwargs)

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address[0]):
            raise ConnectionRefusedError(f"{address[0]}: tests connect to loopback only")
        return connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_resolve)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture
def root_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers: put the test runner's back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def room() -> Iterator[Newsroom]:
    newsroom = Newsroom().start()
    newsroom.publish(SEED)
    try:
        yield newsroom
    finally:
        newsroom.stop()


def toml(value: str | list[str]) -> str:
    # A JSON string (or list of strings) of ASCII is a TOML basic string (or array).
    return json.dumps(value)


def write_config(
    folder: Path, *, sources: list[str], alerts: list[str], database: str | None = None
) -> Path:
    config = folder / "newswatch.toml"
    database = database or f"sqlite:///{folder / 'nw.db'}"
    lines = [
        f"[database]\nurl = {toml(database)}\n",
        '[topic]\nquery = ""\n',
        '[recheck]\ntiers = [ { younger_than = "3650d", every = "15m" } ]\n',
        # The address guard refuses loopback: each source's own address is allowed.
        f'[fetch]\ndelay = "0s"\nallow = {toml(sorted(_netlocs(sources)))}\n',
        "[daemon]\nserve = false\n",
    ]
    lines += [f'[[sources]]\nurl = {toml(url)}\nkind = "feed"\n' for url in sources]
    lines += [f"[[alerts]]\nurl = {toml(url)}\n" for url in alerts]
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def _netlocs(urls: list[str]) -> set[str]:
    """host:port of each URL: what [fetch] allow names for a loopback source."""
    return {f"{urlsplit(url).hostname}:{urlsplit(url).port}" for url in urls if urlsplit(url).port}


def cli(commands: dict[str, tuple[str, ...]], config: Path) -> dict[str, str]:
    """What each command prints, by name: ``name`` its standard output (JSON for --json),
    ``name!`` its standard error."""
    printed = {}
    for name, args in commands.items():
        result = runner.invoke(app, [*args, "--config", str(config)])
        assert result.exit_code in (0, 1), result.output
        printed[name], printed[name + "!"] = result.stdout, result.stderr
    return printed


def run_and_read(settings: Settings, paths: list[str]) -> tuple[DeliveryReport, dict[str, str]]:
    """One daemon pass (as ``run --once``), then the API of that daemon, ``/metrics`` too."""

    async def scenario() -> tuple[DeliveryReport, dict[str, str]]:
        async with open_runtime(settings) as runtime:
            await runtime.worker.run_until_idle()
            report = await runtime.deliverer.deliver(limit=1000)
            api = create_app(runtime.db, settings, daemon=LocalDaemon(runtime))
            with serve_in_thread(api) as base, httpx.Client(base_url=base, timeout=30) as web:
                answers = {}
                for path in paths:
                    response = web.get(path)
                    # /healthz says 503 here (no daemon loop ticks in this pass): its words
                    # are read for secrets all the same.
                    assert response.status_code == 200 or path == "/healthz", (path, response.text)
                    answers[path] = response.text
        return report, answers

    return asyncio.run(scenario())


def leaks(secrets: list[str], **places: str) -> list[tuple[str, str]]:
    return [
        (secret, name)
        for secret in secrets
        for name, text in places.items()
        if secret in text or secret.lower() in text.lower()
    ]


def test_no_alert_channel_secret_escapes(
    tmp_path: Path, room: Newsroom, loopback_only: None, root_logging: None
) -> None:
    services: list[ServiceURL] = catalogue().urls
    secrets = [secret for service in services for secret in service.secrets]
    config = write_config(
        tmp_path, sources=[f"{room.base_url}/feed.xml"], alerts=[s.url for s in services]
    )
    settings = load_settings(config)
    logs = tmp_path / "daemon.log"
    with logs.open("w", encoding="utf-8") as stream:
        configure_logging(ALL_DEBUG, redactor=redactor_for(settings), stream=stream)
        report, answers = run_and_read(
            settings, ["/api/alerts", "/api/sources", "/metrics", "/api/articles", "/healthz"]
        )
    log_text = logs.read_text(encoding="utf-8")
    outputs = cli(
        {
            "alerts": ("alerts", "--json"),
            "sources": ("sources", "list"),
            "stats": ("stats",),
            "export": ("export", "--format", "jsonl"),
            "articles": ("articles", "--json"),
        },
        config,
    )

    # The work happened: one alert, tried on every channel. Offline, all but a few fail (a
    # "note" to an Opsgenie or Jira alert that does not exist needs no request), and the
    # failures are stored and logged: the error paths ran.
    assert report.sent + report.failed == len(services) and report.failed > 0.9 * len(services)
    [alert] = json.loads(outputs["alerts"])
    failed = [d for d in alert["deliveries"] if d["status"] == "failed"]
    assert len(failed) == report.failed and all(d["last_error"] for d in failed)
    assert log_text.count("alert delivery failed") == report.failed
    assert "DEBUG" in log_text and "apprise" in log_text  # the libraries did talk
    assert leaks(secrets, logs=log_text, **answers, **outputs) == []


def test_source_credentials_are_masked_and_kept(
    tmp_path: Path, room: Newsroom, root_logging: None
) -> None:
    password, token = "pa55-wOrd-2f9c81", "t0ken-7be41d9a"
    down_password, down_token = "d0wn-pa55-61c2", "d0wn-t0ken-83e0"
    host = room.base_url.partition("://")[2]
    feed = f"http://reader:{password}@{host}/feed.xml?token={token}"
    down = f"http://reader:{down_password}@127.0.0.1:{unused_port()}/rss?api_key={down_token}"
    config = write_config(
        tmp_path, sources=[feed, down], alerts=[f"jsonl://{tmp_path / 'alerts.jsonl'}"]
    )
    secrets = [password, token, down_password, down_token]

    daemon = subprocess.run(
        [
            *NEWSWATCH,
            "run",
            "--once",
            "--config",
            str(config),
            "--log-level",
            ALL_DEBUG,
            "--log-json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert daemon.returncode == 0, daemon.stderr
    outputs = cli(
        {
            "list": ("sources", "list"),
            "list_json": ("sources", "list", "--json"),
            "articles": ("articles", "--json"),
            "export": ("export", "--format", "jsonl"),
            "check": ("sources", "check"),
            "doctor": ("doctor",),
        },
        config,
    )
    settings = load_settings(config)
    _, answers = run_and_read(settings, ["/api/sources", "/api/articles", "/metrics"])

    assert leaks(secrets, stdout=daemon.stdout, logs=daemon.stderr, **answers, **outputs) == []
    # Masked, not dropped: the user still sees which feed it is, and why the other fails.
    shown = {row["url"]: row for row in json.loads(outputs["list_json"])}
    assert len(shown) == 2 and all("@" in url and "***" in url for url in shown)
    assert any(row["articles"] >= 1 for row in shown.values())
    assert any(row["last_error"] and "***" in row["last_error"] for row in shown.values())
    with storage.open_database(settings.database.url) as db, db.session() as session:
        assert {row.url for row in storage.list_sources(session)} == {feed, down}


def test_database_password_is_never_printed(tmp_path: Path, postgres_admin_url: str) -> None:
    password = "hunter2-5f0a77c1"
    refused = f"postgresql+psycopg://newswatch:{password}@127.0.0.1:{unused_port()}/nw"
    malformed = f"postgresql+psycopg://newswatch:{password}@127.0.0.1:notaport/nw"
    printed = []
    for url in (refused, malformed):
        config = write_config(tmp_path, sources=[], alerts=["console://"], database=url)
        for args in (
            ["run", "--once", "--log-level", ALL_DEBUG],
            ["articles"],
            ["doctor"],
            ["db", "status"],
            ["db", "upgrade"],
            ["health"],
        ):
            result = subprocess.run(
                [*NEWSWATCH, *args, "--config", str(config)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
                env=WIDE,
            )
            assert result.returncode != 0, (args, result.stdout)
            printed.append(result.stdout + result.stderr)
    for text in printed:
        assert "newswatch:***@" in text, text  # masked, not dropped
    # A server that lets the password in (trust auth): a whole pass at DEBUG, SQL included.
    with pg.scratch_database(postgres_admin_url) as scratch:
        url = make_url(scratch).set(password=password).render_as_string(hide_password=False)
        config = write_config(tmp_path, sources=[], alerts=["console://"], database=url)
        result = subprocess.run(
            [*NEWSWATCH, "run", "--once", "--log-level", ALL_DEBUG, "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        printed.append(result.stdout + result.stderr)
    assert not any(password in text for text in printed)


def test_errors_stored_before_masking_existed_are_masked_when_shown(
    tmp_path: Path, room: Newsroom
) -> None:
    key = "9f8e7d6c5b4a39281706f5e4"
    channel = f"opsgenie://{key}/@oncall"
    config = write_config(tmp_path, sources=[f"{room.base_url}/feed.xml"], alerts=[channel])
    settings = load_settings(config)

    async def queue_one_alert() -> None:
        async with open_runtime(settings) as runtime:
            await runtime.worker.run_until_idle()

    asyncio.run(queue_one_alert())
    with storage.open_database(settings.database.url) as db, db.transaction() as session:
        [alert] = storage.list_alerts(session)
        # What an older newswatch stored: its channel label kept the host, here the key.
        storage.mark_failed(
            session,
            alert_id=alert.id,
            channel=channel_key(channel),
            error=f"opsgenie://{key}/…: the service did not accept the alert",
            now=alert.created_at,
            retry_at=None,
        )
    outputs = cli({"alerts": ("alerts", "--json"), "table": ("alerts",)}, config)
    with (
        storage.open_database(settings.database.url) as db,
        serve_in_thread(create_app(db, settings)) as base,
    ):
        answer = httpx.get(f"{base}/api/alerts", timeout=30).text
    assert leaks([key], api=answer, **outputs) == []
    [shown] = json.loads(outputs["alerts"])
    assert shown["deliveries"][0]["last_error"].startswith("opsgenie://***")
