"""Searching the full-text index (written by ``storage.searchindex``) for articles or versions.

SQLite asks FTS5 and makes snippets with ``snippet()``; PostgreSQL matches ``tsvector``s by their
GIN index and makes snippets with ``ts_headline``. Paging happens in the database, so skipped
hits never get a snippet made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from storage.exceptions import SearchQueryError
from storage.outlets import outlet_key
from storage.searchquery import parse, to_fts5, to_tsquery
from storage.utc import as_utc

_HEADLINE_OPTIONS = "StartSel=[, StopSel=], MaxWords=24, MinWords=8, MaxFragments=1"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text match: an article's current text, or one stored version of it.

    ``current`` says whether the matching version is the article's current one; in a search
    over every version, a hit that is not current whose article has no current hit is text that
    was printed and later removed. ``snippet`` marks the matched words with ``[`` and ``]``.
    """

    article_id: int
    url: str
    outlet: str
    title: str | None
    version_number: int
    fetched_at: datetime
    snippet: str
    current: bool


def search(
    s: Session,
    query: str,
    *,
    all_versions: bool = False,
    outlet: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SearchHit]:
    """Articles whose current text matches ``query``, the most recently changed first (by
    their current version: a new article or a new edit), each with a snippet.

    ``all_versions=True`` searches every version ever stored instead ("who printed this
    sentence, and who deleted it?"): one hit per matching version. A query that cannot be
    understood raises :class:`~storage.exceptions.SearchQueryError`, never an SQL error.
    ``offset`` skips that many hits in the database, before any snippet is made.
    """
    node = parse(query)
    outlet = outlet or None  # an empty filter is no filter, as in every other listing
    params: dict[str, Any] = {"limit": max(1, limit), "offset": max(0, offset)}
    if s.get_bind().dialect.name == "sqlite":
        params["q"] = to_fts5(node)
        sql = _SQLITE_VERSIONS if all_versions else _SQLITE_CURRENT
    else:
        params["q"] = to_tsquery(node)
        sql = (_pg_versions if all_versions else _pg_current)(outlet is not None)
    if outlet is not None:
        key = outlet_key(outlet)  # the outlet's own host and its subdomains
        params["outlet"] = key
        params["outlet_sub"] = "%." + key.replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_"
        )
    sql = sql.replace(
        "{outlet}",
        "(a.outlet = :outlet OR a.outlet LIKE :outlet_sub ESCAPE '\\')"
        if outlet is not None
        else "true",
    )
    try:
        # A savepoint, so that a failing query cannot abort the caller's transaction.
        with s.begin_nested():
            rows = s.exec(text(sql), params=params).all()  # type: ignore[call-overload]
    except DBAPIError as exc:  # the translation should make this unreachable; never leak SQL
        raise SearchQueryError(query, "the search engine rejected it") from exc
    return [_hit(row) for row in rows]


def _hit(row: Any) -> SearchHit:
    fetched_at = row.fetched_at
    if isinstance(fetched_at, str):  # raw SQL on SQLite returns the stored text
        fetched_at = datetime.fromisoformat(fetched_at)
    return SearchHit(
        article_id=row.article_id,
        url=row.url,
        outlet=row.outlet,
        title=row.title,
        version_number=row.number,
        fetched_at=as_utc(fetched_at),
        snippet=" ".join((row.snippet or "").split()),
        current=bool(row.current),
    )


# Filled in per call: the outlet's articles, or "true".
_OUTLET = "{outlet}"

# The one index of every version, walked newest first, keeping the current versions: a version
# that is not current is passed over at the cost of two primary-key lookups (its row and its
# article's), and the walk stops as soon as the page is full (migration 0012 dropped the second
# index, which held the current text).
_SQLITE_CURRENT = f"""
SELECT a.id AS article_id, a.url, a.outlet, v.title, v.number, v.fetched_at, 1 AS current,
       snippet(versions_fts, -1, '[', ']', '…', 16) AS snippet
FROM versions_fts
JOIN versions v ON v.id = versions_fts.rowid
JOIN articles a ON a.id = v.article_id AND a.current_version_id = v.id
WHERE versions_fts MATCH :q AND {_OUTLET}
ORDER BY versions_fts.rowid DESC
LIMIT :limit OFFSET :offset
"""

_SQLITE_VERSIONS = f"""
SELECT v.article_id, a.url, a.outlet, v.title, v.number, v.fetched_at,
       (a.current_version_id = v.id) AS current,
       snippet(versions_fts, -1, '[', ']', '…', 16) AS snippet
FROM versions_fts
JOIN versions v ON v.id = versions_fts.rowid
JOIN articles a ON a.id = v.article_id
WHERE versions_fts MATCH :q AND {_OUTLET}
ORDER BY versions_fts.rowid DESC
LIMIT :limit OFFSET :offset
"""


def _pg_current(by_outlet: bool) -> str:
    return f"""
{_pg_hits(("article_search",), by_outlet)}
SELECT a.id AS article_id, a.url, a.outlet, v.title, v.number, v.fetched_at, true AS current,
       ts_headline('simple', coalesce(v.title, '') || ' ' || coalesce(v.subtitle, '') || ' '
                   || v.body, q.query, '{_HEADLINE_OPTIONS}') AS snippet
FROM hits JOIN versions v ON v.id = hits.id JOIN articles a ON a.id = v.article_id, q
ORDER BY v.id DESC
"""


def _pg_versions(by_outlet: bool) -> str:
    return f"""
{_pg_hits(("version_search", "article_search"), by_outlet)}
SELECT v.article_id, a.url, a.outlet, v.title, v.number, v.fetched_at,
       (a.current_version_id = v.id) AS current,
       ts_headline('simple', coalesce(v.title, '') || ' ' || coalesce(v.subtitle, '') || ' '
                   || v.body, q.query, '{_HEADLINE_OPTIONS}') AS snippet
FROM hits JOIN versions v ON v.id = hits.id JOIN articles a ON a.id = v.article_id, q
ORDER BY v.id DESC
"""


def _pg_hits(tables: tuple[str, ...], by_outlet: bool) -> str:
    """The CTEs ``q`` (the query) and ``hits`` (the version ids of the newest ``:limit``
    matches).

    ``tables``: where the documents searched are. Every version is in one of two: the current
    ones in ``article_search``, the earlier ones in ``version_search`` (``storage.searchindex``).

    Every matching id comes from the GIN index first, then the newest few are kept; only those
    get a headline, which reads their whole text. Both steps are MATERIALIZED, because the
    planner's other choices are far slower here and it cannot tell: merged with the sort, it
    walks the primary key backwards testing each row until it has enough (every row, for
    seconds, when a term is rarer than it guessed, as prefixes often are); and shown the query,
    it scans a common term's table sequentially, reading every stored document (1.6 s against
    75 ms from the index over half a million versions). Both search tables keep the article
    id, so an outlet filter joins only articles.
    """
    newest = (
        "SELECT m.version_id AS id FROM matches m JOIN articles a ON a.id = m.article_id "
        f"WHERE {_OUTLET} ORDER BY m.version_id DESC LIMIT :limit OFFSET :offset"
        if by_outlet
        else "SELECT version_id AS id FROM matches ORDER BY version_id DESC"
        " LIMIT :limit OFFSET :offset"
    )
    found = " UNION ALL ".join(
        f"SELECT s.version_id, s.article_id FROM {table} s, q WHERE s.document @@ q.query"
        for table in tables
    )
    return f"""WITH q AS MATERIALIZED (SELECT to_tsquery('simple', :q) AS query),
matches AS MATERIALIZED ({found}),
hits AS ({newest})"""
