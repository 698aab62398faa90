"""The queued checks a starting daemon works out again under its recheck tiers: read a batch
at a time in article order, and moved in one statement run, unless a daemon holds one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

import storage
from storage.models import Article


def _checked_articles(db: storage.Database, now: datetime, count: int) -> list[int]:
    with db.transaction() as s:
        ids = storage.add_candidates(
            s,
            source_id=None,
            now=now,
            candidates=[storage.Candidate(url=f"https://example.com/{i}") for i in range(count)],
        )
        s.exec(
            update(Article)
            .values(status="live", last_checked_at=now, next_check_at=now + timedelta(days=30))
            .execution_options(synchronize_session=False)
        )
    return ids


def test_queued_checks_come_a_batch_at_a_time_and_move(db: storage.Database, now: datetime) -> None:
    ids = _checked_articles(db, now, 5)
    seen: list[int] = []
    after = 0
    with db.session() as s:
        while batch := storage.queued_checks(s, after=after, limit=2):
            assert len(batch) <= 2
            seen += [check.article_id for check in batch]
            after = batch[-1].article_id
    assert seen == sorted(ids)

    held = ids[0]
    with db.transaction() as s:
        s.exec(
            update(Article)
            .where(Article.id == held)  # type: ignore[arg-type]
            .values(lease_owner="another-daemon")
            .execution_options(synchronize_session=False)
        )
        sooner = now + timedelta(minutes=15)
        assert storage.move_checks(s, {i: sooner for i in ids}) == len(ids)
    with db.session() as s:
        due = {a.id: a.next_check_at for a in s.exec(select(Article)).all()}
    assert due[held] == now + timedelta(days=30)  # held by a daemon: left as it was
    assert all(due[i] == sooner for i in ids if i != held)
