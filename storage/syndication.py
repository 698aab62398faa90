"""Grouping articles into stories: wire copies and other coverage of the same event.

Each article's body gets two MinHash signatures: one over 3-word shingles, which only copies
of the same text share (a syndicated AFP/Reuters/TASS story, lightly edited by each outlet),
and one over the set of content words, which articles about the same event share more loosely.
The signatures' LSH band hashes are stored in ``minhash_bands``, so the index lives in the
database: every daemon sharing it sees the same index, nothing is rebuilt at start, and a
lookup is an indexed query. LSH hits are then checked against the stored signatures
(``article_signatures``, estimated Jaccard similarity) before an article joins a story.

The MinHash is datasketch's ``affine32`` scheme (its permutations, its LSH band parameters),
computed here with numpy over CRC-32 word hashes instead of a SHA-1 call per shingle: that
call was most of the cost of placing an article. datasketch itself is not imported at run
time (it loads scipy); the tests hold this module to its results. Signatures made with
another hash are not comparable; migration 0004 dropped the ones stored before this hash.

An article joins the story of its most similar copy (``story_role="copy"``), else of its most
similar coverage (``"coverage"``), else starts a new story (``"first"``). It is placed once,
when it first has a body long enough to compare, and never moves afterwards: later edits do
not reshuffle stories that alerts have already named.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import zlib
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
from sqlmodel import Session, col, select

from storage.article_core import assign
from storage.models import Article, ArticleSignature, MinhashBand, Story
from storage.prepared import Prepared
from storage.similarity_rows import held_rows, write_rows
from storage.types import StoryInfo

NUM_PERM = 64
SEED = 1
MIN_WORDS = 40  # shorter bodies (teasers, paywalls) would match too much


@dataclass(frozen=True, slots=True)
class Scheme:
    """One way of comparing bodies: the shingles it uses and the similarity that counts."""

    id: int
    role: str
    threshold: float


ARTICLES = Article.__table__  # type: ignore[attr-defined]
BANDS = MinhashBand.__table__  # type: ignore[attr-defined]
SIGNATURES = ArticleSignature.__table__  # type: ignore[attr-defined]
STORIES = Story.__table__  # type: ignore[attr-defined]
COPY = Scheme(0, "copy", 0.5)
COVERAGE = Scheme(1, "coverage", 0.3)
SCHEMES = (COPY, COVERAGE)
_BY_ID = {scheme.id: scheme for scheme in SCHEMES}
_MAX_CANDIDATES = 200
_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where :func:`place_article` put an article."""

    story_id: int
    role: str
    similar_to: int | None
    similarity: float


def signatures(body: str) -> dict[int, np.ndarray] | None:
    """The MinHash values of ``body`` per scheme id, or ``None`` if it is too short to compare."""
    if "\u0130" in body or "\u03a3" in body:
        # Each word lowered on its own, but in one call: no word holds a space, and lowering
        # a space-joined run gives each word what its own lower() gives, where lowering the
        # raw body would not: a dotted İ lowers to i and a combining dot (which splits the
        # word), and Σ to σ or ς by what stands beside it.
        words = " ".join(_WORDS.findall(body)).lower().split(" ")
    else:
        # Every other character lowers to one character of the same kind (word or not), the
        # same in any context, so the words of the lowered body are the lowered words.
        words = _WORDS.findall(body.lower())
    if len(words) < MIN_WORDS:
        return None
    # One C call per word and per step, no Python loop: hashing a repeated word again costs
    # less than the dict that would look it up. Shingles and permutations are numpy over arrays.
    count = len(words)
    word_hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), np.uint64, count)
    lengths = np.fromiter(map(len, words), np.intp, count)
    content = word_hashes[lengths >= 4]  # repeats do not change a MinHash (it is a minimum)
    return {COPY.id: minhash(shingle_hashes(word_hashes)), COVERAGE.id: minhash(content)}


def shingle_hashes(words: np.ndarray) -> np.ndarray:
    """32-bit hashes of every run of three word hashes (uint64 values below 2**32), in order."""
    # Each step is a bijection of the 64-bit state, so two different triples only meet by a
    # 2**-32 chance in the kept bits, and word order matters (a, b, c differs from c, b, a).
    state = _fmix64((words[:-2] << np.uint64(32)) | words[1:-1]) ^ words[2:]
    return _fmix64(state).astype(np.uint32)  # the low 32 bits


def minhash(hashes: np.ndarray) -> np.ndarray:
    """datasketch's ``affine32`` MinHash of a set given by its 32-bit item hashes.

    The same values ``MinHash(NUM_PERM, SEED, scheme="affine32").update_batch`` keeps, with
    the item hashes as ``hashfunc``: its permutations and its pre-mix, over a whole array at
    once instead of a Python call per item. Duplicates do not matter (it is a minimum).
    """
    a, b = _permutations()
    if hashes.size == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    mixed = _fmix32(hashes.astype(np.uint32, copy=False))
    # uint32 arithmetic wraps: the affine maps are mod 2**32, as in datasketch. One row per
    # permutation, filled in place, so each minimum runs along contiguous memory: twice as
    # fast as an item per row and a temporary per operation.
    values = np.multiply.outer(a, mixed)
    values += b[:, np.newaxis]
    signature: np.ndarray = values.min(axis=1)
    return signature


