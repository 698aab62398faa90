"""Articles as listings show them: filtered, paged, counted, and found by URL or id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from storage.columns import MAX_ID, is_row_id
from storage.models import Article, EditClass, Source, Version
from storage.moves import resolve_url
from storage.outlets import outlet_clause
from storage.read.languages import language_clause
from storage.read.matching import TextMatcher, joined_text, matching_ids


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Which articles a listing shows. Times bound ``first_seen_at`` (``until`` exclusive)."""

    since: datetime | None = None
    until: datetime | None = None
    outlet: str | None = None
    source: str | None = None  # a source URL, or its id as digits
    edited: bool = False
    gone: bool = False
    churning: bool = False  # only articles that change on every visit (storage.churn)
    edit_class: str | None = None
    language: str | None = None  # two-letter code: "en" also finds "en-GB"
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One line of an article listing, with the current version's dates."""

    id: int
    url: str
    outlet: str
    title: str | None
    status: str
    first_seen_at: datetime
    last_changed_at: datetime | None
    last_checked_at: datetime | None
    version_count: int
    published: datetime | None
    source_url: str | None
    # Set while the article changes on every visit: its versions are not recorded meanwhile.
    churning_since: datetime | None = None
    language: str | None = None


def article_select() -> Any:
    """Articles with what an :class:`ArticleRow` takes from their current version and source."""
    return (
        select(Article, Version.published, Source.url, Version.language)
        .outerjoin(Version, col(Version.id) == col(Article.current_version_id))
        .outerjoin(Source, col(Source.id) == col(Article.source_id))
    )


def article_row(
    article: Article,
    published: datetime | None,
    source_url: str | None,
    language: str | None = None,
) -> ArticleRow:
    """One row of :func:`article_select` as a listing line."""
    return ArticleRow(
        id=article.id or 0,
        url=article.url,
        outlet=article.outlet,
        title=article.title or article.hint_title,
        status=article.status,
        first_seen_at=article.first_seen_at,
        last_changed_at=article.last_changed_at,
        last_checked_at=article.last_checked_at,
        version_count=article.version_count,
        published=published or article.hint_published,
        source_url=source_url,
        churning_since=article.churning_since,
        language=language,
    )


def _where(stmt: Any, q: ArticleQuery) -> Any:
    if q.since is not None:
        stmt = stmt.where(col(Article.first_seen_at) >= q.since)
    if q.until is not None:
        stmt = stmt.where(col(Article.first_seen_at) < q.until)
    if q.outlet:
        stmt = stmt.where(outlet_clause(q.outlet))
    if q.source:
        if is_row_id(q.source):
            source_id = int(q.source) if int(q.source) <= MAX_ID else -1  # -1: no source
            stmt = stmt.where(col(Article.source_id) == source_id)
        else:
            stmt = stmt.where(col(Source.url) == q.source)
    if q.edited:
        stmt = stmt.where(col(Article.version_count) > 1)
    if q.gone:
        stmt = stmt.where(col(Article.status) == "gone")
    if q.churning:
        stmt = stmt.where(col(Article.churning_since).is_not(None))
    if q.edit_class:
        classified = (
            select(EditClass.version_id)
            .join(Version, col(Version.id) == EditClass.version_id)
            .where(col(Version.article_id) == col(Article.id), EditClass.name == q.edit_class)
        )
        stmt = stmt.where(exists(classified))
    if q.language:
        stmt = stmt.where(
            exists(
                select(Version.id).where(
                    col(Version.id) == col(Article.current_version_id),
                    language_clause(Version.language, q.language),
                )
            )
        )
    # An article retired into another (it moved to a URL that already had a history) is
    # listed under the article that continues.
    stmt = stmt.where(col(Article.moved_to_id).is_(None))
    return stmt


_NEWEST_FIRST = (col(Article.first_seen_at).desc(), col(Article.id).desc())


def query_articles(
    s: Session, q: ArticleQuery, *, matches: TextMatcher | None = None, scan: int | None = None
) -> list[ArticleRow]:
    """Articles matching ``q``, most recently discovered first; ``matches`` filters on their
    current text (the hinted title before the first version), looking at no more than the
    newest ``scan`` articles that pass the other filters (``None``: all of them)."""
    if matches is None:
        # Two steps: pick the page's ids from the narrow table first, then load just those
        # rows with their joins; sorting whole joined rows costs about four times as much.
        ids = list(
            s.exec(
                _where(
                    select(Article.id).outerjoin(Source, col(Source.id) == col(Article.source_id)),
                    q,
                )
                .order_by(*_NEWEST_FIRST)
                .offset(q.offset)
                .limit(q.limit)
            ).all()
        )
    else:
        texts = (
            sql_select(
                col(Article.id),
                col(Version.title),
                col(Version.subtitle),
                col(Version.body),
                col(Article.hint_title),
            )
            .outerjoin(Version, col(Version.id) == col(Article.current_version_id))
            .outerjoin(Source, col(Source.id) == col(Article.source_id))
        )
        ids = matching_ids(
            s,
            _where(texts, q).order_by(*_NEWEST_FIRST),
            matches,
            need=q.offset + q.limit,
            scan=scan,
            text=lambda row: joined_text(row[1], row[2], row[3]) or row[4] or "",
        )[q.offset :]
    return _rows_in_order(s, ids)


def _rows_in_order(s: Session, ids: list[Any]) -> list[ArticleRow]:
    if not ids:
        return []
    found = {
        a.id: (a, published, source_url, language)
        for a, published, source_url, language in s.exec(
            article_select().where(col(Article.id).in_(ids))
        ).all()
    }
    return [article_row(*found[i]) for i in ids if i in found]


def count_articles(s: Session, q: ArticleQuery) -> int:
    """How many articles match ``q`` (ignoring ``limit``/``offset``); no text predicate."""
    stmt = _where(
        select(func.count(col(Article.id)))
        .select_from(Article)
        .outerjoin(Source, col(Source.id) == col(Article.source_id)),
        q,
    )
    return int(s.exec(stmt).one())


def find_article(s: Session, url_or_id: str | int) -> Article | None:
    """The article with this canonical URL (or earlier URL, if it moved) or id."""
    if is_row_id(url_or_id):
        row = int(url_or_id)
        return s.get(Article, row) if 0 < row <= MAX_ID else None
    article_id = resolve_url(s, str(url_or_id))
    return s.get(Article, article_id) if article_id is not None else None


def outlets(s: Session) -> list[tuple[str, int]]:
    """Every outlet with its number of articles, largest first."""
    stmt = (
        select(Article.outlet, func.count())
        .where(col(Article.version_count) > 0)
        .group_by(Article.outlet)
        .order_by(func.count().desc(), Article.outlet)
    )
    return [(o, int(n)) for o, n in s.exec(stmt).all()]
