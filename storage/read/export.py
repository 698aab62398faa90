"""Exports: every version (or the current one) of the articles a listing selects, streamed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from storage.models import Article, Version
from storage.read.articles import ArticleQuery, ArticleRow, query_articles
from storage.read.matching import BATCH, TextMatcher
from storage.read.versions import VersionRecord, version_record


@dataclass(frozen=True, slots=True)
class ExportItem:
    """One version of one article, with the article it belongs to."""

    article: ArticleRow
    version: VersionRecord


def iter_export(
    s: Session,
    q: ArticleQuery,
    *,
    all_versions: bool = True,
    matches: TextMatcher | None = None,
) -> Iterator[ExportItem]:
    """Every version (or only the current one) of the articles matching ``q``, article by
    article, oldest version first. Reads in batches so a large export keeps memory flat."""
    if matches is not None:
        # One pass over the listing (the predicate runs in Python); versions still come in pages.
        rows = query_articles(s, q, matches=matches)
        for at in range(0, len(rows), BATCH):
            yield from _versions_for(s, rows[at : at + BATCH], all_versions=all_versions)
        return
    done = 0
    while done < q.limit:
        page = query_articles(
            s, replace(q, offset=q.offset + done, limit=min(BATCH, q.limit - done))
        )
        if not page:
            return
        yield from _versions_for(s, page, all_versions=all_versions)
        done += len(page)


def _versions_for(
    s: Session, page: Sequence[ArticleRow], *, all_versions: bool
) -> Iterator[ExportItem]:
    by_id = {row.id: row for row in page}
    stmt = select(Version).where(col(Version.article_id).in_(list(by_id)))
    if not all_versions:
        stmt = stmt.join(Article, col(Article.current_version_id) == col(Version.id))
    order = {article_id: i for i, article_id in enumerate(by_id)}
    versions = sorted(s.exec(stmt).all(), key=lambda v: (order[v.article_id], v.number))
    for v in versions:
        yield ExportItem(article=by_id[v.article_id], version=version_record(v))
