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
from scraper.search.types import Hit, Poll, SearchPlan
from scraper.types import Page, Validators


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One RSS item of a search feed."""

    link: str
    title: str | None
    outlet: str | None
    site: str | None
    published: datetime | None

    def hit(self, language: str | None, *, title: str | None = None) -> Hit:
        """A hit for this item with no publisher URL yet (``title`` replaces the item's)."""
        return Hit(
            link=self.link,
            url=None,
            title=title if title is not None else self.title,
            outlet=self.outlet,
            site=self.site,
            language=language,
            published=self.published,
        )


async def fetch_feed(
    fetcher: PoliteFetcher, provider: str, plan: SearchPlan, validators: Validators | None
) -> Page | Poll | Refused:
    """The plan's result feed, fetched at the plan's pace.

    A :class:`Poll` comes back where there is nothing to read (the feed answered 304), so that
    a provider returns anything but a :class:`Page` as its poll.
    """
    if plan.pace is not None:
        fetcher.throttle.set_min_delay(plan.endpoint, plan.pace)
    page = await fetch_answer(fetcher, plan.url, validators)
    if isinstance(page, Refused) or not page.not_modified:
        return page
    return Poll(
        provider=provider,
        query=plan.query,
        requests=(plan.url,),
        hits=(),
        validators=page.validators,
        not_modified=True,
    )


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
