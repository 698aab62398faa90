"""``newswatch recheck``: check chosen articles now instead of at their queued time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

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
from newswatch.durations import format_duration


@app.command()
def recheck(
    article: Annotated[str | None, typer.Argument(help="Article URL or id.")] = None,
    outlet: Annotated[
        str | None,
        typer.Option(
            help="Every article of this outlet (its domain, e.g. bbc.co.uk, or any of its hosts)."
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every article and every enabled source.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Make articles due now: a running daemon checks them at its next pass (within its
    \\[daemon] tick) instead of at their queued time.

    Example: newswatch recheck --outlet bbc.co.uk
    """
    if (article is not None) + (outlet is not None) + everything != 1:
        complain("error", "say what to recheck: an article (URL or id), --outlet HOST, or --all")
        raise typer.Exit(2)
    now = datetime.now(UTC)
    with open_db(config) as db:
        target = storage.RecheckTarget(outlet=outlet, everything=everything)
        if article is not None:
            with db.session() as session:
                target = storage.RecheckTarget(article_id=article_or_exit(session, article).id)
        with db.transaction() as session:
            done = storage.make_due(session, target, now=now)
    tick = format_duration(load_config(config).daemon.tick)
    if not done.articles and not done.sources:
        err.print(f"no article of {outlet!r} is stored (see `newswatch articles`)", highlight=False)
        raise typer.Exit(1)
    sources = f" and {done.sources} source(s)" if everything else ""
    out.print(
        f"{done.articles} article(s){sources} due now; a running daemon checks them within {tick}",
        highlight=False,
    )
