"""Commands that read the stored history: articles, history, diff."""

from __future__ import annotations

from typing import Annotated

import typer

import storage
from newswatch import render
from newswatch.cli.common import ConfigOption, JsonOption, app, article_or_exit, err, open_db, out


@app.command()
def articles(config: ConfigOption = None, as_json: JsonOption = False,
             limit: Annotated[int, typer.Option(help="Show at most this many.")] = 100,
             outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
             ) -> None:
    """List stored articles: url, outlet, title, first seen, versions.

    Example: newswatch articles --json
    """
    with open_db(config) as db, db.session() as session:
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
    with open_db(config) as db, db.session() as session:
        article = article_or_exit(session, url)
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
    with open_db(config) as db, db.session() as session:
        article = article_or_exit(session, url)
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
