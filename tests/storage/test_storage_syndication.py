"""Stories: wire copies across outlets join one story, looser coverage too, and the LSH index
lives in the database (a new process finds earlier articles without rebuilding anything)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select

import storage
from newswatch.newsroom import Newsroom
from storage.minhash import (
    COPY,
    COVERAGE,
    NUM_PERM,
    SCHEMES,
    band_hashes,
    bands_and_rows,
    signatures,
)
from storage.models import ArticleSignature
from storage.similarity_rows import write_rows
from storage.syndication import candidate_lookup, lookup_params

STORIES = Newsroom.with_articles().stories
HERALD = STORIES["istanbul-talks-delegations-swap-rival-peace-memorandums"]
VOZA_COPY = STORIES["rival-peace-memorandums-exchanged-at-istanbul-talks"]
FOOTBALL = STORIES["harbourside-rovers-win-cup-on-penalties"]


def fields_of(story: object) -> storage.ArticleFields:
    return storage.ArticleFields(title=story.title, body="\n".join(story.body))  # type: ignore[attr-defined]


def reworded(body: str) -> str:
    """Same words, different sentences: what another outlet's own report shares with a wire."""
    return "\n".join(" ".join(reversed(line.split())) for line in body.splitlines())


def add(
    db: storage.Database,
    make_article: Callable[..., int],
    url: str,
    fields: storage.ArticleFields,
    when: datetime,
) -> storage.Outcome:
    article_id = make_article(url)
    with db.transaction() as s:
        return storage.record(
            s, article_id=article_id, fields=fields, snapshot=None, fetched_at=when
        )


def payload(db: storage.Database, alert_id: int | None) -> dict[str, object]:
    with db.session() as s:
        alert = s.get(storage.Alert, alert_id)
        assert alert is not None
        return dict(alert.payload)


