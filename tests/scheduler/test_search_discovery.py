"""Search discovery through the whole daemon: topic → provider → publisher URL → fetch →
extract → on topic → alert, with the newsroom's GDELT, Google News and Bing endpoints."""

from __future__ import annotations

from pathlib import Path

import storage
from newswatch.config import load_settings
from newswatch.newsroom import Newsroom
from newswatch.newsroom.engines import DECODE_PATH, GDELT_PATH, article_id
from scraper.topic import TopicQuery
from scraper.urls import canonicalize_url

from .conftest import Clock, Pipeline, make_settings

ISTANBUL = load_settings().topic.query
LANGUAGES = ["en", "ru", "uk", "tr"]
SEED = "envoys-arrive-istanbul-second-meeting"


def search_sources(room: Newsroom, *providers: str) -> list[dict[str, object]]:
    paths = {"gdelt": GDELT_PATH, "google-news": "/rss/search", "bing-news": "/news/search"}
    # pace 0s: the newsroom is every provider and every outlet at once, on one host.
    return [
        {
            "kind": "search",
            "provider": p,
            "endpoint": room.base_url + paths[p],
            "languages": LANGUAGES,
            "every": "30m",
            "pace": "0s",
        }
        for p in providers
    ]


def pipeline_for(room: Newsroom, tmp_path: Path, sources: list[dict[str, object]]) -> Pipeline:
    settings = make_settings(room, tmp_path, topic={"query": ISTANBUL}, sources=sources)
    return Pipeline(
        room=room, settings=settings, clock=Clock(), alerts_file=tmp_path / "alerts.jsonl"
    )


def on_topic(room: Newsroom) -> set[str]:
    topic = TopicQuery(ISTANBUL)
    return {
        canonicalize_url(room.url_of(slug))
        for slug, story in room.stories.items()
        if topic.matches(story.title, story.subtitle, "\n".join(story.body))
    }


def stored(pipeline: Pipeline) -> list[storage.Article]:
    from sqlmodel import select

    with pipeline.db() as db, db.session() as session:
        return list(session.exec(select(storage.Article)))


