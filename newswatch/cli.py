"""The ``newswatch`` command: a thin shell over scheduler and storage.

Exit codes: 0 ok, 1 nothing found, 2 usage or configuration error.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlmodel import Session

import storage
from newswatch import render
from newswatch.config import ConfigError, Settings, default_config_text, load_settings
from newswatch.durations import parse_duration
from newswatch.logs import configure_logging
from scraper.urls import InvalidURL, canonicalize_url

app = typer.Typer(
    help="Watch the news about one story; keep every version of every article; report new "
         "coverage and quiet edits.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
out = Console()
err = Console(stderr=True)

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", help="TOML configuration file (default: the built-in configuration, "
    "overridden by NEWSWATCH_* variables).", dir_okay=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
LogLevel = Annotated[str, typer.Option("--log-level", help="DEBUG, INFO, WARNING or ERROR.")]


def _settings(config: Path | None) -> Settings:
    try:
        return load_settings(config)
    except ConfigError as error:
        err.print(f"[bold red]configuration error[/] {error}", highlight=False)
        raise typer.Exit(2) from None


def _database(config: Path | None) -> storage.Database:
    settings = _settings(config)
    try:
        return storage.open_database(settings.database.url)
    except storage.StorageError as error:
        err.print(f"[bold red]database error[/] {error}", highlight=False)
        raise typer.Exit(2) from None


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

    configure_logging(log_level, json_lines=log_json)
    settings = _settings(config)

    async def main() -> None:
        async with open_runtime(settings, console=out) as runtime:
            if once:
                report = await runtime.worker.run_until_idle()
                delivered = await runtime.deliverer.deliver(limit=10_000)
                err.print(f"checked {report.sources} source(s) and {report.articles} "
                          f"article(s); alerts sent {delivered.sent}, failed {delivered.failed}",
                          highlight=False)
            else:
                await runtime.daemon.run()

    try:
        asyncio.run(main())
    except (storage.StorageError, ValueError) as error:
        err.print(f"[bold red]cannot start[/] {error}", highlight=False)
        raise typer.Exit(2) from None


@app.command()
def demo(port: Annotated[int, typer.Option(help="Port of the local newsroom.")] = 8765,
         data: Annotated[Path | None, typer.Option(
             help="Folder for the demo database and alerts.jsonl (default: a temp folder).",
             file_okay=False)] = None,
         log_level: LogLevel = "WARNING") -> None:
    """Watch a local, offline newsroom: new coverage and edits appear within a minute.

    Example: newswatch demo
    """
    from newswatch.demo import run_demo

    configure_logging(log_level)
    asyncio.run(run_demo(port=port, data=data, console=out))


@app.command()
def articles(config: ConfigOption = None, as_json: JsonOption = False,
             limit: Annotated[int, typer.Option(help="Show at most this many.")] = 100,
             outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
             ) -> None:
    """List stored articles: url, outlet, title, first seen, versions.

    Example: newswatch articles --json
    """
    with _database(config) as db, db.session() as session:
        rows = storage.list_articles(session, limit=limit, outlet=outlet)
    if as_json:
        render.print_json(out, rows)
    else:
        out.print(render.articles_table(rows))
    if not rows:
        raise typer.Exit(1)


@app.command()
def history(url: Annotated[str, typer.Argument(help="Article URL or id.")],
            config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Every version of one article, with what changed.

    Example: newswatch history https://example.com/2025/06/02/talks.html
    """
    with _database(config) as db, db.session() as session:
        article = _article_or_exit(session, url)
        rows = storage.versions_of(session, article_id=article.id)
        if as_json:
            render.print_json(out, {"url": article.url, "status": article.status,
                                    "versions": rows})
        else:
            out.print(f"[bold]{article.title or article.url}[/]\n{article.url}", highlight=False)
            out.print(render.history_table(rows))


@app.command()
def diff(url: Annotated[str, typer.Argument(help="Article URL or id.")],
         from_: Annotated[int | None, typer.Option(
             "--from", help="Older version (default: the one before --to).")] = None,
         to: Annotated[int | None, typer.Option(
             "--to", help="Newer version (default: the latest).")] = None,
         config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Word-level diff between two versions of an article.

    Example: newswatch diff https://example.com/2025/06/02/talks.html --from 1 --to 2
    """
    with _database(config) as db, db.session() as session:
        article = _article_or_exit(session, url)
        newest = to or article.version_count
        oldest = from_ if from_ is not None else newest - 1
        if not (1 <= oldest <= article.version_count and 1 <= newest <= article.version_count):
            err.print(f"{article.url} has versions 1..{article.version_count}; "
                      f"cannot diff {oldest} → {newest}", highlight=False)
            raise typer.Exit(1)
        result = storage.diff_between(session, article_id=article.id, from_n=oldest,
                                      to_n=newest)
    if as_json:
        render.print_json(out, {"url": article.url, **render.to_jsonable(result)})
        return
    out.print(f"[bold]{article.url}[/]  version {oldest} → {newest}", highlight=False)
    if not result.changed_fields:
        out.print("no differences")
    for field, ops in result.fields.items():
        out.rule(field)
        out.print(render.diff_text(ops))
    out.print(f"+{result.words_added} words, -{result.words_removed} words", highlight=False)


@app.command()
def check(target: Annotated[str, typer.Argument(help="A URL to fetch or an HTML file.")],
          as_json: JsonOption = False) -> None:
    """Show what newswatch would store for one page, and where each field came from.

    Example: newswatch check saved-page.html
    """
    from newswatch.checkpage import load_and_extract

    try:
        found = load_and_extract(target)
    except Exception as error:  # every failure here is the user's page or path: say which
        err.print(f"[bold red]cannot check[/] {target}: {error}", highlight=False)
        raise typer.Exit(1) from None
    if as_json:
        render.print_json(out, found)
        return
    out.print(render.extracted_table(found))
    out.rule("body")
    out.print(found.body, markup=False, highlight=False)


@app.command()
def init(path: Annotated[Path, typer.Argument(help="Where to write the configuration.")] =
         Path("newswatch.toml"),
         force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
         ) -> None:
    """Write a commented default configuration (watches the Istanbul talks).

    Example: newswatch init newswatch.toml
    """
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
        with _database(config) as db, db.session() as session:
            last = storage.last_fetch_at(session)
    except storage.StorageError as error:
        err.print(f"unhealthy: database error: {error}", highlight=False)
        raise typer.Exit(1) from None
    if last is None or datetime.now(UTC) - last > limit:
        err.print(f"unhealthy: last fetch {last.isoformat() if last else 'never'}",
                  highlight=False)
        raise typer.Exit(1)
    out.print(f"healthy: last fetch {last.isoformat()}", highlight=False)


def _article_or_exit(session: Session, url_or_id: str) -> storage.Article:
    key: str | int = int(url_or_id) if url_or_id.isdigit() else url_or_id
    if isinstance(key, str):
        with contextlib.suppress(InvalidURL):
            key = canonicalize_url(key)
    article = storage.find_article(session, key)
    if article is None:
        err.print(f"no stored article {url_or_id!r} (see `newswatch articles`)",
                  highlight=False)
        raise typer.Exit(1)
    return article


def main() -> None:
    app()
