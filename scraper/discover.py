"""Discovery: turning a source page (feed, sitemap, listing page) into candidate article links.

Each source kind is a small parser registered in :data:`PARSERS`; ``discover`` picks one by the
source's configured kind. Links come back canonicalised, with whatever the source said about
them (title, published, updated) so the scheduler can skip rechecks that would find nothing.
"""

from __future__ import annotations

import calendar
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser

from scraper.exceptions import DiscoveryError
from scraper.types import Link, Page
from scraper.urls import InvalidURL, canonicalize_url, same_site

logger = logging.getLogger(__name__)
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# A listing page's article links usually carry a date or a long slug; section links do not.
_ARTICLE_PATH = re.compile(
    r"/(19|20)\d{2}/\d{1,2}/|/\d{6}/|\d{5,}|/[^/?#]*-[^/?#]*-[^/?#]*-[^/?#]+"
)


def discover(page: Page, kind: str) -> list[Link]:
    """Candidate article links found on ``page``, a source of the given kind."""
    try:
        parser = PARSERS[kind]
    except KeyError:
        allowed = ", ".join(sorted(PARSERS))
        raise DiscoveryError(f"unknown source kind {kind!r} (allowed: {allowed})",
                             url=page.final_url) from None
    return _unique(parser(page))


def parse_feed(page: Page) -> list[Link]:
    """Links from an RSS 0.9x/1.0/2.0, Atom or JSON feed."""
    parsed = feedparser.parse(page.body, response_headers=dict(page.headers))
    if parsed.bozo and not parsed.entries:
        reason = parsed.get("bozo_exception") or "not a feed"
        raise DiscoveryError(f"unreadable feed: {reason}", url=page.final_url)
    if parsed.bozo:
        # Real feeds are often slightly broken (a raw "&", a cut-off tail); feedparser keeps what
        # it could read, and so do we, but the owner of the source should hear about it.
        logger.warning("feed is not well-formed; using the entries that could be read", extra={
            "event": "feed_malformed", "url": page.final_url,
            "error": str(parsed.get("bozo_exception"))})
    links = []
    for entry in parsed.entries:
        href = entry.get("link") or _guid_link(entry)
        url = _absolute(page.final_url, href)
        if url:
            links.append(Link(
                url=url,
                title=entry.get("title") or None,
                published=_struct_time(entry.get("published_parsed")),
                updated=_struct_time(dict.get(entry, "updated_parsed")),  # no fallback
            ))
    return links


def parse_sitemap(page: Page) -> list[Link]:
    """Article links from a sitemap urlset, Google News extensions included.

    A sitemap *index* has no articles of its own: :func:`sitemap_children` lists what it points to.
    """
    root = _safe_xml(page)
    links = []
    for node in root.iter(f"{_SITEMAP_NS}url"):
        url = _absolute(page.final_url, node.findtext(f"{_SITEMAP_NS}loc"))
        if not url:
            continue
        news = node.find(f"{_NEWS_NS}news")
        links.append(Link(
            url=url,
            title=news.findtext(f"{_NEWS_NS}title") if news is not None else None,
            published=_iso(news.findtext(f"{_NEWS_NS}publication_date"))
            if news is not None else None,
            updated=_iso(node.findtext(f"{_SITEMAP_NS}lastmod")),
        ))
    return links


def sitemap_children(page: Page) -> list[str]:
    """The child sitemaps of a sitemap index (empty for a plain urlset).

    An index that lists itself is not followed back to itself.
    """
    root = _safe_xml(page)
    if root.tag != f"{_SITEMAP_NS}sitemapindex":
        return []
    own = canonicalize_url(page.final_url)
    children = (
        _absolute(page.final_url, node.findtext(f"{_SITEMAP_NS}loc"))
        for node in root.iter(f"{_SITEMAP_NS}sitemap")
    )
    return [url for url in dict.fromkeys(children) if url and url != own]


def parse_listing(page: Page) -> list[Link]:
    """Article-looking links on the same site as a section or index page."""
    tree = LexborHTMLParser(page.text)
    links = []
    for anchor in tree.css("a[href]"):
        url = _absolute(page.final_url, anchor.attributes.get("href"))
        if url and same_site(url, page.final_url) and _ARTICLE_PATH.search(urlsplit(url).path):
            links.append(Link(url=url, title=anchor.text(strip=True) or None))
    return links


def parse_article(page: Page) -> list[Link]:
    """A source that *is* an article: the page itself is the one candidate."""
    return [Link(url=canonicalize_url(page.url))]


PARSERS: dict[str, Callable[[Page], list[Link]]] = {
    "feed": parse_feed,
    "sitemap": parse_sitemap,
    "page": parse_listing,
    "article": parse_article,
}


def _safe_xml(page: Page) -> ET.Element:
    head = page.body[:4096]
    # Sitemaps never need a DTD; refusing one rules out entity-expansion attacks outright.
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in page.body:
        raise DiscoveryError("XML with a DTD or entities is refused", url=page.final_url)
    try:
        return ET.fromstring(page.body)
    except ET.ParseError as error:
        raise DiscoveryError(f"malformed sitemap XML: {error}", url=page.final_url) from error


def _absolute(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    try:
        return canonicalize_url(urljoin(base, href.strip()))
    except InvalidURL:
        return None


def _guid_link(entry: feedparser.FeedParserDict) -> str | None:
    guid = entry.get("id")
    return guid if isinstance(guid, str) and guid.startswith(("http://", "https://")) else None


def _struct_time(value: object) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # type: ignore[arg-type]


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _unique(links: list[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        seen.setdefault(link.url, link)
    return list(seen.values())
