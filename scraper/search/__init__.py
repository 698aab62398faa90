"""News search: the topic turned into provider queries, answers into publishers' URLs.

One file per provider (``gdelt``, ``google_news``, ``bing_news``) behind one seam
(:class:`~scraper.search.providers.Provider`), chosen by name from
:data:`~scraper.search.providers.PROVIDERS`.
"""

from scraper.search.bing_news import BingNews
from scraper.search.gdelt import Gdelt, parse_artlist
from scraper.search.google_decode import GoogleDecoder, parse_decode_answer
from scraper.search.google_news import GoogleNews
from scraper.search.providers import (
    PROVIDERS,
    Provider,
    UnknownProvider,
    UntranslatableTopic,
    build_plan,
    provider_named,
)
from scraper.search.query import (
    GOOGLE_NEWS_SEARCH,
    LOCALES,
    SCRIPTS,
    Locale,
    locale_of,
    search_feed_url,
    search_feed_urls,
    search_query,
)
from scraper.search.types import Hit, Poll, SearchPlan, Translation

__all__ = [
    "GOOGLE_NEWS_SEARCH",
    "LOCALES",
    "PROVIDERS",
    "SCRIPTS",
    "BingNews",
    "Gdelt",
    "GoogleDecoder",
    "GoogleNews",
    "Hit",
    "Locale",
    "Poll",
    "Provider",
    "SearchPlan",
    "Translation",
    "UnknownProvider",
    "UntranslatableTopic",
    "build_plan",
    "locale_of",
    "parse_artlist",
    "parse_decode_answer",
    "provider_named",
    "search_feed_url",
    "search_feed_urls",
    "search_query",
]
