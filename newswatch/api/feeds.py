"""Atom feeds of new coverage and of edits, so any feed reader can follow newswatch.

``/feeds/new.atom`` and ``/feeds/edits.atom`` take ``outlet`` and ``topic`` (a topic query on
the stored text) to make one feed per outlet or per topic. Entries link to the article itself
and to its page on this server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

import storage
from newswatch.api.deps import SessionDep
from newswatch.queries import article_query, topic_matcher

router = APIRouter(prefix="/feeds", tags=["feeds"])
ATOM = "http://www.w3.org/2005/Atom"
_MEDIA = "application/atom+xml; charset=utf-8"

Outlet = Annotated[str | None, Query(description="Only this outlet (host).")]
Topic = Annotated[str | None, Query(description="Only articles matching this topic query.")]
Count = Annotated[int, Query(ge=1, le=200, description="Entries in the feed.")]


@router.get("/new.atom", response_class=Response,
            responses={200: {"content": {"application/atom+xml": {}}}})
def new_coverage(request: Request, session: SessionDep, outlet: Outlet = None,
                 topic: Topic = None, limit: Count = 50) -> Response:
    """New coverage: the most recently discovered articles."""
    rows = storage.query_articles(session, article_query(outlet=outlet, limit=limit),
                                  matches=topic_matcher(topic))
    rows = [r for r in rows if r.version_count]
    feed = _feed(request, "newswatch: new coverage", outlet, topic,
                 max((r.first_seen_at for r in rows), default=None))
    for row in rows:
        _entry(feed, request, entry_id=f"urn:newswatch:article:{row.id}",
               title=row.title or row.url, url=row.url, article_id=row.id,
               updated=row.first_seen_at, outlet=row.outlet,
               summary=f"New coverage from {row.outlet}"
                       + (f", published {row.published:%Y-%m-%d %H:%M} UTC"
                          if row.published else ""))
    return _response(feed)


@router.get("/edits.atom", response_class=Response,
            responses={200: {"content": {"application/atom+xml": {}}}})
def edits(request: Request, session: SessionDep, outlet: Outlet = None, topic: Topic = None,
          limit: Count = 50) -> Response:
    """Edits: every new version of an article already seen, with what changed."""
    rows = storage.recent_edits(session, limit=limit, outlet=outlet,
                                matches=topic_matcher(topic))
    feed = _feed(request, "newswatch: edits", outlet, topic,
                 max((r.fetched_at for r in rows), default=None))
    for row in rows:
        changed = ", ".join(row.changed_fields) or "text"
        classes = f" ({', '.join(row.classes)})" if row.classes else ""
        _entry(feed, request, entry_id=f"urn:newswatch:version:{row.article_id}:{row.number}",
               title=f"Edited: {row.title or row.url}", url=row.url,
               article_id=row.article_id, updated=row.fetched_at, outlet=row.outlet,
               summary=f"Version {row.number}: {changed} changed{classes}, "
                       f"+{row.words_added} / -{row.words_removed} words",
               diff_to=row.number)
    return _response(feed)


def _feed(request: Request, title: str, outlet: str | None, topic: str | None,
          updated: datetime | None) -> ET.Element:
    feed = ET.Element("feed", xmlns=ATOM)
    parts = [p for p in (f"outlet {outlet}" if outlet else "",
                         f"topic {topic}" if topic else "") if p]
    ET.SubElement(feed, "title").text = title + (f" ({'; '.join(parts)})" if parts else "")
    ET.SubElement(feed, "id").text = str(request.url)
    ET.SubElement(feed, "link", rel="self", href=str(request.url))
    ET.SubElement(feed, "link", rel="alternate", href=str(request.url_for("home")))
    ET.SubElement(feed, "updated").text = _iso(updated or datetime.now(UTC))
    ET.SubElement(feed, "generator").text = "newswatch"
    return feed


def _entry(feed: ET.Element, request: Request, *, entry_id: str, title: str, url: str,
           article_id: int, updated: datetime, outlet: str, summary: str,
           diff_to: int | None = None) -> None:
    entry = ET.SubElement(feed, "entry")
    ET.SubElement(entry, "id").text = entry_id
    ET.SubElement(entry, "title").text = title
    ET.SubElement(entry, "link", rel="alternate", href=url)
    page = str(request.url_for("article_page", article_id=article_id))
    if diff_to and diff_to > 1:
        page += f"?from={diff_to - 1}&to={diff_to}"
    ET.SubElement(entry, "link", rel="related", href=page)
    ET.SubElement(entry, "updated").text = _iso(updated)
    author = ET.SubElement(entry, "author")
    ET.SubElement(author, "name").text = outlet
    ET.SubElement(entry, "summary").text = summary


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _response(feed: ET.Element) -> Response:
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=_MEDIA)
