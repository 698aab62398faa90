"""``newswatch check``: run the extractor on one URL or saved file, as the daemon would."""

from __future__ import annotations

import asyncio
from pathlib import Path

from newswatch.config import Settings
from newswatch.fetching import fetcher, open_client
from scraper import Extracted, ExtractionError, extract


def load_and_extract(target: str, settings: Settings) -> Extracted:
    """Fetch ``target`` if it is a URL, else read it as a file; return what extraction finds.

    A URL is fetched as the daemon would: the configured User-Agent, proxy, timeouts and caps.
    """
    if target.startswith(("http://", "https://")):
        return asyncio.run(_fetch_and_extract(target, settings))
    path = Path(target)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    return extract(path.read_bytes())


async def _fetch_and_extract(url: str, settings: Settings) -> Extracted:
    async with open_client(settings) as client:
        page = await fetcher(settings, client).fetch(url)
    if page.status != 200:
        raise ExtractionError(f"HTTP {page.status}", url=url)
    if not page.is_html:
        raise ExtractionError(f"not an HTML page ({page.content_type})", url=url)
    return extract(page.text, url=page.final_url)
