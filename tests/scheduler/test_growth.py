"""Runaway growth: daemon passes against pages that try to make the database grow without bound.

The newsroom floods its feeds and listing pages with fresh links (on its own host and on
hundreds of made-up ones), serves an article whose text changes on every visit, and one with a
2 MB headline. Each test drives ``newswatch run --once`` passes with a hand-held clock and
asserts on what was stored (rows and bytes), never on time. They run on SQLite and PostgreSQL:
the caps are counted in SQL, and PostgreSQL is the engine that breaks on over-long values.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, func, select

import storage
from newswatch.newsroom import Newsroom
from tests import pg

from .conftest import Clock, Pipeline, make_settings

SEED = "envoys-arrive-istanbul-second-meeting"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'newswatch.db'}"
        return
    with pg.scratch_database(request.getfixturevalue("postgres_admin_url")) as url:
        yield url


def pipeline_for(
    room: Newsroom,
    tmp_path: Path,
    database_url: str,
    *,
    sources: list[dict[str, object]] | None = None,
    **limits: object,
) -> Pipeline:
    settings = make_settings(
        room,
        tmp_path,
        database={"url": database_url},
        limits=limits,
        sources=sources or [{"url": f"{room.base_url}/feed.xml", "kind": "feed", "every": "5m"}],
    )
    return Pipeline(
        room=room, settings=settings, clock=Clock(), alerts_file=tmp_path / "alerts.jsonl"
    )


def checked(pipeline: Pipeline) -> dict[str, int]:
    """One pass: what its article checks came to (source checks left out)."""
    outcomes = pipeline.run_pass().outcomes
    return {k: n for k, n in outcomes.items() if not k.startswith("source_")}


def count(pipeline: Pipeline, model: type, *where: object) -> int:
    with pipeline.db() as db, db.session() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def source_error(pipeline: Pipeline, url: str) -> str:
    with pipeline.db() as db, db.session() as session:
        source = session.exec(select(storage.Source).where(col(storage.Source.url) == url)).one()
    return source.last_error or ""


def test_flooding_feeds_add_at_most_the_caps_per_check_and_per_host_per_day(
    quiet_room: Newsroom, tmp_path: Path, database_url: str
) -> None:
    room = quiet_room
    feed, atom = f"{room.base_url}/feed.xml", f"{room.base_url}/atom.xml"
    room.misbehave("/feed.xml", "flood", links=3000)
    room.misbehave("/atom.xml", "flood", links=3000)
    pipeline = pipeline_for(
        room,
        tmp_path,
        database_url,
        sources=[
            {"url": feed, "kind": "feed", "every": "5m"},
            {"url": atom, "kind": "feed", "every": "5m"},
        ],
        new_links_per_check=40,
        new_links_per_host_per_day=100,
    )
    host = storage.Article.outlet == "127.0.0.1"

    pipeline.run_pass()
    assert count(pipeline, storage.Article, host) == 80  # 40 from each source
    assert "2960 new links dropped over the cap of 40 per check" in source_error(pipeline, feed)
    pipeline.clock.advance(minutes=6)
    pipeline.run_pass()
    assert count(pipeline, storage.Article, host) == 100  # the host's day is full
    pipeline.clock.advance(minutes=6)
    pipeline.run_pass()
    assert count(pipeline, storage.Article, host) == 100
    assert "their 100 new links for the day" in source_error(pipeline, atom)
    # Every link the feeds named was new, and 6,000 more came at each check: what was stored
    # is what the caps let through, and every page fetched is one that was admitted.
    article_fetches = [r for r in room.requests if r.path.startswith("/news/")]
    assert len(article_fetches) == 100
    pipeline.clock.advance(days=1)
    pipeline.run_pass()
    assert count(pipeline, storage.Article, host) == 180  # a new day: room again


def test_a_listing_page_naming_hundreds_of_hosts_adds_at_most_the_checks_cap(
    quiet_room: Newsroom, tmp_path: Path, database_url: str
) -> None:
    room = quiet_room
    listing = f"{room.base_url}/"
    room.misbehave("/", "flood", links=4000, hosts=500)
    pipeline = pipeline_for(
        room,
        tmp_path,
        database_url,
        sources=[{"url": listing, "kind": "page", "every": "5m", "match": r"\.invalid/news/"}],
        new_links_per_check=30,
        new_links_per_host_per_day=5000,
    )
    for _ in range(3):
        pipeline.run_pass()
        pipeline.clock.advance(minutes=6)
    assert count(pipeline, storage.Article) == 90  # 30 a check, whatever the hosts
    assert count(pipeline, storage.Article, storage.Article.outlet == "h7.invalid") <= 3
    assert "3970 new links dropped" in source_error(pipeline, listing)


@pytest.mark.slow
def test_a_page_that_changes_on_every_visit_stops_being_versioned_and_slows_down(
    quiet_room: Newsroom, tmp_path: Path, database_url: str
) -> None:
    room = quiet_room
    room.publish(SEED)
    room.misbehave(SEED, "churn")
    pipeline = pipeline_for(room, tmp_path, database_url, churn_after=5)
    outcomes: list[str] = []
    for _ in range(12):  # three hours of 15-minute rechecks
        outcomes += [k for k, n in checked(pipeline).items() for _ in range(n)]
        pipeline.clock.advance(minutes=16)
    assert outcomes.count("churning") == 1  # checked once more after the 5 versions...
    assert outcomes.count("edited") == 4
    assert len(pipeline.versions(SEED)) == 5
    kinds = [a["kind"] for a in pipeline.alerts()]
    assert kinds == ["new", "edited", "edited", "edited", "edited", "churning"]
    [churning] = [a for a in pipeline.alerts() if a["kind"] == "churning"]
    assert (churning["reason"], churning["streak"]) == ("streak", 5)
    article = pipeline.article(SEED)
    assert article.churning_since is not None
    # ...and then left alone for a day: the passes after it did not fetch it.
    assert article.next_check_at is not None
    assert article.next_check_at >= article.churning_since + timedelta(days=1)
    assert len(room.requests_for(SEED)) == 6
    stored = (count(pipeline, storage.Version), count(pipeline, storage.Snapshot))

    # A day later it is checked in full (no validators: it has to be compared), still churning.
    pipeline.clock.advance(days=1)
    pipeline.run_pass()
    assert "if-none-match" not in room.requests_for(SEED)[-1].headers
    assert (count(pipeline, storage.Version), count(pipeline, storage.Snapshot)) == stored
    # The page calms down: first seen calm, then calm a day later, then it is normal again.
    room.behave(SEED)
    pipeline.clock.advance(days=1, minutes=1)
    assert checked(pipeline) == {"churning": 1}
    pipeline.clock.advance(days=1, minutes=1)
    assert checked(pipeline) == {"edited": 1}
    article = pipeline.article(SEED)
    assert article.churning_since is None and article.version_count == 6
    assert [a["kind"] for a in pipeline.alerts()].count("churning") == 1
    assert article.next_check_at is not None
    assert article.next_check_at <= pipeline.clock() + timedelta(minutes=15)


def test_a_2mb_headline_is_stored_cut_and_the_cut_is_stable(
    quiet_room: Newsroom, tmp_path: Path, database_url: str
) -> None:
    room = quiet_room
    room.publish(SEED)
    room.misbehave(SEED, "long_title")
    pipeline = pipeline_for(room, tmp_path, database_url, title_chars=300)
    assert checked(pipeline) == {"new": 1}
    pipeline.clock.advance(minutes=16)
    # The headline's end says which visit this is; past the cap, it changes nothing stored.
    assert checked(pipeline) == {"unchanged": 1}
    [version] = pipeline.versions(SEED)
    assert version.title is not None and len(version.title) <= 300
    assert version.title.startswith("Istanbul talks resume") and version.title.endswith("…")
    assert pipeline.article(SEED).title == version.title
    [alert] = pipeline.alerts()
    assert alert["title"] == version.title
