"""``newswatch sources list|add|remove|check`` and ``newswatch doctor``.

A source added here is kept across daemon restarts (``origin`` "manual"): a daemon's start
disables only the configured sources its file no longer lists. With ``--config FILE``, ``add``
and ``remove`` edit the file as well as the database, so the file stays the complete list of
what is polled: an added source is managed by the file from the next start, and a removed one
is not enabled again by it (a running daemon sees the database change at its next tick).
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, get_args
from urllib.parse import urlsplit

import typer
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

import storage
from newswatch import fetching, render
from newswatch.cli.common import (
    MAX_ROW,
    ConfigOption,
    JsonOption,
    app,
    complain,
    err,
    load_config,
    load_redactor,
    open_db,
    out,
)
from newswatch.cli.search_check import check_search_sources, print_search_checks
from newswatch.config import ConfigError, Settings, SourceKind, load_settings
from newswatch.durations import format_duration, parse_duration
from newswatch.redaction import masked_source, redactor_for
from scheduler.channels import build_channel
from scheduler.exceptions import ChannelError
from scheduler.redact import Redactor, redact_url
from scraper import ScraperError
from scraper.discover import discover
from scraper.fetch import Fetcher

sources_app = typer.Typer(
    help="List, add, remove and check the feeds, sitemaps and pages newswatch polls.\n\n"
    "Example: newswatch sources list --json",
    no_args_is_help=True,
)
app.add_typer(sources_app, name="sources")
KINDS: tuple[str, ...] = get_args(SourceKind)


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """What fetching one source found right now."""

    url: str
    ok: bool
    status: int | None
    links: int
    elapsed: float
    error: str | None


@sources_app.command("list")
def list_(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    limit: Annotated[
        int, typer.Option("--limit", min=0, max=MAX_ROW, help="Show at most this many.")
    ] = 1000,
    enabled: Annotated[bool, typer.Option("--enabled", help="Only enabled sources.")] = False,
) -> None:
    """Every source with its schedule, health and the number of articles found through it.

    Example: newswatch sources list --enabled
    """
    redactor = load_redactor(config)
    with open_db(config) as db, db.session() as session:
        rows = [
            masked_source(row, redactor)
            for row in storage.list_sources(session, enabled_only=enabled)[:limit]
        ]
    if as_json:
        render.print_json(out, rows)
    elif rows:
        out.print(render.sources_table(rows))
    if not rows:
        err.print("no sources (add one with `newswatch sources add URL`)", highlight=False)
        raise typer.Exit(1)


@sources_app.command()
def add(
    url: Annotated[str, typer.Argument(help="Feed, sitemap, listing page or article URL.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(KINDS)}.")] = "feed",
    every: Annotated[str, typer.Option(help="How often to poll it, e.g. 10m.")] = "5m",
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a source (or re-enable one); it stays across restarts. With --config it is also
    written into the file, which then manages it.

    Example: newswatch sources add https://example.com/rss.xml --kind feed --every 10m
    """
    if kind not in KINDS:
        raise _usage(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    if not _fetchable(url):
        raise _usage(
            f"{redact_url(url)!r} is not an http(s) URL; write the whole address, "
            "e.g. https://example.com/rss.xml"
        )
    try:
        seconds = int(parse_duration(every).total_seconds())
    except ValueError as error:
        raise _usage(f"--every: {error}") from None
    if seconds < 1:
        raise _usage(f"--every {every}: poll at most once a second, e.g. --every 10m")
    if config is not None:
        _edit_config(config, lambda text: add_to_config(text, url, kind, every))
    with open_db(config) as db, db.transaction() as session:
        row = storage.add_source(
            session,
            storage.SourceSpec(url=url, kind=kind, every_seconds=seconds),
            now=datetime.now(UTC),
        )
    row = masked_source(row, load_redactor(config))
    if as_json:
        render.print_json(out, row)
    else:
        out.print(
            f"added source {row.id}: {row.url} ({row.kind}, every "
            f"{format_duration(parse_duration(every))})",
            highlight=False,
        )


@sources_app.command()
def remove(
    url: Annotated[str, typer.Argument(help="Source URL or id.")], config: ConfigOption = None
) -> None:
    """Stop polling a source; its articles and their history stay. A source the file lists
    is polled again from a daemon's next start, unless --config removes it from the file too.

    Example: newswatch sources remove https://example.com/rss.xml --config newswatch.toml
    """
    with open_db(config) as db, db.transaction() as session:
        try:
            row = storage.remove_source(session, url)
        except storage.NotFound:
            err.print(
                f"no source {redact_url(url)!r} (see `newswatch sources list`)", highlight=False
            )
            raise typer.Exit(1) from None
    if config is not None:
        _edit_config(config, lambda text: remove_from_config(text, row.url))
    shown = masked_source(row, load_redactor(config))
    out.print(
        f"removed source {shown.id}: {shown.url} ({shown.articles} article(s) kept)",
        highlight=False,
    )


@sources_app.command()
def check(
    url: Annotated[
        str | None,
        typer.Argument(
            help="Check only this source (URL or id); default: every configured and every "
            "enabled one."
        ),
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
    judge: Annotated[
        int,
        typer.Option(
            "--judge",
            min=0,
            help="Search sources: fetch this many of each one's articles "
            "and match them against the topic.",
        ),
    ] = 10,
    search_only: Annotated[bool, typer.Option("--search", help="Only the search sources.")] = False,
) -> None:
    """Fetch sources now and say whether each answers and how many article links it lists.
    A search source shows its query as sent, each hit's publisher URL (or why there is none)
    and the share of its articles that match the topic.

    Example: newswatch sources check --search --config newswatch.toml
    """
    settings = load_config(config)
    try:
        plans = fetching.search_plans(settings)
        configured = [(spec.url, spec.kind) for spec in fetching.source_specs(settings)]
    except ConfigError as error:
        raise _usage(str(error)) from None
    targets = _check_targets(settings, url, configured)
    searches = [plans[u] for u, kind in targets if kind == "search" and u in plans]
    others = (
        [] if search_only else [(u, k) for u, k in targets if not (k == "search" and u in plans)]
    )
    redactor = redactor_for(settings, channels=False)
    results = [_masked_check(r, redactor) for r in check_sources(settings, others)]
    found_searches = check_search_sources(settings, searches, limit=judge) if searches else []
    if as_json:
        render.print_json(
            out, {"sources": results, "searches": found_searches} if found_searches else results
        )
    else:
        if results:
            _print_checks(results, False)
        print_search_checks(out, found_searches)
    everything = [r.ok for r in results] + [c.ok for c in found_searches]
    if not everything or not all(everything):
        raise typer.Exit(1)


def _check_targets(
    settings: Settings, url: str | None, configured: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """What `sources check` fetches: ``url``, or the configured and stored sources (before
    the first run there is no database: then the configured ones)."""
    try:
        db = storage.open_database(settings.database.url, create=False)
    except storage.DatabaseMissing:
        return configured if url is None else [(url, "feed")]
    except storage.StorageError as error:
        complain("database error", error)
        raise typer.Exit(2) from None
    with db, db.session() as session:
        if url is None:
            stored = [(r.url, r.kind) for r in storage.list_sources(session, enabled_only=True)]
            return list(dict.fromkeys(configured + stored))
        found = storage.find_source(session, url)
        return [(found.url, found.kind)] if found else [(url, "feed")]


@app.command()
def doctor(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Check the configuration, the database, the alert channels, and that every source answers.

    Example: newswatch doctor --config newswatch.toml
    """
    settings = load_config(config)  # exits 2 with the problem explained
    redactor = redactor_for(settings)
    checks: list[tuple[str, bool, str]] = [("configuration", True, str(config or "built-in"))]
    try:
        with (
            storage.open_database(settings.database.url, create=False) as db,
            db.session() as session,
        ):
            found = storage.stats(session)
        checks.append(
            (
                "database",
                True,
                f"{db.safe_url}: {found.articles} article(s), {found.versions} version(s)",
            )
        )
    except storage.DatabaseMissing as error:  # not yet an error: the daemon makes it
        checks.append(("database", True, f"none yet at {error.where}; `newswatch run` creates it"))
    except storage.StorageError as error:
        checks.append(("database", False, redactor.text(str(error))))
    for alert in settings.alerts:  # built, not sent: a URL run would refuse fails here too
        try:
            checks.append((f"alert channel {build_channel(alert.url).label}", True, "ready"))
        except ChannelError as error:
            checks.append(("alert channel", False, redactor.text(str(error))))
    results = [
        _masked_check(r, redactor)
        for r in check_sources(
            settings, [(s.url, s.kind) for s in settings.sources if s.kind != "search"]
        )
    ]
    checks += [(f"source {r.url}", r.ok, _check_note(r)) for r in results]
    try:
        plans = list(fetching.search_plans(settings).values())
    except ConfigError as error:
        checks.append(("search sources", False, str(error)))
        plans = []
    for search in check_search_sources(settings, plans, limit=0) if plans else []:
        note = (
            f"{len(search.hits)} hit(s), {search.decoded} with the publisher's URL"
            if search.ok
            else search.error or "failed"
        )
        checks.append((f"search {search.provider} [{search.language}]", search.ok, note))
    if as_json:
        render.print_json(
            out, [{"check": name, "ok": ok, "detail": detail} for name, ok, detail in checks]
        )
    else:
        table = Table("check", "ok", "detail", box=None)
        for name, ok, detail in checks:
            table.add_row(
                render.cell(name),
                Text("ok" if ok else "FAIL", style="green" if ok else "bold red"),
                render.cell(detail),
            )
        out.print(table)
    if not all(ok for _, ok, _ in checks):
        raise typer.Exit(1)


def check_sources(settings: Settings, targets: list[tuple[str, str]]) -> list[SourceCheck]:
    """Fetch each source once (concurrently, politely capped) with a progress bar."""
    if not targets:
        return []
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("checking sources", total=len(targets))

        async def run() -> list[SourceCheck]:
            gate = asyncio.Semaphore(settings.fetch.concurrency)
            # The daemon's own client: proxy, timeouts, caps and the address guard apply.
            async with fetching.open_client(settings) as client:
                fetcher = fetching.fetcher(settings, client)

                async def one(url: str, kind: str) -> SourceCheck:
                    async with gate:
                        result = await _check_one(fetcher, url, kind)
                    progress.advance(task)
                    return result

                return list(await asyncio.gather(*(one(u, k) for u, k in targets)))

        return asyncio.run(run())


async def _check_one(fetcher: Fetcher, url: str, kind: str) -> SourceCheck:
    started = datetime.now(UTC)
    try:
        page = await fetcher.fetch(url)
        links = len(discover(page, kind)) if page.status < 400 else 0
        ok, status, error = page.status < 400, page.status, None
        if not ok:
            error = f"HTTP {page.status}"
    except ScraperError as exc:
        ok, status, links, error = False, None, 0, str(exc)
    elapsed = (datetime.now(UTC) - started).total_seconds()
    return SourceCheck(url=url, ok=ok, status=status, links=links, elapsed=elapsed, error=error)


def _masked_check(check: SourceCheck, redactor: Redactor) -> SourceCheck:
    return replace(check, url=redactor.url(check.url), error=redactor.optional(check.error))


def _check_note(r: SourceCheck) -> str:
    if r.ok:
        return f"HTTP {r.status}, {r.links} link(s), {r.elapsed:.2f}s"
    return r.error or "failed"


def _print_checks(results: list[SourceCheck], as_json: bool) -> None:
    if as_json:
        render.print_json(out, results)
        return
    table = Table("source", "ok", "status", "links", "time", "error", box=None)
    for r in results:
        table.add_row(
            render.cell(r.url),
            Text("ok" if r.ok else "FAIL", style="green" if r.ok else "bold red"),
            str(r.status or "-"),
            str(r.links),
            f"{r.elapsed:.2f}s",
            render.cell(r.error),
        )
    out.print(table)


def _fetchable(url: str) -> bool:
    """An absolute http(s) URL with a host (and a readable port): what a source can be.
    Credentials are allowed: a feed behind basic auth is a source like any other."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _usage(message: str) -> typer.Exit:
    complain("error", message)
    return typer.Exit(2)


def _edit_config(path: Path, change: Callable[[str], str]) -> None:
    """Apply a text change to the configuration file, refusing one that would not load."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise _usage(f"{path}: cannot read it: {error}") from None
    new = change(text)
    if new == text:
        return
    path.write_text(new, encoding="utf-8")
    try:
        load_settings(path)
    except ConfigError as error:
        path.write_text(text, encoding="utf-8")  # put the user's file back as it was
        raise _usage(f"{path}: the change would break the configuration: {error}") from None


def add_to_config(text: str, url: str, kind: str, every: str) -> str:
    """``text`` with a ``[[sources]]`` block for ``url`` appended, unless it has one."""
    data = tomllib.loads(text)
    if any(s.get("url") == url for s in data.get("sources", [])):
        return text
    block = f'\n[[sources]]\nurl = "{_toml_escape(url)}"\nkind = "{kind}"\nevery = "{every}"\n'
    return text.rstrip("\n") + "\n" + block


def remove_from_config(text: str, url: str) -> str:
    """``text`` without the ``[[sources]]`` block whose url is ``url`` (comments elsewhere
    stay); a block is its header line up to the next table header."""
    lines = text.splitlines(keepends=True)
    header = re.compile(r"^\s*\[")
    starts = [i for i, line in enumerate(lines) if header.match(line)] + [len(lines)]
    url_line = re.compile(r'^\s*url\s*=\s*"' + re.escape(_toml_escape(url)) + r'"\s*(#.*)?$')
    for begin, end in zip(starts, starts[1:], strict=False):
        if lines[begin].strip() != "[[sources]]":
            continue
        if any(url_line.match(line.rstrip("\n")) for line in lines[begin:end]):
            return "".join(lines[:begin] + lines[end:])
    return text


def _toml_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
