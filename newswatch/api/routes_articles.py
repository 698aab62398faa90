"""``/api/articles`` and what hangs off one article: its versions and diffs; ``/api/edits``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

import storage
from newswatch.api.schemas import ArticleOut, DiffOpOut, DiffOut, Page
from newswatch.endpoints.articles import load_article
from newswatch.endpoints.deps import RedactorDep, SessionDep
from newswatch.endpoints.params import (
    ArticleId,
    EditClass,
    FromVersion,
    Language,
    Limit,
    Offset,
    Outlet,
    Since,
    Topic,
    ToVersion,
    VersionNumber,
)
from newswatch.queries import TOPIC_SCAN, article_query, parse_when, topic_matcher
from newswatch.redaction import masked_article

router = APIRouter(prefix="/api", tags=["articles"])


@router.get("/articles", response_model=Page[storage.ArticleRow])
def list_articles(
    session: SessionDep,
    redactor: RedactorDep,
    since: Since = None,
    until: Since = None,
    outlet: Outlet = None,
    source: Annotated[str | None, Query(max_length=2048, description="Source URL or id.")] = None,
    topic: Topic = None,
    edited: bool = False,
    gone: bool = False,
    churning: Annotated[
        bool, Query(description="Only articles that change on every visit.")
    ] = False,
    edit_class: EditClass = None,
    language: Language = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[storage.ArticleRow]:
    """Stored articles, most recently discovered first, filtered like `newswatch articles`."""
    query = article_query(
        since=since,
        until=until,
        outlet=outlet,
        source=source,
        edited=edited,
        gone=gone,
        churning=churning,
        edit_class=edit_class,
        language=language,
        limit=limit,
        offset=offset,
    )
    rows = storage.query_articles(session, query, matches=topic_matcher(topic), scan=TOPIC_SCAN)
    return Page.of([masked_article(row, redactor) for row in rows], limit=limit, offset=offset)


@router.get("/articles/lookup", response_model=ArticleOut)
def lookup(
    session: SessionDep,
    url: Annotated[
        str,
        Query(
            max_length=2048, description="The article's URL (any tracking parameters are ignored)."
        ),
    ],
) -> ArticleOut:
    """One article by its URL."""
    return article_out(session, load_article(session, url))


@router.get("/articles/{article_id}", response_model=ArticleOut)
def get_article(session: SessionDep, article_id: ArticleId) -> ArticleOut:
    """One article with its current version and its version list."""
    return article_out(session, load_article(session, article_id))


@router.get("/articles/{article_id}/versions", response_model=list[storage.VersionSummary])
def list_versions(session: SessionDep, article_id: ArticleId) -> list[storage.VersionSummary]:
    """Every version of an article, oldest first."""
    return storage.versions_of(session, article_id=article_id)


@router.get("/articles/{article_id}/versions/{number}", response_model=storage.VersionRecord)
def get_version(
    session: SessionDep, article_id: ArticleId, number: VersionNumber
) -> storage.VersionRecord:
    """One version in full."""
    version = storage.get_version(session, article_id, number)
    if version is None:
        raise storage.NotFound.version(article_id, number)
    return storage.version_record(version)


@router.get("/articles/{article_id}/diff", response_model=DiffOut)
def get_diff(
    session: SessionDep,
    article_id: ArticleId,
    from_: FromVersion = None,
    to: ToVersion = None,
) -> DiffOut:
    """The word diff between two versions (any two, either order)."""
    article = load_article(session, article_id)
    newest = to or article.version_count
    oldest = from_ if from_ is not None else max(newest - 1, 1)
    result = storage.diff_between(session, article_id=article_id, from_n=oldest, to_n=newest)
    return DiffOut(
        article_id=article_id,
        url=article.url,
        from_number=oldest,
        to_number=newest,
        changed_fields=list(result.changed_fields),
        fields={
            f: [DiffOpOut(op=o.op, text=o.text) for o in ops] for f, ops in result.fields.items()
        },
        words_added=result.words_added,
        words_removed=result.words_removed,
    )


@router.get("/edits", response_model=Page[storage.EditRow])
def list_edits(
    session: SessionDep,
    since: Since = None,
    until: Since = None,
    outlet: Outlet = None,
    topic: Topic = None,
    edit_class: EditClass = None,
    language: Language = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[storage.EditRow]:
    """Recorded edits (versions 2 and later) fetched in [since, until), newest first."""
    rows = storage.recent_edits(
        session,
        limit=limit,
        offset=offset,
        outlet=outlet,
        since=parse_when(since) if since else None,
        until=parse_when(until) if until else None,
        edit_class=edit_class,
        language=language,
        matches=topic_matcher(topic),
        scan=TOPIC_SCAN,
    )
    return Page.of(rows, limit=limit, offset=offset)


def article_out(session: Session, article: storage.Article) -> ArticleOut:
    current = (
        storage.get_version(session, article.id or 0, article.version_count)
        if article.version_count
        else None
    )
    # The listing's row holds every field the article page shares with it.
    row = storage.article_row(article, published=None, source_url=None)
    shared = {name: getattr(row, name) for name in ArticleOut.model_fields if hasattr(row, name)}
    return ArticleOut(
        **shared,
        current=storage.version_record(current) if current else None,
        versions=storage.versions_of(session, article_id=article.id or 0),
    )
