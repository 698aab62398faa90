"""Grouping articles into stories: wire copies and other coverage of the same event.

Each article's body is signed twice (``storage.minhash``): a signature only copies of the same
text share, and one that articles about the same event share more loosely. The signatures' LSH
band hashes are stored in ``minhash_bands``, so the index lives in the database: every daemon
sharing it sees the same index, nothing is rebuilt at start, and a lookup is an indexed query.
LSH hits are then checked against the stored signatures (``article_signatures``, estimated
Jaccard similarity) before an article joins a story.

An article joins the story of its most similar copy (``story_role="copy"``), else of its most
similar coverage (``"coverage"``), else starts a new story (``"first"``). It is placed once,
when it first has a body long enough to compare, and never moves afterwards: later edits do
not reshuffle stories that alerts have already named.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    func,
    insert,
    literal,
    text,
    union,
    union_all,
)
from sqlalchemy import select as sql_select  # typed for Core columns (sqlmodel.select is not)
from sqlalchemy.sql import ClauseElement
from sqlmodel import Session, col, select

from storage.article_core import assign
from storage.minhash import BY_ID, NUM_PERM, SCHEMES, BodySignature, Scheme, bands_and_rows
from storage.models import Article, ArticleSignature, MinhashBand, Story
from storage.prepared import Prepared
from storage.similarity_rows import held_rows, write_rows
from storage.types import StoryInfo

ARTICLES = Article.__table__  # type: ignore[attr-defined]
BANDS = MinhashBand.__table__  # type: ignore[attr-defined]
SIGNATURES = ArticleSignature.__table__  # type: ignore[attr-defined]
STORIES = Story.__table__  # type: ignore[attr-defined]
_MAX_CANDIDATES = 200


@dataclass(frozen=True, slots=True)
class Placement:
    """Where :func:`place_article` put an article."""

    story_id: int
    role: str
    similar_to: int | None
    similarity: float


def place_article(
    s: Session,
    *,
    article: Article,
    signature: BodySignature | None,
    title: str | None,
    now: datetime,
) -> Placement | None:
    """Put an article that has no story yet into one (in the caller's transaction).

    ``signature`` is its body's (``storage.minhash.sign``). Returns ``None`` when the body was
    too short to sign; the next version tries again.
    """
    assert article.id is not None
    if signature is None:
        return None
    sigs, bands = signature.values, signature.bands
    placement = _most_similar(s, article.id, sigs, bands)
    conn = s.connection()
    if placement is None or not placement.story_id:
        # Core, not an ORM flush: a flush would also write the article's pending changes,
        # which the caller writes in one UPDATE once the version is in (storage.record).
        inserted = _INSERT_STORY.first(
            conn, {"title": title, "first_article_id": article.id, "created_at": now}
        )
        assert inserted is not None  # RETURNING answers the one row inserted
        story_id = inserted[0]
        placement = Placement(story_id, "first", None, 1.0)
    assign(article, story_id=placement.story_id, story_role=placement.role)
    packed = signature.packed()
    rows = [
        (scheme.id, band, value)
        for scheme in SCHEMES
        for band, value in enumerate(bands[scheme.id])
    ]
    held = held_rows(s)
    if held is not None:
        held.add(article.id, placement.story_id, packed, rows)
    else:
        write_rows(conn, [(article.id, packed)], [(article.id, *row) for row in rows])
    return placement


# Built once: place_article runs for every new article.
_INSERT_STORY = Prepared(insert(STORIES).returning(STORIES.c.id))


def story_info(s: Session, story_id: int) -> StoryInfo | None:
    """A story's title and how many articles and outlets it has."""
    story = s.get(Story, story_id)
    if story is None:
        return None
    articles, outlets = s.exec(
        select(func.count(), func.count(func.distinct(Article.outlet))).where(
            col(Article.story_id) == story_id
        )
    ).one()
    return StoryInfo(id=story_id, title=story.title, articles=articles, outlets=outlets)


def _most_similar(
    s: Session, article_id: int, sigs: dict[int, np.ndarray], bands: dict[int, list[int]]
) -> Placement | None:
    """Where the stored article most similar to this one is: a copy if any, else coverage
    (``bands``: the article's band hashes per scheme). One statement for both schemes."""
    conn = s.connection()
    dialect = conn.dialect.name
    lookup = _PG_CANDIDATES if dialect == "postgresql" else _candidates()
    stored = lookup.all(conn, lookup_params(dialect, article_id, bands))
    best: dict[int, tuple[int, int, float]] = {}
    held = held_rows(s)
    # Articles placed earlier in the same batch, whose rows are not written yet.
    batch = held.candidates(bands) if held is not None else ()
    for scheme_id, other_id, story_id, signature in itertools.chain(stored, batch):
        scheme = BY_ID[scheme_id]
        similarity = _similarity(sigs[scheme.id], signature, scheme)
        if similarity >= scheme.threshold and (
            scheme_id not in best or similarity > best[scheme_id][2]
        ):
            best[scheme_id] = (other_id, story_id, similarity)
    for scheme in SCHEMES:
        if scheme.id in best:
            other_id, story_id, similarity = best[scheme.id]
            return Placement(story_id, scheme.role, other_id, similarity)
    return None


def lookup_params(
    dialect_name: str, article_id: int, bands: dict[int, list[int]]
) -> dict[str, Any]:
    """What :func:`candidate_lookup`'s statement binds for an article's band hashes (per
    scheme): arrays on PostgreSQL, a parameter per band on SQLite."""
    if dialect_name == "postgresql":
        return _array_params(article_id, bands)
    params: dict[str, Any] = {"article_id": article_id}
    for scheme in SCHEMES:
        hashes = enumerate(bands[scheme.id])
        params |= {f"h{scheme.id}_{band}": value for band, value in hashes}
    return params


def _array_params(article_id: int, bands: dict[int, list[int]]) -> dict[str, Any]:
    keys = [
        (scheme, band, value)
        for scheme, hashes in bands.items()
        for band, value in enumerate(hashes)
    ]
    schemes, numbers, values = (list(column) for column in zip(*keys, strict=True))
    return {"article_id": article_id, "schemes": schemes, "bands": numbers, "hashes": values}


# PostgreSQL: the band hashes as arrays, joined to the index. The UNION below, with a parameter
# per band, is 10 kB of SQL: psycopg neither caches its parsing (4 kB at most) nor, in effect,
# its server-side preparation, and parsing it cost more than the lookup.
#
# Each band and each candidate is looked up in a LATERAL subquery that OFFSET 0 keeps from being
# flattened into a join, so every plan the server may choose probes the indexes. psycopg
# prepares the statement on its sixth run, and the server then keeps one generic plan until the
# tables are next analyzed. In a new database that plan is made while the band table holds a few
# articles: with 10-50 of them, a plain join was planned as a hash join over the whole table and
# kept as the table grew (14 ms a lookup at 1,000 articles, 150-270 ms at 20,000, against
# 0.2-0.4 ms on the index), until autovacuum analyzed the table a minute or more later, which
# bench/pipeline.py's ingest never reached.
_PG_LOOKUP = text(
    "WITH wanted AS (SELECT * FROM unnest(CAST(:schemes AS smallint[]),"
    " CAST(:bands AS smallint[]), CAST(:hashes AS bigint[])) AS w(scheme, band, hash)),"
    " hits AS (SELECT DISTINCT wanted.scheme, b.article_id FROM wanted CROSS JOIN LATERAL"
    f" (SELECT b.article_id FROM {BANDS.name} b WHERE b.scheme = wanted.scheme"
    " AND b.band = wanted.band AND b.hash = wanted.hash AND b.article_id <> :article_id"
    " OFFSET 0) b),"
    " ranked AS (SELECT scheme, article_id,"
    " row_number() OVER (PARTITION BY scheme ORDER BY article_id) AS n FROM hits)"
    " SELECT ranked.scheme, found.id, found.story_id, found.signature FROM ranked"
    " CROSS JOIN LATERAL (SELECT a.id, a.story_id, sig.signature"
    f" FROM {ARTICLES.name} a JOIN {SIGNATURES.name} sig ON sig.article_id = a.id"
    " WHERE a.id = ranked.article_id AND a.story_id IS NOT NULL OFFSET 0) found"
    f" WHERE ranked.n <= {_MAX_CANDIDATES}"
)
_PG_CANDIDATES = Prepared(_PG_LOOKUP)


def candidate_lookup(dialect_name: str) -> ClauseElement:
    """The statement that finds an article's candidates on this engine (the tests plan it)."""
    return _PG_LOOKUP if dialect_name == "postgresql" else _candidates().statement


@cache
def _candidates() -> Prepared:
    """The articles sharing a band hash with ``:h<scheme>_<band>`` under each scheme, with
    their scheme, built once (then cached)."""
    return Prepared(union_all(*(_scheme_candidates(scheme) for scheme in SCHEMES)))


def _scheme_candidates(scheme: Scheme) -> Select[Any]:
    # One indexed lookup per band, joined by UNION: an OR of the same terms lets SQLite's
    # planner fall back to scanning the whole scheme's range of the index (O(articles)).
    bands, _ = bands_and_rows(scheme.threshold)
    lookups = [
        select(BANDS.c.article_id).where(
            BANDS.c.scheme == scheme.id,
            BANDS.c.band == band,
            BANDS.c.hash == bindparam(f"h{scheme.id}_{band}"),
            BANDS.c.article_id != bindparam("article_id"),
        )
        for band in range(bands)
    ]
    candidate_ids = select(union(*lookups).subquery().c.article_id).limit(_MAX_CANDIDATES)
    return (
        sql_select(
            literal(scheme.id, Integer).label("scheme"),
            ARTICLES.c.id,
            ARTICLES.c.story_id,
            SIGNATURES.c.signature,
        )
        .join_from(SIGNATURES, ARTICLES, ARTICLES.c.id == SIGNATURES.c.article_id)
        .where(SIGNATURES.c.article_id.in_(candidate_ids), ARTICLES.c.story_id.is_not(None))
    )


def _similarity(values: np.ndarray, stored: bytes, scheme: Scheme) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    other = np.frombuffer(stored, dtype="<u4")
    start = SCHEMES.index(scheme) * NUM_PERM
    segment = other[start : start + NUM_PERM]
    if len(segment) != NUM_PERM:
        return 0.0
    return float(np.mean(segment == values))
