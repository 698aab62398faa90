"""Sources through the whole daemon pass: news search with redirect links, listing rules,
sitemap hints that make a recheck due (or not), and off-topic articles remembered."""

from __future__ import annotations

from pathlib import Path

from newswatch.config import load_settings
from newswatch.fetching import source_specs
from newswatch.newsroom import Newsroom
from scraper.urls import canonicalize_url

from .conftest import Clock, Pipeline, make_settings

SEED = "envoys-arrive-istanbul-second-meeting"
SECOND = "istanbul-talks-delegations-swap-rival-peace-memorandums"
FOOTBALL = "harbourside-rovers-win-cup-on-penalties"
ISTANBUL = load_settings().topic.query


def pipeline_for(room: Newsroom, tmp_path: Path, **overrides: object) -> Pipeline:
    return Pipeline(
        room=room,
        settings=make_settings(room, tmp_path, **overrides),
        clock=Clock(),
        alerts_file=tmp_path / "alerts.jsonl",
    )


def test_search_sources_find_coverage_and_resolve_redirect_links(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    room = quiet_room
    room.publish_all()
    pipeline = pipeline_for(
        room,
        tmp_path,
        topic={"query": ISTANBUL},
        sources=[
            {
                "kind": "search",
                "endpoint": f"{room.base_url}/search",
                "languages": ["en", "ru", "uk", "tr"],
            }
        ],
    )
    assert len(source_specs(pipeline.settings)) == 4
    report = pipeline.run_pass()
    assert report.errors == 0
    searches = [r for r in room.requests if r.path.startswith("/search?")]
    assert {r.path.split("hl=")[1].split("&")[0] for r in searches} == {"en-US", "ru", "uk", "tr"}
    alerted = {a["url"] for a in pipeline.alerts()}
    assert alerted, "search found coverage"
    assert not any("/search/go/" in url for url in alerted), "redirect links were resolved"
    for slug in ("vtoroy-raund-peregovorov-v-stambule", SEED):
        article = pipeline.article(slug)  # found by its canonical URL
        assert article.url == canonicalize_url(room.url_of(slug)) and article.status == "live"
    # The redirect link is an alias now: the next search pass adds nothing new.
    pipeline.clock.advance(minutes=6)
    again = pipeline.run_pass()
    assert again.outcomes.get("new", 0) == 0


def test_page_source_with_a_css_selector(quiet_room: Newsroom, tmp_path: Path) -> None:
    room = quiet_room
    room.publish(SEED)
    room.publish(SECOND)
    pipeline = pipeline_for(
        room,
        tmp_path,
        sources=[
            {
                "url": f"{room.base_url}/",
                "kind": "page",
                "select": "ul.latest li",
                "match": "istanbul-talks",
            }
        ],
    )
    pipeline.run_pass()
    assert [a["url"] for a in pipeline.alerts()] == [pipeline.url(SECOND)]


def test_sitemap_lastmod_makes_an_edited_article_due_and_leaves_the_rest(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    room = quiet_room
    room.publish(SEED)
    room.publish(SECOND)
    pipeline = pipeline_for(
        room,
        tmp_path,
        sources=[{"url": f"{room.base_url}/sitemap.xml", "kind": "sitemap", "every": "1m"}],
    )
    pipeline.run_pass()
    room.edit(SEED, "Madinsky", "Medinsky")  # lastmod moves
    room.touch(SECOND)  # a cosmetic re-save: lastmod stays
    room.clear_requests()
    pipeline.clock.advance(minutes=2)  # the source is due, the 15-minute recheck is not
    pipeline.run_pass()
    assert [r.status for r in room.requests_for(SEED)] == [200], "due at once by its lastmod"
    assert room.requests_for(SECOND) == [], "no fresher lastmod: no recheck before its time"
    edited = [a for a in pipeline.alerts() if a["kind"] == "edited"]
    assert [a["url"] for a in edited] == [pipeline.url(SEED)]


def test_off_topic_articles_are_remembered_not_refetched_not_alerted(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    room = quiet_room
    room.publish(SEED)
    room.publish(FOOTBALL)
    pipeline = pipeline_for(room, tmp_path, topic={"query": ISTANBUL})
    report = pipeline.run_pass()
    assert report.outcomes.get("off_topic") == 1
    football = pipeline.article(FOOTBALL)
    assert football.status == "off_topic" and football.next_check_at is None
    assert [a["url"] for a in pipeline.alerts()] == [pipeline.url(SEED)]
    room.clear_requests()
    for _ in range(2):
        pipeline.clock.advance(hours=2)
        pipeline.run_pass()
    assert room.requests_for(FOOTBALL) == []
    assert [a["url"] for a in pipeline.alerts()] == [pipeline.url(SEED)]
