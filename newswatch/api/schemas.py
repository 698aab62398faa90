"""Request and response bodies of the API. Items are storage's own frozen dataclasses (FastAPI
turns them into JSON schemas), wrapped here in pages and detail objects."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

import storage
from newswatch.config import SourceKind
from newswatch.durations import parse_duration

T = TypeVar("T")
# A DNS name (letters, digits, hyphens, dots, IDNA ``xn--``), an IPv4 address or an IPv6 one.
_HOST = re.compile(r"[a-z0-9_]([a-z0-9_.-]{0,251}[a-z0-9])?|[0-9a-f:.]+", re.IGNORECASE)


class Page(BaseModel, Generic[T]):
    """One page of a listing; ``next_offset`` is ``null`` on the last page."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None

    @classmethod
    def of(cls, items: list[T], *, limit: int, offset: int) -> Page[T]:
        more = offset + len(items) if limit and len(items) == limit else None
        return cls(items=items, limit=limit, offset=offset, next_offset=more)

    @classmethod
    def whole(cls, items: list[T]) -> Page[T]:
        """A listing that is never cut into pages: all of it, with nothing after it."""
        return cls(items=items, limit=len(items), offset=0, next_offset=None)


class ArticleOut(BaseModel):
    """An article, its current version and the list of its versions."""

    id: int
    url: str
    outlet: str
    title: str | None
    status: str
    first_seen_at: datetime
    last_checked_at: datetime | None
    last_changed_at: datetime | None
    version_count: int
    churning_since: datetime | None = Field(
        None,
        description="Set while the page changes on "
        "every visit: its versions are not recorded then.",
    )
    current: storage.VersionRecord | None
    versions: list[storage.VersionSummary]


class DiffOpOut(BaseModel):
    op: str
    text: str


class DiffOut(BaseModel):
    """The word diff between two versions, per changed field."""

    article_id: int
    url: str
    from_number: int
    to_number: int
    changed_fields: list[str]
    fields: dict[str, list[DiffOpOut]]
    words_added: int
    words_removed: int


MAX_URL_CHARS = 2048
MIN_EVERY = timedelta(minutes=1)
MAX_EVERY = timedelta(days=30)


class SourceIn(BaseModel):
    """A source to add."""

    url: str = Field(
        max_length=MAX_URL_CHARS,
        description="http(s) URL of the feed, "
        "sitemap, listing page or article (no user name or password in it).",
    )
    kind: SourceKind = "feed"
    every: str = Field(
        "5m",
        max_length=32,
        description="How often it is polled, from 1m "
        "to 30d, e.g. 10m (default: 5m, as in the configuration).",
    )

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        shown = value if len(value) <= 80 else value[:80] + "…"
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{shown!r} is not an http(s) URL")
        if any(ch.isspace() or not ch.isprintable() for ch in value):
            raise ValueError(f"{shown!r} contains spaces or control characters")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises on a port that is not a number in range
        except ValueError as error:
            raise ValueError(f"{shown!r} is not a valid URL: {error}") from None
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "the URL must not carry a user name or password (it would be "
                "stored and shown to every reader)"
            )
        if not parts.hostname or not _HOST.fullmatch(_ascii(parts.hostname)):
            raise ValueError(f"{shown!r} has no valid host name")
        return value

    @field_validator("every")
    @classmethod
    def _duration(cls, value: str) -> str:
        every = parse_duration(value)
        if not MIN_EVERY <= every <= MAX_EVERY:
            raise ValueError(
                f"{value!r} is outside 1m to 30d: a source polled more often "
                "burdens its site, less often misses coverage"
            )
        return value


def _ascii(host: str) -> str:
    """An internationalised host name in its ASCII form ("" if it has none)."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


class Message(BaseModel):
    """An error or a confirmation."""

    detail: str


class OutletOut(BaseModel):
    """An outlet: its key (the registered domain), its display name, how many articles are
    stored from it, and the hosts they came from."""

    outlet: str
    name: str
    articles: int
    hosts: list[str]


class CoverageOut(BaseModel):
    """How many articles one outlet published (or, without a date, was first seen) on a day."""

    day: date
    outlet: str
    name: str
    articles: int


class ChannelOut(BaseModel):
    """One alert channel's backlog: alerts it has not settled, the oldest one's time and
    age, and how many of them failed at their last attempt."""

    channel: str
    pending: int
    oldest_pending_at: datetime | None
    oldest_pending_seconds: float | None
    failing: int


class StoryOut(BaseModel):
    """A story and the articles grouped into it."""

    story: storage.StoryInfo
    articles: list[storage.ArticleRow]
