"""News-search endpoints shaped like GDELT's, Google News' and Bing News', fed by the newsroom.

They answer in the providers' own formats (see ``tests/fixtures/live/`` for the real samples
they follow), so a search source pointed here runs the whole flow a live one does:

* ``GET /api/v2/doc/doc?query=…&mode=ArtList&format=json`` — GDELT DOC 2.0: direct article
  URLs, ``seendate`` = when the newsroom published them, ``timespan`` or
  ``startdatetime``/``enddatetime``, ``maxrecords``; its errors as plain text with status 200.
* ``GET /rss/search?q=…&hl=…`` — Google News RSS: links to ``/rss/articles/<id>`` where the id
  is a current-style ``CBMi…`` one (it holds an ``AU_yqL…`` token, not the URL), titles
  "Headline - Outlet", ``<source url>`` naming the outlet's site.
* ``GET /articles/<id>`` (and ``/rss/articles/<id>``) — Google's article page: no redirect, only
  ``data-n-a-sg``/``data-n-a-ts`` attributes; ``POST /_/DotsSplashUi/data/batchexecute`` —
  the decode call, answering ``garturlres`` with the article's URL.
* ``GET /news/search?q=…&format=rss`` — Bing News RSS: ``apiclick.aspx?…&url=`` links;
  ``/news/apiclick.aspx`` redirects to the ``url`` it carries, as Bing does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qs, quote, urlencode
from xml.sax.saxutils import escape, quoteattr

from newswatch.newsroom.catalog import Article, Catalog
from newswatch.newsroom.outlets import outlet_of
from newswatch.newsroom.responses import HTML, Request, Response, text_response
from newswatch.newsroom.rss_search import matches_terms, query_terms

RSS = "application/rss+xml; charset=utf-8"
GDELT_PATH = "/api/v2/doc/doc"
DECODE_PATH = "/_/DotsSplashUi/data/batchexecute"
_SECRET = b"newsroom-google-news"
_TOKEN_PREFIX = "AU_yqL"
_GDELT_LANGUAGES = {"english": "en", "russian": "ru", "ukrainian": "uk", "turkish": "tr"}
_GDELT_NAMES = {code: name.title() for name, code in _GDELT_LANGUAGES.items()}
# GDELT's own words (see tests/fixtures/live/SOURCES.md for where each was seen).
GDELT_BAD_PARAMETERS = (
    "There was an error with one or more of your query parameters. Make "
    "sure you don't have any spaces between commands and their parameters."
)
GDELT_SHORT_KEYWORD = "Your search contained a keyword that was too short."
GDELT_SHORT_PHRASE = "The specified phrase is too short."
GDELT_OR_NEEDS_PARENS = "Queries containing OR'd terms must be surrounded by ()."


def is_engine_path(path: str) -> bool:
    """Whether the search endpoints answer ``path``."""
    return path in (
        GDELT_PATH,
        "/rss/search",
        DECODE_PATH,
        "/news/search",
        "/news/apiclick.aspx",
    ) or path.startswith(("/rss/articles/", "/articles/"))


def answer(catalog: Catalog, base_url: str, request: Request, now: datetime) -> Response:
    """The response of one search-endpoint request."""
    path = request.path
    if path == GDELT_PATH:
        return _gdelt(catalog, base_url, request, now)
    if path == "/rss/search":
        return _google_feed(catalog, base_url, request, now)
    if path.startswith(("/rss/articles/", "/articles/")):
        return _google_article_page(catalog, path.rsplit("/", 1)[-1], now)
    if path == DECODE_PATH:
        return _google_decode(catalog, base_url, request)
    if path == "/news/search":
        return _bing_feed(catalog, base_url, request, now)
    target = (parse_qs(_query_string(request)).get("url") or [""])[0]
    if not target.startswith(("http://", "https://")):
        return text_response(400, "<p>no url</p>")
    return Response(302, b"", None, headers=(("Location", target),))


def _query_string(request: Request) -> str:
    return urlencode(request.query)


def _found(catalog: Catalog, query: str, language: str) -> list[Article]:
    terms = query_terms(query)
    return [a for a in catalog.live() if a.story.lang == language and matches_terms(a, terms)]


def _rss(
    title: str, base_url: str, items: list[str], now: datetime, namespaces: str = ""
) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<rss version="2.0"'
        f"{namespaces}><channel><title>{escape(title)}</title>"
        f"<link>{escape(base_url)}</link>"
        f"<lastBuildDate>{format_datetime(now, usegmt=True)}</lastBuildDate>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    )
    data = body.encode("utf-8")
    # An honest ETag over what the list says (not the build date): a poll that stored it may
    # be answered 304, so a provider that wants the whole list again must not send it.
    listed = "\n".join(items).encode("utf-8")
    return Response(200, data, RSS, etag=f'"{hashlib.sha256(listed).hexdigest()[:16]}"')


# -- GDELT ---------------------------------------------------------------------------------------


def _gdelt(catalog: Catalog, base_url: str, request: Request, now: datetime) -> Response:
    q = request.query
    query = q.get("query", "")
    if q.get("mode", "").lower() != "artlist" or " " in q.get("maxrecords", "250").strip():
        return text_response(200, GDELT_BAD_PARAMETERS + "\n", "text/html; charset=utf-8")
    problem = _gdelt_problem(query)
    if problem is not None:
        return text_response(200, problem + "\n", "text/html; charset=utf-8")
    language = "en"
    match = re.search(r"sourcelang:(\w+)", query)
    if match:
        language = _GDELT_LANGUAGES.get(match.group(1).lower(), match.group(1).lower())
    start, end = _gdelt_window(q, now)
    found = [
        a
        for a in _found(catalog, re.sub(r"\w+:\w+", " ", query), language)
        if start <= _seen(a) < end
    ]
    found.sort(key=_seen, reverse=True)
    limit = max(1, min(int(q.get("maxrecords", "75") or 75), 250))
    articles = [
        {
            "url": base_url + a.story.path,
            "url_mobile": "",
            "title": a.story.title,
            "seendate": _seen(a).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "socialimage": "",
            "domain": base_url.split("//", 1)[1].split(":")[0],
            "language": _GDELT_NAMES.get(a.story.lang, a.story.lang),
            "sourcecountry": "",
        }
        for a in found[:limit]
    ]
    body = json.dumps({"articles": articles} if articles else {}, ensure_ascii=False)
    return Response(200, body.encode("utf-8"), "application/json; charset=utf-8")


def _seen(article: Article) -> datetime:
    return article.listed_at or article.modified_at


def _gdelt_problem(query: str) -> str | None:
    """GDELT's refusal of a query it cannot take, in its words."""
    outside = re.sub(r"\([^()]*\)", " ", query)
    if re.search(r"\bOR\b", outside):
        return GDELT_OR_NEEDS_PARENS
    for phrase in re.findall(r'"([^"]*)"', query):
        if len(phrase.replace(" ", "")) < 3:
            return GDELT_SHORT_PHRASE
    for word in re.sub(r'"[^"]*"|\w+:\w+', " ", query).replace("(", " ").replace(")", " ").split():
        if word not in ("OR", "AND") and len(word.lstrip("-")) < 3:
            return GDELT_SHORT_KEYWORD
    return None


