"""The whole flow, end to end: newsroom → fetch → extract → versioned store → alert → history.

Each test drives the real daemon parts (``run_until_idle`` = ``newswatch run --once``) against
the running newsroom and a real SQLite file, moving a hand-held clock between passes.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlmodel import select

import storage
from newswatch.newsroom import Newsroom

from .conftest import Clock, Pipeline, make_settings

SEED = "envoys-arrive-istanbul-second-meeting"
SECOND = "istanbul-talks-delegations-swap-rival-peace-memorandums"
NOISE = (
    "Share this article",
    "newsletter",
    "cookies",
    "Published by",
    "AFP",
    "tracking",
    "minutes ago",
    "Sign up",
)


def recheck(pipeline: Pipeline) -> None:
    pipeline.clock.advance(minutes=16)
    pipeline.run_pass()


def test_publish_gives_one_new_alert_and_a_clean_first_version(pipeline: Pipeline) -> None:
    room = pipeline.room
    room.publish(SECOND)
    report = pipeline.run_pass()
    assert report.outcomes.get("new") == 1

    [alert] = pipeline.alerts()
    story = room.story(SECOND)
    assert alert["kind"] == "new" and alert["url"] == pipeline.url(SECOND)
    assert alert["title"] == story.title

    [version] = pipeline.versions(SECOND)
    article = pipeline.article(SECOND)
    with pipeline.db() as db, db.session() as session:
        stored = storage.get_version(session, article.id, 1)
    assert stored is not None
    assert stored.title == story.title
    assert sorted(stored.authors) == sorted(story.authors)
    assert stored.published == story.published
    for paragraph in story.paragraphs:
        assert paragraph in stored.body
    for noise in NOISE:
        assert noise not in stored.body, f"{noise!r} leaked into the body"
    assert version.number == 1


def test_seed_page_noise_stays_out_and_a_one_word_edit_is_caught(pipeline: Pipeline) -> None:
    room = pipeline.room
    room.publish(SEED)
    pipeline.run_pass()
    article = pipeline.article(SEED)
    with pipeline.db() as db, db.session() as session:
        first = storage.get_version(session, article.id, 1)
    assert first is not None and "Madinsky" in first.body
    for noise in ("Published by", "tracking", "AFP", "Share", "newsletter"):
        assert noise not in first.body, f"{noise!r} leaked into the body"

    room.edit(SEED, "Madinsky", "Medinsky")
    recheck(pipeline)

    edited = [a for a in pipeline.alerts() if a["kind"] == "edited"]
    assert len(edited) == 1
    assert edited[0]["changes"] == ["Madinsky → Medinsky"]
    assert [v.number for v in pipeline.versions(SEED)] == [1, 2]
    with pipeline.db() as db, db.session() as session:
        diff = storage.diff_between(session, article_id=article.id, from_n=1, to_n=2)
    assert diff.changed_fields == ("body",)
    changed = [(op.op, op.text.strip()) for op in diff.fields["body"] if op.op != "equal"]
    assert changed == [("delete", "Madinsky"), ("insert", "Medinsky")]


def test_cosmetic_changes_make_no_version_and_no_alert(pipeline: Pipeline) -> None:
    room = pipeline.room
    room.publish(SEED)
    pipeline.run_pass()
    before = len(pipeline.alerts())
    for _ in range(3):
        # New bytes and ETag each time: whitespace, quotes, NBSP, related-link order, and the
        # "updated N minutes ago" line, which changes on every request anyway.
        room.touch(SEED)
        recheck(pipeline)
    assert [v.number for v in pipeline.versions(SEED)] == [1]
    assert len(pipeline.alerts()) == before
    fetched = [r for r in room.requests_for(SEED) if r.status == 200]
    assert len(fetched) == 4, "each touch was really fetched and compared"


def test_retitle_gives_a_version_whose_diff_names_the_title(pipeline: Pipeline) -> None:
    room = pipeline.room
    room.publish(SEED)
    pipeline.run_pass()
    room.edit(SEED, "Madinsky", "Medinsky")
    recheck(pipeline)
    room.retitle(SEED, "Istanbul talks end with a swap but no truce")
    recheck(pipeline)
    versions = pipeline.versions(SEED)
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[2].changed_fields == ("title",)
    assert versions[2].title == "Istanbul talks end with a swap but no truce"
    last = pipeline.alerts()[-1]
    assert last["kind"] == "edited" and last["changed_fields"] == ["title"]


@pytest.mark.parametrize("status", [404, 410])
def test_deleted_article_is_recorded_gone_and_not_rechecked(
    pipeline: Pipeline, status: int
) -> None:
    room = pipeline.room
    room.publish(SEED)
    pipeline.run_pass()
    room.delete(SEED, status=status)
    recheck(pipeline)
    article = pipeline.article(SEED)
    assert article.status == "gone" and article.gone_at is not None
    assert article.next_check_at is None
    assert [a["kind"] for a in pipeline.alerts()] == ["new", "gone"]
    room.clear_requests()
    for _ in range(3):
        recheck(pipeline)
    assert room.requests_for(SEED) == []


def test_not_modified_recheck_parses_and_stores_nothing(pipeline: Pipeline) -> None:
    room = pipeline.room
    room.publish(SEED)
    pipeline.run_pass()
    with pipeline.db() as db, db.session() as session:
        snapshots = len(session.exec(select(storage.Snapshot)).all())
    room.clear_requests()
    report = (pipeline.clock.advance(minutes=16), pipeline.run_pass())[1]
    [request] = room.requests_for(SEED)
    assert request.status == 304 and "if-none-match" in request.headers
    assert report.outcomes.get("not_modified") == 1
    assert [v.number for v in pipeline.versions(SEED)] == [1]
    with pipeline.db() as db, db.session() as session:
        assert len(session.exec(select(storage.Snapshot)).all()) == snapshots


def test_restarts_between_passes_duplicate_nothing(pipeline: Pipeline) -> None:
    room = pipeline.room
    room.publish_all()
    for _ in range(3):
        pipeline.run_pass()  # each pass opens the database and the daemon's parts afresh
    room.edit(SEED, "Madinsky", "Medinsky")
    for _ in range(3):
        recheck(pipeline)
    with pipeline.db() as db, db.session() as session:
        articles = storage.query_articles(session, storage.ArticleQuery(limit=1000))
        alerts = session.exec(select(storage.Alert)).all()
        versions = session.exec(select(storage.Version)).all()
    assert len(articles) == len(room.slugs())
    assert len(versions) == len(room.slugs()) + 1
    assert len(alerts) == len(room.slugs()) + 1
    keys = [a["id"] for a in pipeline.alerts()]
    assert len(keys) == len(set(keys)) == len(alerts)


def test_bad_sources_and_pages_are_logged_and_the_rest_keeps_working(
    quiet_room: Newsroom, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    room = quiet_room
    room.publish(SEED)
    room.publish(SECOND)
    settings = make_settings(
        room,
        tmp_path,
        sources=[
            {"url": f"{room.base_url}/feed.xml", "kind": "feed"},
            {"url": f"{room.base_url}/atom.xml", "kind": "feed"},  # garbage
            {"url": "http://127.0.0.1:9/feed.xml", "kind": "feed"},  # unreachable
        ],
    )
    room.misbehave("/atom.xml", "garbage")
    room.misbehave(SECOND, "not_html")
    pipeline = Pipeline(
        room=room, settings=settings, clock=Clock(), alerts_file=tmp_path / "alerts.jsonl"
    )
    with caplog.at_level(logging.WARNING):
        report = pipeline.run_pass()
    assert report.errors == 0, "nothing escaped as an unexpected exception"
    messages = [(r.getMessage(), getattr(r, "url", "")) for r in caplog.records]
    assert ("source failed", f"{room.base_url}/atom.xml") in messages
    assert ("source failed", "http://127.0.0.1:9/feed.xml") in messages
    assert ("article failed", pipeline.url(SECOND)) in messages
    assert [a["url"] for a in pipeline.alerts()] == [pipeline.url(SEED)]
    second = pipeline.article(SECOND)
    assert second.status == "failed" and "not an HTML page" in (second.last_error or "")

    room.behave()
    pipeline.clock.advance(hours=7)  # past the capped backoff
    pipeline.run_pass()
    assert pipeline.article(SECOND).status == "live"
