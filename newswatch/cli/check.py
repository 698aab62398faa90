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
def check(
    target: Annotated[str, typer.Argument(help="A URL to fetch or an HTML file.")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
    render_page: Annotated[
        bool,
        typer.Option(
            "--render",
            help="Load the page in the browser first, as \\[render] does "
            "(needs newswatch\\[browser] and Chromium).",
        ),
    ] = False,
) -> None:
    """Show what newswatch would store for one page, and where each field came from.

    A URL is fetched with the configured \\[fetch] settings (User-Agent, proxy, timeouts). The
    page is judged as the daemon judges it: a bot wall, a consent or sign-in page, a paywall
    teaser, a soft 404 or a page without text is said to be one, with the signals that said so.
    For the title, authors, date and language, every candidate the page offers is listed
    with the one that won and why the others lost.

    Example: newswatch check https://example.org/news/2025/06/02/talks.html --render
    """
    from newswatch.checkpage import check_page

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
        checked = check_page(target, settings, render=render_page)
    except Exception as error:  # every failure here is the user's page or path: say which
        complain("cannot check", f"{target}: {error}")
        raise typer.Exit(1) from None
    found, verdict = checked.found, checked.verdict
    if as_json:
        fields = render.to_jsonable(found) if found is not None else {}
        render.print_json(out, {**fields, "verdict": verdict})
        return
    if verdict is not None:
        complain(f"not the article: {verdict.kind}", "; ".join(verdict.evidence))
        if verdict.hint:
            complain("hint", verdict.hint)
    if found is None:
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
