"""Typed values that cross the scraper's boundary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET sends back: the ETag and Last-Modified of the last good fetch."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """The result of one fetch.

    ``status`` is the final HTTP status after redirects. A 304 has ``not_modified=True`` and an
    empty body; 404 and 410 are pages too (the article is gone), not errors.
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    text: str
    content_type: str
    encoding: str | None
    elapsed: float
    not_modified: bool = False
    validators: Validators = field(default_factory=Validators)

    @property
    def is_gone(self) -> bool:
        return self.status in (404, 410)

    @property
    def is_html(self) -> bool:
        return self.content_type in ("text/html", "application/xhtml+xml", "")


@dataclass(frozen=True, slots=True)
class Link:
    """A candidate article URL found by discovery, with what the source said about it."""

    url: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None


class Evidence(NamedTuple):
    """One candidate for a metadata field: what the page said, where, and how it fared.

    ``source`` names the place precisely (``"h1"``, ``"og:title"``, ``"json-ld headline"``,
    ``"byline under the headline"``, ``"<html lang>"``, ``"text"``…); ``won`` marks the value
    the field took; ``note`` says why a candidate lost or won. A named tuple, not a frozen
    dataclass: every page makes a score of them, and a tuple is four times quicker to build.
    """

    field: str
    source: str
    value: str
    won: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Extracted:
    """What ``scraper.extract`` finds in an article page.

    ``body`` is plain text, one paragraph per line, headings and list items on their own lines.
    ``signals`` says where each field came from (``"json-ld"``, ``"meta"``, ``"dom"``, ``"url"``),
    which is what ``newswatch check`` shows a user debugging a source. ``evidence`` lists, for
    the title, authors, publication date and language, every candidate the page offered and
    which one won: why a field has the value it has.
    """

    title: str | None = None
    subtitle: str | None = None
    body: str = ""
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    modified: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    page_type: str | None = None
    body_html: str | None = None
    signals: Mapping[str, str] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