def _gdelt_window(q: dict[str, str], now: datetime) -> tuple[datetime, datetime]:
    if "startdatetime" in q or "enddatetime" in q:

        def parse(value: str, default: datetime) -> datetime:
            try:
                return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
            except ValueError:
                return default

        return (
            parse(q.get("startdatetime", ""), now - timedelta(days=90)),
            parse(q.get("enddatetime", ""), now + timedelta(seconds=1)),
        )
    span = q.get("timespan", "3months")
    match = re.fullmatch(r"(\d+)(min|h|d|w)", span)
    minutes = {"min": 1, "h": 60, "d": 1440, "w": 10080}
    length = (
        timedelta(minutes=int(match.group(1)) * minutes[match.group(2)])
        if match
        else timedelta(days=90)
    )
    return now - length, now + timedelta(seconds=1)


# -- Google News ---------------------------------------------------------------------------------


def article_id(slug: str) -> str:
    """A current-style Google News id for a story: protobuf around an ``AU_yqL…`` token."""
    token = (_TOKEN_PREFIX + base64.urlsafe_b64encode(slug.encode()).decode().rstrip("=")).encode()
    message = b"\x08\x13\x22" + _varint(len(token)) + token + b"\xd2\x01\x00"
    return base64.urlsafe_b64encode(message).decode().rstrip("=")


