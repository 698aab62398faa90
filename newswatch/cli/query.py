"""Commands that list what is stored: articles (with filters), show, stats, alerts.

Every listing takes ``--json`` (the field names are documented in the README and stable) and
``--limit``; an empty answer exits 1 so scripts can tell "nothing matched" from a result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.text import Text

import storage
from newswatch import render
from newswatch.cli.common import (
    MAX_ROW,
    ConfigOption,
    JsonOption,
    app,
    article_or_exit,
    complain,
    err,
    load_config,
    load_redactor,
    open_db,
    out,
    outlet_named,
)
from newswatch.queries import BadQuery, article_query, parse_when, topic_matcher
from newswatch.redaction import (
    channel_names,
    masked_alert,
    masked_article,
    named_alert,
    named_backlog,
)

LimitOption = Annotated[
    int, typer.Option("--limit", min=0, max=MAX_ROW, help="Show at most this many.")
]
OffsetOption = Annotated[
    int, typer.Option("--offset", min=0, max=MAX_ROW, help="Skip this many first.")
]


def usage_error(error: Exception) -> typer.Exit:
    """Say what was wrong with the input and return the exit-2 to raise."""
    complain("error", error)
    return typer.Exit(2)


def finish_listing(rows: Sequence[Any], as_json: bool, table: Any) -> None:
    """Print rows as JSON or a table; exit 1 when nothing matched."""
    if as_json:
        render.print_json(out, list(rows))
    elif rows:
        out.print(table(rows))
    else:
        err.print("nothing matched", highlight=False)
    if not rows:
        raise typer.Exit(1)


@app.command()
def articles(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = 100,
    offset: OffsetOption = 0,
    since: Annotated[
        str | None,
        typer.Option(help="First seen at or after: 2025-06-02, today, or an age such as 24h."),
    ] = None,
    until: Annotated[str | None, typer.Option(help="First seen before this time.")] = None,
    outlet: Annotated[
        str | None,
        typer.Option(help="Only this outlet: its domain, one of its hosts, or its name."),
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Only found through this source (URL or id).")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(help="A topic query matched on the stored text, e.g. 'prisoner* AND swap'."),
    ] = None,
    edited: Annotated[
        bool, typer.Option("--edited", help="Only articles edited at least once.")
    ] = False,
    edit_class: Annotated[
        str | None,
        typer.Option("--class", help="Only articles with an edit of this class (e.g. headline)."),
    ] = None,
    gone: Annotated[bool, typer.Option("--gone", help="Only articles taken down.")] = False,
    churning: Annotated[
        bool,
        typer.Option(
            "--churning", help="Only articles that change on every visit (not versioned meanwhile)."
        ),
    ] = False,
    language: Annotated[
        str | None, typer.Option(help="Only articles in this language (en, ru, uk, tr...).")
    ] = None,
) -> None:
    """List stored articles, newest first: id, outlet, title, first seen, versions, status
    ("churning" added while the article changes on every visit).

    Example: newswatch articles --since 24h --outlet herald.example --edited --json
    """
    try:
        query = article_query(
            since=since,
            until=until,
            outlet=outlet,
            source=source,
            edited=edited,
            gone=gone,
            churning=churning,
            edit_class=edit_class,
            limit=limit,
            offset=offset,
            language=language,
        )
        matches = topic_matcher(topic)
    except BadQuery as error:
        raise usage_error(error) from None
    redactor = load_redactor(config)
    try:
        with open_db(config) as db, db.session() as session:
            query = dataclasses.replace(query, outlet=outlet_named(session, config, outlet))
            rows = [
                masked_article(row, redactor)
                for row in storage.query_articles(session, query, matches=matches)
            ]
    except storage.StorageError as error:
        raise usage_error(error) from None
    finish_listing(rows, as_json, render.articles_table)


@app.command()
def show(
    url: Annotated[str, typer.Argument(help="Article URL or id.")],
    version: Annotated[
        int | None,
        typer.Option(
            "--version", "-v", min=1, max=MAX_ROW, help="Show this version instead of the latest."
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Show what readers saw at this time (2025-06-02T10:00, 24h...)."),
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """One article: its metadata, its versions, and the text of the latest (or --version N,
    or what it said --at a time).

    Example: newswatch show https://example.com/2025/06/02/talks.html --at 2025-06-02T12:00
    """
    if version is not None and at is not None:
        # Each names the version to show; one was quietly dropped.
        raise usage_error(ValueError("give --version or --at, not both"))
    try:
        when = parse_when(at) if at else None
    except BadQuery as error:
        raise usage_error(error) from None
    with open_db(config) as db, db.session() as session:
        article = article_or_exit(session, url)
        number = version or article.version_count
        current = storage.get_version(session, article.id or 0, number) if number else None
        if when is not None:
            current = storage.version_at(session, article.id or 0, when)
            if current is None:
                err.print(
                    f"{article.url} had not been fetched yet at {when:%Y-%m-%d %H:%M}",
                    highlight=False,
                )
                raise typer.Exit(1)
        if version is not None and current is None:
            err.print(
                f"{article.url} has versions 1..{article.version_count}, not {version}",
                highlight=False,
            )
            raise typer.Exit(1)
        versions = storage.versions_of(session, article_id=article.id or 0)
    if as_json:
        render.print_json(
            out,
            {
                "id": article.id,
                "url": article.url,
                "outlet": article.outlet,
                "title": (current.title if current else None)
                or article.title
                or article.hint_title,
                "published": (current.published if current else None) or article.hint_published,
                "status": article.status,
                "churning_since": article.churning_since,
                "first_seen_at": article.first_seen_at,
                "last_changed_at": article.last_changed_at,
                "version_count": article.version_count,
                "version": None if current is None else _version_json(current),
                "versions": versions,
            },
        )
        return
    out.print(render.article_panel(article, current))
    if current is not None:
        out.rule(f"version {current.number} of {article.version_count}")
        if current.title:
            out.print(render.cell(current.title), style="bold")
        if current.subtitle:
            out.print(current.subtitle, markup=False, highlight=False, style="italic")
        out.print(current.body, markup=False, highlight=False)
    out.rule("versions")
    out.print(render.history_table(versions))


def _version_json(v: storage.Version) -> dict[str, Any]:
    return {
        "number": v.number,
        "fetched_at": v.fetched_at,
        "title": v.title,
        "subtitle": v.subtitle,
        "body": v.body,
        "authors": list(v.authors),
        "published": v.published,
        "modified": v.modified,
        "language": v.language,
        "canonical_url": v.canonical_url,
        "changed_fields": list(v.changed_fields),
        "classes": list(getattr(v, "classes", None) or ()),
    }


@app.command()
def stats(config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Totals: articles by status, edits, versions, sources, alerts, snapshots, fetches, and
    per search provider: hits, decoded, new articles, on-topic share, errors by kind; and per
    outlet, the share of last week's fetches that were walls or teasers, not the article.

    Example: newswatch stats --json
    """
    names = channel_names(load_config(config))
    with open_db(config) as db, db.session() as session:
        found = storage.stats(session)
        backlog = named_backlog(storage.channel_backlog(session, list(names)), names)
    if as_json:
        render.print_json(
            out, {**render.to_jsonable(found), "channels": render.to_jsonable(backlog)}
        )
    else:
        out.print(render.stats_table(found))
        out.print("\nalert channels", style="bold")
        for line in render.backlog_lines(backlog, now=datetime.now(UTC)):
            out.print(line, soft_wrap=True)
        if found.discovery:
            out.print("\nsearch discovery", style="bold")
            for line in render.discovery_lines(found.discovery):
                out.print(line, soft_wrap=True)
        if found.walls:
            out.print(
                "\nwalls and teasers, last 7 days (share of each outlet's fetches)", style="bold"
            )
            for line in render.wall_lines(found.walls):
                out.print(line, soft_wrap=True)


