"""Reading the stored history: article lists, versions, and diffs between any two versions."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.columns import MAX_ID, is_row_id
from storage.diff import count_words, field_diff
from storage.exceptions import NotFound
from storage.fingerprint import changed_fields
from storage.models import Article, FetchLog, Version
from storage.moves import resolve_url
from storage.outlets import outlet_clause
from storage.types import ArticleSummary, VersionDiff, VersionSummary


def list_articles(
    s: Session, *, limit: int = 100, outlet: str | None = None
) -> list[ArticleSummary]:
    """The most recently discovered articles first, optionally from one outlet."""
    stmt = select(Article).order_by(col(Article.first_seen_at).desc(), col(Article.id).desc())
    if outlet is not None:
        stmt = stmt.where(outlet_clause(outlet))
    return [
        ArticleSummary(
            id=a.id or 0,
            url=a.url,
            outlet=a.outlet,
            title=a.title or a.hint_title,
            first_seen_at=a.first_seen_at,
            version_count=a.version_count,
            status=a.status,
            last_changed_at=a.last_changed_at,
        )
        for a in s.exec(stmt.limit(limit)).all()
    ]


def find_article(s: Session, url_or_id: str | int) -> Article | None:
    """The article with this canonical URL (or earlier URL, if it moved) or id."""
    if is_row_id(url_or_id):
        row = int(url_or_id)
        return s.get(Article, row) if 0 < row <= MAX_ID else None
    article_id = resolve_url(s, str(url_or_id))
    return s.get(Article, article_id) if article_id is not None else None


def versions_of(s: Session, article_id: int) -> list[VersionSummary]:
    """Every version of an article, oldest first; :class:`NotFound` for an unknown article."""
    if s.get(Article, article_id) is None:
        raise NotFound("article", article_id)
    stmt = (
        select(Version).where(col(Version.article_id) == article_id).order_by(col(Version.number))
    )
    return [
        VersionSummary(
            number=v.number,
            fetched_at=v.fetched_at,
            title=v.title,
            changed_fields=tuple(v.changed_fields),
            words_added=v.words_added,
            words_removed=v.words_removed,
            fingerprint=v.fingerprint,
            classes=tuple(v.classes),
            kind=v.kind,
            origin=v.origin,
            reverts=v.reverts,
        )
        for v in s.exec(stmt).all()
    ]


def get_version(s: Session, article_id: int, number: int) -> Version | None:
    """Version ``number`` (1-based) of an article, or ``None``."""
    stmt = select(Version).where(
        col(Version.article_id) == article_id, col(Version.number) == number
    )
    return s.exec(stmt).first()


def diff_between(s: Session, article_id: int, from_n: int, to_n: int) -> VersionDiff:
    """The word diff from version ``from_n`` to version ``to_n`` (either order, any distance)."""
    old, new = get_version(s, article_id, from_n), get_version(s, article_id, to_n)
    if old is None:
        raise NotFound(f"version of article {article_id}", from_n)
    if new is None:
        raise NotFound(f"version of article {article_id}", to_n)
    changed = changed_fields(old, new)
    fields = {f: tuple(field_diff(f, getattr(old, f), getattr(new, f))) for f in changed}
    counts = [count_words(ops) for ops in fields.values()]
    return VersionDiff(
        article_id=article_id,
        from_number=from_n,
        to_number=to_n,
        changed_fields=changed,
        fields=fields,
        words_added=sum(a for a, _ in counts),
        words_removed=sum(r for _, r in counts),
    )


def last_fetch_at(s: Session) -> datetime | None:
    """When anything was last fetched: how a health check tells a busy daemon from a stuck one."""
    return s.exec(select(func.max(FetchLog.at))).one()
