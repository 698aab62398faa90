"""The typed alert: what storage queues is what the outbox hands back, ids included, and
payloads stored before the format had a number read the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

import storage

URL = "https://example.com/news/istanbul-talks"
MOVED_TO = "https://example.com/2025/05/16/istanbul-talks.html"
CHANNEL = "mailto://desk"


def _pending(db: storage.Database, now: datetime) -> list[storage.AlertPayload]:
    with db.session() as s:
        found = storage.pending_deliveries(s, channels=[CHANNEL], now=now, limit=100)
    return [p.alert for p in found]


def _alert_rows() -> Any:
    """Every outbox row's id and stored JSON, in the order pending deliveries come."""
    alert = storage.Alert
    return select(alert.id, alert.payload).order_by(col(alert.created_at), col(alert.id))


def _history(
    db: storage.Database,
    make_article: Callable[..., int],
    fields: storage.ArticleFields,
    now: datetime,
) -> int:
    """New, edited, moved and gone: one alert of each kind for one article."""
    article_id = make_article(URL)
    edited = dataclasses.replace(fields, body=fields.body.replace("Istanbul", "Ankara", 1))
    with db.transaction() as s:
        storage.record(s, article_id=article_id, fields=fields, snapshot=None, fetched_at=now)
    with db.transaction() as s:
        storage.record(
            s,
            article_id=article_id,
            fields=edited,
            snapshot=None,
            fetched_at=now + timedelta(hours=1),
        )
    with db.transaction() as s:
        storage.record_moved(
            s, article_id=article_id, new_url=MOVED_TO, now=now + timedelta(hours=2)
        )
    with db.transaction() as s:
        storage.record_gone(s, article_id=article_id, status=410, now=now + timedelta(hours=3))
    return article_id


def test_each_kind_carries_its_ids_and_its_own_detail(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    article_id = _history(db, make_article, base_fields, now)
    new, edited, moved, gone = _pending(db, now + timedelta(days=1))
    with db.session() as s:
        first = storage.get_version(s, article_id, 1)
        second = storage.get_version(s, article_id, 2)
    assert first is not None and second is not None
    assert [(a.kind, a.article_id, a.version_id, a.version) for a in (new, edited)] == [
        ("new", article_id, first.id, 1),
        ("edited", article_id, second.id, 2),
    ]
    # Alerts not about a new version point at the article's current one.
    assert {(a.kind, a.version_id) for a in (moved, gone)} == {
        ("moved", second.id),
        ("gone", second.id),
    }
    assert new.coverage is not None and new.coverage.edit is None
    assert new.coverage.published == base_fields.published
    assert edited.coverage is not None and edited.coverage.edit is not None
    assert edited.changes and edited.changed_fields == ("body",)
    assert moved.detail == storage.MovedDetail(from_url=URL) and moved.url == MOVED_TO
    assert gone.detail == storage.GoneDetail(status=410) and gone.coverage is None


def test_the_stored_json_is_the_document_and_its_format_number(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    _history(db, make_article, base_fields, now)
    pending = _pending(db, now + timedelta(days=1))
    with db.session() as s:
        stored = [payload for _, payload in s.exec(_alert_rows()).all()]
    for alert, payload in zip(pending, stored, strict=True):
        assert payload["format"] == storage.PAYLOAD_FORMAT
        assert {k: v for k, v in payload.items() if k != "format"} == alert.document()


def test_a_payload_stored_before_the_format_number_reads_the_same(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    _history(db, make_article, base_fields, now)
    later = now + timedelta(days=1)
    as_queued = _pending(db, later)
    with db.transaction() as s:
        for alert_id, payload in s.exec(_alert_rows()).all():
            older = {k: v for k, v in payload.items() if k != "format"}
            s.exec(
                update(storage.Alert).where(col(storage.Alert.id) == alert_id).values(payload=older)
            )
    assert _pending(db, later) == as_queued


def test_an_empty_or_malformed_payload_reads_as_an_alert_without_detail() -> None:
    blank = storage.read_alert(kind="edited", article_id=3, version_id=7, stored={})
    assert (blank.kind, blank.article_id, blank.version_id, blank.url) == ("edited", 3, 7, "")
    assert blank.changes == () and blank.title is None
    odd = storage.read_alert(
        kind="gone",
        article_id=3,
        version_id=None,
        stored={"status": "410", "version": True, "classes": "name", "published": "soon"},
    )
    assert odd.detail == storage.GoneDetail(status=0) and odd.version is None
    assert odd.classes == ()
