"""``newswatch check``: what extraction finds in one page."""

from __future__ import annotations

from typing import Annotated

import typer

from newswatch import render
from newswatch.cli.common import ConfigOption, JsonOption, app, complain, load_config, out


@app.command()
def check(target: Annotated[str, typer.Argument(help="A URL to fetch or an HTML file.")],
          config: ConfigOption = None, as_json: JsonOption = False) -> None:
    """Show what newswatch would store for one page, and where each field came from.

    A URL is fetched with the configured [fetch] settings (User-Agent, proxy, timeouts).

    Example: newswatch check saved-page.html
    """
    from newswatch.checkpage import load_and_extract

    settings = load_config(config)
    try:
        found = load_and_extract(target, settings)
    except Exception as error:  # every failure here is the user's page or path: say which
        complain("cannot check", f"{target}: {error}")
        raise typer.Exit(1) from None
    if as_json:
        render.print_json(out, found)
        return
    out.print(render.extracted_table(found))
    out.rule("body")
    out.print(found.body, markup=False, highlight=False)
