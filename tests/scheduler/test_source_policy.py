"""Source polling adapts to how often a source yields new articles, within its bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from newswatch.config import ConfigError, load_settings
from newswatch.newsroom import Newsroom
from newswatch.runtime import source_pacing
from scheduler.source_policy import SourcePacing, previous_interval

from .conftest import Clock, Pipeline, make_settings
from .generated import story

MIN = timedelta(minutes=1)


def test_pace_halves_on_news_grows_on_silence_and_stays_in_bounds() -> None:
    pacing = SourcePacing()
    every = 8 * MIN
    assert pacing.bounds(every) == (2 * MIN, 32 * MIN)
    assert pacing.next_interval(every=every, previous=None, found_new=True) == 4 * MIN
    assert pacing.next_interval(every=every, previous=None, found_new=False) == 12 * MIN
    assert pacing.next_interval(every=every, previous=3 * MIN, found_new=True) == 2 * MIN
    assert pacing.next_interval(every=every, previous=30 * MIN, found_new=False) == 32 * MIN
    # One productive check after a long silence brings the pace straight down.
    assert pacing.next_interval(every=every, previous=32 * MIN, found_new=True) == 16 * MIN


def test_explicit_bounds_and_a_fixed_pace() -> None:
    every = 10 * MIN
    bounded = SourcePacing(min_every=5 * MIN, max_every=15 * MIN)
    assert bounded.next_interval(every=every, previous=6 * MIN, found_new=True) == 5 * MIN
    assert bounded.next_interval(every=every, previous=12 * MIN, found_new=False) == 15 * MIN
    fixed = SourcePacing(min_every=every, max_every=every)
    for found_new in (True, False):
        assert fixed.next_interval(every=every, previous=every, found_new=found_new) == every
    # Bounds that leave ``every`` outside are widened to include it, never the other way.
    assert SourcePacing(min_every=20 * MIN, max_every=MIN).bounds(every) == (every, every)


def test_the_previous_pace_is_unknown_after_a_failure_or_before_the_first_check() -> None:
    at = datetime(2025, 6, 1, tzinfo=UTC)
    assert previous_interval(last_checked_at=at, next_check_at=at + 7 * MIN, failures=0) == 7 * MIN
    assert previous_interval(last_checked_at=at, next_check_at=at + 7 * MIN, failures=1) is None
    assert previous_interval(last_checked_at=None, next_check_at=at, failures=0) is None


def test_config_bounds_are_checked_and_reach_the_worker(tmp_path: Path) -> None:
    config = tmp_path / "newswatch.toml"
    config.write_text(
        '[[sources]]\nurl = "https://example.org/feed.xml"\nevery = "10m"\nmin_every = "20m"\n'
    )
    with pytest.raises(ConfigError, match="min_every <= every <= max_every"):
        load_settings(config)
    config.write_text(
        '[[sources]]\nurl = "https://example.org/feed.xml"\nevery = "10m"\n'
        'min_every = "1m"\nmax_every = "2h"\n'
        '[[sources]]\nurl = "https://example.org/other.xml"\nevery = "10m"\n'
    )
    pacing = source_pacing(load_settings(config))
    # A source without bounds has no entry: it is paced by the default bounds.
    assert pacing == {
        "https://example.org/feed.xml": SourcePacing(min_every=MIN, max_every=120 * MIN)
    }


def source_interval(pipeline: Pipeline, url: str) -> timedelta:
    with pipeline.db() as db, db.session() as session:
        src = storage.find_source(session, url)
        assert src is not None and src.last_checked_at is not None
        return src.next_check_at - src.last_checked_at


def check_when_due(pipeline: Pipeline, url: str) -> timedelta:
    """Move the clock to the source's next check, run a pass, return the interval it set."""
    with pipeline.db() as db, db.session() as session:
        src = storage.find_source(session, url)
        assert src is not None
        pipeline.clock.now = max(pipeline.clock.now, src.next_check_at)
    pipeline.run_pass()
    return source_interval(pipeline, url)


@pytest.mark.slow
def test_a_feed_is_polled_faster_while_it_publishes_and_slower_while_it_is_quiet(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    room = quiet_room
    feed = f"{room.base_url}/feed.xml"
    pipeline = Pipeline(
        room=room,
        clock=Clock(),
        alerts_file=tmp_path / "alerts.jsonl",
        settings=make_settings(
            room, tmp_path, sources=[{"url": feed, "kind": "feed", "every": "8m"}]
        ),
    )
    room.publish(story(0, prefix="pace", now=pipeline.clock()))
    pipeline.run_pass()
    assert source_interval(pipeline, feed) == 4 * MIN, "new articles: twice as often"
    quiet = [check_when_due(pipeline, feed) for _ in range(6)]
    assert quiet == [6 * MIN, 9 * MIN, 13.5 * MIN, 20.25 * MIN, 30.375 * MIN, 32 * MIN]
    assert check_when_due(pipeline, feed) == 32 * MIN, "never slower than every×4"
    feed_reads = len(room.requests_for("/feed.xml"))

    room.publish(story(1, prefix="pace", now=pipeline.clock()))
    assert check_when_due(pipeline, feed) == 16 * MIN, "one new article: back down at once"
    room.publish(story(2, prefix="pace", now=pipeline.clock()))
    assert check_when_due(pipeline, feed) == 8 * MIN
    room.publish(story(3, prefix="pace", now=pipeline.clock()))
    assert check_when_due(pipeline, feed) == 4 * MIN
    room.publish(story(4, prefix="pace", now=pipeline.clock()))
    assert check_when_due(pipeline, feed) == 2 * MIN
    room.publish(story(5, prefix="pace", now=pipeline.clock()))
    assert check_when_due(pipeline, feed) == 2 * MIN, "never faster than every/4"
    assert len(room.requests_for("/feed.xml")) == feed_reads + 5
    assert {a["kind"] for a in pipeline.alerts()} == {"new"} and len(pipeline.alerts()) == 6


def test_a_failing_feed_keeps_the_backoff_and_starts_again_from_every(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    room = quiet_room
    feed = f"{room.base_url}/feed.xml"
    pipeline = Pipeline(
        room=room,
        clock=Clock(),
        alerts_file=tmp_path / "alerts.jsonl",
        settings=make_settings(
            room, tmp_path, sources=[{"url": feed, "kind": "feed", "every": "8m"}]
        ),
    )
    room.publish(story(0, prefix="pace", now=pipeline.clock()))
    pipeline.run_pass()
    for _ in range(3):
        check_when_due(pipeline, feed)
    assert source_interval(pipeline, feed) == 13.5 * MIN
    room.misbehave("/feed.xml", "status", code=503, times=1)
    assert check_when_due(pipeline, feed) == 8 * MIN, "a failure waits max(backoff, every)"
    with pipeline.db() as db, db.session() as session:
        assert storage.source_failures(session, source_id=1) == 1
    assert check_when_due(pipeline, feed) == 12 * MIN, "the pace restarts from every"