def band_hashes(values: np.ndarray, scheme: Scheme) -> list[int]:
    """The LSH band hashes of one signature: signed 64-bit, to fit a BIGINT on both engines."""
    bands, rows = _bands(scheme.threshold)
    # Slices of the signature's bytes, the same as each band's own tobytes(): one copy out of
    # numpy instead of one slice and copy per band.
    data, width = values.tobytes(), rows * values.itemsize
    return [
        int.from_bytes(
            hashlib.blake2b(data[b * width : (b + 1) * width], digest_size=8).digest(),
            "little",
            signed=True,
        )
        for b in range(bands)
    ]


def place_article(
    s: Session, *, article: Article, body: str, title: str | None, now: datetime
) -> Placement | None:
    """Put an article that has no story yet into one (in the caller's transaction).

    Returns ``None`` when the body is too short to compare; the next version tries again.
    """
    assert article.id is not None
    sigs = signatures(body)
    if sigs is None:
        return None
    bands = {scheme.id: band_hashes(sigs[scheme.id], scheme) for scheme in SCHEMES}
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
    signature = b"".join(sigs[scheme.id].astype("<u4").tobytes() for scheme in SCHEMES)
    rows = [
        (scheme.id, band, value)
        for scheme in SCHEMES
        for band, value in enumerate(bands[scheme.id])
    ]
    held = held_rows(s)
    if held is not None:
        held.add(article.id, placement.story_id, signature, rows)
    else:
        write_rows(conn, [(article.id, signature)], [(article.id, *row) for row in rows])
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
    if conn.dialect.name == "postgresql":
        stored = _PG_CANDIDATES.all(conn, _array_params(article_id, bands))
    else:
        params: dict[str, int] = {"article_id": article_id}
        for scheme in SCHEMES:
            hashes = enumerate(bands[scheme.id])
            params |= {f"h{scheme.id}_{band}": value for band, value in hashes}
        stored = _candidates().all(conn, params)
    best: dict[int, tuple[int, int, float]] = {}
    held = held_rows(s)
    # Articles placed earlier in the same batch, whose rows are not written yet.
    batch = held.candidates(bands) if held is not None else ()
    for scheme_id, other_id, story_id, signature in itertools.chain(stored, batch):
        scheme = _BY_ID[scheme_id]
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
_PG_CANDIDATES = Prepared(
    text(
        "WITH wanted AS (SELECT * FROM unnest(CAST(:schemes AS smallint[]),"
        " CAST(:bands AS smallint[]), CAST(:hashes AS bigint[])) AS w(scheme, band, hash)),"
        " hits AS (SELECT DISTINCT b.scheme, b.article_id FROM wanted"
        f" JOIN {BANDS.name} b ON b.scheme = wanted.scheme AND b.band = wanted.band"
        " AND b.hash = wanted.hash WHERE b.article_id <> :article_id),"
        " ranked AS (SELECT scheme, article_id,"
        " row_number() OVER (PARTITION BY scheme ORDER BY article_id) AS n FROM hits)"
        f" SELECT ranked.scheme, a.id, a.story_id, sig.signature FROM ranked"
        f" JOIN {SIGNATURES.name} sig ON sig.article_id = ranked.article_id"
        f" JOIN {ARTICLES.name} a ON a.id = ranked.article_id"
        f" WHERE ranked.n <= {_MAX_CANDIDATES} AND a.story_id IS NOT NULL"
    )
)


@cache
def _candidates() -> Prepared:
    """The articles sharing a band hash with ``:h<scheme>_<band>`` under each scheme, with
    their scheme, built once (then cached)."""
    return Prepared(union_all(*(_scheme_candidates(scheme) for scheme in SCHEMES)))


def _scheme_candidates(scheme: Scheme) -> Select[Any]:
    # One indexed lookup per band, joined by UNION: an OR of the same terms lets SQLite's
    # planner fall back to scanning the whole scheme's range of the index (O(articles)).
    bands, _ = _bands(scheme.threshold)
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


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of the affine permutations every signature shares, drawn once.

    Drawn as datasketch's ``MinHash(NUM_PERM, SEED, scheme="affine32")`` draws them (a seeded
    ``RandomState``, odd multipliers), not by calling it: importing datasketch loads scipy for
    its LSH parameter search, some 50 MB in every daemon for numbers fixed here. The tests
    check these are datasketch's own.
    """
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


# MurmurHash3's finalisers: cheap bijections that spread every input bit over the output.
def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = h ^ (h >> np.uint32(16))
    return mixed


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    mixed: np.ndarray = h ^ (h >> np.uint64(33))
    return mixed


# (bands, rows per band) per threshold: what datasketch's ``MinHashLSH(threshold, NUM_PERM)``
# picks (the tests check it); computed there by numerical integration, hence scipy.
_BANDS = {COPY.threshold: (14, 4), COVERAGE.threshold: (21, 3)}


def _bands(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) of the LSH index for a scheme's threshold."""
    return _BANDS[threshold]
