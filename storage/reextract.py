"""Re-extraction: run a (newer) extractor over stored snapshots and keep what it reads anew.

The history as seen is never rewritten. When the extractor reads a stored snapshot differently
from the version that snapshot produced, the new reading is stored as a *derived* version
(``origin="reextract"``, ``derived_from_id`` = the version seen, same ``fetched_at``), with its
diff and classes against that version, and no alert. A derived version of an article's latest
seen version becomes its current version, so the next fetch is compared with what the current
extractor reads, not with the old extractor's reading (which would report a false edit).

A run works in three steps per batch of articles, so that parsing never holds the write lock
(a daemon sharing an SQLite file would wait for it): :func:`stored_pages` reads the pages and
the fingerprints of their newest readings, :func:`read_page` decompresses and extracts one page
with no database at all (the caller may run it in other processes), and :func:`keep_readings`
writes the readings that differ in one short transaction.

Storage never imports the scraper: the extractor is a callable passed in.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

import zstandard
from sqlalchemy import or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from storage.fingerprint import fingerprint
from storage.lifecycle import locked_article
from storage.models import Article, Snapshot, Version
from storage.outlets import outlet_clause
from storage.types import ArticleFields, ReextractReport
from storage.utc import as_utc
from storage.versions import Comparison, append_version, compare

logger = logging.getLogger(__name__)

Extractor = Callable[[bytes, str], ArticleFields]


@dataclass(frozen=True, slots=True)
class StoredPage:
    """One seen version's page as read for re-extraction, with no lock held.

    ``compressed`` is the snapshot as stored (``None``: the version has none, or it is gone);
    ``reading`` is the fingerprint of the version's newest reading (derived or its own),
    ``reading_id`` that reading's version and ``base`` its fields, which a new reading that
    differs is compared with where it is extracted (the diff and classes are half the cost of
    storing an edit, and the workers have the cores).
    """

    article_id: int
    version_id: int
    url: str
    snapshot_sha256: str | None
    compressed: bytes | None
    reading: str
    latest: bool  # the article's newest seen version: a derived reading becomes current
    reading_id: int | None = None
    base: ArticleFields | None = None


class ReadingKind(Enum):
    """What re-reading one stored page came to."""

    DERIVED = "derived"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Reading:
    """The extractor's reading of one stored page; ``fields`` only when it differs, and then
    their ``fingerprint`` and ``comparison`` against the page's newest reading (its ``base``)."""

    page: StoredPage
    kind: ReadingKind
    fields: ArticleFields | None = None
    fingerprint: str | None = None
    comparison: Comparison | None = None


def article_ids(s: Session, *, outlet: str | None = None) -> list[int]:
    """Ids of the articles that have versions, oldest first (what a re-extraction visits)."""
    stmt = select(Article.id).where(col(Article.version_count) > 0).order_by(col(Article.id))
    if outlet is not None:
        stmt = stmt.where(outlet_clause(outlet))
    return [i for i in s.exec(stmt).all() if i is not None]


def stored_pages(s: Session, ids: Sequence[int]) -> list[StoredPage]:
    """The seen versions of these articles with their snapshots, in article and version order."""
    if not ids:
        return []
    rows = (
        s.connection()
        .execute(
            sql_select(
                col(Version.article_id),
                col(Version.id),
                col(Article.url),
                col(Version.snapshot_sha256),
                col(Snapshot.data),
                *_READING,
            )
            .join(Article, col(Article.id) == col(Version.article_id))
            .outerjoin(Snapshot, col(Snapshot.sha256) == col(Version.snapshot_sha256))
            .where(col(Version.article_id).in_(ids), col(Version.origin) == "fetch")
            .order_by(col(Version.article_id), col(Version.number))
        )
        .all()
    )
    newest = _newest_readings(s, ids)
    pages: list[StoredPage] = []
    for i, (article_id, version_id, url, sha, data, *own) in enumerate(rows):
        assert version_id is not None  # a stored row has its id
        last = i + 1 == len(rows) or rows[i + 1][0] != article_id
        reading_id, reading, base = newest.get(version_id) or _reading(version_id, own)
        pages.append(
            StoredPage(article_id, version_id, url, sha, data, reading, last, reading_id, base)
        )
    return pages


# A reading's fingerprint and the fields an edit is compared on (storage.fingerprint.FIELDS).
_READING = (
    col(Version.fingerprint),
    col(Version.title),
    col(Version.subtitle),
    col(Version.body),
    col(Version.authors),
    col(Version.published),
)


def _reading(version_id: int, row: Sequence[Any]) -> tuple[int, str, ArticleFields]:
    fp, title, subtitle, body, authors, published = row
    when = as_utc(published) if published is not None else None
    fields = ArticleFields(
        title=title, subtitle=subtitle, body=body, authors=tuple(authors or ()), published=when
    )
    return version_id, fp, fields


def _newest_readings(s: Session, ids: Sequence[int]) -> dict[int, tuple[int, str, ArticleFields]]:
    """The newest derived version of each seen version that has one: id, fingerprint, fields."""
    rows = (
        s.connection()
        .execute(
            sql_select(col(Version.derived_from_id), col(Version.id), *_READING)
            .where(col(Version.article_id).in_(ids), col(Version.derived_from_id).is_not(None))
            .order_by(col(Version.article_id), col(Version.number))
        )
        .all()
    )
    # Derived versions are few (one per page and extractor change): the last one wins.
    return {
        derived_from: _reading(vid, own)
        for derived_from, vid, *own in rows
        if derived_from is not None and vid is not None
    }


