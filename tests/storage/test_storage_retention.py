"""Retention: fetch logs go by age; an article's history goes only when the user says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import func, select

import storage


def test_fetch_logs_are_pruned_by_age(db: storage.Database, now: datetime) -> None:
    with db.transaction() as s:
        for days in (40, 31, 1):
            storage.log_fetch(
                s,
                url="https://e.com/",
                at=now - timedelta(days=days),
                status=200,
                bytes=10,
                elapsed=0.1,
            )
    with db.transaction() as s:
        assert storage.prune_fetch_logs(s, older_than=now - timedelta(days=30)) == 2
        assert s.exec(select(func.count()).select_from(storage.FetchLog)).one() == 1


def test_forgetting_an_article_removes_its_history_and_nothing_else(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    gone, kept = make_article("https://e.com/gone"), make_article("https://e.com/kept")
    with db.transaction() as s:
        storage.record(
            s, article_id=gone, fields=base_fields, snapshot=b"only mine", fetched_at=now
        )
        storage.record(s, article_id=kept, fields=base_fields, snapshot=b"shared", fetched_at=now)
        storage.record(
            s,
            article_id=gone,
            fields=base_fields.__class__(title="x", body="Zebra"),
            snapshot=b"shared",
            fetched_at=now + timedelta(hours=1),
        )
        storage.record_moved(s, article_id=gone, new_url="https://e.com/gone2", now=now)
        storage.mark_sent(s, alert_id=1, channel="console", now=now)
    with db.transaction() as s:
        assert storage.forget_article(s, article_id=gone) == 2
    with db.session() as s:
        assert storage.find_article(s, "https://e.com/gone") is None
        assert storage.find_article(s, "https://e.com/gone2") is None
        assert storage.search(s, "Zebra", all_versions=True) == []
        assert len(storage.versions_of(s, kept)) == 1
        snapshots = s.exec(select(storage.Snapshot.sha256)).all()
        assert len(snapshots) == 1, "the shared snapshot stays, the orphan goes"
