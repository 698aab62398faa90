"""Grouping articles into stories: wire copies and other coverage of the same event.

Each article's body gets two MinHash signatures (``datasketch``): one over 3-word shingles,
which only copies of the same text share (a syndicated AFP/Reuters/TASS story, lightly edited
by each outlet), and one over the set of content words, which articles about the same event
share more loosely. The signatures' LSH band hashes are stored in ``minhash_bands``, so the
index lives in the database: every daemon sharing it sees the same index, nothing is rebuilt
at start, and a lookup is an indexed query. LSH hits are then checked against the stored
signatures (estimated Jaccard similarity) before an article joins a story.

An article joins the story of its most similar copy (``story_role="copy"``), else of its most
similar coverage (``"coverage"``), else starts a new story (``"first"``). It is placed once,
when it first has a body long enough to compare, and never moves afterwards: later edits do
not reshuffle stories that alerts have already named.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
from sqlalchemy import Select, bindparam, func, insert, union
from sqlmodel import Session, col, select

from storage.models import Article, MinhashBand, Story
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
COPY = Scheme(0, "copy", 0.5)
COVERAGE = Scheme(1, "coverage", 0.3)
SCHEMES = (COPY, COVERAGE)
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
    words = [w.lower() for w in _WORDS.findall(body)]
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    content = {w for w in words if len(w) >= 4}
    minhash_class, permutations = _minhash()
    result = {}
    for scheme, items in ((COPY, shingles), (COVERAGE, content)):
        # The shared permutations are exactly those MinHash(num_perm, seed) draws; drawing
        # them again for every body cost more than hashing its shingles.
        minhash = minhash_class(
            num_perm=NUM_PERM, seed=SEED, permutations=permutations, scheme="affine32"
        )
        minhash.update_batch([item.encode("utf-8") for item in items])  # order-free: a min
        result[scheme.id] = minhash.hashvalues.astype(np.uint32)
    return result


def band_hashes(values: np.ndarray, scheme: Scheme) -> list[int]:
    """The LSH band hashes of one signature: signed 64-bit, to fit a BIGINT on both engines."""
    bands, rows = _bands(scheme.threshold)
    return [
        int.from_bytes(
            hashlib.blake2b(values[b * rows : (b + 1) * rows].tobytes(), digest_size=8).digest(),
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
    placement = None
    for scheme in SCHEMES:
        best = _most_similar(s, article.id, sigs, scheme)
        if best is not None:
            (other_id, other_story), similarity = best
            placement = Placement(other_story, scheme.role, other_id, similarity)
            break
    if placement is None or not placement.story_id:
        story = Story(title=title, first_article_id=article.id, created_at=now)
        s.add(story)
        s.flush()
        assert story.id is not None
        placement = Placement(story.id, "first", None, 1.0)
    article.story_id, article.story_role = placement.story_id, placement.role
    article.signature = b"".join(sigs[scheme.id].tobytes() for scheme in SCHEMES)
    s.add(article)
    s.flush()
    # One multi-row INSERT for the ~35 band rows, not an ORM object each.
    rows = [
        {"article_id": article.id, "scheme": scheme.id, "band": band, "hash": value}
        for scheme in SCHEMES
        for band, value in enumerate(band_hashes(sigs[scheme.id], scheme))
    ]
    s.connection().execute(insert(BANDS), rows)
    return placement


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
    s: Session, article_id: int, sigs: dict[int, np.ndarray], scheme: Scheme
) -> tuple[tuple[int, int], float] | None:
    """(id, story id) of the stored article most similar under ``scheme``, with the similarity."""
    hashes = band_hashes(sigs[scheme.id], scheme)
    params = {f"h{band}": value for band, value in enumerate(hashes)}
    rows = s.connection().execute(
        _candidates(scheme.id, len(hashes)), params | {"article_id": article_id}
    )
    best: tuple[tuple[int, int], float] | None = None
    for other_id, story_id, signature in rows:
        similarity = _similarity(sigs[scheme.id], signature or b"", scheme)
        if similarity >= scheme.threshold and (best is None or similarity > best[1]):
            best = ((other_id, story_id), similarity)
    return best


@cache
def _candidates(scheme_id: int, bands: int) -> Select[Any]:
    """The articles sharing a band hash with ``:h0``…, built once per scheme (then cached)."""
    # One indexed lookup per band, joined by UNION: an OR of the same terms lets SQLite's
    # planner fall back to scanning the whole scheme's range of the index (O(articles)).
    lookups = [
        select(BANDS.c.article_id).where(
            BANDS.c.scheme == scheme_id,
            BANDS.c.band == band,
            BANDS.c.hash == bindparam(f"h{band}"),
            BANDS.c.article_id != bindparam("article_id"),
        )
        for band in range(bands)
    ]
    candidate_ids = select(union(*lookups).subquery().c.article_id).limit(_MAX_CANDIDATES)
    return select(ARTICLES.c.id, ARTICLES.c.story_id, ARTICLES.c.signature).where(
        ARTICLES.c.id.in_(candidate_ids),
        ARTICLES.c.signature.is_not(None),
        ARTICLES.c.story_id.is_not(None),
    )


def _similarity(values: np.ndarray, stored: bytes, scheme: Scheme) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    other = np.frombuffer(stored, dtype=np.uint32)
    start = SCHEMES.index(scheme) * NUM_PERM
    segment = other[start : start + NUM_PERM]
    if len(segment) != NUM_PERM:
        return 0.0
    return float(np.mean(segment == values))


@cache
def _minhash() -> tuple[Any, Any]:
    """datasketch's MinHash class and the permutations every signature shares."""
    # Imported here: datasketch pulls in scipy (~0.4 s), which only recording needs.
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=SEED).permutations


@cache
def _bands(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that datasketch picks for a threshold (no index is built)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r
