"""``newswatch check``: run the extractor on one URL or saved file, as the daemon would."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scraper import Extracted, ExtractionError, extract
from scraper.fetch import Fetcher, build_client


def load_and_extract(target: str) -> Extracted:
    """Fetch ``target`` if it is a URL, else read it as a file; return what extraction finds."""
    if target.startswith(("http://", "https://")):
        return asyncio.run(_fetch_and_extract(target))
    path = Path(target)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    return extract(path.read_bytes())


async def _fetch_and_extract(url: str) -> Extracted:
    async with build_client() as client:
        page = await Fetcher(client).fetch(url)
    if page.status != 200:
        raise ExtractionError(f"HTTP {page.status}", url=url)
    if not page.is_html:
        raise ExtractionError(f"not an HTML page ({page.content_type})", url=url)
    return extract(page.text, url=page.final_url)
