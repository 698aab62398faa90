"""``newswatch check``: run the extractor on one URL or saved file, as the daemon would.

The page is judged as the daemon judges it (``scraper.verdicts``): a bot wall, a consent or
sign-in page, a teaser, a soft 404 or a page without text is reported as such, with the
signals that said so. ``render`` loads the page in the browser first, as ``[render]`` does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from newswatch.config import Settings
from newswatch.fetching import fetcher, open_client, renderer
from scraper import Extracted, ExtractionError, HTTPStatusError, Page, extract
from scraper.verdicts import Known, Verdict, judge


@dataclass(frozen=True, slots=True)
class Checked:
    """What ``check`` found: the extraction (``None`` if there was none) and the verdict
    (``None``: the page is the article)."""

    found: Extracted | None
    verdict: Verdict | None
    rendered: bool = False


def check_page(target: str, settings: Settings, *, render: bool = False) -> Checked:
    """Fetch ``target`` if it is a URL, else read it as a file; judge it and extract it.

    A URL is fetched as the daemon would: the configured User-Agent, proxy, timeouts, caps and
    address guard. Raises (ExtractionError, FetchError, OSError) when there is nothing to show.
    """
    if target.startswith(("http://", "https://")):
        return asyncio.run(_fetch_and_check(target, settings, render=render))
    path = Path(target)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    raw = path.read_bytes()
    page = Page(
        url=path.resolve().as_uri(),
        final_url=path.resolve().as_uri(),
        status=200,
        headers={},
        body=raw,
        content_type="text/html",
        elapsed=0.0,
    )
    return _judged(page, extract(raw), requested=None)


async def _fetch_and_check(url: str, settings: Settings, *, render: bool) -> Checked:
    async with open_client(settings) as client:
        try:
            page = await fetcher(settings, client).fetch(url)
        except HTTPStatusError as error:
            if error.page is None:
                raise
            page = error.page  # a 403 or 503 that is a bot wall says so below
        if render and page.status == 200 and page.is_html:
            browser = renderer(settings, client)
            try:
                page = await browser.render(page)
            finally:
                await browser.close()
    if page.status < 300 and not page.is_html:
        raise ExtractionError(f"not an HTML page ({page.content_type})", url=url)
    try:
        found: Extracted | None = extract(page.text, url=page.final_url) if page.text else None
    except ExtractionError:
        found = None
    checked = _judged(page, found, requested=url, rendered=render)
    if checked.verdict is None and (found is None or page.status != 200):
        raise ExtractionError(f"HTTP {page.status}", url=url)
    return checked


def _judged(
    page: Page, found: Extracted | None, *, requested: str | None, rendered: bool = False
) -> Checked:
    return Checked(
        found=found, verdict=judge(page, found, Known(requested_url=requested)), rendered=rendered
    )
