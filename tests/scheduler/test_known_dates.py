"""What is already known about an article makes its checks cheaper or sooner, never later.

An old article whose page, ETag and ``dateModified`` stay the same needs nothing beyond the
recheck tiers: every unchanged check (a 304, or a 200 with the same text) keeps the age counted
from the last change, so the article moves to rarer tiers on its own, and a feed that keeps
listing it with the same ``<updated>`` never makes it due early. A newer ``<updated>`` does.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

import storage
from newswatch.newsroom import Newsroom

from .conftest import Clock, Pipeline, make_settings
from .generated import story

MIN = timedelta(minutes=1)
TIERS = [
    {"younger_than": "30m", "every": "10m"},
    {"younger_than": "2h", "every": "30m"},
    {"younger_than": "3650d", "every": "6h"},
]


def next_check(pipeline: Pipeline, url: str) -> storage.Article:
    with pipeline.db() as db, db.session() as session:
        article = storage.find_article(session, url)
        assert article is not None and article.next_check_at is not None
        return article


@pytest.mark.slow
@pytest.mark.parametrize("validators", [True, False], ids=["304", "same-200"])
def test_an_old_unchanged_article_decays_through_the_tiers_until_it_is_edited(
    tmp_path: Path, validators: bool
) -> None:
    clock = Clock()
    room = Newsroom(clock=clock).start()  # its <updated> stamps follow the test's clock
    try:
        decay_then_edit(room, clock, tmp_path, validators=validators)
    finally:
        room.stop()


def decay_then_edit(room: Newsroom, clock: Clock, tmp_path: Path, *, validators: bool) -> None:
    room.set_validators(validators)
    old = dataclasses.replace(
        story(0, prefix="old", now=clock()), published=clock() - timedelta(days=10)
    )
    room.publish(old)
    pipeline = Pipeline(
        room=room,
        clock=clock,
        alerts_file=tmp_path / "alerts.jsonl",
        settings=make_settings(
            room,
            tmp_path,
            recheck={"tiers": TIERS},
            sources=[{"url": f"{room.base_url}/atom.xml", "kind": "feed", "every": "5m"}],
        ),
    )
    url = pipeline.url(old.slug)
    pipeline.run_pass()
    waits, outcomes = [], []
    for _ in range(7):
        article = next_check(pipeline, url)
        waits.append(article.next_check_at - clock())
        clock.now = article.next_check_at  # the atom feed is due too, every time
        outcomes.append(
            pipeline.run_pass().outcomes.get("not_modified" if validators else "unchanged")
        )
    # First sight counts as the last change; unchanged checks never reset the age.
    assert waits == [10 * MIN] * 3 + [30 * MIN] * 3 + [6 * 60 * MIN]
    assert outcomes == [1] * 7
    assert len(room.requests_for(old.slug)) == 8, "one fetch per due check, none early"
    assert [v.number for v in pipeline.versions(old.slug)] == [1]

    clock.advance(minutes=1)
    room.edit(old.slug, "Marker-0", "Marker-0 (corrected)")  # the feed's <updated> moves
    clock.advance(minutes=19)  # the quiet feed's slowest pace; hours before the next tier
    assert pipeline.run_pass().outcomes.get("edited") == 1
    assert next_check(pipeline, url).next_check_at - clock() == 10 * MIN, "young again"
