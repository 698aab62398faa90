"""The daemon's cheapest checks: an unchanged recheck in one statement on a Core connection,
and many 304s in one executemany. Both must leave the article as record + reschedule did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import storage
from storage.models import Article

OWNER = "host:1:test"


def _claim(db: storage.Database, when, count: int) -> list[int]:
    with db.transaction() as s:
        due = storage.claim_due_articles(
            s, owner=OWNER, now=when, limit=count, lease=timedelta(minutes=5)
        )
    return [d.id for d in due]


def _article(db: storage.Database, article_id: int) -> Article:
    with db.session() as s:
        article = s.get(Article, article_id)
        assert article is not None
        return article


def _first_version_due(db: storage.Database, article_id: int, fields, now) -> None:
    """Version 1 recorded, and the article due again at ``now``."""
    with db.transaction() as s:
        storage.record(
            s, article_id=article_id, fields=fields, snapshot=b"<p>1</p>", fetched_at=now
        )
        storage.reschedule_article(s, article_id=article_id, next_check_at=now, now=now)


def test_an_unchanged_recheck_is_one_statement_that_reschedules_and_releases(
    db: storage.Database, make_article: Callable[..., int], base_fields, now
) -> None:
    article_id = make_article()
    _first_version_due(db, article_id, base_fields, now)
    later, due = now + timedelta(hours=1), now + timedelta(hours=4)
    assert _claim(db, later, 10) == [article_id]
    assert _article(db, article_id).lease_owner == OWNER

    with db.write_connection() as conn:
        outcome = storage.record_if_unchanged(
            conn,
            article_id=article_id,
            fields=base_fields,
            fetched_at=later,
            next_check_at=due,
            etag='"e"',
        )
    assert outcome is not None
    assert (outcome.kind, outcome.rescheduled) == (storage.OutcomeKind.UNCHANGED, True)
    assert outcome.version_number == 1
    article = _article(db, article_id)
    assert (article.next_check_at, article.last_checked_at) == (due, later)
    assert (article.lease_owner, article.lease_until, article.etag) == (None, None, '"e"')
    assert article.version_count == 1


def test_a_changed_or_missing_article_is_left_to_record(
    db: storage.Database, make_article: Callable[..., int], base_fields, now
) -> None:
    article_id = make_article()
    _first_version_due(db, article_id, base_fields, now)
    later = now + timedelta(hours=1)
    assert _claim(db, later, 10) == [article_id]
    edited = replace(base_fields, title="Istanbul talks: a second round is set")
    with db.write_connection() as conn:
        quick = storage.record_if_unchanged(
            conn,
            article_id=article_id,
            fields=edited,
            fetched_at=later,
            next_check_at=later + timedelta(hours=4),
        )
        missing = storage.record_if_unchanged(
            conn, article_id=987_654, fields=base_fields, fetched_at=later, next_check_at=later
        )
    assert quick is None and missing is None
    article = _article(db, article_id)
    # Nothing written: still leased, schedule and check time untouched.
    assert (article.lease_owner, article.next_check_at) == (OWNER, now)
    assert article.last_checked_at == now
    with db.transaction() as s:
        outcome = storage.record(
            s, article_id=article_id, fields=edited, snapshot=b"y", fetched_at=later
        )
    assert (outcome.kind, outcome.rescheduled) == (storage.OutcomeKind.EDITED, False)
    # record() leaves the schedule to the caller, who picks the fast tier after an edit.
    assert _article(db, article_id).lease_owner == OWNER


def test_many_304s_are_recorded_at_once_and_a_forgotten_article_is_skipped(
    db: storage.Database, make_article: Callable[..., int], base_fields, now
) -> None:
    ids = [make_article(f"https://www.example.com/news/{n}") for n in range(3)]
    with db.transaction() as s:
        for article_id in ids:
            storage.record(
                s, article_id=article_id, fields=base_fields, snapshot=b"<p>1</p>", fetched_at=now
            )
            storage.record_failure(
                s, article_id=article_id, error_kind="timeout", message="read timeout", now=now
            )
            storage.reschedule_article(s, article_id=article_id, next_check_at=now, now=now)
    later = now + timedelta(hours=1)
    assert sorted(_claim(db, later, 10)) == sorted(ids)
    checks = [
        storage.NotModifiedCheck(ids[0], later, later + timedelta(hours=2)),
        storage.NotModifiedCheck(ids[1], later, None),  # aged out: never again
        storage.NotModifiedCheck(987_654, later, later),  # forgotten meanwhile
    ]
    with db.transaction() as s:
        assert storage.record_not_modified_many(s, checks) == 2
        assert storage.record_not_modified_many(s, []) == 0

    first, second, untouched = (_article(db, i) for i in ids)
    assert (first.next_check_at, first.last_checked_at) == (later + timedelta(hours=2), later)
    assert (first.failures, first.last_error, first.lease_owner) == (0, None, None)
    assert (second.next_check_at, second.lease_owner, second.failures) == (None, None, 0)
    # The third article was not in the batch: still leased, still failing.
    assert (untouched.lease_owner, untouched.failures) == (OWNER, 1)
    assert first.version_count == second.version_count == 1

    # A batch that only retires articles: its next-check column holds nothing but NULLs.
    with db.transaction() as s:
        retired = [storage.NotModifiedCheck(ids[2], later, None)]
        assert storage.record_not_modified_many(s, retired) == 1
    third = _article(db, ids[2])
    assert (third.next_check_at, third.lease_owner, third.failures) == (None, None, 0)
