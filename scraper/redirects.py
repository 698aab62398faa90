"""Following redirects one hop at a time, with a cap and loop detection.

The hop itself is the caller's: ``scraper.fetch`` passes a plain request, ``scraper.polite``
passes one that asks robots.txt and the throttle first, so every hop of a chain is as polite
as the first request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from urllib.parse import urljoin, urlsplit

from scraper import exceptions as exc
from scraper.types import Page

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
Hop = Callable[[str], Awaitable[Page]]


def redirect_target(page: Page) -> str | None:
    """Where a 3xx page points (absolute); ``None`` for any other page."""
    if page.status not in REDIRECT_STATUSES:
        return None
    location = page.headers.get("location", "").strip()
    if not location:
        raise exc.ProtocolFailed(f"{page.status} without a Location header", url=page.final_url)
    target = urljoin(page.final_url, location)
    if urlsplit(target).scheme.lower() not in ("http", "https"):
        raise exc.BadRedirect(f"redirect to a non-http URL: {target}", url=page.final_url)
    return target


async def follow(
    hop: Hop, url: str, *, max_redirects: int, stop: Callable[[str], bool] | None = None
) -> Page:
    """Request ``url`` and follow its redirects; the page returned has ``url`` as its ``url``.

    A chain that comes back to a URL it has already visited is a loop, reported at once rather
    than after ``max_redirects`` wasted requests. A redirect to a URL that ``stop`` names is
    not followed: the 3xx page itself comes back (its ``location`` header says where).
    """
    seen: set[str] = set()
    current = url
    elapsed = 0.0
    for _ in range(max_redirects + 1):
        if current in seen:
            raise exc.TooManyRedirects("redirect loop", url=current)
        seen.add(current)
        page = await hop(current)
        elapsed += page.elapsed
        target = redirect_target(page)
        if target is None or (stop is not None and stop(target)):
            return dataclasses.replace(page, url=url, elapsed=elapsed)
        current = target
    raise exc.TooManyRedirects(f"more than {max_redirects} redirects", url=url)