def test_wire_copies_and_coverage_join_one_story_and_alerts_say_so(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    first = add(db, make_article, "https://herald.example/a", fields_of(HERALD), now)
    copy = add(
        db, make_article, "https://voza.example/b", fields_of(VOZA_COPY), now + timedelta(minutes=5)
    )
    coverage = add(
        db,
        make_article,
        "https://third.example/c",
        storage.ArticleFields(title="Own report", body=reworded("\n".join(HERALD.body))),
        now + timedelta(minutes=10),
    )
    other = add(db, make_article, "https://herald.example/football", fields_of(FOOTBALL), now)
    assert first.story_id is not None
    assert copy.story_id == first.story_id and coverage.story_id == first.story_id
    assert other.story_id not in (None, first.story_id)
    with db.session() as s:
        roles = dict(s.exec(select(storage.Article.url, storage.Article.story_role)).all())
        info = storage.story_info(s, first.story_id)
    assert roles == {
        "https://herald.example/a": "first",
        "https://voza.example/b": "copy",
        "https://third.example/c": "coverage",
        "https://herald.example/football": "first",
    }
    assert info is not None and (info.articles, info.outlets) == (3, 3)
    assert info.title == HERALD.title
    assert (
        payload(db, first.alert_id).items()
        >= {"story_id": first.story_id, "story_outlets": 1}.items()
    )
    assert (
        payload(db, copy.alert_id).items()
        >= {"story_id": first.story_id, "story_outlets": 2, "story_role": "copy"}.items()
    )
    assert payload(db, coverage.alert_id)["story_outlets"] == 3


def test_the_index_persists_across_processes(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    first = add(db, make_article, "https://herald.example/a", fields_of(HERALD), now)
    url = db.url
    db.close()
    with storage.open_database(url) as again:  # a fresh engine: nothing held in memory
        article_id = make_article_in(again, "https://voza.example/b", now)
        with again.transaction() as s:
            copy = storage.record(
                s, article_id=article_id, fields=fields_of(VOZA_COPY), snapshot=None, fetched_at=now
            )
        assert copy.story_id == first.story_id
        with again.session() as s:
            bands = s.exec(
                select(storage.MinhashBand).where(col(storage.MinhashBand.article_id) == article_id)
            ).all()
            stored = s.get(ArticleSignature, article_id)
        sigs = signatures("\n".join(VOZA_COPY.body))
        assert sigs is not None
        expected = len(band_hashes(sigs[COPY.id], COPY)) + len(
            band_hashes(sigs[COVERAGE.id], COVERAGE)
        )
        assert len(bands) == expected
        assert stored is not None
        assert stored.signature == b"".join(sigs[x.id].astype("<u4").tobytes() for x in SCHEMES)


def make_article_in(db: storage.Database, url: str, now: datetime) -> int:
    with db.transaction() as s:
        (article_id,) = storage.add_candidates(
            s, source_id=None, candidates=[storage.Candidate(url)], now=now
        )
    return article_id


def test_a_short_body_waits_for_a_longer_version_before_joining_a_story(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    add(db, make_article, "https://herald.example/a", fields_of(HERALD), now)
    teaser = add(
        db,
        make_article,
        "https://voza.example/b",
        storage.ArticleFields(title=VOZA_COPY.title, body=VOZA_COPY.body[0]),
        now,
    )
    assert teaser.story_id is None
    with db.transaction() as s:
        full = storage.record(
            s,
            article_id=teaser.article_id,
            fields=fields_of(VOZA_COPY),
            snapshot=None,
            fetched_at=now + timedelta(hours=1),
        )
    assert full.story_id is not None


def shingles(body: str) -> set[str]:
    words = [w.lower() for w in re.findall(r"[^\W_]+", body)]
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


ALL_TEXT = "\n".join(line for story in STORIES.values() for line in story.body)


@pytest.mark.parametrize("kept", [1.0, 0.9, 0.75, 0.5, 0.25, 0.0])
def test_the_estimated_similarity_follows_the_true_one(kept: float) -> None:
    # A wire story with a share of its sentences replaced by other text: the signatures'
    # estimate must stay near the true Jaccard similarity of the shingle sets (64 values:
    # standard error <= 0.07, so 0.2 is about three of them).
    sentences = re.split(r"(?<=[.!?])\s+", ALL_TEXT)
    half = len(sentences) // 2
    original, others = sentences[:half], sentences[half:]
    n = round(kept * len(original))
    edited = original[:n] + others[: len(original) - n]
    a, b = " ".join(original), " ".join(edited)
    sig_a, sig_b = signatures(a), signatures(b)
    assert sig_a is not None and sig_b is not None
    true = len(shingles(a) & shingles(b)) / len(shingles(a) | shingles(b))
    estimate = float(np.mean(sig_a[COPY.id] == sig_b[COPY.id]))
    assert abs(estimate - true) < 0.2, (kept, true, estimate)


def test_word_order_and_case_count_as_they_should() -> None:
    body = "\n".join(HERALD.body)
    same, upper, reordered = signatures(body), signatures(body.upper()), signatures(reworded(body))
    assert same is not None and upper is not None and reordered is not None
    assert np.array_equal(same[COPY.id], upper[COPY.id]), "case is not an edit"
    # Same words in another order: no longer the same text, still the same vocabulary.
    assert np.mean(same[COPY.id] == reordered[COPY.id]) < COPY.threshold
    assert np.array_equal(same[COVERAGE.id], reordered[COVERAGE.id])


def test_a_batch_holding_its_index_rows_places_copies_and_indexes_text_as_one_by_one(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    """storage.index_rows_last (the daemon's batch writer) writes the batch's similarity and
    search rows at its end: a copy recorded later in the same transaction still joins the story
    of the original, and every page is searchable (current text and all versions) after."""
    pages = {
        "https://herald.example/a": fields_of(HERALD),
        "https://voza.example/b": fields_of(VOZA_COPY),
        "https://third.example/c": storage.ArticleFields(
            title="Own report", body=reworded("\n".join(HERALD.body))
        ),
        "https://herald.example/football": fields_of(FOOTBALL),
    }
    ids = {url: make_article(url) for url in pages}
    with db.transaction() as s, storage.index_rows_last(s):
        outcomes = {
            url: storage.record(
                s, article_id=ids[url], fields=fields, snapshot=None, fetched_at=now
            )
            for url, fields in pages.items()
        }
        with s.no_autoflush:
            held = s.exec(select(ArticleSignature)).all()
        assert held == []  # still held: written when the block ends
    first = outcomes["https://herald.example/a"].story_id
    assert first is not None
    assert outcomes["https://voza.example/b"].story_id == first
    assert outcomes["https://third.example/c"].story_id == first
    assert outcomes["https://herald.example/football"].story_id not in (None, first)
    with db.session() as s:
        roles = dict(s.exec(select(storage.Article.url, storage.Article.story_role)).all())
        stored = s.exec(select(ArticleSignature.article_id)).all()
        word = HERALD.title.split()[0]
        current = {hit.url for hit in storage.search(s, word)}
        every = {hit.url for hit in storage.search(s, word, all_versions=True)}
    assert roles == {
        "https://herald.example/a": "first",
        "https://voza.example/b": "copy",
        "https://third.example/c": "coverage",
        "https://herald.example/football": "first",
    }
    assert sorted(stored) == sorted(ids.values())
    assert "https://herald.example/a" in current and "https://herald.example/a" in every
    # A later article, recorded alone, finds the batch's rows in the database.
    later = add(
        db, make_article, "https://fourth.example/d", fields_of(VOZA_COPY), now + timedelta(hours=1)
    )
    assert later.story_id == first


def index_rows_for(db: storage.Database, count: int, start: int, now: datetime) -> None:
    """Add ``count`` articles with made-up signatures and band rows (``start``: the first's
    number, which keeps their URLs and hashes apart from other calls')."""
    rng = np.random.default_rng(start)
    candidates = [storage.Candidate(f"https://wire.example/{start + i}") for i in range(count)]
    with db.transaction() as s:
        ids = storage.add_candidates(s, source_id=None, candidates=candidates, now=now)
        bands = [
            (article_id, scheme.id, band, int(value))
            for article_id in ids
            for scheme in SCHEMES
            for band, value in enumerate(
                rng.integers(-(2**63), 2**63 - 1, bands_and_rows(scheme.threshold)[0])
            )
        ]
        signature = bytes(4 * NUM_PERM * len(SCHEMES))
        write_rows(s.connection(), [(article_id, signature) for article_id in ids], bands)


# An article's band hashes, per scheme, as the lookup takes them.
WANTED = {scheme.id: list(range(bands_and_rows(scheme.threshold)[0])) for scheme in SCHEMES}


@pytest.mark.parametrize("placed", [1, 20, 300])
def test_the_band_lookup_probes_the_index_whatever_size_it_was_planned_at(
    db: storage.Database, now: datetime, placed: int
) -> None:
    """PostgreSQL keeps one generic plan of a prepared statement until the tables are next
    analyzed. Made while a new database's band table held a few articles, the plan of a plain
    join of the hashes to it was a hash join over the whole table, kept as the table grew.
    Here the plan is made at ``placed`` articles, the tables then grow elevenfold, and the plan
    still in use must probe the band index and the candidates' keys. SQLite plans a statement
    as it prepares it, with no statistics: its plan must search the band index too."""
    index_rows_for(db, placed, 0, now)
    if db.dialect == "postgresql":
        plan = postgres_plan_kept_while_the_table_grew(db, placed, now)
        assert "Seq Scan" not in plan, plan
        for index in ("ix_minhash_bands_lookup", "articles_pkey", "article_signatures_pkey"):
            assert f"Index Scan using {index} on" in plan, plan
    else:
        plan = sqlite_plan(db)
        assert "SCAN minhash_bands" not in plan, plan
        assert "SEARCH minhash_bands USING INDEX ix_minhash_bands_lookup" in plan, plan


def postgres_plan_kept_while_the_table_grew(
    db: storage.Database, placed: int, now: datetime
) -> str:
    dialect = postgresql.psycopg.dialect(paramstyle="numeric_dollar")
    compiled = candidate_lookup("postgresql").compile(dialect=dialect)
    values = lookup_params("postgresql", 0, WANTED)
    arguments = ", ".join(
        f"ARRAY{values[name]}" if isinstance(values[name], list) else str(values[name])
        for name in compiled.positiontup or ()
    )
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql(f"PREPARE lookup AS {compiled.string}")
        conn.exec_driver_sql(f"EXECUTE lookup({arguments})")  # the plan, made and kept
        index_rows_for(db, 10 * placed, placed, now)
        rows = conn.exec_driver_sql(f"EXPLAIN EXECUTE lookup({arguments})").all()
        conn.exec_driver_sql("DEALLOCATE lookup")
    return "\n".join(row[0] for row in rows)


def sqlite_plan(db: storage.Database) -> str:
    compiled = candidate_lookup("sqlite").compile(dialect=sqlite.dialect())
    # With the literals the statement binds itself.
    values = {**compiled.params, **lookup_params("sqlite", 0, WANTED)}
    arguments = tuple(values[name] for name in compiled.positiontup or ())
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", arguments).all()
    return "\n".join(row[3] for row in rows)
