"""Full-text search over the current text of every article, or over every version ever stored.

SQLite: two FTS5 tables (``storage/migrations``): ``articles_fts`` holds each article's current
text keyed by article id; ``versions_fts`` indexes the versions table in place (external
content, so no second copy of the history). PostgreSQL: ``article_search`` holds a ``tsvector``
per article and ``version_search`` one per version, each with a GIN index. Both use no
stemming ('simple' / unicode61), because the watched news comes in many languages.

The index is written by :func:`index_version` inside the recording transaction, so a search
never sees a version that was not committed, nor misses one that was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from storage.columns import as_utc
from storage.exceptions import SearchQueryError
from storage.outlets import outlet_key
from storage.searchquery import parse, to_fts5, to_tsquery
from storage.types import SearchHit

# The search tables of each engine: only the migrations make them, no model describes them.
INDEX_TABLES = {
    "sqlite": ("articles_fts", "versions_fts"),
    "postgresql": ("article_search", "version_search"),
}
_HEADLINE_OPTIONS = "StartSel=[, StopSel=], MaxWords=24, MinWords=8, MaxFragments=1"


def index_version(
    s: Session,
    *,
    version_id: int,
    article_id: int,
    title: str | None,
    subtitle: str | None,
    body: str,
    current: bool,
    replaces: bool = True,
) -> None:
    """Index a new version; if ``current``, it also becomes its article's searchable text.

    ``replaces=False``: the article has no searchable text yet (its first current version), so
    there is none to remove first.
    """
    # Straight to the connection with statements built once: this runs for every version.
    conn = s.connection()
    texts = {"t": title, "st": subtitle, "b": body}
    if _dialect(s) == "sqlite":
        conn.execute(_SQLITE_INDEX_VERSION, texts | {"id": version_id})
        if current:
            if replaces:
                conn.execute(_SQLITE_UNINDEX_ARTICLE, {"a": article_id})
            conn.execute(_SQLITE_INDEX_ARTICLE, texts | {"a": article_id})
        return
    statement = _PG_INDEX_CURRENT_VERSION if current else _PG_INDEX_VERSION
    conn.execute(statement, texts | {"id": version_id, "a": article_id})


_SQLITE_INDEX_VERSION = text(
    "INSERT INTO versions_fts(rowid, title, subtitle, body) VALUES (:id, :t, :st, :b)"
)
_SQLITE_UNINDEX_ARTICLE = text("DELETE FROM articles_fts WHERE rowid = :a")
_SQLITE_INDEX_ARTICLE = text(
    "INSERT INTO articles_fts(rowid, title, subtitle, body) VALUES (:a, :t, :st, :b)"
)
# The same document as migrations 0002 (article_search) and 0004 (version_search) fill.
_PG_DOCUMENT = (
    "to_tsvector('simple', coalesce(CAST(:t AS text), '') || ' ' || "
    "coalesce(CAST(:st AS text), '') || ' ' || CAST(:b AS text))"
)
_PG_INDEX_VERSION = text(
    "INSERT INTO version_search (version_id, article_id, document) "
    f"VALUES (:id, :a, {_PG_DOCUMENT})"
)
# One statement and one to_tsvector for both tables: the current text is the version's.
_PG_INDEX_CURRENT_VERSION = text(
    f"WITH indexed AS ({_PG_INDEX_VERSION.text} RETURNING document) "
    "INSERT INTO article_search (article_id, document) SELECT :a, document FROM indexed "
    "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document"
)


def unindex_article(s: Session, *, article_id: int, versions: list[Any]) -> None:
    """Remove an article and the given versions (rows with id/title/subtitle/body) from search."""
    if _dialect(s) == "sqlite":
        for v in versions:
            # External-content FTS5 needs the old values to remove their tokens.
            s.exec(  # type: ignore[call-overload]
                text(
                    "INSERT INTO versions_fts(versions_fts, rowid, title, subtitle, body) "
                    "VALUES ('delete', :id, :t, :st, :b)"
                ),
                params={"id": v.id, "t": v.title, "st": v.subtitle, "b": v.body},
            )
        s.exec(text("DELETE FROM articles_fts WHERE rowid = :a"), params={"a": article_id})  # type: ignore[call-overload]
    else:
        s.exec(  # type: ignore[call-overload]
            text(
                "DELETE FROM version_search WHERE version_id IN "
                "(SELECT id FROM versions WHERE article_id = :a)"
            ),
            params={"a": article_id},
        )
        s.exec(text("DELETE FROM article_search WHERE article_id = :a"), params={"a": article_id})  # type: ignore[call-overload]


def search(
    s: Session,
    query: str,
    *,
    all_versions: bool = False,
    outlet: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SearchHit]:
    """Articles whose current text matches ``query``, newest first, each with a snippet.

    ``all_versions=True`` searches every version ever stored instead ("who printed this
    sentence, and who deleted it?"): one hit per matching version. A query that cannot be
    understood raises :class:`~storage.exceptions.SearchQueryError`, never an SQL error.
    ``offset`` skips that many hits in the database, before any snippet is made.
    """
    node = parse(query)
    params: dict[str, Any] = {"limit": max(1, limit), "offset": max(0, offset)}
    if _dialect(s) == "sqlite":
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

_SQLITE_CURRENT = f"""
SELECT a.id AS article_id, a.url, a.outlet, v.title, v.number, v.fetched_at, 1 AS current,
       snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet
FROM articles_fts
JOIN articles a ON a.id = articles_fts.rowid
JOIN versions v ON v.id = a.current_version_id
WHERE articles_fts MATCH :q AND {_OUTLET}
ORDER BY articles_fts.rowid DESC
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
{_pg_hits("article_search", "article_id", by_outlet)}
SELECT a.id AS article_id, a.url, a.outlet, v.title, v.number, v.fetched_at, true AS current,
       ts_headline('simple', coalesce(v.title, '') || ' ' || coalesce(v.subtitle, '') || ' '
                   || v.body, q.query, '{_HEADLINE_OPTIONS}') AS snippet
FROM hits JOIN articles a ON a.id = hits.id
JOIN versions v ON v.id = a.current_version_id, q
ORDER BY a.id DESC
"""


def _pg_versions(by_outlet: bool) -> str:
    return f"""
{_pg_hits("version_search", "version_id", by_outlet)}
SELECT v.article_id, a.url, a.outlet, v.title, v.number, v.fetched_at,
       (a.current_version_id = v.id) AS current,
       ts_headline('simple', coalesce(v.title, '') || ' ' || coalesce(v.subtitle, '') || ' '
                   || v.body, q.query, '{_HEADLINE_OPTIONS}') AS snippet
FROM hits JOIN versions v ON v.id = hits.id JOIN articles a ON a.id = v.article_id, q
ORDER BY v.id DESC
"""


def _pg_hits(table: str, key: str, by_outlet: bool) -> str:
    """The CTEs ``q`` (the query) and ``hits`` (the ids of the newest ``:limit`` matches).

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
        f"SELECT m.{key} AS id FROM matches m JOIN articles a ON a.id = m.article_id "
        f"WHERE {_OUTLET} ORDER BY m.{key} DESC LIMIT :limit OFFSET :offset"
        if by_outlet
        else f"SELECT {key} AS id FROM matches ORDER BY {key} DESC LIMIT :limit OFFSET :offset"
    )
    columns = "s.article_id" if key == "article_id" else f"s.{key}, s.article_id"
    return f"""WITH q AS MATERIALIZED (SELECT to_tsquery('simple', :q) AS query),
matches AS MATERIALIZED (SELECT {columns} FROM {table} s, q WHERE s.document @@ q.query),
hits AS ({newest})"""


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name
