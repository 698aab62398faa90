"""The frontier: sources, discovered articles, and leases that never hand a row out twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

import storage
from storage import Candidate, SourceSpec

LEASE = timedelta(minutes=10)


def _source(db: storage.Database, now: datetime, url: str = "https://example.com/feed") -> int:
    with db.transaction() as s:
        storage.sync_sources(s, [SourceSpec(url, "rss", 300)], now)
        (due,) = storage.claim_due_sources(s, owner="setup", now=now, limit=1, lease=LEASE)
        storage.finish_source(s, source_id=due.id, now=now, next_check_at=now)
    return due.id


def test_sync_sources_upserts_and_disables(db: storage.Database, now: datetime) -> None:
    feed = SourceSpec("https://example.com/feed", "rss", 600)
    sitemap = SourceSpec("https://example.com/sitemap.xml", "sitemap", 3600)
    with db.transaction() as s:
        storage.sync_sources(s, [feed, sitemap], now)
    with db.transaction() as s:
        storage.sync_sources(s, [SourceSpec(feed.url, "atom", 60)], now + timedelta(minutes=1))
        due = storage.claim_due_sources(s, owner="a", now=now, limit=10, lease=LEASE)
    assert [(d.url, d.kind, d.every_seconds) for d in due] == [(feed.url, "atom", 60)]

    with db.session() as s:
        rows = {src.url: src for src in s.exec(select(storage.Source))}
    assert rows[sitemap.url].enabled is False  # kept, with its history, but not polled
    assert rows[feed.url].enabled is True

    with db.transaction() as s:
        storage.sync_sources(s, [feed, sitemap], now)
        due = storage.claim_due_sources(s, owner="b", now=now, limit=10, lease=LEASE)
    assert [d.url for d in due] == [sitemap.url]  # re-enabled; the feed is still leased by "a"


def test_finish_source_releases_and_keeps_validators(db: storage.Database, now: datetime) -> None:
    source_id = _source(db, now)
    with db.transaction() as s:
        (due,) = storage.claim_due_sources(s, owner="a", now=now, limit=5, lease=LEASE)
        storage.finish_source(
            s, source_id=due.id, now=now, next_check_at=now + timedelta(minutes=5), etag='"f1"'
        )
    later = now + timedelta(minutes=5)
    with db.transaction() as s:
        (due,) = storage.claim_due_sources(s, owner="b", now=later, limit=5, lease=LEASE)
        assert (due.id, due.etag) == (source_id, '"f1"')
        assert due.failures == 0
        storage.finish_source(s, source_id=due.id, now=later, next_check_at=later, error="boom")
        storage.finish_source(s, source_id=due.id, now=later, next_check_at=later, error="boom")
    with db.session() as s:
        assert storage.source_failures(s, source_id=source_id) == 2
        with pytest.raises(storage.NotFound):
            storage.source_failures(s, source_id=999)
    with db.transaction() as s:
        storage.finish_source(s, source_id=source_id, now=later, next_check_at=later)
        assert storage.source_failures(s, source_id=source_id) == 0
        storage.finish_source(s, source_id=source_id, now=later, next_check_at=later, error="boom")
    with db.session() as s:
        src = s.get(storage.Source, source_id)
        assert src is not None
        assert (src.etag, src.last_error, src.lease_owner, src.last_checked_at) == (
            '"f1"',
            "boom",
            None,
            later,
        )


def test_add_candidates_is_idempotent(db: storage.Database, now: datetime) -> None:
    source_id = _source(db, now)
    links = [Candidate(f"https://www.example.com/news/{i}", title=f"Story {i}") for i in range(3)]
    with db.transaction() as s:
        first = storage.add_candidates(s, source_id=source_id, candidates=links, now=now)
    with db.transaction() as s:
        again = storage.add_candidates(
            s, source_id=source_id, candidates=[*links, links[0]], now=now
        )
    assert len(first) == 3 and again == []
    with db.transaction() as s:
        due = storage.claim_due_articles(s, owner="a", now=now, limit=10, lease=LEASE)
    assert [d.id for d in due] == sorted(first)
    assert {d.source_id for d in due} == {source_id}
    with db.session() as s:
        summaries = storage.query_articles(s, storage.ArticleQuery())
    assert {a.outlet for a in summaries} == {"example.com"}
    assert {a.status for a in summaries} == {"pending"}
    assert {a.title for a in summaries} == {"Story 0", "Story 1", "Story 2"}


def test_newer_updated_hint_makes_an_article_due_now(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    url = "https://example.com/news/talks"
    article_id = make_article(url, updated=now - timedelta(hours=2))
    later = now + timedelta(hours=1)
    with db.transaction() as s:
        storage.claim_due_articles(s, owner="a", now=now, limit=10, lease=LEASE)
        storage.record_not_modified(s, article_id=article_id, now=now)
        storage.reschedule_article(
            s, article_id=article_id, next_check_at=now + timedelta(days=1), now=now
        )
    with db.transaction() as s:
        # The same (old) updated date changes nothing...
        storage.add_candidates(
            s, source_id=None, candidates=[Candidate(url, updated=now - timedelta(hours=2))],
            now=later,
        )  # fmt: skip
        assert storage.claim_due_articles(s, owner="a", now=later, limit=10, lease=LEASE) == []
        # ...a newer one, after our last check, brings the check forward to now.
        storage.add_candidates(
            s, source_id=None, candidates=[Candidate(url, updated=later - timedelta(minutes=1))],
            now=later,
        )  # fmt: skip
        due = storage.claim_due_articles(s, owner="a", now=later, limit=10, lease=LEASE)
    assert [d.id for d in due] == [article_id]


def test_claims_are_oldest_first_limited_and_leased(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    ids = [make_article(f"https://example.com/{i}") for i in range(4)]
    with db.transaction() as s:
        for offset, article_id in zip([3, 1, 2, 0], ids, strict=True):
            storage.reschedule_article(
                s, article_id=article_id, next_check_at=now - timedelta(minutes=offset), now=now
            )
        storage.reschedule_article(s, article_id=ids[3], next_check_at=None, now=now)
    with db.transaction() as s:
        first = storage.claim_due_articles(s, owner="a", now=now, limit=2, lease=LEASE)
    with db.transaction() as s:
        second = storage.claim_due_articles(s, owner="b", now=now, limit=5, lease=LEASE)
    assert [d.id for d in first] == [ids[0], ids[2]]
    assert [d.id for d in second] == [ids[1]]  # ids[3] is never checked again
    with db.session() as s:
        article = s.get(storage.Article, ids[0])
        assert article is not None
        assert (article.lease_owner, article.lease_until) == ("a", now + LEASE)


def test_an_expired_lease_lets_another_owner_take_over(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article()
    with db.transaction() as s:
        assert len(storage.claim_due_articles(s, owner="a", now=now, limit=1, lease=LEASE)) == 1
    almost = now + LEASE - timedelta(seconds=1)
    with db.transaction() as s:
        assert storage.claim_due_articles(s, owner="b", now=almost, limit=1, lease=LEASE) == []
    with db.transaction() as s:
        taken = storage.claim_due_articles(s, owner="b", now=now + LEASE, limit=1, lease=LEASE)
    assert [d.id for d in taken] == [article_id]


def test_release_leases_frees_everything_an_owner_holds(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    _source(db, now)
    make_article("https://example.com/1")
    make_article("https://example.com/2")
    with db.transaction() as s:
        storage.claim_due_sources(s, owner="a", now=now, limit=5, lease=LEASE)
        storage.claim_due_articles(s, owner="a", now=now, limit=5, lease=LEASE)
    with db.transaction() as s:
        assert storage.release_leases(s, owner="b") == 0
        assert storage.release_leases(s, owner="a") == 3
    with db.transaction() as s:
        assert len(storage.claim_due_articles(s, owner="b", now=now, limit=5, lease=LEASE)) == 2
        assert len(storage.claim_due_sources(s, owner="b", now=now, limit=5, lease=LEASE)) == 1


def test_due_article_carries_what_the_policy_needs(
    db: storage.Database, make_article: Callable[..., int], base_fields, now: datetime
) -> None:
    article_id = make_article(published=now - timedelta(days=2))
    with db.transaction() as s:
        (due,) = storage.claim_due_articles(s, owner="a", now=now, limit=1, lease=LEASE)
        assert (due.published, due.version_count, due.first_seen_at) == (
            now - timedelta(days=2),
            0,
            now,
        )
        storage.record(s, article_id=article_id, fields=base_fields, snapshot=None,
                       fetched_at=now, etag='"e"')  # fmt: skip
        storage.reschedule_article(s, article_id=article_id, next_check_at=now, now=now)
    with db.transaction() as s:
        (due,) = storage.claim_due_articles(s, owner="a", now=now, limit=1, lease=LEASE)
    assert (due.published, due.version_count, due.etag) == (base_fields.published, 1, '"e"')
    assert due.last_changed_at == now


def _claim_all(database: storage.Database, owner: str, now: datetime, start: threading.Barrier):
    start.wait(timeout=30)
    claimed: list[int] = []
    while True:
        with database.transaction() as s:
            batch = storage.claim_due_articles(s, owner=owner, now=now, limit=3, lease=LEASE)
        if not batch:
            return claimed
        claimed.extend(d.id for d in batch)


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_daemons_never_claim_the_same_article(
    db: storage.Database, now: datetime, workers: int
) -> None:
    with db.transaction() as s:
        ids = storage.add_candidates(
            s,
            source_id=None,
            candidates=[Candidate(f"https://example.com/{i}") for i in range(60)],
            now=now,
        )
    # Separate Database objects: separate engines and connections, as separate daemons have.
    daemons = [storage.open_database(db.url) for _ in range(workers)]
    start = threading.Barrier(workers)
    results: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            results[n] = _claim_all(daemons[n], f"daemon-{n}", now, start)
        except BaseException as exc:  # reported below: a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        for daemon in daemons:
            daemon.close()
    assert errors == []
    claimed = [article_id for batch in results.values() for article_id in batch]
    assert sorted(claimed) == sorted(ids)  # every article once, none twice


def test_concurrent_discovery_of_the_same_urls(db: storage.Database, now: datetime) -> None:
    links = [Candidate(f"https://example.com/{i}") for i in range(100)]
    daemons = [storage.open_database(db.url) for _ in range(3)]
    start = threading.Barrier(3)
    created: list[int] = []
    errors: list[BaseException] = []

    def run(database: storage.Database) -> None:
        try:
            start.wait(timeout=30)
            with database.transaction() as s:
                created.extend(storage.add_candidates(s, source_id=None, candidates=links, now=now))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in daemons]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        for daemon in daemons:
            daemon.close()
    assert errors == []
    assert len(created) == len(set(created)) == 100


def test_unknown_rows(db: storage.Database, now: datetime) -> None:
    with db.transaction() as s, pytest.raises(storage.NotFound):
        storage.reschedule_article(s, article_id=42, next_check_at=None, now=now)
    with db.transaction() as s, pytest.raises(storage.NotFound):
        storage.finish_source(s, source_id=42, now=now, next_check_at=now)