@app.command()
def alerts(
    state: Annotated[
        str | None,
        typer.Argument(help="Only alerts in this state: pending, sent, failed or skipped."),
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = 100,
    offset: OffsetOption = 0,
) -> None:
    """Alerts newest first and where each got to on every channel (sent, pending, failed),
    then each channel's backlog: how many alerts it still owes, the oldest since when.

    Example: newswatch alerts failed --json
    """
    if state is not None and state not in storage.ALERT_STATES:
        raise usage_error(
            ValueError(f"unknown state {state!r}: use {', '.join(storage.ALERT_STATES)}")
        )
    redactor = load_redactor(config, channels=True)
    names = channel_names(load_config(config))
    with open_db(config) as db, db.session() as session:
        rows = [
            named_alert(masked_alert(row, redactor), names)
            for row in storage.list_alerts(
                session, state=state, limit=limit, offset=offset, channels=list(names)
            )
        ]
        backlog = named_backlog(storage.channel_backlog(session, list(names)), names)
    if not as_json:
        for line in render.backlog_lines(backlog, now=datetime.now(UTC)):
            err.print(line, highlight=False, soft_wrap=True)
    finish_listing(rows, as_json, render.alerts_table)


@app.command()
def edits(
    config: ConfigOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    since: Annotated[
        str | None, typer.Option(help="Edits recorded at or after this time (2025-06-02, 24h...).")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet (host).")] = None,
    topic: Annotated[str | None, typer.Option(help="A topic query on the edited text.")] = None,
    edit_class: Annotated[
        str | None,
        typer.Option("--class", help="Only edits of this class (headline, correction, ...)."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Only edits of articles in this language (en, ru, uk, tr...)."),
    ] = None,
) -> None:
    """Recent edits, newest first: which article, which version, what changed.

    Example: newswatch edits --since 24h --class headline
    """
    try:
        asked = article_query(since=since, language=language)
        when, language = asked.since, asked.language
        matches = topic_matcher(topic)
    except BadQuery as error:
        raise usage_error(error) from None
    with open_db(config) as db, db.session() as session:
        rows = storage.recent_edits(
            session,
            limit=limit,
            offset=offset,
            outlet=outlet_named(session, config, outlet),
            since=when,
            edit_class=edit_class,
            matches=matches,
            language=language,
        )
    finish_listing(rows, as_json, render.edits_table)


@app.command()
def search(
    query: Annotated[
        str, typer.Argument(help='Words, "exact phrases", prefix*, OR, NOT word / -word.')
    ],
    all_versions: Annotated[
        bool,
        typer.Option(
            "--all-versions", help="Search every stored version: finds text later removed."
        ),
    ] = False,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet (host).")] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = 50,
) -> None:
    """Full-text search of the stored articles (current text, or every version).

    Newest first, by the version that matched: an article edited today comes before one
    first seen yesterday and not changed since.

    Example: newswatch search '"prisoner exchange" OR swap*' --all-versions
    """
    try:
        with open_db(config) as db, db.session() as session:
            hits = storage.search(
                session, query, all_versions=all_versions, outlet=outlet, limit=limit
            )
    except storage.SearchQueryError as error:
        raise usage_error(error) from None
    finish_listing(hits, as_json, render.search_table)


@app.command()
def stories(
    story: Annotated[
        int | None, typer.Argument(min=1, max=MAX_ROW, help="Show this story's articles.")
    ] = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
    limit: LimitOption = 50,
) -> None:
    """Stories: the coverage of one event grouped together (wire copies included).

    Example: newswatch stories --json
    """
    with open_db(config) as db, db.session() as session:
        if story is None:
            rows: Sequence[Any] = storage.list_stories(session, limit=limit)
            finish_listing(rows, as_json, render.stories_table)
            return
        info = storage.story_info(session, story)
        if info is None:
            err.print(f"no story {story} (see `newswatch stories`)", highlight=False)
            raise typer.Exit(1)
        redactor = load_redactor(config)
        members = [
            masked_article(row, redactor) for row in storage.story_articles(session, story)[:limit]
        ]
    if as_json:
        render.print_json(out, {"story": info, "articles": members})
        return
    out.print(
        Text(
            f"story {info.id}: {info.title or '(untitled)'} — {info.articles} "
            f"article(s) from {info.outlets} outlet(s)",
            style="bold",
        )
    )
    out.print(render.articles_table(members))