def read_page(page: StoredPage, extractor: Extractor) -> Reading:
    """Decompress, check and extract one stored page; needs no database (any process).

    The reading does not carry the compressed page back (a worker would send it for nothing).
    """
    reading = _read(page, extractor)
    return replace(reading, page=replace(page, compressed=None, base=None))


def _read(page: StoredPage, extractor: Extractor) -> Reading:
    if page.snapshot_sha256 is None or page.compressed is None:
        return Reading(page, ReadingKind.MISSING)
    raw = zstandard.ZstdDecompressor().decompress(page.compressed)
    if hashlib.sha256(raw).hexdigest() != page.snapshot_sha256:
        logger.warning(
            "snapshot unreadable",
            extra={
                "event": "reextract_snapshot_unreadable",
                "version_id": page.version_id,
                "error": f"snapshot {page.snapshot_sha256} does not match its hash",
            },
        )
        return Reading(page, ReadingKind.MISSING)
    try:
        fields = extractor(raw, page.url)
    except Exception as exc:  # the extractor is foreign code: one bad page must not stop a run
        logger.warning(
            "re-extraction failed",
            extra={"event": "reextract_failed", "version_id": page.version_id, "error": str(exc)},
        )
        return Reading(page, ReadingKind.FAILED)
    new_fingerprint = fingerprint(fields)
    if new_fingerprint == page.reading:
        return Reading(page, ReadingKind.UNCHANGED)
    comparison = compare(page.base, fields) if page.base is not None else None
    return Reading(page, ReadingKind.DERIVED, fields, new_fingerprint, comparison)


def keep_readings(s: Session, readings: Iterable[Reading]) -> ReextractReport:
    """Store the readings that differ as derived versions, in the caller's transaction."""
    readings = list(readings)
    changed = [r for r in readings if r.kind is ReadingKind.DERIVED]
    kept = _derive(s, changed) if changed else 0
    counts = {kind: sum(r.kind is kind for r in readings) for kind in ReadingKind}
    missing = counts[ReadingKind.MISSING]
    return ReextractReport(
        articles=len({r.page.article_id for r in readings}),
        snapshots=len(readings) - missing,
        derived=kept,
        unchanged=counts[ReadingKind.UNCHANGED] + len(changed) - kept,
        failed=counts[ReadingKind.FAILED],
        missing_snapshots=missing,
    )


def _derive(s: Session, changed: list[Reading]) -> int:
    """Append the derived versions; how many. A reading the newest one already says (another
    run stored it between the read and this write) is not stored twice."""
    # Every article locked up front, in id order (two runs cannot deadlock), and every
    # version's newest reading read in one statement: a few statements per batch, not per page.
    articles = {i: locked_article(s, i) for i in sorted({r.page.article_id for r in changed})}
    newest = _newest_versions(s, articles, [r.page.version_id for r in changed])
    kept = 0
    for reading in changed:
        assert reading.fields is not None  # a DERIVED reading carries its fields
        page = reading.page
        base = newest.get(page.version_id)
        new_fingerprint = reading.fingerprint or fingerprint(reading.fields)
        if base is None or base.fingerprint == new_fingerprint:  # None: forgotten meanwhile
            continue
        # Compared where it was extracted, unless another run stored a reading meanwhile.
        comparison = reading.comparison if base.id == page.reading_id else None
        appended = append_version(
            s,
            article=articles[page.article_id],
            fields=reading.fields,
            previous=base,
            fetched_at=base.fetched_at,
            snapshot_sha256=page.snapshot_sha256,
            origin="reextract",
            derived_from_id=page.version_id,
            current=page.latest,
            known_fingerprint=new_fingerprint,
            comparison=comparison,
        )
        newest[page.version_id] = appended.version
        kept += 1
    return kept


def _newest_versions(
    s: Session, articles: Iterable[int], version_ids: list[int]
) -> dict[int, Version]:
    """Each seen version's newest reading: its newest derived version, or itself."""
    # The article ids first: ``derived_from_id`` has no index of its own, so without them the
    # lookup reads the whole versions table.
    rows = s.exec(
        select(Version)
        .where(
            col(Version.article_id).in_(list(articles)),
            or_(
                col(Version.id).in_(version_ids),
                col(Version.derived_from_id).in_(version_ids),
            ),
        )
        .order_by(col(Version.article_id), col(Version.number))
    ).all()
    return {row.derived_from_id or row.id or 0: row for row in rows}


def reextract(
    s: Session,
    *,
    extractor: Extractor,
    ids: Iterable[int] | None = None,
    outlet: str | None = None,
) -> ReextractReport:
    """Re-extract every stored snapshot of the given articles (default: all) in this session.

    For big databases read, extract and write in batches instead (see the module's docstring).
    """
    report = ReextractReport()
    for article_id in ids if ids is not None else article_ids(s, outlet=outlet):
        report += reextract_article(s, article_id=article_id, extractor=extractor)
    return report


def reextract_article(s: Session, *, article_id: int, extractor: Extractor) -> ReextractReport:
    """Re-extract one article's snapshots; store readings that differ as derived versions."""
    pages = stored_pages(s, [article_id])
    report = keep_readings(s, [read_page(page, extractor) for page in pages])
    return report if pages else report + ReextractReport(articles=1)
