"""Commands that read one article's history: its versions and the diff between two of them."""

from __future__ import annotations

from typing import Annotated

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
    err,
    open_db,
    out,
)


@app.command()
def history(
    url: Annotated[str, typer.Argument(help="Article URL or id.")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit", min=0, max=MAX_ROW, help="Show at most this many versions (the newest)."
        ),
    ] = 1000,
) -> None:
    """Every version of one article, with what changed.

    Example: newswatch history https://example.com/2025/06/02/talks.html
    """
    with open_db(config) as db, db.session() as session:
        article = article_or_exit(session, url)
        rows = storage.versions_of(session, article_id=article.id or 0)[-limit:] if limit else []
        if as_json:
            render.print_json(
                out,
                {"id": article.id, "url": article.url, "status": article.status, "versions": rows},
            )
        else:
            out.print(render.cell(article.title or article.url), style="bold")
            out.print(article.url, highlight=False)
            out.print(render.history_table(rows))


@app.command()
def diff(
    url: Annotated[str, typer.Argument(help="Article URL or id.")],
    from_: Annotated[
        int | None,
        typer.Option(
            "--from", min=1, max=MAX_ROW, help="Older version (default: the one before --to)."
        ),
    ] = None,
    to: Annotated[
        int | None,
        typer.Option("--to", min=1, max=MAX_ROW, help="Newer version (default: the latest)."),
    ] = None,
    side_by_side: Annotated[
        bool,
        typer.Option(
            "--side-by-side", "-s", help="Old and new in two columns, paragraph by paragraph."
        ),
    ] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Word-level diff between two versions of an article, coloured in a terminal; without
    colour, deletions and insertions are marked [-old-]{+new+}.

    Example: newswatch diff https://example.com/2025/06/02/talks.html --from 1 --to 2
    """
    with open_db(config) as db, db.session() as session:
        article = article_or_exit(session, url)
        if article.version_count < 2 and from_ is None and to is None:
            have = "no version yet" if not article.version_count else "one version"
            err.print(
                f"{article.url} has {have}: nothing to compare (its text: "
                f"`newswatch show {article.id}`)",
                highlight=False,
            )
            raise typer.Exit(1)
        newest = to or article.version_count
        oldest = from_ if from_ is not None else newest - 1
        if not (1 <= oldest <= article.version_count and 1 <= newest <= article.version_count):
            err.print(
                f"{article.url} has versions 1..{article.version_count}; "
                f"cannot diff {oldest} → {newest}",
                highlight=False,
            )
            raise typer.Exit(1)
        result = storage.diff_between(
            session, article_id=article.id or 0, from_n=oldest, to_n=newest
        )
    if as_json:
        render.print_json(out, {"url": article.url, **render.to_jsonable(result)})
        return
    out.print(
        Text.assemble((article.url, "bold"), f"  version {oldest} → {newest}"), highlight=False
    )
    if not result.changed_fields:
        out.print("no differences")
    # A pipe, a file, or NO_COLOR on a terminal (which keeps bold, strike and underline but
    # no colour, so a deletion looks like an insertion): marked in text instead.
    plain = out.color_system is None or out.no_color
    for field, ops in result.fields.items():
        out.rule(field)
        if side_by_side:
            out.print(
                render.side_by_side_table(
                    ops, old_label=f"version {oldest}", new_label=f"version {newest}", plain=plain
                )
            )
        else:
            out.print(render.diff_text(ops, plain=plain))
    out.print(f"+{result.words_added} words, -{result.words_removed} words", highlight=False)
