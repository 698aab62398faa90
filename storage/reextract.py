"""Re-extraction: run a (newer) extractor over stored snapshots and keep what it reads anew.

The history as seen is never rewritten. When the extractor reads a stored snapshot differently
from the version that snapshot produced, the new reading is stored as a *derived* version
(``origin="reextract"``, ``derived_from_id`` = the version seen, same ``fetched_at``), with its
diff and classes against that version, and no alert. A derived version of an article's latest
seen version becomes its current version, so the next fetch is compared with what the current
extractor reads, not with the old extractor's reading (which would report a false edit).

Storage never imports the scraper: the extractor is a callable passed in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.exceptions import NotFound, SnapshotCorrupt
from storage.fingerprint import fingerprint
from storage.lifecycle import locked_article
from storage.models import Article, Version
from storage.outlets import outlet_clause
from storage.snapshots import load_snapshot
from storage.types import ArticleFields, ReextractReport
from storage.versions import append_version

logger = logging.getLogger(__name__)

Extractor = Callable[[bytes, str], ArticleFields]


@dataclass(frozen=True, slots=True)
class _Counts:
    snapshots: int = 0
    derived: int = 0
    unchanged: int = 0
    failed: int = 0
    missing: int = 0


def article_ids(s: Session, *, outlet: str | None = None) -> list[int]:
    """Ids of the articles that have versions, oldest first (what a re-extraction visits)."""
    stmt = select(Article.id).where(col(Article.version_count) > 0).order_by(col(Article.id))
    if outlet is not None:
        stmt = stmt.where(outlet_clause(outlet))
    return [i for i in s.exec(stmt).all() if i is not None]


def reextract(
    s: Session,
    *,
    extractor: Extractor,
    ids: Iterable[int] | None = None,
    outlet: str | None = None,
) -> ReextractReport:
    """Re-extract every stored snapshot of the given articles (default: all) in this session.

    For big databases call :func:`reextract_article` per article, each in its own transaction.
    """
    report = ReextractReport()
    for article_id in ids if ids is not None else article_ids(s, outlet=outlet):
        report += reextract_article(s, article_id=article_id, extractor=extractor)
    return report


def reextract_article(s: Session, *, article_id: int, extractor: Extractor) -> ReextractReport:
    """Re-extract one article's snapshots; store readings that differ as derived versions."""
    article = locked_article(s, article_id)
    seen = list(
        s.exec(
            select(Version)
            .where(col(Version.article_id) == article_id, col(Version.origin) == "fetch")
            .order_by(col(Version.number))
        ).all()
    )
    counts = _Counts()
    for version in seen:
        counts = _one(s, article, version, extractor, latest=version is seen[-1], counts=counts)
    return ReextractReport(
        articles=1,
        snapshots=counts.snapshots,
        derived=counts.derived,
        unchanged=counts.unchanged,
        failed=counts.failed,
        missing_snapshots=counts.missing,
    )


def _one(
    s: Session,
    article: Article,
    version: Version,
    extractor: Extractor,
    *,
    latest: bool,
    counts: _Counts,
) -> _Counts:
    if version.snapshot_sha256 is None:
        return _bump(counts, missing=1)
    try:
        raw = load_snapshot(s, version.snapshot_sha256)
    except (NotFound, SnapshotCorrupt) as exc:
        logger.warning(
            "snapshot unreadable",
            extra={
                "event": "reextract_snapshot_unreadable",
                "version_id": version.id,
                "error": str(exc),
            },
        )
        return _bump(counts, missing=1)
    try:
        fields = extractor(raw, article.url)
    except Exception as exc:  # the extractor is foreign code: one bad page must not stop a run
        logger.warning(
            "re-extraction failed",
            extra={"event": "reextract_failed", "version_id": version.id, "error": str(exc)},
        )
        return _bump(counts, snapshots=1, failed=1)
    base = _latest_reading(s, version)
    if base.fingerprint == fingerprint(fields):
        return _bump(counts, snapshots=1, unchanged=1)
    append_version(
        s,
        article=article,
        fields=fields,
        previous=base,
        fetched_at=version.fetched_at,
        snapshot_sha256=version.snapshot_sha256,
        origin="reextract",
        derived_from_id=version.id,
        current=latest,
    )
    return _bump(counts, snapshots=1, derived=1)


def _latest_reading(s: Session, version: Version) -> Version:
    """The newest derived version of ``version``, or the version itself."""
    # The article id first: ``derived_from_id`` has no index of its own, so without it each
    # lookup read the whole versions table, and a run over N versions read it N times.
    derived = s.exec(
        select(Version)
        .where(
            col(Version.article_id) == version.article_id,
            col(Version.derived_from_id) == version.id,
        )
        .order_by(col(Version.number).desc())
        .limit(1)
    ).first()
    return derived or version


def _bump(counts: _Counts, **more: int) -> _Counts:
    return _Counts(**{k: getattr(counts, k) + more.get(k, 0) for k in _Counts.__dataclass_fields__})
