"""The search providers by name, and the plan a search source polls.

A provider is one file in this folder with a class that has ``name``, ``default_endpoint``,
``default_pace``, ``translate(topic, language)``, ``request_url(endpoint, query, language)``
and ``poll(fetcher, plan, since=, now=, validators=)``. Adding one is adding that file and a
line to :data:`PROVIDERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from scraper.polite import PoliteFetcher, Refused
from scraper.search.bing_news import BingNews
from scraper.search.gdelt import Gdelt
from scraper.search.google_news import GoogleNews
from scraper.search.types import Poll, SearchPlan, Translation
from scraper.topic import TopicQuery
from scraper.types import Validators


class Provider(Protocol):
    """The seam every search provider fits."""

    name: str
    default_endpoint: str
    default_pace: float | None

    def translate(self, topic: TopicQuery, language: str) -> Translation:
        """The topic in this provider's syntax for one language."""
        ...

    def request_url(self, endpoint: str, query: str, language: str) -> str:
        """The source's identity: the request for ``query`` without any time window."""
        ...

    async def poll(
        self,
        fetcher: PoliteFetcher,
        plan: SearchPlan,
        *,
        since: datetime | None,
        now: datetime,
        validators: Validators | None = None,
    ) -> Poll | Refused:
        """Ask the provider once (page by page if need be) and return what it found."""
        ...


PROVIDERS: dict[str, Callable[[], Provider]] = {
    "google-news": GoogleNews,
    "gdelt": Gdelt,
    "bing-news": BingNews,
}


class UnknownProvider(ValueError):
    """A provider name that is not in :data:`PROVIDERS`."""


class UntranslatableTopic(ValueError):
    """A topic that leaves nothing to search for in a provider's syntax."""


def provider_named(name: str) -> Provider:
    """A new provider instance (each keeps its own caches)."""
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise UnknownProvider(
            f"unknown search provider {name!r} (known: {', '.join(sorted(PROVIDERS))})"
        ) from None


def build_plan(
    provider: Provider,
    topic: TopicQuery,
    language: str,
    *,
    endpoint: str | None = None,
    query: str | None = None,
    pace: float | None = None,
    decode_limit: int = 40,
) -> SearchPlan:
    """The plan of one search source: ``query`` (as the user wrote it for this provider)
    overrides the translation of the topic."""
    translation = Translation(query=query) if query else provider.translate(topic, language)
    if not translation.query:
        reasons = "; ".join(translation.dropped) or "the topic is empty"
        raise UntranslatableTopic(
            f"{provider.name}: nothing left to search for in {language} "
            f"({reasons}); set this source's query"
        )
    where = endpoint or provider.default_endpoint
    return SearchPlan(
        provider=provider.name,
        language=language,
        query=translation.query,
        endpoint=where,
        url=provider.request_url(where, translation.query, language),
        dropped=translation.dropped,
        pace=pace,
        decode_limit=decode_limit,
    )
