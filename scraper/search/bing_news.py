"""``bing-news``: Bing News RSS search, each link unwrapped from its ``url=`` parameter.

Bing's RSS (``/news/search?q=…&format=rss``) wraps every publisher URL in a click-counting
link, ``apiclick.aspx?ref=FexRss&…&url=<publisher URL>&…``: the URL is taken out of the link,
with no request to Bing. ``<News:Source>`` names the outlet. ``setlang`` and ``cc`` ask for one
language's and country's news.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode, urlsplit

from scraper.polite import PoliteFetcher, Refused
from scraper.search.feed import fetch_feed, rss_items
from scraper.search.query import locale_of, search_query
from scraper.search.types import Hit, Poll, SearchPlan, Translation
from scraper.topic import TopicQuery
from scraper.types import Page, Validators
from scraper.wrappers import WRAPPERS, Wrapper, WrapperTable

ENDPOINT = "https://www.bing.com/news/search"


class BingNews:
    """The ``bing-news`` provider."""

    name = "bing-news"
    default_endpoint = ENDPOINT
    default_pace: float | None = None

    def translate(self, topic: TopicQuery, language: str) -> Translation:
        """Bing reads the same syntax as Google: see :func:`search_query`."""
        return Translation(query=search_query(topic, language))

    def request_url(self, endpoint: str, query: str, language: str) -> str:
        """``endpoint?q=…&format=rss&setlang=…&cc=…``."""
        params = urlencode(
            {"q": query, "format": "rss", "setlang": language, "cc": locale_of(language).gl}
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{params}"

    async def poll(
        self,
        fetcher: PoliteFetcher,
        plan: SearchPlan,
        *,
        since: object = None,
        now: object = None,
        validators: Validators | None = None,
    ) -> Poll | Refused:
        """The feed's items, each link unwrapped."""
        page = await fetch_feed(fetcher, self.name, plan, validators)
        if not isinstance(page, Page):
            return page
        # Bing's click links, also where the endpoint was moved (a mirror, a test server).
        click = Wrapper(
            urlsplit(plan.endpoint).hostname or "", "redirector", "/news/apiclick.aspx", "url"
        )
        table = WrapperTable((click, *WRAPPERS))
        hits: list[Hit] = []
        for item in rss_items(page):
            hit = item.hit(plan.language)
            target = table.unwrap(item.link)
            if target is not None:
                hits.append(replace(hit, url=target, resolution="unwrapped"))
            elif table.kind(item.link) is None:
                hits.append(replace(hit, url=item.link, resolution="direct"))
            else:
                reason = "a Bing link without a url= parameter"
                hits.append(replace(hit, error_kind="not_unwrapped", reason=reason))
        return Poll(
            provider=self.name,
            query=plan.query,
            requests=(plan.url,),
            hits=tuple(hits),
            validators=page.validators,
        )
