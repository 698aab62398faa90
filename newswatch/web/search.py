"""Search as every door asks it: storage's full-text search (FTS5 on SQLite, ``tsvector`` on
PostgreSQL), paged in the database: skipped hits get no snippet made."""

from __future__ import annotations

from sqlmodel import Session

import storage

__all__ = ["search_articles"]


def search_articles(
    session: Session,
    query: str,
    *,
    all_versions: bool = False,
    outlet: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[storage.SearchHit]:
    """Articles (or, with ``all_versions``, every stored version) whose text matches ``query``;
    :class:`storage.SearchQueryError` for a query that cannot be understood."""
    return storage.search(
        session, query, all_versions=all_versions, outlet=outlet, limit=limit, offset=offset
    )