def test_search_alone_alerts_every_outlets_on_topic_articles_and_stores_no_aggregator_page(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    pipeline = pipeline_for(
        newsroom, tmp_path, search_sources(newsroom, "gdelt", "google-news", "bing-news")
    )
    report = pipeline.run_pass()
    assert report.errors == 0
    alerted = {a["url"] for a in pipeline.alerts() if a["kind"] == "new"}
    assert alerted == on_topic(newsroom)
    outlets = {
        newsroom.story(slug).outlet
        for slug in newsroom.slugs()
        if canonicalize_url(newsroom.url_of(slug)) in alerted
    }
    assert outlets == {"herald", "voza", "vestnik", "dennyk", "bogazici"}
    for article in stored(pipeline):
        assert "/rss/articles/" not in article.url and "apiclick" not in article.url
        assert "/articles/" not in article.url.split("/", 3)[-1][:9]
    with pipeline.db() as db, db.session() as session:
        figures = {row.provider: row for row in storage.discovery_stats(session)}
    assert set(figures) == {"gdelt", "google-news", "bing-news"}
    for row in figures.values():
        assert row.polls == 4 and row.hits >= len(on_topic(newsroom))
        assert row.decoded == row.hits and row.errors == {}
    # Each article counts for the provider that found it first; between them, all of them.
    assert sum(r.new_articles for r in figures.values()) == len(stored(pipeline))
    assert sum(r.on_topic for r in figures.values()) == len(alerted)


def test_decode_endpoint_down_items_wait_then_arrive(quiet_room: Newsroom, tmp_path: Path) -> None:
    room = quiet_room
    room.publish_all()
    pipeline = pipeline_for(room, tmp_path, search_sources(room, "google-news"))
    room.misbehave(DECODE_PATH, "status", code=503)
    report = pipeline.run_pass()
    assert report.errors == 0 and pipeline.alerts() == []
    with pipeline.db() as db, db.session() as session:
        sources = storage.list_sources(session)
        figures = storage.discovery_stats(session)
    assert all((s.last_error or "").startswith("partial: decode endpoint") for s in sources)
    assert figures[0].errors["decode_unavailable"] == figures[0].hits > 0
    assert stored(pipeline) == [], "nothing undecoded reaches the frontier"
    room.behave()
    room.clear_requests()
    pipeline.clock.advance(minutes=31)
    pipeline.run_pass()
    feeds = [r for r in room.requests if r.path.startswith("/rss/search")]
    assert feeds and all(r.status == 200 for r in feeds), "fetched whole, not a 304"
    assert {a["url"] for a in pipeline.alerts()} == on_topic(room)


def test_an_aggregator_page_is_a_discovery_failure_never_off_topic(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    room = quiet_room
    room.publish_all()
    google_link = f"{room.base_url}/rss/articles/{article_id(SEED)}?oc=5"
    sources = [{"url": google_link, "kind": "article"}, *search_sources(room, "google-news")]
    pipeline = pipeline_for(room, tmp_path, sources)
    pipeline.run_pass()
    with pipeline.db() as db, db.session() as session:
        article = storage.find_article(session, canonicalize_url(google_link))
        assert article is not None
        assert article.status == "failed" and article.version_count == 0
        assert (article.last_error or "").startswith("aggregator: the fetch ended on")
        assert article.next_check_at is not None, "looked at again, not given up on"
        assert storage.versions_of(session, article_id=article.id or 0) == []
    assert canonicalize_url(room.url_of(SEED)) in {a["url"] for a in pipeline.alerts()}


def test_gdelt_error_answer_fails_the_source_in_gdelts_words(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    from tests.live_samples import sample

    room = quiet_room
    room.publish_all()
    room.misbehave(
        GDELT_PATH, "answer", body=sample("gdelt_error_query-parameters_2023-09.txt").decode()
    )
    pipeline = pipeline_for(room, tmp_path, search_sources(room, "gdelt"))
    report = pipeline.run_pass()
    assert report.outcomes.get("source_error") == 4
    with pipeline.db() as db, db.session() as session:
        errors = {s.last_error for s in storage.list_sources(session)}
    assert all(
        e and e.startswith("search_error: GDELT answered: There was an error") for e in errors
    )


def test_discovery_figures_in_stats_metrics_and_the_web_page(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    import httpx
    from typer.testing import CliRunner

    from newswatch.api import create_app
    from newswatch.api.server import serve_in_thread
    from newswatch.cli import app
    from scheduler.metrics import Metrics

    newsroom.misbehave(DECODE_PATH, "status", code=503, times=1)
    pipeline = pipeline_for(newsroom, tmp_path, search_sources(newsroom, "gdelt", "google-news"))
    pipeline.run_pass()
    config = tmp_path / "stats.toml"
    config.write_text(f'[database]\nurl = "{pipeline.settings.database.url}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["stats", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "search discovery" in result.output
    assert "gdelt: 4 poll(s), 8 hit(s), 8 (100%) decoded" in result.output
    assert "errors: decode_unavailable " in result.output, "one poll's decodes waited"
    as_json = CliRunner().invoke(app, ["stats", "--json", "--config", str(config)])
    import json

    figures = {row["provider"]: row for row in json.loads(as_json.output)["discovery"]}
    assert figures["gdelt"]["decoded_share"] == 1.0 and figures["gdelt"]["on_topic_share"] > 0
    assert figures["google-news"]["errors"]["decode_unavailable"] > 0
    with pipeline.db() as db:
        metrics = Metrics()
        metrics.watch_database(db, channels={}, clock=pipeline.clock)
        text = metrics.exposition().decode()
        assert 'newswatch_search_decoded_share{provider="gdelt"} 1.0' in text
        assert 'newswatch_search_on_topic_share{provider="gdelt"}' in text
        with serve_in_thread(create_app(db, pipeline.settings)) as base:
            page = httpx.get(f"{base}/").text
    assert 'id="discovery"' in page and "google-news" in page and "decode_unavailable" in page
