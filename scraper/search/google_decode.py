"""Turning a Google News article link into the publisher's URL.

A Google News RSS link (``news.google.com/rss/articles/<id>``) is not a redirect: the browser
reaches the publisher by a script. The id is base64 of a small protobuf message. Until 2024 it
held the publisher's URL itself (read here without a request); today it holds a token
(``AU_yqL…``) that only Google resolves, in two steps (the protocol the MIT-licensed
``googlenewsdecoder`` package documents):

1. the article page, ``/articles/<id>``, carries a signature and a timestamp in the
   ``data-n-a-sg`` and ``data-n-a-ts`` attributes of one element;
2. a POST to ``/_/DotsSplashUi/data/batchexecute`` (form field ``f.req``: the ``Fbv4je`` call
   with a ``garturlreq`` of id, timestamp and signature) answers, after an anti-JSON-hijacking
   ``)]}'`` line, a JSON list whose ``wrb.fr`` row holds ``["garturlres", "<url>", …]`` as a
   JSON string.

Both requests go through the polite fetcher (robots.txt, the host's pace, the fetch log, the
address guard). Successes are remembered per id, so an item is decoded once however many polls
list it; each poll decodes at most ``budget`` new ids. When Google's endpoint fails (connection,
timeout, 5xx, 429, a paused host) the rest of the poll's items are not tried: they *wait* for
the next poll. When the answer has no URL (the format changed, the id is unknown) the item is
*undecodable*, and the caller may look for it on the outlet's own site.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.exceptions import FetchError, HTTPStatusError
from scraper.polite import PoliteFetcher, Refused
from scraper.search.types import Resolution
from scraper.types import Page
from scraper.wrappers import google_news_id, google_news_inline_url

logger = logging.getLogger(__name__)
DECODE_PATH = "/_/DotsSplashUi/data/batchexecute"
FORM = "application/x-www-form-urlencoded;charset=UTF-8"
_RPC = "Fbv4je"


@dataclass(frozen=True, slots=True)
class Decoded:
    """One link's outcome: the URL, or why not (``waits``: try again next poll)."""

    url: str | None
    resolution: Resolution | None = None
    error_kind: str | None = None
    reason: str | None = None
    waits: bool = False


@dataclass(slots=True)
class Budget:
    """What one poll may still spend on decoding, and whether the endpoint gave up on us."""

    left: int
    down: str | None = None  # why the decode endpoint is not asked again this poll


class _Undecodable(Exception):  # noqa: N818 - carries a reason out of the steps
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class GoogleDecoder:
    """Decodes Google News links on a polite fetcher, remembering every success."""

    def __init__(self, *, cache_size: int = 20_000) -> None:
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._cache_size = cache_size

    def is_article_link(self, link: str, base: str) -> bool:
        """Whether ``link`` is an article link of the Google News at ``base``."""
        return link.startswith(base.rstrip("/") + "/") and google_news_id(link) is not None

    async def decode(
        self, fetcher: PoliteFetcher, link: str, *, base: str, locale: str, budget: Budget
    ) -> Decoded:
        """The publisher URL behind ``link`` (a Google News article link at ``base``)."""
        article_id = google_news_id(link)
        if article_id is None:
            return Decoded(None, error_kind="decode_failed", reason="no article id in the link")
        inline = google_news_inline_url(link)
        if inline is not None:
            return Decoded(inline, resolution="unwrapped")
        cached = self._cache.get(article_id)
        if cached is not None:
            self._cache.move_to_end(article_id)
            return Decoded(cached, resolution="cached")
        if budget.down is not None:
            return Decoded(None, error_kind="decode_unavailable", reason=budget.down, waits=True)
        if budget.left <= 0:
            return Decoded(
                None,
                error_kind="decode_deferred",
                reason="this poll's decode budget is spent",
                waits=True,
            )
        budget.left -= 1
        try:
            url = await self._ask(fetcher, article_id, base.rstrip("/"), locale)
        except _Undecodable as failure:
            if failure.kind == "decode_unavailable":
                budget.down = failure.reason
                return Decoded(None, error_kind=failure.kind, reason=failure.reason, waits=True)
            return Decoded(None, error_kind=failure.kind, reason=failure.reason)
        self._remember(article_id, url)
        return Decoded(url, resolution="decoded")

    def _remember(self, article_id: str, url: str) -> None:
        self._cache[article_id] = url
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    async def _ask(self, fetcher: PoliteFetcher, article_id: str, base: str, locale: str) -> str:
        page = await _request(fetcher.fetch(f"{base}/articles/{article_id}"), "article page")
        if page.status >= 400:
            raise _Undecodable("decode_failed", f"the article page answers HTTP {page.status}")
        signature, timestamp = _signature(page)
        form = "f.req=" + quote(
            json.dumps(_call(article_id, timestamp, signature, locale), separators=(",", ":")),
            safe="",
        )
        answer = await _request(
            fetcher.post(f"{base}{DECODE_PATH}", data=form.encode(), content_type=FORM),
            "decode endpoint",
        )
        if answer.status >= 300:
            raise _Undecodable("decode_failed", f"the decode endpoint answers HTTP {answer.status}")
        return parse_decode_answer(answer.text)


