"""Churn: an article that changes on every check stops being versioned, alerts once, settles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import col, func, select

import storage
from storage import ArticleFields, OutcomeKind, VersionLimits

LIMITS = VersionLimits(
    per_day=8, snapshot_bytes_per_day=10_000, churn_after=4, settle_after=timedelta(hours=6)
)
STEP = timedelta(minutes=15)


def _record(
    db: storage.Database,
    article_id: int,
    fields: ArticleFields,
    at: datetime,
    *,
    snapshot: bytes = b"<html>",
    limits: VersionLimits | None = LIMITS,
) -> storage.Outcome:
    with db.transaction() as s:
        return storage.record(
            s, article_id=article_id, fields=fields, snapshot=snapshot, fetched_at=at, limits=limits
        )


def _counting(fields: ArticleFields, n: int) -> ArticleFields:
    """The page as its n-th visit shows it: a running count inside the text."""
    return replace(fields, body=f"{fields.body}\nThe count stood at {n} names.")


def _make_it_churn(
    db: storage.Database, article_id: int, fields: ArticleFields, start: datetime
) -> datetime:
    """Six checks a step apart, each finding new text, enough for ``LIMITS`` to call the
    article churning. Returns the last check's time."""
    at = start
    for n in range(6):
        at += STEP
        _record(db, article_id, _counting(fields, n), at)
    return at


def _article(db: storage.Database, article_id: int) -> storage.Article:
    with db.session() as s:
        article = s.get(storage.Article, article_id)
    assert article is not None
    return article


def _alerts(db: storage.Database, kind: str) -> int:
    with db.session() as s:
        return s.exec(
            select(func.count()).select_from(storage.Alert).where(col(storage.Alert.kind) == kind)
        ).one()


