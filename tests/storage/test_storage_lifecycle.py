"""Moves (aliases), flip-flops (reverts without alert storms) and live blogs (updates)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import col, select

import storage

OLD = "https://example.com/news/istanbul-talks"
NEW = "https://example.com/2025/05/16/istanbul-talks.html"


def record(
    db: storage.Database, article_id: int, fields: storage.ArticleFields, when: datetime
) -> storage.Outcome:
    with db.transaction() as s:
        return storage.record(
            s, article_id=article_id, fields=fields, snapshot=None, fetched_at=when
        )


def alerts(db: storage.Database, article_id: int) -> list[tuple[str, int | None]]:
    with db.session() as s:
        rows = s.exec(
            select(storage.Alert)
            .where(col(storage.Alert.article_id) == article_id)
            .order_by(col(storage.Alert.id))
        ).all()
        return [(a.kind, a.payload.get("version")) for a in rows]


def test_a_moved_article_keeps_one_history_and_its_old_url_resolves(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article(OLD)
    record(db, article_id, base_fields, now)
    with db.transaction() as s:
        moved = storage.record_moved(s, article_id=article_id, new_url=NEW, now=now)
        assert (moved.kind, moved.article_id) == (storage.OutcomeKind.MOVED, article_id)
        again = storage.record_moved(s, article_id=article_id, new_url=NEW, now=now)
        assert again.kind is storage.OutcomeKind.UNCHANGED
    with db.transaction() as s:
        # Discovery lists the old URL again: it is the same article, not a new one.
        assert (
            storage.add_candidates(
                s, source_id=None, candidates=[storage.Candidate(OLD, title="hint")], now=now
            )
            == []
        )
        article = storage.find_article(s, OLD)
        assert article is not None and (article.id, article.url) == (article_id, NEW)
        assert storage.aliases_of(s, article_id) == [OLD]
        assert article.hint_title == "hint"
    assert alerts(db, article_id) == [("new", 1), ("moved", 1)]
    # Moving back swaps URL and alias instead of piling up aliases.
    with db.transaction() as s:
        storage.record_moved(s, article_id=article_id, new_url=OLD, now=now)
        assert storage.aliases_of(s, article_id) == [NEW]
        assert storage.resolve_url(s, NEW) == article_id


def test_moving_onto_a_url_only_discovered_absorbs_that_empty_row(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article(OLD)
    empty_id = make_article(NEW)
    record(db, article_id, base_fields, now)
    with db.transaction() as s:
        moved = storage.record_moved(s, article_id=article_id, new_url=NEW, now=now)
    assert moved.article_id == article_id
    with db.session() as s:
        assert s.get(storage.Article, empty_id) is None
        assert storage.resolve_url(s, NEW) == article_id
        assert storage.resolve_url(s, OLD) == article_id


def test_moving_onto_an_article_with_history_retires_the_mover(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article(OLD)
    owner_id = make_article(NEW)
    record(db, article_id, base_fields, now)
    record(db, owner_id, base_fields, now)
    with db.transaction() as s:
        moved = storage.record_moved(s, article_id=article_id, new_url=NEW, now=now)
    assert (moved.kind, moved.article_id) == (storage.OutcomeKind.MOVED, owner_id)
    with db.session() as s:
        retired = s.get(storage.Article, article_id)
        assert retired is not None
        assert (retired.status, retired.moved_to_id, retired.next_check_at) == (
            "moved",
            owner_id,
            None,
        )
        assert len(storage.versions_of(s, article_id)) == 1, "its history is kept, unspliced"
    with db.transaction() as s:  # a newer feed entry for the old URL does not revive it
        storage.add_candidates(
            s,
            source_id=None,
            candidates=[storage.Candidate(OLD, updated=now + timedelta(hours=1))],
            now=now,
        )
        retired = s.get(storage.Article, article_id)
        assert retired is not None and retired.next_check_at is None


def test_a_flip_flop_is_one_reverted_edit_not_endless_alerts(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    a = base_fields
    b = dataclasses.replace(a, title="Talks collapse in Istanbul")
    article_id = make_article()
    outcomes = [
        record(db, article_id, fields, now + timedelta(minutes=i))
        for i, fields in enumerate([a, b, a, b, a, b])
    ]
    assert [o.version_number for o in outcomes] == [1, 2, 3, 4, 5, 6], "every change is kept"
    assert [o.reverts for o in outcomes] == [None, None, 1, 2, 3, 4]
    # A→B (edit) and B→A (its revert) alert once each; the same changes again do not.
    assert [o.alert_id is not None for o in outcomes] == [True, True, True, False, False, False]
    assert alerts(db, article_id) == [("new", 1), ("edited", 2), ("edited", 3)]
    with db.session() as s:
        assert [v.reverts for v in storage.versions_of(s, article_id)] == [None, None, 1, 2, 3, 4]
    # A new text C is news again, and so is going back from C.
    c = dataclasses.replace(a, title="Talks resume in Istanbul")
    assert record(db, article_id, c, now + timedelta(hours=1)).alert_id is not None
    assert record(db, article_id, a, now + timedelta(hours=2)).alert_id is not None


def test_a_live_blog_grows_by_updates(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    live = dataclasses.replace(base_fields, page_type="LiveBlogPosting")
    record(db, article_id, live, now)
    grown = dataclasses.replace(live, body="12:05 The delegations arrived.\n" + live.body)
    outcome = record(db, article_id, grown, now + timedelta(minutes=5))
    assert outcome.kind is storage.OutcomeKind.EDITED
    assert alerts(db, article_id) == [("new", 1), ("update", 2)]
    with db.session() as s:
        assert [v.kind for v in storage.versions_of(s, article_id)] == ["new", "update"]


def test_paragraphs_appended_to_an_ordinary_article_are_an_update_too(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    record(db, article_id, base_fields, now)
    more = dataclasses.replace(base_fields, body=base_fields.body + "\n14:00 Talks ended.")
    record(db, article_id, more, now + timedelta(minutes=5))
    changed = dataclasses.replace(more, body=more.body.replace("Friday", "Monday"))
    record(db, article_id, changed, now + timedelta(minutes=10))
    assert alerts(db, article_id) == [("new", 1), ("update", 2), ("edited", 3)]
