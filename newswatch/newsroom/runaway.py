"""Pages that try to make the watcher grow without bound: misbehaviour modes for ``faults.MODES``.

- ``churn``: the article text changes on every visit (a running count inside the body), and the
  page sends no validators, so every fetch is "an edit";
- ``flood``: a feed (a path ending in ``.xml``) or a listing page naming ``links`` URLs nobody
  has seen before on every fetch, on the newsroom's own host or spread over ``hosts`` made-up
  ones (``http://h7.invalid/…``: ``.invalid`` never resolves, RFC 2606);
- ``long_title``: the headline is ``size`` characters long (``<title>``, ``<h1>``, ``og:title``
  and JSON-LD), and its end (past any sane cap) changes on every visit.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from newswatch.newsroom.responses import HTML, Response

if TYPE_CHECKING:
    from newswatch.newsroom.faults import FaultContext

MiB = 1024 * 1024
_RSS = "application/rss+xml; charset=utf-8"
# Where each layout's article text starts (pages.py: classic, voza, vestnik).
_BODY_START = re.compile(rb'<div class="(?:article-body|post-content|material__text)">\n')
_TITLE = re.compile(rb"<title>.*?</title>", re.S)
_H1 = re.compile(rb"(<h1[^>]*>).*?(</h1>)", re.S)
_OG_TITLE = re.compile(rb'(<meta property="og:title" content=")[^"]*(")')
_HEADLINE = re.compile(rb'("headline": ")(?:[^"\\]|\\.)*(")')


def _page(ctx: FaultContext) -> Response:
    # The page itself even when the healthy answer was a 304: these pages never are unchanged.
    return ctx.page if ctx.page is not None else ctx.normal


def churn(ctx: FaultContext) -> Response:
    """The article with a sentence in its text that is different on every visit; no ETag or
    Last-Modified, so no request is ever answered 304."""
    page = _page(ctx)
    if page.status != 200:
        return ctx.normal
    seq = ctx.request.seq
    line = (
        f"<p>At the time of this visit, number {seq}, the ministry's running count of "
        f"returned prisoners stood at {1000 + seq * 7} names.</p>\n"
    ).encode()
    body = _BODY_START.sub(lambda m: m.group(0) + line, page.body, count=1)
    return replace(page, body=body, etag=None, last_modified=None)


def _flood_urls(ctx: FaultContext, links: int, hosts: int) -> list[str]:
    seq = ctx.request.seq
    path = "/news/2025/06/02/flood-{seq}-{i}-talks-update"
    if hosts <= 0:
        return [ctx.base_url + path.format(seq=seq, i=i) for i in range(links)]
    return [f"http://h{i % hosts}.invalid" + path.format(seq=seq, i=i) for i in range(links)]


def flood(ctx: FaultContext, *, links: int = 5000, hosts: int = 0) -> Response:
    """``links`` URLs never listed before, as RSS (paths ending in ``.xml``) or as an HTML
    listing page; on the newsroom's own host (``hosts=0``) or over ``hosts`` fake hosts."""
    urls = _flood_urls(ctx, links, hosts)
    if ctx.request.path.endswith(".xml"):
        items = "\n".join(
            f"<item><title>Talks update {n}</title><link>{escape(url)}</link></item>"
            for n, url in enumerate(urls)
        )
        text = (
            f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Flood</title><link>{escape(ctx.base_url)}/</link>\n{items}\n"
            "</channel></rss>\n"
        )
        return Response(200, text.encode(), _RSS)
    anchors = "\n".join(
        f'<li><a href="{escape(url)}">Talks update {n}</a></li>' for n, url in enumerate(urls)
    )
    text = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Latest</title>'
        f'</head><body><ul class="latest">\n{anchors}\n</ul></body></html>\n'
    )
    return Response(200, text.encode(), HTML)


def long_title(ctx: FaultContext, *, size: int = 2 * MiB) -> Response:
    """The article with a headline of ``size`` characters whose last words change each visit."""
    page = _page(ctx)
    if page.status != 200:
        return ctx.normal
    words = b"Istanbul talks resume as delegations trade memorandums "
    tail = f" visit {ctx.request.seq}".encode()
    title = (words * (size // len(words) + 1))[: max(size - len(tail), 0)] + tail
    body = _TITLE.sub(lambda m: b"<title>" + title + b"</title>", page.body, count=1)
    body = _H1.sub(lambda m: m.group(1) + title + m.group(2), body, count=1)
    body = _OG_TITLE.sub(lambda m: m.group(1) + title + m.group(2), body, count=1)
    body = _HEADLINE.sub(lambda m: m.group(1) + title + m.group(2), body, count=1)
    return replace(page, body=body, etag=None, last_modified=None)


MODES = {f.__name__: f for f in (churn, flood, long_title)}