def test_checks_that_each_find_new_text_make_the_article_churn(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    kinds = [
        _record(db, article_id, _counting(base_fields, n), now + n * STEP).kind for n in range(8)
    ]
    # Four checks in a row recorded a version (new + 3 edits); the fifth change is not.
    assert kinds[:4] == [OutcomeKind.NEW] + [OutcomeKind.EDITED] * 3
    assert kinds[4:] == [OutcomeKind.CHURNING] * 4
    article = _article(db, article_id)
    assert article.version_count == 4
    assert article.churning_since == now + 4 * STEP
    assert article.last_checked_at == now + 7 * STEP  # checked all the same
    assert _alerts(db, "churning") == 1
    with db.session() as s:
        alert = s.exec(select(storage.Alert).where(col(storage.Alert.kind) == "churning")).one()
    assert alert.payload["reason"] == "streak" and alert.payload["streak"] == 4
    assert alert.payload["recheck_seconds"] == 86400


def test_an_unchanged_check_ends_the_streak(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    at = now
    for n in range(6):  # edit, edit, edit, same, edit, edit...: never four in a row
        at += STEP
        fields = _counting(base_fields, n - n // 3)  # n = 3 repeats n = 2's text
        assert _record(db, article_id, fields, at).kind is not OutcomeKind.CHURNING
    assert _article(db, article_id).churning_since is None


def test_a_304_ends_the_streak_too(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    for n in range(3):
        _record(db, article_id, _counting(base_fields, n), now + n * STEP)
    with db.transaction() as s:
        storage.record_not_modified_many(s, [storage.NotModifiedCheck(article_id, now, None)])
    assert _article(db, article_id).edit_streak == 0
    for n in range(3, 6):
        _record(db, article_id, _counting(base_fields, n), now + n * STEP)
    assert _article(db, article_id).churning_since is None


def test_the_days_cap_of_versions_makes_it_churn_though_checks_were_apart(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    outcomes = []
    for n in range(12):  # a change at every other check: no streak, but 12 in 24 hours
        at = now + n * 2 * STEP
        outcomes.append(_record(db, article_id, _counting(base_fields, n), at).kind)
        _record(db, article_id, _counting(base_fields, n), at + STEP)  # unchanged
    assert outcomes.count(OutcomeKind.CHURNING) == 4
    assert _article(db, article_id).version_count == LIMITS.per_day
    with db.session() as s:
        alert = s.exec(select(storage.Alert).where(col(storage.Alert.kind) == "churning")).one()
    assert (alert.payload["reason"], alert.payload["versions_today"]) == ("versions", 8)


def test_a_churning_article_settles_back_to_normal_without_a_second_alert(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    at = _make_it_churn(db, article_id, base_fields, now)
    assert _article(db, article_id).churning_since is not None
    settled = _counting(base_fields, 99)
    # Seen once, then again a little later: not settled for long enough yet.
    assert _record(db, article_id, settled, at + timedelta(hours=1)).kind is OutcomeKind.CHURNING
    assert _record(db, article_id, settled, at + timedelta(hours=2)).kind is OutcomeKind.CHURNING
    # Six hours the same: normal again, and this text is the next version (an edit).
    outcome = _record(db, article_id, settled, at + timedelta(hours=7))
    assert (outcome.kind, outcome.version_number) == (OutcomeKind.EDITED, 5)
    article = _article(db, article_id)
    assert (article.churning_since, article.churn_fingerprint) == (None, None)
    # Back to the old ways within the week: churning again, but no second alert.
    at += timedelta(hours=8)
    for n in range(100, 106):
        at += STEP
        _record(db, article_id, _counting(base_fields, n), at)
    assert _article(db, article_id).churning_since is not None
    assert _alerts(db, "churning") == 1


def test_a_change_in_the_text_while_churning_restarts_the_wait(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    at = _make_it_churn(db, article_id, base_fields, now)
    for hours in range(1, 20):  # a new text every hour: never the same for six hours
        fields = _counting(base_fields, 1000 + hours)
        assert (
            _record(db, article_id, fields, at + timedelta(hours=hours)).kind
            is OutcomeKind.CHURNING
        )
    assert _article(db, article_id).version_count == 4


def test_past_the_days_snapshot_bytes_versions_keep_their_text_only(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    page = b"x" * 4_000
    for n in range(3):  # 4,000 + 4,000 fit in 10,000 bytes; the third page does not
        _record(
            db,
            article_id,
            _counting(base_fields, n),
            now + 3 * n * STEP,
            snapshot=page + bytes([n]),
        )
        _record(db, article_id, _counting(base_fields, n), now + (3 * n + 1) * STEP)
    with db.session() as s:
        kept = [
            v.snapshot_sha256 is not None
            for v in s.exec(select(storage.Version).order_by(col(storage.Version.number)))
        ]
    assert kept == [True, True, False]
    assert _article(db, article_id).version_count == 3


def test_without_limits_nothing_churns(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    for n in range(12):
        _record(db, article_id, _counting(base_fields, n), now + n * STEP, limits=None)
    assert _article(db, article_id).version_count == 12


def test_settling_back_on_the_last_versions_text_is_an_unchanged_check(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    at = _make_it_churn(db, article_id, base_fields, now)
    last_version = _counting(base_fields, 3)  # what version 4 says
    # While it churns, the daemon's one-statement recheck leaves the article to storage.churn.
    with db.write_connection() as conn:
        assert (
            storage.record_if_unchanged(
                conn, article_id=article_id, fields=last_version, fetched_at=at, next_check_at=at
            )
            is None
        )
    _record(db, article_id, last_version, at + timedelta(hours=1))
    outcome = _record(db, article_id, last_version, at + timedelta(hours=8))
    assert (outcome.kind, outcome.version_number) == (OutcomeKind.UNCHANGED, 4)
    article = _article(db, article_id)
    assert (article.churning_since, article.edit_streak) == (None, 0)
    # The quick path is the usual one again.
    with db.write_connection() as conn:
        quick = storage.record_if_unchanged(
            conn,
            article_id=article_id,
            fields=last_version,
            fetched_at=at + timedelta(hours=9),
            next_check_at=at + timedelta(hours=10),
        )
    assert quick is not None and quick.kind is OutcomeKind.UNCHANGED
