"""Commands that run things: the daemon, the demo, the health check, the first config."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

import storage
from newswatch.cli.common import (
    ConfigOption,
    LogLevel,
    app,
    complain,
    err,
    load_config,
    open_db,
    out,
    start_logging,
)
from newswatch.config import default_config_text
from newswatch.durations import parse_duration
from newswatch.redaction import redactor_for
from scheduler.exceptions import SchedulerError


@app.command()
def run(config: ConfigOption = None,
        once: Annotated[bool, typer.Option(
            "--once", help="One pass over all due work, deliver alerts, then exit.")] = False,
        log_level: LogLevel = "INFO",
        log_json: Annotated[bool, typer.Option("--log-json", help="Log JSON lines.")] = False,
        ) -> None:
    """Run the daemon: poll sources, fetch articles, record versions, send alerts.

    Example: newswatch run --config newswatch.toml
    """
    from newswatch.runtime import open_runtime

    settings = load_config(config)
    redactor = redactor_for(settings)
    start_logging(log_level, json_lines=log_json, redactor=redactor)

    async def main() -> None:
        async with open_runtime(settings, console=out) as runtime:
            if once:
                report = await runtime.worker.run_until_idle()
                delivered = await runtime.deliverer.deliver(limit=10_000)
                err.print(f"checked {report.sources} source(s) and {report.articles} "
                          f"article(s); alerts sent {delivered.sent}, failed {delivered.failed}",
                          highlight=False)
            else:
                from newswatch.api.server import serve_daemon

                with serve_daemon(runtime, settings) as url:
                    if url:
                        err.print(f"web page and API at {url} (health: {url}/healthz, "
                                  f"metrics: {url}/metrics)", highlight=False)
                    await runtime.daemon.run()

    try:
        asyncio.run(main())
    except (storage.StorageError, SchedulerError, ValueError) as error:
        complain("cannot start", redactor.text(str(error)))
        raise typer.Exit(2) from None


@app.command()
def demo(port: Annotated[int, typer.Option(min=0, max=65535,
                                          help="Port of the local newsroom.")] = 8765,
         data: Annotated[Path | None, typer.Option(
             help="Folder for the demo database and alerts.jsonl (default: a temp folder).",
             file_okay=False)] = None,
         log_level: LogLevel = "WARNING") -> None:
    """Watch a local, offline newsroom: new coverage and edits appear within a minute.

    Example: newswatch demo
    """
    from newswatch.demo import run_demo

    start_logging(log_level)
    try:
        asyncio.run(run_demo(port=port, data=data, console=out))
    except OSError as error:
        if error.filename is not None:  # the data folder: the shared report says which
            raise
        complain("cannot start the demo", f"port {port}: {error.strerror or error}; choose "
                 "another --port")
        raise typer.Exit(2) from None


@app.command()
def init(path: Annotated[Path, typer.Argument(help="Where to write the configuration.")] =
         Path("newswatch.toml"),
         force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
         ) -> None:
    """Write a commented default configuration (watches the Istanbul talks).

    Example: newswatch init newswatch.toml
    """
    if path.is_dir():
        complain("error", f"{path} is a folder: give a file name, e.g. {path / 'newswatch.toml'}")
        raise typer.Exit(2)
    if path.exists() and not force:
        err.print(f"{path} exists; use --force to overwrite it", highlight=False)
        raise typer.Exit(2)
    path.write_text(default_config_text(), encoding="utf-8")
    out.print(f"wrote {path}; edit it, then: newswatch run --config {path}", highlight=False)


@app.command()
def health(config: ConfigOption = None,
           max_age: Annotated[str, typer.Option(
               "--max-age", help="How recent the last fetch must be, e.g. 30m.")] = "30m",
           ) -> None:
    """Exit 0 if the database answers and the daemon fetched something recently (for Docker).

    Example: newswatch health --max-age 30m
    """
    try:
        limit = parse_duration(max_age)
    except ValueError as error:
        err.print(f"--max-age: {error}", highlight=False)
        raise typer.Exit(2) from None
    try:
        with open_db(config) as db, db.session() as session:
            last = storage.last_fetch_at(session)
    except storage.StorageError as error:
        err.print(f"unhealthy: database error: {error}", highlight=False)
        raise typer.Exit(1) from None
    if last is None or datetime.now(UTC) - last > limit:
        err.print(f"unhealthy: last fetch {last.isoformat() if last else 'never'}",
                  highlight=False)
        raise typer.Exit(1)
    out.print(f"healthy: last fetch {last.isoformat()}", highlight=False)
