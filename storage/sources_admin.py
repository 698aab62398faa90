"""Managing sources by hand (``newswatch sources``, the API's write endpoints).

Rows are never deleted: removing a source disables it, so the articles found through it keep
their link. A source added here has ``origin = "manual"`` and a daemon's start
(``sync_sources``) leaves it as it is, enabled or removed: it disables only the ``"config"``
sources that its configuration no longer lists. A configuration that lists the URL takes the
source over (it becomes ``"config"``). Re-adding an enabled source keeps its origin, so a
configured source stays managed by the file; re-adding a disabled one makes it ``"manual"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlmodel import Session, col, func, select

from storage.columns import MAX_ID, is_row_id
from storage.exceptions import NotFound
from storage.models import Article, Source
from storage.types import SourceOrigin, SourceSpec


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A source as ``newswatch sources list`` shows it."""

    id: int
    url: str
    kind: str
    every_seconds: int
    enabled: bool
    origin: SourceOrigin
    next_check_at: datetime
    last_checked_at: datetime | None
    failures: int
    last_error: str | None
    articles: int


def _row(src: Source, articles: int) -> SourceRow:
    return SourceRow(
        id=src.id or 0,
        url=src.url,
        kind=src.kind,
        every_seconds=src.every_seconds,
        enabled=src.enabled,
        origin=cast(SourceOrigin, src.origin),
        next_check_at=src.next_check_at,
        last_checked_at=src.last_checked_at,
        failures=src.failures,
        last_error=src.last_error,
        articles=articles,
    )


def list_sources(s: Session, *, enabled_only: bool = False) -> list[SourceRow]:
    """Every source with the number of articles found through it, enabled ones first."""
    counts = dict(
        s.exec(select(Article.source_id, func.count()).group_by(col(Article.source_id))).all()
    )
    stmt = select(Source).order_by(col(Source.enabled).desc(), col(Source.url))
    if enabled_only:
        stmt = stmt.where(col(Source.enabled).is_(True))
    return [_row(src, int(counts.get(src.id, 0))) for src in s.exec(stmt).all()]


def find_source(s: Session, url_or_id: str | int) -> Source | None:
    """The source with this URL or id (an int, or a string of digits)."""
    if is_row_id(url_or_id):
        source_id = int(url_or_id)
        return s.get(Source, source_id) if 0 < source_id <= MAX_ID else None
    return s.exec(select(Source).where(col(Source.url) == url_or_id)).first()


def add_source(s: Session, spec: SourceSpec, *, now: datetime) -> SourceRow:
    """Add (or re-enable and update) a source, due at once; returns it.

    A new source is ``"manual"``, and so is a disabled one added again (a configuration that
    dropped it would otherwise disable it again at the next start); an enabled one keeps its
    origin.
    """
    src = find_source(s, spec.url)
    if src is None:
        src = Source(
            url=spec.url,
            kind=spec.kind,
            every_seconds=spec.every_seconds,
            origin="manual",
            next_check_at=now,
            created_at=now,
        )
    else:
        if not src.enabled:
            src.origin = "manual"
        src.kind, src.every_seconds, src.enabled = spec.kind, spec.every_seconds, True
        src.next_check_at = now
    s.add(src)
    s.flush()
    return _row(src, _article_count(s, src.id))


def remove_source(s: Session, url_or_id: str | int) -> SourceRow:
    """Disable a source (its articles stay); :class:`NotFound` if there is none."""
    src = find_source(s, url_or_id)
    if src is None:
        raise NotFound("source", url_or_id)
    src.enabled = False
    src.lease_owner, src.lease_until = None, None
    s.add(src)
    s.flush()
    return _row(src, _article_count(s, src.id))


def _article_count(s: Session, source_id: int | None) -> int:
    return int(s.exec(select(func.count()).where(col(Article.source_id) == source_id)).one())


__all__ = ["SourceRow", "add_source", "find_source", "list_sources", "remove_source"]
