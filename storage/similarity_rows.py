"""The similarity index's rows of a batch of recordings, written together at its end.

Placing an article in a story writes its signature and its ~35 band hashes
(:mod:`storage.syndication`): two statements per article. When a transaction records a batch of
pages (the daemon's batch writer), :func:`similarity_rows_last` holds those rows and writes them
in two statements for the whole batch. Until then, the held rows are searched in memory beside
the database's, so an article placed later in the batch still finds a copy placed earlier in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Connection, text
from sqlmodel import Session

from storage.held import holding
from storage.models import ArticleSignature, MinhashBand

BANDS = MinhashBand.__table__  # type: ignore[attr-defined]
SIGNATURES = ArticleSignature.__table__  # type: ignore[attr-defined]
BAND_COLUMNS = ("article_id", "scheme", "band", "hash")
_HELD = "newswatch_similarity_rows_held"


class Candidate(NamedTuple):
    """A placed article that may be similar: its story and its stored signature bytes."""

    scheme: int
    article_id: int
    story_id: int
    signature: bytes


@dataclass(slots=True)
class HeldRows:
    """The signature and band rows placed so far in the block, and a lookup over them."""

    signatures: list[tuple[int, bytes]] = field(default_factory=list)
    bands: list[tuple[int, int, int, int]] = field(default_factory=list)
    _stories: dict[int, tuple[int, bytes]] = field(default_factory=dict)
    _by_band: dict[tuple[int, int, int], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(
        self, article_id: int, story_id: int, signature: bytes, bands: list[tuple[int, int, int]]
    ) -> None:
        """Hold one article's rows (``bands``: scheme, band, hash)."""
        self.signatures.append((article_id, signature))
        self._stories[article_id] = (story_id, signature)
        for scheme, band, value in bands:
            self.bands.append((article_id, scheme, band, value))
            self._by_band[(scheme, band, value)].append(article_id)

    def candidates(self, bands: dict[int, list[int]]) -> Iterator[Candidate]:
        """The held articles sharing a band hash with ``bands`` (hashes per scheme)."""
        for scheme, hashes in bands.items():
            seen: set[int] = set()
            for band, value in enumerate(hashes):
                seen.update(self._by_band.get((scheme, band, value), ()))
            for article_id in seen:
                story_id, signature = self._stories[article_id]
                yield Candidate(scheme, article_id, story_id, signature)


def held_rows(s: Session) -> HeldRows | None:
    """The rows held for the session's block, or ``None`` outside :func:`similarity_rows_last`."""
    held: HeldRows | None = s.info.get(_HELD)
    return held


def similarity_rows_last(s: Session) -> AbstractContextManager[None]:
    """Hold the similarity rows written in the block and write them when it ends (module doc)."""
    return holding(s, _HELD, HeldRows(), _write_held)


def _write_held(held: HeldRows, conn: Connection) -> None:
    write_rows(conn, held.signatures, held.bands)


def write_rows(
    conn: Connection, signatures: list[tuple[int, bytes]], bands: list[tuple[int, int, int, int]]
) -> None:
    """Insert signature rows (article id, bytes) and band rows (article id, scheme, band, hash)."""
    if conn.dialect.name == "sqlite":
        # In one driver call each: plain values need none of SQLAlchemy's per-row parameter
        # processing, which cost more than the inserts themselves.
        if signatures:
            conn.exec_driver_sql(_SQLITE_INSERT_SIGNATURES, signatures)
        if bands:
            conn.exec_driver_sql(_SQLITE_INSERT_BANDS, bands)
        return
    # One statement over arrays each: an executemany (psycopg's, as SQLAlchemy uses it for an
    # INSERT without RETURNING) sends, binds and plans a statement per row, ~35 per article.
    if signatures:
        ids, blobs = zip(*signatures, strict=True)
        conn.execute(_PG_INSERT_SIGNATURES, {"ids": list(ids), "signatures": list(blobs)})
    if bands:
        columns = [list(column) for column in zip(*bands, strict=True)]
        conn.execute(_PG_INSERT_BANDS, dict(zip(BAND_COLUMNS, columns, strict=True)))


_SQLITE_INSERT_SIGNATURES = f"INSERT INTO {SIGNATURES.name} (article_id, signature) VALUES (?, ?)"
_SQLITE_INSERT_BANDS = f"INSERT INTO {BANDS.name} ({', '.join(BAND_COLUMNS)}) VALUES (?, ?, ?, ?)"
_PG_INSERT_SIGNATURES = text(
    f"INSERT INTO {SIGNATURES.name} (article_id, signature)"
    " SELECT * FROM unnest(CAST(:ids AS integer[]), CAST(:signatures AS bytea[]))"
)
_PG_INSERT_BANDS = text(
    f"INSERT INTO {BANDS.name} ({', '.join(BAND_COLUMNS)})"
    " SELECT * FROM unnest(CAST(:article_id AS integer[]), CAST(:scheme AS smallint[]),"
    " CAST(:band AS smallint[]), CAST(:hash AS bigint[]))"
)
