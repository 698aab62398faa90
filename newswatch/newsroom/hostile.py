"""Hostile publishing: documents that point a crawler at places it must never go.

A watched site chooses the URLs newswatch fetches: its feed's items, its sitemap's ``<loc>``
entries and child sitemaps, its listing page's links, its redirects and its pages' canonical
links. These modes plant such URLs (a loopback "admin" service, a metadata address, an encoded
form of 127.0.0.1…) into the newsroom's real documents, so that tests can check that every
path from a third party's document to a request passes the address guard. Each mode keeps the
document's own format (RSS 2.0, Atom, sitemaps 0.9, JSON Feed 1.1, HTML) and its real items.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html import escape as html_escape
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as xml_escape

from newswatch.newsroom.responses import Response

if TYPE_CHECKING:  # faults.py registers these modes, so it cannot be imported from here
    from newswatch.newsroom.faults import FaultContext


def _text(response: Response) -> str:
    return response.body.decode("utf-8")


def _with_body(response: Response, text: str, content_type: str | None = None) -> Response:
    # New bytes need new validators, or a conditional GET would answer 304 to the old ones.
    return replace(
        response,
        body=text.encode("utf-8"),
        etag=None,
        last_modified=None,
        content_type=content_type or response.content_type,
    )


def plant_links(ctx: FaultContext, *, urls: list[str]) -> Response:
    """Add ``urls`` to the document as its format lists articles: RSS items, Atom entries,
    sitemap ``<url>``s, sitemap-index children, or links in an HTML page's main list."""
    normal = ctx.normal
    text = _text(normal)
    if "<rss" in text:
        items = "".join(
            f"<item><title>Breaking: talks resume</title><link>{xml_escape(u)}"
            f"</link><guid>{xml_escape(u)}</guid></item>"
            for u in urls
        )
        return _with_body(normal, text.replace("</channel>", items + "</channel>", 1))
    if "<feed" in text:
        entries = "".join(
            f"<entry><title>Breaking: talks resume</title><id>{xml_escape(u)}</id>"
            f'<link href="{xml_escape(u)}"/></entry>'
            for u in urls
        )
        return _with_body(normal, text.replace("</feed>", entries + "</feed>", 1))
    if "<sitemapindex" in text:
        children = "".join(f"<sitemap><loc>{xml_escape(u)}</loc></sitemap>" for u in urls)
        return _with_body(normal, text.replace("</sitemapindex>", children + "</sitemapindex>"))
    if "<urlset" in text:
        entries = "".join(f"<url><loc>{xml_escape(u)}</loc></url>" for u in urls)
        return _with_body(normal, text.replace("</urlset>", entries + "</urlset>", 1))
    anchors = "".join(
        f'<li><a href="{html_escape(u)}">Breaking: talks resume</a></li>' for u in urls
    )
    return _with_body(normal, text.replace("</body>", f"<ul>{anchors}</ul></body>", 1))


def json_feed(ctx: FaultContext, *, urls: list[str]) -> Response:
    """A JSON Feed 1.1 document whose items are ``urls``."""
    base = ctx.base_url
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Newsroom (JSON Feed)",
        "home_page_url": base + "/",
        "items": [
            {
                "id": u,
                "url": u,
                "title": "Breaking: talks resume",
                "date_published": "2025-06-02T10:00:00Z",
            }
            for u in urls
        ],
    }
    return Response(200, json.dumps(document).encode("utf-8"), "application/feed+json")


def canonical_to(ctx: FaultContext, *, url: str) -> Response:
    """The article page, declaring ``url`` as its canonical address."""
    normal = ctx.normal
    text = re.sub(
        r'<link rel="canonical" href="[^"]*">',
        f'<link rel="canonical" href="{html_escape(url)}">',
        _text(normal),
        count=1,
    )
    return _with_body(normal, text)


MODES = {f.__name__: f for f in (plant_links, json_feed, canonical_to)}
