"""Atom feeds of new coverage and of edits, so any feed reader can follow newswatch.

``/feeds/new.atom`` and ``/feeds/edits.atom`` take ``outlet`` and ``topic`` (a topic query on
the stored text) to make one feed per outlet or per topic. Entries link to the article itself
and to its page on this server.

Every text in a feed came from a page we do not control, and XML 1.0 cannot carry most
control characters at all (not even escaped): one such character in one title would make the
whole feed unreadable for every reader. So every text and attribute is cleaned on its way in
(:func:`xml_text`). A feed is rendered at most every few seconds per query (``app.state.feeds``)
however many readers poll it, and a topic looks at the newest ``TOPIC_SCAN`` items only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

import storage
from newswatch.api.links import absolute, base_url, this_page
from newswatch.endpoints.cache import TTLCache
from newswatch.endpoints.deps import OutletsDep, SessionDep
from newswatch.outlets import OutletDirectory
from newswatch.queries import TOPIC_SCAN, article_query, topic_matcher

router = APIRouter(prefix="/feeds", tags=["feeds"])
ATOM = "http://www.w3.org/2005/Atom"
_MEDIA = "application/atom+xml; charset=utf-8"
# Everything XML 1.0 cannot hold: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Outlet = Annotated[str | None, Query(max_length=253, description="Only this outlet (host).")]
Topic = Annotated[
    str | None,
    Query(
        max_length=1000,
        description=f"Only articles matching this topic query (among the newest {TOPIC_SCAN:,}).",
    ),
]
Count = Annotated[int, Query(ge=1, le=200, description="Entries in the feed.")]


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


@router.get(
    "/new.atom", response_class=Response, responses={200: {"content": {"application/atom+xml": {}}}}
)
def new_coverage(
    request: Request,
    session: SessionDep,
    outlets: OutletsDep,
    outlet: Outlet = None,
    topic: Topic = None,
    limit: Count = 50,
) -> Response:
    """New coverage: the most recently discovered articles."""
    matches = topic_matcher(topic)  # a bad query is a 422 before anything is cached

    def render() -> bytes:
        rows = storage.query_articles(
            session,
            article_query(outlet=outlets.resolve(outlet) if outlet else None, limit=limit),
            matches=matches,
            scan=TOPIC_SCAN,
        )
        rows = [r for r in rows if r.version_count]
        feed = _feed(
            request,
            "newswatch: new coverage",
            outlet,
            topic,
            max((r.first_seen_at for r in rows), default=None),
        )
        for row in rows:
            _entry(
                feed,
                request,
                entry_id=f"urn:newswatch:article:{row.id}",
                title=row.title or row.url,
                url=row.url,
                article_id=row.id,
                updated=row.first_seen_at,
                outlet=outlets.name(row.outlet),
                summary=f"New coverage from {outlets.name(row.outlet)}"
                + (f" in {row.language}" if row.language else "")
                + (f", published {row.published:%Y-%m-%d %H:%M} UTC" if row.published else ""),
            )
        return _serialise(feed)

    return _cached(request, render)


@router.get(
    "/edits.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def edits(
    request: Request,
    session: SessionDep,
    outlets: OutletsDep,
    outlet: Outlet = None,
    topic: Topic = None,
    limit: Count = 50,
) -> Response:
    """Edits: every new version of an article already seen, with the words that changed
    ("Madinsky → Medinsky"), its classes and a link to the diff."""
    matches = topic_matcher(topic)

    def render() -> bytes:
        return _serialise(_edits_feed(request, session, outlets, outlet, topic, limit, matches))

    return _cached(request, render)


def _edits_feed(
    request: Request,
    session: Session,
    outlets: OutletDirectory,
    outlet: str | None,
    topic: str | None,
    limit: int,
    matches: storage.TextMatcher | None,
) -> ET.Element:
    rows = storage.recent_edits(
        session,
        limit=limit,
        outlet=outlets.resolve(outlet) if outlet else None,
        matches=matches,
        scan=TOPIC_SCAN,
    )
    changes = storage.edit_changes(session, [r.version_id for r in rows if r.version_id])
    feed = _feed(
        request, "newswatch: edits", outlet, topic, max((r.fetched_at for r in rows), default=None)
    )
    for row in rows:
        changed = ", ".join(row.changed_fields) or "text"
        classes = f" [{', '.join(row.classes)}]" if row.classes else ""
        words = "; ".join(changes.get(row.version_id or 0, ()))
        _entry(
            feed,
            request,
            entry_id=f"urn:newswatch:version:{row.article_id}:{row.number}",
            title=f"Edited: {row.title or row.url}" + (f" ({words})" if words else ""),
            url=row.url,
            article_id=row.article_id,
            updated=row.fetched_at,
            outlet=outlets.name(row.outlet),
            summary=(f"{words}. " if words else "")
            + f"Version {row.number}: {changed} changed{classes}, "
            f"+{row.words_added} / -{row.words_removed} words. The diff: "
            + absolute(request, "article_page", article_id=row.article_id)
            + f"?from={row.number - 1}&to={row.number}",
            diff_to=row.number,
            categories=row.classes,
        )
    return feed


def _cached(request: Request, render: Callable[[], bytes]) -> Response:
    """The feed for this exact query, rendered at most once per few seconds, with an ETag: a
    reader that sends it back gets a 304 while the feed says the same (RFC 9110, 13.1.2)."""
    cache: TTLCache = request.app.state.feeds
    key = (request.url.path, tuple(sorted(request.query_params.multi_items())), base_url(request))
    body, etag = cache.get(key, lambda: _tagged(render()))
    headers = {"ETag": etag}
    wanted = _etags(request.headers.get("if-none-match", ""))
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=_MEDIA, headers=headers)


def _tagged(body: bytes) -> tuple[bytes, str]:
    return body, f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


def _etags(header: str) -> set[str]:
    """The entity tags an ``If-None-Match`` header lists, weak ones as strong: that header
    compares them weakly."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _feed(
    request: Request, title: str, outlet: str | None, topic: str | None, updated: datetime | None
) -> ET.Element:
    feed = ET.Element("feed", xmlns=ATOM)
    parts = [
        p for p in (f"outlet {outlet}" if outlet else "", f"topic {topic}" if topic else "") if p
    ]
    _sub(feed, "title", title + (f" ({'; '.join(parts)})" if parts else ""))
    _sub(feed, "id", this_page(request))
    _sub(feed, "link", rel="self", href=this_page(request))
    _sub(feed, "link", rel="alternate", href=absolute(request, "home"))
    _sub(feed, "updated", _iso(updated or datetime.now(UTC)))
    _sub(feed, "generator", "newswatch")
    return feed


def _entry(
    feed: ET.Element,
    request: Request,
    *,
    entry_id: str,
    title: str,
    url: str,
    article_id: int,
    updated: datetime,
    outlet: str,
    summary: str,
    diff_to: int | None = None,
    categories: tuple[str, ...] = (),
) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "id", entry_id)
    _sub(entry, "title", title)
    _sub(entry, "link", rel="alternate", href=url)
    page = absolute(request, "article_page", article_id=article_id)
    if diff_to and diff_to > 1:
        page += f"?from={diff_to - 1}&to={diff_to}"
    _sub(entry, "link", rel="related", href=page)
    _sub(entry, "updated", _iso(updated))
    author = _sub(entry, "author")
    _sub(author, "name", outlet)
    for category in categories:
        _sub(entry, "category", term=category)
    _sub(entry, "summary", summary)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _serialise(feed: ET.Element) -> bytes:
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