def slug_of(article_id_: str) -> str | None:
    """The story slug inside an id :func:`article_id` made (``None`` for any other)."""
    try:
        raw = base64.urlsafe_b64decode(article_id_ + "=" * (-len(article_id_) % 4))
        length, shift, at = 0, 0, 3
        while raw[at] & 0x80:
            length |= (raw[at] & 0x7F) << shift
            shift, at = shift + 7, at + 1
        length |= raw[at] << shift
        token = raw[at + 1 : at + 1 + length].decode()
        if not token.startswith(_TOKEN_PREFIX):
            return None
        encoded = token[len(_TOKEN_PREFIX) :]
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _signature(article_id_: str, timestamp: int) -> str:
    digest = hmac.new(_SECRET, f"{article_id_}:{timestamp}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def _google_feed(catalog: Catalog, base_url: str, request: Request, now: datetime) -> Response:
    language = (request.query.get("hl") or "en").split("-")[0].lower()
    items = []
    for a in _found(catalog, request.query.get("q", ""), language):
        outlet = outlet_of(a.story.outlet).name
        link = f"{base_url}/rss/articles/{article_id(a.story.slug)}?oc=5"
        items.append(
            f"<item><title>{escape(a.story.title)} - {escape(outlet)}</title>"
            f"<link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{escape(article_id(a.story.slug))}</guid>'
            f"<pubDate>{format_datetime(a.story.published.astimezone(UTC), usegmt=True)}</pubDate>"
            f"<description>{escape(a.story.subtitle)}</description>"
            f"<source url={quoteattr(base_url)}>{escape(outlet)}</source></item>"
        )
    title = f'"{request.query.get("q", "")}" - Google News'
    return _rss(title, base_url, items, now)


def _google_article_page(catalog: Catalog, article_id_: str, now: datetime) -> Response:
    slug = slug_of(article_id_)
    if slug is None or catalog.get(slug) is None:
        return text_response(404, "<p>Not found</p>")
    timestamp = int(now.timestamp())
    page = (
        f'<!doctype html><html lang="en"><head><title>Google News</title></head><body>'
        f'<c-wiz jsrenderer="ARwRbe" class="zQTmif"><div jscontroller="aLI87" '
        f'jsaction="rcuQ6b:npT2md" data-n-a-id="{article_id_}" '
        f'data-n-a-sg="{_signature(article_id_, timestamp)}" data-n-a-ts="{timestamp}">'
        f"</div></c-wiz><p>Opening the article…</p></body></html>"
    )
    return Response(200, page.encode("utf-8"), HTML)


def _google_decode(catalog: Catalog, base_url: str, request: Request) -> Response:
    if request.method != "POST":
        return text_response(405, "<p>POST only</p>")
    url = None
    try:
        form = parse_qs(request.body.decode("utf-8"))
        call = json.loads(form["f.req"][0])[0][0]
        inner = json.loads(call[1])
        id_, timestamp, signature = inner[2], int(inner[3]), inner[4]
        slug = slug_of(id_)
        article = catalog.get(slug) if slug else None
        if article is not None and hmac.compare_digest(signature, _signature(id_, timestamp)):
            url = base_url + article.story.path
    except (KeyError, IndexError, ValueError, TypeError):
        return text_response(400, "<p>Bad Request</p>")
    payload = json.dumps(["garturlres", url, 1]) if url else None
    rows = [
        ["wrb.fr", "Fbv4je", payload, None, None, None if url else [3], "generic"],
        ["di", 42],
        ["af.httprm", 42, "-1864406406438316473", 19],
    ]
    body = ")]}'\n\n" + json.dumps(rows)
    return Response(200, body.encode("utf-8"), "application/json; charset=utf-8")


# -- Bing News -----------------------------------------------------------------------------------


def _bing_feed(catalog: Catalog, base_url: str, request: Request, now: datetime) -> Response:
    language = (request.query.get("setlang") or "en").split("-")[0].lower()
    items = []
    for n, a in enumerate(_found(catalog, request.query.get("q", ""), language)):
        # Bing writes its escapes in lower case (%3a%2f%2f…).
        target = re.sub(
            r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(base_url + a.story.path, safe="")
        )
        link = (
            f"{base_url}/news/apiclick.aspx?ref=FexRss&aid=&tid=newsroom{n}"
            f"&url={target}&c=1&mkt={language}-{language}"
        )
        items.append(
            f"<item><title>{escape(a.story.title)}</title><link>{escape(link)}</link>"
            f"<description>{escape(a.story.subtitle)}</description>"
            f"<pubDate>{format_datetime(a.story.published.astimezone(UTC), usegmt=True)}</pubDate>"
            f"<News:Source>{escape(outlet_of(a.story.outlet).name)}</News:Source></item>"
        )
    namespaces = f' xmlns:News="{escape(base_url)}/news/search?format=rss"'
    return _rss(f"{request.query.get('q', '')} - Bing News", base_url, items, now, namespaces)
