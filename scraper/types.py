"""Typed values that cross the scraper's boundary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import NamedTuple

from scraper.charset import PageText, page_text


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

    :attr:`text` is the body read as the fetcher reads every page
    (:func:`scraper.charset.page_text`: a BOM, valid UTF-8, then the declared charsets), on
    first use. The daemon hands most article pages to an extraction process as bytes, so the
    event loop never needs their text: decoding each page there cost a pass over it and a
    string of one to four times its size, for nothing. A page is pickled without its text.
    """

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    content_type: str
    elapsed: float
    not_modified: bool = False
    validators: Validators = field(default_factory=Validators)
    _read: PageText | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text(self) -> str:
        """The body as text (``""`` when no encoding reads it)."""
        return self._reading().text

    @property
    def encoding(self) -> str | None:
        """The encoding :attr:`text` was read with (``None``: empty or undecodable)."""
        return self._reading().encoding or None

    @property
    def utf8(self) -> bytes | None:
        """The body when :attr:`text` is exactly the body read as UTF-8, for a parser that
        reads UTF-8 bytes; otherwise ``None``."""
        return self._reading().utf8

    @property
    def is_gone(self) -> bool:
        return self.status in (404, 410)

    @property
    def is_html(self) -> bool:
        return self.content_type in ("text/html", "application/xhtml+xml", "")

    def _reading(self) -> PageText:
        read = self._read
        if read is None:
            read = page_text(self.body, self.headers.get("content-type"))
            # Frozen, but this is a cache of what the fields say, not a change of them.
            object.__setattr__(self, "_read", read)
        return read

    def __reduce__(self) -> tuple[type[Page], tuple[object, ...]]:
        # The bytes travel; the text, when read, is read again on the other side.
        return (Page, tuple(getattr(self, name) for name in _PAGE_ARGUMENTS))


# Page's constructor arguments in order: every field but the text it has read.
_PAGE_ARGUMENTS = tuple(f.name for f in fields(Page) if f.init)


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
