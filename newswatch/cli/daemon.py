"""Commands that run things: the daemon, the demo, the health check, the first config."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
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
from newswatch.config import HealthConfig, default_config_text
from newswatch.durations import format_duration, parse_duration
from newswatch.redaction import redactor_for
from scheduler.exceptions import SchedulerError


@app.command()
def run(
    config: ConfigOption = None,
    once: Annotated[
        bool, typer.Option("--once", help="One pass over all due work, deliver alerts, then exit.")
    ] = False,
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
                err.print(
                    f"checked {report.sources} source(s) and {report.articles} "
                    f"article(s); deliveries (an alert on one channel): "
                    f"{delivered.sent} sent, {delivered.failed} failed",
                    highlight=False,
                )
            else:
                from newswatch.api.server import serve_daemon

                with serve_daemon(runtime, settings) as url:
                    if url:
                        err.print(
                            f"web page and API at {url} (health: {url}/healthz, "
                            f"metrics: {url}/metrics)",
                            highlight=False,
                        )
                    await runtime.daemon.run()

    try:
        asyncio.run(main())
    except (storage.StorageError, SchedulerError, ValueError) as error:
        complain("cannot start", redactor.text(str(error)))
        raise typer.Exit(2) from None


@app.command()
def demo(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port of the local newsroom.")] = 8765,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the demo database and alerts.jsonl (default: a temp folder).",
            file_okay=False,
        ),
    ] = None,
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="Play the whole script at once (no waiting), keep the history "
            "in --data and exit: a database to try every command on.",
        ),
    ] = False,
    log_level: LogLevel = "WARNING",
) -> None:
    """Watch a local, offline newsroom: new coverage and edits appear within a minute.

    Example: newswatch demo --once --data demo-data
    """
    from newswatch.demo import replay_demo, run_demo

    start_logging(log_level)
    try:
        if once:
            asyncio.run(replay_demo(port=port, data=data, console=out))
        else:
            asyncio.run(run_demo(port=port, data=data, console=out))
    except OSError as error:
        if error.filename is not None:  # the data folder: the shared report says which
            raise
        complain(
            "cannot start the demo",
            f"port {port}: {error.strerror or error}; choose another --port",
        )
        raise typer.Exit(2) from None


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the configuration.")] = Path(
        "newswatch.toml"
    ),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented default configuration (watches the Istanbul talks) and create the
    database it names, so every command can be tried at once.

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
    with open_db(path, create=True) as db:
        out.print(f"database: {db.safe_url}", highlight=False)


@app.command()
def health(
    config: ConfigOption = None,
    max_age: Annotated[
        str | None,
        typer.Option(
            "--max-age",
            help="How recent the last fetch must be, e.g. 30m (default: \\[health] max_age).",
        ),
    ] = None,
) -> None:
    """Exit 0 if the daemon fetched recently and enough of its recent fetches succeeded (the
    Docker HEALTHCHECK); says why either way.

    Example: newswatch health --max-age 30m
    """
    settings = load_config(config)
    try:
        limit = parse_duration(max_age) if max_age else settings.health.max_age
    except ValueError as error:
        err.print(f"--max-age: {error}", highlight=False)
        raise typer.Exit(2) from None
    now = datetime.now(UTC)
    rules = settings.health
    try:
        with open_db(config) as db, db.session() as session:
            found = storage.fetch_outcomes(session, since=now - rules.window)
    except storage.StorageError as error:
        err.print(f"unhealthy: database error: {error}", highlight=False)
        raise typer.Exit(1) from None
    healthy, reason = judge_health(found, now=now, max_age=limit, rules=rules)
    (out if healthy else err).print(
        f"{'healthy' if healthy else 'unhealthy'}: {reason}", highlight=False
    )
    if not healthy:
        raise typer.Exit(1)


def judge_health(
    found: storage.FetchOutcomes, *, now: datetime, max_age: timedelta, rules: HealthConfig
) -> tuple[bool, str]:
    """Whether the fetching ``found`` describes is healthy, and why, in words."""
    last = found.last_fetch_at
    if last is None:
        return False, "nothing was ever fetched (is `newswatch run` running on this database?)"
    ago = format_duration(timedelta(seconds=int(max((now - last).total_seconds(), 0))))
    if now - last > max_age:
        return False, (
            f"the last fetch was {ago} ago ({last:%Y-%m-%d %H:%M %Z}), longer than "
            f"{format_duration(max_age)}: the daemon is stopped or stuck"
        )
    window = format_duration(rules.window)
    share = found.success_share
    if share is None or found.fetches < rules.min_fetches:
        return True, (
            f"last fetch {ago} ago; {found.fetches} fetch(es) in the last {window}, "
            f"too few to judge their success (at least {rules.min_fetches})"
        )
    why = ", ".join(
        f"{kind} {n}" for kind, n in sorted(found.failures.items(), key=lambda item: -item[1])
    )
    summary = f"{share:.0%} of {found.fetches} fetches in the last {window} succeeded" + (
        f" (failed: {why})" if why else ""
    )
    if share < rules.min_success:
        return False, f"only {summary}, below {rules.min_success:.0%}; last fetch {ago} ago"
    return True, f"last fetch {ago} ago; {summary}"
