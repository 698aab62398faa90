"""Reading a provider's answer: fetching it politely and parsing an RSS result list.

Google News and Bing News answer RSS; GDELT answers JSON (or RSS). The fetch and the RSS items
are the same for all: a :class:`FeedItem` per result, with the outlet when the feed names it
(Google's ``<source url="…">``, Bing's ``<News:Source>``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser

from scraper.exceptions import DiscoveryError, MalformedDocument, UnsafeDocument
from scraper.polite import PoliteFetcher, Refused
from scraper.types import Page, Validators


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One RSS item of a search feed."""

    link: str
    title: str | None
    outlet: str | None
    site: str | None
    published: datetime | None


async def fetch_answer(
    fetcher: PoliteFetcher, url: str, validators: Validators | None = None
) -> Page | Refused:
    """The provider's answer to ``url``; a 4xx/5xx raises, a 404/410 is a discovery error."""
    page = await fetcher.fetch(url, validators=validators)
    if isinstance(page, Page) and page.is_gone:
        raise DiscoveryError(
            f"the search endpoint answers HTTP {page.status}: check its endpoint setting",
            url=page.final_url,
        )
    return page


def rss_items(page: Page) -> list[FeedItem]:
    """The items of an RSS result list; a page that is not a feed is an error saying so."""
    if b"<!ENTITY" in page.body[:65536]:
        raise UnsafeDocument("search feed declares XML entities; refused", url=page.final_url)
    parsed = feedparser.parse(page.body, response_headers=dict(page.headers))
    if parsed.bozo and not parsed.entries and not parsed.get("feed", {}).get("title"):
        snippet = page.text.strip().replace("\n", " ")[:200]
        raise MalformedDocument(
            f"the search answer is not an RSS feed (has the provider "
            f"changed its format?): {snippet!r}",
            url=page.final_url,
        )
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if not link:
            continue
        source = entry.get("source") or {}
        outlet = (source.get("title") if isinstance(source, dict) else None) or entry.get(
            "news_source"
        )
        site = source.get("href") if isinstance(source, dict) else None
        items.append(
            FeedItem(
                link=link,
                title=(entry.get("title") or None),
                outlet=outlet,
                site=site,
                published=_when(entry.get("published_parsed")),
            )
        )
    return items


def _when(parsed: object) -> datetime | None:
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def title_without_outlet(title: str | None, outlet: str | None) -> str | None:
    """Google News writes "Headline - Outlet": the headline alone, for matching by title."""
    if title and outlet and title.endswith(f" - {outlet}"):
        return title[: -len(outlet) - 3].strip() or title
    return title
