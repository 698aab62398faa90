"""The well-behaved site: maps a request path to the response a healthy news site would send.

Faults (``faults.py``) are applied afterwards by the server; this module never misbehaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from newswatch.newsroom import engines, feeds, rss_search, walls
from newswatch.newsroom.catalog import Article, Catalog
from newswatch.newsroom.pages import PageContext, article_page, error_page, index_page
from newswatch.newsroom.responses import Request, Response, text_response, tiny_png

# 1×1 transparent GIF: the tracking pixel.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Site:
    """Everything the router reads: the catalog, the address, the clock and robots.txt."""

    catalog: Catalog
    base_url: str
    clock: Callable[[], datetime]
    robots: str | None = None  # None: the default allow-all robots.txt


def _listing(text: str, content_type: str, changed_at: datetime) -> Response:
    body = text.encode("utf-8")
    # Listings have no per-request noise, so hashing the bytes gives an honest ETag.
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    return Response(200, body, content_type, etag=etag, last_modified=changed_at)


def _article(article: Article, site: Site, request: Request) -> Response:
    if not article.live:
        status = article.gone or 404
        return text_response(status, error_page(status, article.story.lang))
    ctx = PageContext(site.base_url, site.clock(), request.seq)
    return Response(
        200,
        article_page(article, ctx).encode("utf-8"),
        etag=article.etag,
        last_modified=article.revised_at,
        headers=(("Cache-Control", "max-age=0, must-revalidate"),),
    )


def route(site: Site, request: Request) -> Response:
    """The healthy response for a request (before validators and faults)."""
    catalog, base, path = site.catalog, site.base_url, request.path
    live = catalog.live()
    changed = catalog.changed_at
    listings: dict[str, Callable[[], Response]] = {
        "/": lambda: _listing(index_page(live), "text/html; charset=utf-8", changed),
        "/feed.xml": lambda: _listing(feeds.rss(live, base, changed), RSS, changed),
        "/atom.xml": lambda: _listing(feeds.atom(live, base, changed), ATOM, changed),
        "/sitemap.xml": lambda: _listing(feeds.sitemap(live, base), XML, changed),
        "/sitemap-news.xml": lambda: _listing(feeds.news_sitemap(live, base), XML, changed),
        "/sitemap-index.xml": lambda: _listing(feeds.sitemap_index(base, changed), XML, changed),
        "/robots.txt": lambda: _listing(
            site.robots if site.robots is not None else feeds.robots(base), TEXT, changed
        ),
    }
    if path in listings:
        return listings[path]()
    if path == "/search" or path.startswith("/search/go/"):
        return rss_search.results(catalog, base, request, site.clock())
    if engines.is_engine_path(path):
        return engines.answer(catalog, base, request, site.clock())
    if path == "/account/login":  # where the login-wall outlet sends its readers
        return text_response(200, walls.SIGN_IN_PAGE)
    if path.startswith("/media/") and path.endswith(".png"):
        return Response(200, tiny_png(), "image/png", etag='"png-1"')
    if path == "/pixel.gif":
        return Response(200, PIXEL, "image/gif", headers=(("Cache-Control", "no-store"),))
    article = catalog.at_path(path)
    if article is not None:
        return _article(article, site, request)
    return text_response(404, error_page(404))
