"""What the CLI, the API and the web page share when they turn a user's question into a query:
times such as ``24h`` or ``2025-06-02``, and topic queries matched on the stored text.

Every door answers from the same ``storage`` queries; this module only parses their inputs.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import storage
from newswatch.durations import DurationOutOfRange, parse_duration
from scraper.topic import TopicQuery, TopicQueryError

__all__ = ["MAX_OFFSET", "TOPIC_SCAN", "BadQuery", "article_query", "parse_when", "topic_matcher"]

# The API's bounds on what one request may make the server read. Deeper pages are reached by
# narrowing (since/until, outlet) rather than by skipping ever more rows.
MAX_OFFSET = 10_000
# A topic query runs in Python over the stored text, so the API and the feeds look at the
# newest this-many articles or edits (after the other filters); the CLI looks at all.
TOPIC_SCAN = 5_000
_TIME_HELP = "write 2025-06-02, 2025-06-02T10:00, today, yesterday, or an age such as 24h or 7d"


class BadQuery(ValueError):
    """An input a user typed cannot be understood; the message says which and how to write it."""


def parse_when(text: str, *, now: datetime | None = None) -> datetime:
    """``2025-06-02``, ``2025-06-02T10:00``, ``today``, ``yesterday`` or an age like ``24h``
    (meaning that long ago) as an aware UTC datetime."""
    now = now or datetime.now(UTC)
    value = text.strip()
    if value in ("today", "yesterday"):
        day = now.date() if value == "today" else date.fromordinal(now.date().toordinal() - 1)
        return datetime.combine(day, time(), tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        pass
    else:
        try:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+14:00 is before the first representable day
            raise BadQuery(
                f"{text!r} is out of range: write a time between the years 1 and "
                f"9999 ({_TIME_HELP})"
            ) from None
    try:
        age = parse_duration(value)
    except DurationOutOfRange as error:
        raise BadQuery(str(error)) from None
    except ValueError:
        raise BadQuery(f"{text!r} is not a time: {_TIME_HELP}") from None
    try:
        return now - age
    except OverflowError:
        raise BadQuery(f"{text!r} reaches back before year 1: {_TIME_HELP}") from None


def topic_matcher(query: str | None) -> storage.TextMatcher | None:
    """A predicate over stored text for a topic query (``None`` when there is no query)."""
    if not query or not query.strip():
        return None
    try:
        parsed = TopicQuery(query)
    except TopicQueryError as error:
        raise BadQuery(f"topic query {query!r}: {error}") from None
    return parsed.matches


def article_query(
    *,
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
    source: str | None = None,
    edited: bool = False,
    gone: bool = False,
    churning: bool = False,
    edit_class: str | None = None,
    language: str | None = None,
    limit: int = 100,
    offset: int = 0,
    now: datetime | None = None,
) -> storage.ArticleQuery:
    """An :class:`storage.ArticleQuery` from what a user typed; :class:`BadQuery` if unreadable."""
    if limit < 0 or offset < 0:
        raise BadQuery("limit and offset must be zero or more")
    return storage.ArticleQuery(
        since=parse_when(since, now=now) if since else None,
        until=parse_when(until, now=now) if until else None,
        outlet=outlet or None,
        source=source or None,
        edited=edited,
        gone=gone,
        churning=churning,
        edit_class=edit_class or None,
        language=_language(language),
        limit=limit,
        offset=offset,
    )


def _language(value: str | None) -> str | None:
    """A language filter as typed (``en``, ``EN``, ``pt-BR``), or :class:`BadQuery`."""
    if not value or not value.strip():
        return None
    code = value.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", code):
        raise BadQuery(f"language {value!r}: give a code such as en, ru, uk or tr")
    return code
