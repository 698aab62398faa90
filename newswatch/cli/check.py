"""``newswatch check``: what extraction finds in one page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newswatch import render
from newswatch.cli.common import ConfigOption, JsonOption, app, complain, load_config, out
from scraper import Extracted
from scraper.urls import InvalidURL, canonicalize_url


@app.command()
def check(target: Annotated[str, typer.Argument(help="A URL to fetch or an HTML file.")],
          config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show what newswatch would store for one page, and where each field came from.

    A URL is fetched with the configured [fetch] settings (User-Agent, proxy, timeouts).
    For the title, authors, date and language, every candidate the page offers is listed
    with the one that won and why the others lost.

    Example: newswatch check saved-page.html
    """
    from newswatch.checkpage import load_and_extract

    settings = load_config(config)
    if "://" in target:
        try:
            canonicalize_url(target)
        except InvalidURL as error:
            complain("error", f"{error}; give an http(s) URL or a saved HTML file")
            raise typer.Exit(2) from None
    elif not Path(target).is_file():
        what = "is a folder" if Path(target).is_dir() else "no such file"
        complain("error", f"{target}: {what}; give a saved HTML file or an http(s) URL")
        raise typer.Exit(2)
    try:
        found = load_and_extract(target, settings)
    except Exception as error:  # every failure here is the user's page or path: say which
        complain("cannot check", f"{target}: {error}")
        raise typer.Exit(1) from None
    if as_json:
        render.print_json(out, found)
        return
    out.print(render.extracted_table(found))
    _show_evidence(found)
    out.rule("body")
    out.print(found.body, markup=False, highlight=False)


def _show_evidence(found: Extracted) -> None:
    """The candidates behind title, authors, published and language, winners first."""
    from newswatch.evidence_view import evidence_table

    out.rule("evidence")
    out.print(evidence_table(found))
