"""Commands that look after the database: schema upgrades, re-extraction, pruning."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import DBAPIError

import storage
from newswatch.cli.common import (
    ConfigOption,
    app,
    article_or_exit,
    complain,
    err,
    load_config,
    open_db,
    out,
)
from newswatch.durations import parse_duration
from newswatch.reextraction import default_workers, reextract_history, todays_extractor

db_app = typer.Typer(
    help="The database schema: see its revision, bring it up to date.\n\n"
    "Example: newswatch db upgrade --config newswatch.toml",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


def _raw_database(config: ConfigOption, *, create: bool) -> storage.Database:
    """The configured database, opened without migrating it (these commands do that);
    ``create``: an SQLite file may be made (``db upgrade`` only)."""
    settings = load_config(config)
    try:
        if (
            not create
            and (path := storage.sqlite_path(settings.database.url)) is not None
            and not path.is_file()
        ):
            raise storage.DatabaseMissing(
                settings.database.url, f"{path.absolute()} (no such file)"
            )
        return storage.open_database(settings.database.url, create_tables=False)
    except storage.StorageError as error:
        complain("database error", error)
        raise typer.Exit(2) from None


@contextmanager
def _answering(db: storage.Database) -> Iterator[None]:
    """Exit 2 naming the database when it does not answer (these commands bypass the checks
    that opening it normally does: it may be missing, locked, corrupt or on a server that is
    down)."""
    try:
        yield
    except DBAPIError as error:
        complain("database error", storage.DatabaseUnavailable(db.safe_url, str(error.orig)))
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Migrate the database schema to this newswatch's (daemons also do it at start).

    Example: newswatch db upgrade --config newswatch.toml
    """
    with _raw_database(config, create=True) as db, _answering(db):
        try:
            before = storage.upgrade(db.engine, safe_url=db.safe_url)
        except storage.StorageError as error:
            complain("database error", error)
            raise typer.Exit(2) from None
        after = storage.current_revision(db.engine)
    if before == after:
        out.print(f"{db.safe_url}: schema already at {after}", highlight=False)
    else:
        out.print(f"{db.safe_url}: schema {before or '(empty)'} → {after}", highlight=False)


@db_app.command("status")
def db_status(config: ConfigOption = None) -> None:
    """Show the database's schema revision and the newest this newswatch knows.

    Example: newswatch db status
    """
    with _raw_database(config, create=False) as db, _answering(db):
        try:
            current = storage.current_revision(db.engine)
        except storage.StorageError as error:
            complain("database error", error)
            raise typer.Exit(2) from None
    head = storage.head_revision()
    known = storage.known_revisions()
    state = (
        "up to date"
        if current == head
        else "needs `newswatch db upgrade`"
        if current is None or current in known
        else "newer than this newswatch: upgrade newswatch"
    )
    out.print(
        f"{db.safe_url}: schema {current or '(empty)'}, code {head}: {state}", highlight=False
    )


@app.command()
def reextract(
    config: ConfigOption = None,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet's articles.")] = None,
    article: Annotated[str | None, typer.Option(help="Only this article (URL or id).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes that extract (default: one per core for big runs, else this one).",
        ),
    ] = None,
) -> None:
    """Run today's extractor over every stored page; keep changed readings as derived versions.

    The history as seen is never rewritten: a page the extractor now reads differently gets a
    derived version (no alert), and the next check compares with it. Pages are parsed outside
    any write transaction: a running daemon keeps working meanwhile.

    Example: newswatch reextract --outlet example.com
    """
    extractor = todays_extractor(load_config(config).limits.limits().fields)
    with open_db(config) as db:
        with db.session() as session:
            if article is not None:
                ids = [article_or_exit(session, article).id or 0]
            else:
                ids = storage.article_ids(session, outlet=outlet)
        columns = (
            TextColumn("re-extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[derived]} derived"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("reextract", total=len(ids), derived=0)
            derived = 0

            def advance(articles: int, done: storage.ReextractReport) -> None:
                nonlocal derived
                derived += done.derived
                progress.update(task, advance=articles, derived=derived)

            try:
                report = reextract_history(
                    db,
                    ids,
                    extractor=extractor,
                    workers=workers or default_workers(len(ids)),
                    on_batch=advance,
                )
            except BrokenProcessPool:
                complain(
                    "error",
                    "a worker process stopped (out of memory?); the batches written so far "
                    "are kept, and a rerun finds them done: run again, with --workers 1 if it "
                    "happens again",
                )
                raise typer.Exit(2) from None
    out.print(
        f"{report.articles} articles, {report.snapshots} pages re-extracted: "
        f"{report.derived} derived versions, {report.unchanged} unchanged, "
        f"{report.failed} failed, {report.missing_snapshots} without a snapshot",
        highlight=False,
    )


@app.command()
def prune(
    config: ConfigOption = None,
    fetch_logs_older_than: Annotated[
        str | None,
        typer.Option(
            "--fetch-logs-older-than", help="Delete fetch-log lines older than this (e.g. 30d)."
        ),
    ] = None,
    forget: Annotated[
        str | None,
        typer.Option(
            help="Delete one article with its whole history (URL or id). Cannot be undone."
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before --forget.")] = False,
) -> None:
    """Delete what you ask for: old fetch logs, or one article's history. Nothing else, ever.

    Versions and snapshots are kept forever unless you --forget their article.

    Example: newswatch prune --fetch-logs-older-than 30d
    """
    if fetch_logs_older_than is None and forget is None:
        err.print("say what to prune: --fetch-logs-older-than 30d and/or --forget URL")
        raise typer.Exit(2)
    try:
        age = parse_duration(fetch_logs_older_than) if fetch_logs_older_than else None
    except ValueError as error:
        err.print(f"--fetch-logs-older-than: {error}", highlight=False)
        raise typer.Exit(2) from None
    with open_db(config) as db:
        if age is not None:
            with db.transaction() as session:
                gone = storage.prune_fetch_logs(session, older_than=datetime.now(UTC) - age)
            out.print(f"deleted {gone} fetch-log lines older than {fetch_logs_older_than}")
        if forget is not None:
            with db.session() as session:
                target = article_or_exit(session, forget)
            if not yes and not typer.confirm(f"Delete {target.url} and all its versions?"):
                raise typer.Exit(1)
            with db.transaction() as session:
                versions = storage.forget_article(session, article_id=target.id or 0)
            out.print(f"forgot {target.url} ({versions} versions)", highlight=False)