async def _request(pending: object, what: str) -> Page:
    try:
        page = await pending  # type: ignore[misc]
    except HTTPStatusError as error:
        if error.status == 429 or error.status >= 500:
            raise _Undecodable("decode_unavailable", f"{what}: {error}") from None
        raise _Undecodable("decode_failed", f"{what}: {error}") from None
    except FetchError as error:
        raise _Undecodable("decode_unavailable", f"{what}: {error.kind}: {error}") from None
    if isinstance(page, Refused):
        kind = "decode_unavailable" if page.kind != "disallowed" else "decode_disallowed"
        raise _Undecodable(kind, f"{what}: {page.reason}")
    assert isinstance(page, Page)
    return page


def _signature(page: Page) -> tuple[str, int]:
    node = LexborHTMLParser(page.text).css_first("[data-n-a-sg][data-n-a-ts]")
    if node is None:
        raise _Undecodable(
            "decode_failed",
            "the article page has no data-n-a-sg/data-n-a-ts "
            "attributes (has Google changed its page?)",
        )
    signature = node.attributes.get("data-n-a-sg") or ""
    timestamp = node.attributes.get("data-n-a-ts") or ""
    if not signature or not timestamp.isdigit():
        raise _Undecodable("decode_failed", "the article page's signature or timestamp is empty")
    return signature, int(timestamp)


def _call(article_id: str, timestamp: int, signature: str, locale: str) -> list[object]:
    """The ``f.req`` value: one ``Fbv4je`` call whose argument is itself JSON text."""
    client = [
        "X",
        "X",
        ["X", "X"],
        None,
        None,
        1,
        1,
        locale,
        None,
        1,
        None,
        None,
        None,
        None,
        None,
        0,
        1,
    ]
    request = [
        "garturlreq",
        [client, "X", "X", 1, [1, 1, 1], 1, 1, None, 0, 0, None, 0],
        article_id,
        timestamp,
        signature,
    ]
    return [[[_RPC, json.dumps(request, separators=(",", ":")), None, "generic"]]]


def parse_decode_answer(text: str) -> str:
    """The publisher URL in a ``batchexecute`` answer; _Undecodable when there is none."""
    body = text.lstrip()
    if body.startswith(")]}'"):
        body = body[4:]
    start = body.find("[")
    if start < 0:
        raise _Undecodable("decode_failed", "the decode answer holds no JSON")
    try:
        rows, _ = json.JSONDecoder().raw_decode(body[start:])
    except json.JSONDecodeError as error:
        raise _Undecodable("decode_failed", f"the decode answer is not JSON: {error}") from None
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, list) and len(row) > 2 and row[:2] == ["wrb.fr", _RPC]:
            try:
                inner = json.loads(row[2]) if isinstance(row[2], str) else None
            except json.JSONDecodeError:
                inner = None
            if (
                isinstance(inner, list)
                and len(inner) > 1
                and inner[0] == "garturlres"
                and isinstance(inner[1], str)
                and _is_http(inner[1])
            ):
                return inner[1]
            raise _Undecodable("decode_failed", "the decode answer has no URL for this id")
    raise _Undecodable(
        "decode_failed", "the decode answer has no Fbv4je result (has the protocol changed?)"
    )


def _is_http(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https") and bool(urlsplit(value).hostname)
