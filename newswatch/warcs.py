"""Reading a WARC file (``.warc``, ``.warc.gz``) for ``newswatch import``: the pages it archived.

A WARC is what a crawler (wget, Heritrix, Browsertrix, ``newswatch export --format warc``)
kept of what it fetched. Its response records of HTML answered 200 are pages that can be
recorded as fetched at their ``WARC-Date``, without fetching them again; every other record
is counted by why it was left out (revisits hold no page, requests and metadata are not
pages). warcio reads the format. It reads past a damaged file quietly (a gzip member cut short
ends the file, a record cut short gives a short page), so the damage is looked for here and
stops the reading with :class:`~newswatch.imports.ImportFileError`, naming where it is.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from newswatch.imports import ImportFileError
from scraper.urls import InvalidURL, canonicalize_url

# A page bigger than this is left out (counted): the daemon's fetcher stops far earlier.
MAX_PAGE = 32 * 2**20
HTML_TYPES = ("text/html", "application/xhtml+xml")


class Skipped(Enum):
    """Why a WARC record is not recorded as a page."""

    REVISIT = "revisit records (no page in them)"
    NOT_200 = "responses other than 200"
    NOT_HTML = "responses that are not HTML"
    BAD_URL = "responses whose URL is not http(s)"
    TOO_BIG = f"pages over {MAX_PAGE // 2**20} MB"
    OTHER = "requests, metadata and other records"


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """One HTML page a WARC archived: its canonical URL, when it was fetched, what came back."""

    url: str
    fetched_at: datetime
    body: bytes
    etag: str | None
    last_modified: str | None


def is_warc(path: Path) -> bool:
    """Whether ``path`` names a WARC file (by its name: ``.warc`` or ``.warc.gz``)."""
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz"))


class WarcReader:
    """The records of one WARC file, as pages or reasons to skip, with how far it has read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.size = path.stat().st_size
        except OSError as error:
            raise ImportFileError(f"{path}: cannot be read ({error.strerror})") from None
        self._stream: BinaryIO | None = None

    @property
    def position(self) -> int:
        """Bytes of the file read so far (for a progress bar)."""
        if self._stream is None:
            return 0
        return self.size if self._stream.closed else self._stream.tell()

    def records(self) -> Iterator[ArchivedPage | Skipped]:
        """Each record of the file in order; :class:`ImportFileError` where it is damaged."""
        packed = self.path.name.lower().endswith(".gz")
        if packed:
            self._check_gzip()
        with gzip.open(self.path, "rb") if packed else self.path.open("rb") as start:
            if start.read(5) != b"WARC/":
                raise ImportFileError(
                    f"{self.path}: not a WARC file (it does not begin with a WARC/1.x record); "
                    "give a .warc or .warc.gz file, a list of URLs or a sitemap"
                )
        with self.path.open("rb") as stream:
            self._stream = stream
            records = ArchiveIterator(stream, no_record_parse=False)
            try:
                # ``offset``: where the current record starts (get_record_offset() would
                # read the record to its end first).
                for record in records:
                    yield self._one(record, records.offset)
            except ArchiveLoadFailed as error:
                where = records.offset
                raise ImportFileError(
                    f"{self.path}: not a readable WARC at byte {where} "
                    f"({str(error).splitlines()[0][:120]}); the pages before it are kept"
                ) from None

    def _check_gzip(self) -> None:
        """Read the whole gzip stream once: warcio ends quietly at a truncated member."""
        try:
            with gzip.open(self.path, "rb") as unpacked:
                while unpacked.read(2**20):
                    pass
        except (OSError, EOFError, zlib.error) as error:
            raise ImportFileError(
                f"{self.path}: a damaged gzip file ({error}); nothing was imported from it. "
                "Copy it again, or unpack what can be read (zcat FILE > FILE.warc) and import that"
            ) from None

    def _one(self, record: ArcWarcRecord, offset: int) -> ArchivedPage | Skipped:
        skipped = _skipped(record)
        body = b""
        if skipped is None:
            body = record.content_stream().read(MAX_PAGE + 1)
            skipped = Skipped.TOO_BIG if len(body) > MAX_PAGE else None
        while record.raw_stream.read(2**16):  # the rest of the record, to see it is all there
            pass
        if record.raw_stream.limit:  # the record says it is longer than what the file holds
            raise ImportFileError(
                f"{self.path}: the record at byte {offset} is cut short (the file is "
                "truncated); the pages before it are kept"
            )
        if skipped is not None:
            return skipped
        try:
            url = canonicalize_url(record.rec_headers.get_header("WARC-Target-URI") or "")
        except InvalidURL:
            return Skipped.BAD_URL
        return ArchivedPage(
            url=url,
            fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date"), self.path, offset),
            body=body,
            etag=record.http_headers.get_header("ETag"),
            last_modified=record.http_headers.get_header("Last-Modified"),
        )


def _skipped(record: ArcWarcRecord) -> Skipped | None:
    """Why the record is not a page, judged by its headers; ``None``: it is one."""
    if record.rec_type == "revisit":
        return Skipped.REVISIT
    if record.rec_type != "response" or record.http_headers is None:
        return Skipped.OTHER
    if record.http_headers.get_statuscode() != "200":
        return Skipped.NOT_200
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    if content_type.split(";")[0].strip() not in HTML_TYPES:
        return Skipped.NOT_HTML
    return None


def _warc_date(value: str | None, path: Path, offset: int) -> datetime:
    try:
        when = datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        raise ImportFileError(
            f"{path}: the record at byte {offset} has no valid WARC-Date ({value!r})"
        ) from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
