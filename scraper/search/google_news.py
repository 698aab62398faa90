"""``google-news``: Google News RSS search, each link decoded to the publisher's URL.

The feed (``/rss/search?q=…&hl=…&gl=…&ceid=…``) lists articles from every outlet Google
indexes, but its links are Google's own article pages: :mod:`scraper.search.google_decode`
turns them into the publisher's URL. An item that cannot be decoded, when its feed names the
outlet's site (``<source url="…">``), is looked for there by its title (the links of the site's
home page and the feeds it advertises) before it is given up.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from scraper.explore import Explorer
from scraper.polite import PoliteFetcher, Refused
from scraper.search.feed import FeedItem, fetch_feed, rss_items, title_without_outlet
from scraper.search.google_decode import Budget, GoogleDecoder
from scraper.search.query import locale_of, search_feed_url, search_query
from scraper.search.types import Hit, Poll, SearchPlan, Translation
from scraper.topic import TopicQuery, fold
from scraper.types import Link, Page, Validators
from scraper.wrappers import aggregator_kind, unwrap

ENDPOINT = "https://news.google.com/rss/search"


class GoogleNews:
    """The ``google-news`` provider (one decoder, and its cache, per daemon)."""

    name = "google-news"
    default_endpoint = ENDPOINT
    default_pace: float | None = None

    def __init__(self, decoder: GoogleDecoder | None = None, *, lookup_sites: int = 5) -> None:
        self.decoder = decoder or GoogleDecoder()
        self._lookup_sites = lookup_sites

    def translate(self, topic: TopicQuery, language: str) -> Translation:
        """Google's syntax is ours less the prefix operator: see :func:`search_query`."""
        return Translation(query=search_query(topic, language))

    def request_url(self, endpoint: str, query: str, language: str) -> str:
        """``endpoint?q=…&hl=…&gl=…&ceid=…``."""
        return search_feed_url(endpoint, query, language)

    async def poll(
        self,
        fetcher: PoliteFetcher,
        plan: SearchPlan,
        *,
        since: object = None,
        now: object = None,
        validators: Validators | None = None,
    ) -> Poll | Refused:
        """The feed's items, each with its publisher URL or the reason it has none."""
        page = await fetch_feed(fetcher, self.name, plan, validators)
        if not isinstance(page, Page):
            return page
        base = _origin(plan.endpoint)
        budget = Budget(plan.decode_limit)
        lookup = _TitleLookup(fetcher, max_sites=self._lookup_sites)
        locale = locale_of(plan.language).ceid
        hits: list[Hit] = []
        for item in rss_items(page):
            hits.append(await self._hit(fetcher, item, plan, base, locale, budget, lookup))
        waiting = any(h.waits for h in hits)
        return Poll(
            provider=self.name,
            query=plan.query,
            requests=(plan.url,),
            hits=tuple(hits),
            validators=Validators() if waiting else page.validators,
            problems=(f"decode endpoint: {budget.down}",) if budget.down else (),
        )

    async def _hit(
        self,
        fetcher: PoliteFetcher,
        item: FeedItem,
        plan: SearchPlan,
        base: str,
        locale: str,
        budget: Budget,
        lookup: _TitleLookup,
    ) -> Hit:
        title = title_without_outlet(item.title, item.outlet)
        known = item.hit(plan.language, title=title)
        if not self.decoder.is_article_link(item.link, base):
            target = unwrap(item.link)
            if target is not None:
                return replace(known, url=target, resolution="unwrapped")
            kind = aggregator_kind(item.link)
            if kind in ("aggregator", "consent"):
                return replace(
                    known, error_kind=kind, reason=f"a link to an {kind} page, not to an article"
                )
            return replace(known, url=item.link, resolution="direct")
        decoded = await self.decoder.decode(
            fetcher, item.link, base=base, locale=locale, budget=budget
        )
        if decoded.url is not None:
            return replace(known, url=decoded.url, resolution=decoded.resolution)
        reason = decoded.reason
        if not decoded.waits and item.site and title:
            found = await lookup.find(item.site, title)
            if found is not None:
                return replace(known, url=found, resolution="by_title")
            reason = f"{reason}; not found by title on {item.site}"
        return replace(known, error_kind=decoded.error_kind, reason=reason, waits=decoded.waits)


class _TitleLookup:
    """Finds an article on its outlet's site by title: the home page's links and the feeds it
    advertises, each site read at most once per poll."""

    def __init__(self, fetcher: PoliteFetcher, *, max_sites: int) -> None:
        self._fetcher = fetcher
        self._explorer = Explorer(fetcher, max_documents=3, max_feeds=2)
        self._sites: dict[str, tuple[Link, ...]] = {}
        self._max_sites = max_sites

    async def find(self, site: str, title: str) -> str | None:
        links = self._sites.get(site)
        if links is None:
            if len(self._sites) >= self._max_sites:
                return None
            links = self._sites[site] = await self._read(site)
        wanted = _words(title)
        for link in links:
            if link.title and _words(link.title) == wanted:
                return link.url
        return None

    async def _read(self, site: str) -> tuple[Link, ...]:
        try:
            page = await self._fetcher.fetch(site)
            if not isinstance(page, Page) or page.status >= 400:
                return ()
            return (await self._explorer.read(page, "page")).links
        except Exception:  # a lookup is a second chance: its failure is the first one's
            return ()


def _words(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() else " " for ch in fold(text)).split())


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
