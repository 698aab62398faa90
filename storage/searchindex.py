"""The full-text index, written as versions are recorded (searching it: ``storage.read.fulltext``).

SQLite: one FTS5 table (``storage/migrations``), ``versions_fts``, indexes the versions table in
place (external content, so no second copy of the text); a current-text search keeps the hits
that are their article's current version (migration 0012). PostgreSQL: ``article_search`` holds
each article's current text as a ``tsvector`` (with its version's id), ``version_search`` every
other version's, each with a GIN index: every document is stored and indexed once (migration
0011), and a search over every version reads both tables. Both engines use no stemming
('simple' / unicode61), because the watched news comes in many languages.

The index is written by :func:`index_version` inside the recording transaction, so a search
never sees a version that was not committed, nor misses one that was.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text
from sqlmodel import Session

from storage.held import holding
from storage.prepared import Prepared

# The search tables of each engine: only the migrations make them, no model describes them.
INDEX_TABLES = {
    "sqlite": ("versions_fts",),
    "postgresql": ("article_search", "version_search"),
}


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
    """Index a new version; if ``current``, it also becomes its article's searchable text
    (PostgreSQL keeps that text apart; SQLite's current-text search finds it by the article's
    ``current_version_id``).

    ``replaces=False``: the article has no searchable text yet (its first current version), so
    there is none to take out of the current texts first.
    """
    texts = {"t": title, "st": subtitle, "b": body}
    held: HeldSearchRows | None = s.info.get(_HELD)
    if held is not None:
        held.add(version_id, article_id, texts, current=current, replaces=replaces)
        return
    # Alone, it is a batch of one: the same statements, built once.
    alone = HeldSearchRows()
    alone.add(version_id, article_id, texts, current=current, replaces=replaces)
    alone.write(s.connection())


@dataclass(slots=True)
class HeldSearchRows:
    """Full-text rows not written yet: one statement writes them all (on SQLite an
    executemany; on PostgreSQL the versions and the articles' current text together)."""

    versions: list[dict[str, Any]] = field(default_factory=list)
    # Articles whose searchable text is replaced (PostgreSQL moves the old document to the
    # earlier versions), and the text each article ends with: when the block records two
    # current versions of one article, the later one is what a search must find.
    replaced: dict[int, None] = field(default_factory=dict)
    current: dict[int, dict[str, Any]] = field(default_factory=dict)

    def add(
        self,
        version_id: int,
        article_id: int,
        texts: dict[str, Any],
        *,
        current: bool,
        replaces: bool,
    ) -> None:
        """Hold one version's rows (see :func:`index_version`)."""
        row = texts | {"id": version_id, "a": article_id}
        self.versions.append(row)
        if current:
            if replaces and article_id not in self.current:
                self.replaced[article_id] = None
            self.current[article_id] = row

    def write(self, conn: Connection) -> None:
        """Write the held rows (on SQLite an executemany, on PostgreSQL one statement over
        arrays: psycopg's executemany sends and plans a statement per row)."""
        if conn.dialect.name == "postgresql":
            if self.versions:
                _PG_INDEX_BATCH.run(
                    conn,
                    {
                        "ids": [row["id"] for row in self.versions],
                        "articles": [row["a"] for row in self.versions],
                        "titles": [row["t"] for row in self.versions],
                        "subtitles": [row["st"] for row in self.versions],
                        "bodies": [row["b"] for row in self.versions],
                        "shown": [row is self.current.get(row["a"]) for row in self.versions],
                        "replaced": list(self.replaced),
                    },
                )
            return
        # Nothing to replace: the current-text search follows the article's current version.
        if self.versions:
            conn.execute(_SQLITE_INDEX_VERSION, self.versions)


def search_rows_last(s: Session) -> AbstractContextManager[None]:
    """Hold the full-text rows that :func:`index_version` writes until the block ends, then
    write them all in a few statements (:class:`HeldSearchRows`).

    FTS5 buffers a transaction's new terms, but writes them out as a segment of their own
    whenever any other statement starts (its savepoint hook): recording pages one after the
    other then writes a segment (and merges) per page. Held to the end of a batch of pages,
    they make one segment. On PostgreSQL, one statement writes a batch's rows instead of one
    per page. Nothing in the block may search what it indexed.
    """
    return holding(s, _HELD, HeldSearchRows(), HeldSearchRows.write)


_HELD = "newswatch_search_rows_held"
_SQLITE_INDEX_VERSION = text(
    "INSERT INTO versions_fts(rowid, title, subtitle, body) VALUES (:id, :t, :st, :b)"
)
# A batch's versions, each tokenized once. The last current version of each article in the
# batch (``shown``: ON CONFLICT cannot update one row twice in a statement) becomes its
# article's searchable text; every other version of the batch goes to the earlier versions'
# table, and so does the text each replaced article showed until now (``replaced``), moved
# as it is. The statement's parts all read the tables as they were before it, so the row
# moved is the one being replaced. The document is the one migrations 0002 and 0004 built.
_PG_INDEX_BATCH = Prepared(
    text(
        "WITH batch AS (SELECT * FROM unnest(CAST(:ids AS integer[]),"
        " CAST(:articles AS integer[]), CAST(:titles AS text[]), CAST(:subtitles AS text[]),"
        " CAST(:bodies AS text[]), CAST(:shown AS boolean[])) AS b(id, a, t, st, b, shown)),"
        " indexed AS MATERIALIZED (SELECT id, a, shown, to_tsvector('simple', coalesce(t, '')"
        " || ' ' || coalesce(st, '') || ' ' || b) AS document FROM batch),"
        " retired AS (INSERT INTO version_search (version_id, article_id, document)"
        " SELECT version_id, article_id, document FROM article_search"
        " WHERE article_id = ANY(CAST(:replaced AS integer[]))),"
        " earlier AS (INSERT INTO version_search (version_id, article_id, document)"
        " SELECT id, a, document FROM indexed WHERE NOT shown)"
        " INSERT INTO article_search (article_id, version_id, document)"
        " SELECT a, id, document FROM indexed WHERE shown"
        " ON CONFLICT (article_id) DO UPDATE"
        " SET version_id = EXCLUDED.version_id, document = EXCLUDED.document"
    )
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
    else:
        s.exec(  # type: ignore[call-overload]
            text(
                "DELETE FROM version_search WHERE version_id IN "
                "(SELECT id FROM versions WHERE article_id = :a)"
            ),
            params={"a": article_id},
        )
        s.exec(text("DELETE FROM article_search WHERE article_id = :a"), params={"a": article_id})  # type: ignore[call-overload]


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name
