"""Discovery: turning a source document (feed, sitemap, listing page) into candidate links.

Each source kind is a small parser registered in :data:`PARSERS`; :func:`read` picks one by the
source's configured kind and returns a :class:`Discovery`: the article links (canonicalised, with
whatever the source said about them: title, published, updated, so the scheduler can skip
rechecks that would find nothing), plus what to read next (child sitemaps, advertised feeds) and
any problem worth telling the source's owner about. Parsing only; fetching the next documents is
:mod:`scraper.explore`'s job.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser

from scraper.charset import xml_for_parser
from scraper.decompression import DecodeFailed, gunzip_capped
from scraper.exceptions import (
    DiscoveryError,
    MalformedDocument,
    SitemapLoop,
    UnsafeDocument,
)
from scraper.types import Link, Page
from scraper.urls import InvalidURL, canonicalize_url, same_site

logger = logging.getLogger(__name__)
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# The sitemap protocol's own limit on an uncompressed sitemap.
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
# A listing page's article links usually carry a date, a long number or a long slug.
_ARTICLE_PATH = re.compile(
    r"/(19|20)\d{2}/\d{1,2}/|/\d{6}/|\d{5,}|/[^/?#]*-[^/?#]*-[^/?#]*-[^/?#]+"
)
# ...and these are listings, people or utilities even when their slug is long.
_NOT_ARTICLE = re.compile(
    r"/(tags?|topics?|category|categories|authors?|people|profile|section|search|login|"
    r"signin|register|subscribe|subscription|newsletters?|account|about|contact|privacy|"
    r"terms|cookies?|advertis\w*|jobs|careers|feeds?|rss|live-tv|video|videos|podcasts?|"
    r"gallery|galleries|photos?)(/|$)|/page/\d+|\.(jpe?g|png|gif|svg|webp|pdf|xml|rss|json|"
    r"mp3|mp4|zip)$",
    re.I,
)
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)
_JSON_FEED_TYPES = frozenset({"application/feed+json", "application/json"})


@dataclass(frozen=True, slots=True)
class ListingRules:
    """How to find article links on a section page (per source, from the configuration).

    ``match`` is a regular expression searched in each absolute link URL; ``select`` a CSS
    selector for the links (or their containers). Without either, same-site links that look
    like article URLs are taken.
    """

    match: str | None = None
    select: str | None = None


@dataclass(frozen=True, slots=True)
class Discovery:
    """What one source document yielded."""

    links: tuple[Link, ...] = ()
    sitemaps: tuple[str, ...] = ()  # child sitemaps of an index, to read next
    feeds: tuple[str, ...] = ()  # feeds a page advertises with <link rel="alternate">
    problems: tuple[str, ...] = ()  # read anyway, but the owner should hear about it


def discover(page: Page, kind: str, rules: ListingRules | None = None) -> list[Link]:
    """Candidate article links found on ``page``, a source of the given kind."""
    return list(read(page, kind, rules).links)


def read(page: Page, kind: str, rules: ListingRules | None = None) -> Discovery:
    """Everything a source document of ``kind`` yields (links, children, problems)."""
    try:
        parser = PARSERS[kind]
    except KeyError:
        allowed = ", ".join(sorted(PARSERS))
        raise DiscoveryError(
            f"unknown source kind {kind!r} (allowed: {allowed})", url=page.final_url
        ) from None
    found = parser(page, rules or ListingRules())
    return Discovery(
        links=merge_links(found.links),
        sitemaps=found.sitemaps,
        feeds=found.feeds,
        problems=found.problems,
    )


# -- feeds ---------------------------------------------------------------------------------------


def parse_feed(page: Page, rules: ListingRules | None = None) -> Discovery:
    """Links from an RSS 0.9x/1.0/2.0, Atom or JSON Feed document."""
    if _looks_like_json(page):
        return Discovery(links=tuple(parse_json_feed(page)))
    if b"<!ENTITY" in page.body[:65536]:
        # Feeds never need entity declarations; refusing them rules out "billion laughs"
        # whatever the XML parser underneath would do. (A DOCTYPE alone, as RSS 0.91 has, is
        # fine: feedparser's SAX parser does not fetch external DTDs or entities.)
        raise UnsafeDocument("feed declares XML entities; refused", url=page.final_url)
    headers = dict(page.headers)
    body, content_type = xml_for_parser(page.body, headers.get("content-type"))
    if content_type or "content-type" in headers:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    if parsed.bozo and not parsed.entries:
        reason = parsed.get("bozo_exception") or "not a feed"
        raise MalformedDocument(f"unreadable feed: {reason}", url=page.final_url)
    problems: tuple[str, ...] = ()
    if parsed.bozo:
        # Real feeds are often slightly broken (a raw "&", a cut-off tail); feedparser keeps what
        # it could read, and so do we, but the owner of the source should hear about it.
        problem = (
            f"feed is not well-formed, read {len(parsed.entries)} entries anyway: "
            f"{parsed.get('bozo_exception')}"
        )
        logger.warning(
            "feed is not well-formed; using the entries that could be read",
            extra={"event": "feed_malformed", "url": page.final_url, "error": problem},
        )
        problems = (problem,)
    links = []
    for entry in parsed.entries:
        url = _absolute(page.final_url, entry.get("link") or _guid_link(entry))
        if url:
            links.append(
                Link(
                    url=url,
                    title=entry.get("title") or None,
                    published=_struct_time(entry.get("published_parsed")),
                    updated=_struct_time(dict.get(entry, "updated_parsed")),  # no fallback
                )
            )
    return Discovery(links=tuple(links), problems=problems)


def parse_json_feed(page: Page) -> list[Link]:
    """Links from a JSON Feed (https://jsonfeed.org, versions 1 and 1.1)."""
    try:
        data = json.loads(page.text)
    except ValueError as error:
        raise MalformedDocument(f"unreadable JSON feed: {error}", url=page.final_url) from None
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise MalformedDocument('JSON without a feed\'s "items" list', url=page.final_url)
    links = []
    for item in items:
        if not isinstance(item, dict):
            continue
        href = item.get("url") or item.get("external_url") or _http_id(item.get("id"))
        url = _absolute(page.final_url, href if isinstance(href, str) else None)
        if url:
            title = item.get("title")
            links.append(
                Link(
                    url=url,
                    title=title if isinstance(title, str) and title else None,
                    published=_iso(item.get("date_published")),
                    updated=_iso(item.get("date_modified")),
                )
            )
    return links


def feed_links(page: Page) -> list[str]:
    """Feeds an HTML page advertises (``<link rel="alternate" type="application/rss+xml">``)."""
    if not page.is_html or not page.text:
        return []
    tree = LexborHTMLParser(page.text)
    found = []
    for node in tree.css("link[rel][href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        media = (node.attributes.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and media in FEED_TYPES:
            url = _absolute(page.final_url, node.attributes.get("href"))
            if url:
                found.append(url)
    return list(dict.fromkeys(found))


# -- sitemaps ------------------------------------------------------------------------------------


def parse_sitemap(page: Page, rules: ListingRules | None = None) -> Discovery:
    """Article links of a urlset (Google News extensions included), or an index's children.

    Gzipped sitemaps (``.xml.gz`` served as they are) are recognised by their magic bytes.
    """
    root = _safe_xml(page)
    if root.tag == f"{_SITEMAP_NS}sitemapindex":
        own = _absolute(page.final_url, page.final_url)
        children = (
            _absolute(page.final_url, node.findtext(f"{_SITEMAP_NS}loc"))
            for node in root.iter(f"{_SITEMAP_NS}sitemap")
        )
        listed = [url for url in dict.fromkeys(children) if url]
        others = tuple(url for url in listed if url != own)
        if listed and not others:
            raise SitemapLoop("sitemap index lists only itself", url=page.final_url)
        return Discovery(sitemaps=others)
    links = []
    for node in root.iter(f"{_SITEMAP_NS}url"):
        url = _absolute(page.final_url, node.findtext(f"{_SITEMAP_NS}loc"))
        if not url:
            continue
        news = node.find(f"{_NEWS_NS}news")
        links.append(
            Link(
                url=url,
                title=news.findtext(f"{_NEWS_NS}title") if news is not None else None,
                published=_iso(news.findtext(f"{_NEWS_NS}publication_date"))
                if news is not None
                else None,
                updated=_iso(node.findtext(f"{_SITEMAP_NS}lastmod")),
            )
        )
    return Discovery(links=tuple(links))


def sitemap_children(page: Page) -> list[str]:
    """The child sitemaps of a sitemap index (empty for a plain urlset or a self-loop)."""
    try:
        return list(parse_sitemap(page).sitemaps)
    except SitemapLoop:
        return []


# -- pages ---------------------------------------------------------------------------------------


def parse_listing(page: Page, rules: ListingRules | None = None) -> Discovery:
    """Article links on a section or index page, and the feeds the page advertises."""
    rules = rules or ListingRules()
    pattern = _compile(rules.match, page.final_url) if rules.match else None
    tree = LexborHTMLParser(page.text)
    links = []
    for anchor in _anchors(tree, rules.select, page.final_url):
        url = _absolute(page.final_url, anchor.attributes.get("href"))
        if url is None:
            continue
        if pattern is not None:
            wanted = bool(pattern.search(url))
        else:
            path = urlsplit(url).path
            wanted = (
                same_site(url, page.final_url)
                and not _NOT_ARTICLE.search(path)
                and (rules.select is not None or bool(_ARTICLE_PATH.search(path)))
            )
        if wanted:
            links.append(Link(url=url, title=anchor.text(strip=True) or None))
    return Discovery(links=tuple(links), feeds=tuple(feed_links(page)))


def parse_article(page: Page, rules: ListingRules | None = None) -> Discovery:
    """A source that *is* an article: the page itself is the one candidate."""
    return Discovery(links=(Link(url=canonicalize_url(page.url)),))


PARSERS: dict[str, Callable[[Page, ListingRules], Discovery]] = {
    "feed": parse_feed,
    "search": parse_feed,  # news-search results are RSS feeds of redirect links
    "sitemap": parse_sitemap,
    "site": parse_sitemap,  # a site is read through the sitemaps its robots.txt names
    "page": parse_listing,
    "article": parse_article,
}


# -- helpers -------------------------------------------------------------------------------------


def _anchors(tree: LexborHTMLParser, select: str | None, url: str) -> list:  # type: ignore[type-arg]
    if not select:
        return list(tree.css("a[href]"))
    try:
        chosen = tree.css(select)
    except Exception as error:  # selectolax raises a bare exception for a bad selector
        raise DiscoveryError(f"bad CSS selector {select!r}: {error}", url=url) from None
    anchors = []
    for node in chosen:
        if node.tag == "a" and "href" in node.attributes:
            anchors.append(node)
        anchors.extend(node.css("a[href]"))
    return anchors


def _compile(pattern: str, url: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise DiscoveryError(f"bad match pattern {pattern!r}: {error}", url=url) from None


def _looks_like_json(page: Page) -> bool:
    if page.content_type in _JSON_FEED_TYPES:
        return True
    return page.body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _safe_xml(page: Page) -> ET.Element:
    body = page.body
    if body[:2] == b"\x1f\x8b":  # a .xml.gz file served as it is
        try:
            body = gunzip_capped(body, SITEMAP_MAX_BYTES)
        except (DecodeFailed, OverflowError) as error:
            raise MalformedDocument(f"bad gzipped sitemap: {error}", url=page.final_url) from None
    head = body[:4096]
    # Sitemaps never need a DTD; refusing one rules out entity-expansion attacks outright.
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in body:
        raise UnsafeDocument("XML with a DTD or entities is refused", url=page.final_url)
    body, _ = xml_for_parser(body, page.headers.get("content-type"))
    try:
        return ET.fromstring(body)
    except (ET.ParseError, ValueError) as error:  # ValueError: an encoding expat cannot read
        raise MalformedDocument(f"malformed sitemap XML: {error}", url=page.final_url) from error


def _absolute(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    try:
        return canonicalize_url(urljoin(base, href.strip()))
    except InvalidURL:
        return None


def _guid_link(entry: feedparser.FeedParserDict) -> str | None:
    return _http_id(entry.get("id"))


def _http_id(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def _struct_time(value: object) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # type: ignore[arg-type]


def _iso(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def merge_links(links: Iterable[Link]) -> tuple[Link, ...]:
    """One link per URL, first seen first; what several sources say about it is combined
    (a news sitemap's title with a plain sitemap's lastmod, the latest ``updated`` wins)."""
    seen: dict[str, Link] = {}
    for link in links:
        old = seen.get(link.url)
        if old is None:
            seen[link.url] = link
            continue
        updated = max((d for d in (old.updated, link.updated) if d is not None), default=None)
        seen[link.url] = Link(
            url=link.url,
            title=old.title or link.title,
            published=old.published or link.published,
            updated=updated,
        )
    return tuple(seen.values())
