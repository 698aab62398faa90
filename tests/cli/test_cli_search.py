"""``newswatch sources check`` on the default configuration's search sources, pointed at the
newsroom's GDELT and Google News endpoints: the queries as sent, the publishers' URLs."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from newswatch.cli import app
from newswatch.config import default_config_text, load_settings
from newswatch.newsroom import Newsroom
from newswatch.newsroom.engines import GDELT_PATH
from scraper.topic import TopicQuery

runner = CliRunner()


def default_config_at(room: Newsroom, tmp_path: Path) -> Path:
    """The shipped configuration, its search endpoints moved to the newsroom (pace and delay 0s:
    the newsroom is every provider and outlet on one host), its database in tmp_path, the
    newsroom allowed."""
    text = default_config_text()
    for provider, path in (("gdelt", GDELT_PATH), ("google-news", "/rss/search")):
        line = f'provider = "{provider}"\n'
        assert line in text
        text = text.replace(line, f'{line}endpoint = "{room.base_url}{path}"\npace = "0s"\n')
    assert "[database]\n" in text
    text = text.replace("[database]\n", f'[database]\nurl = "sqlite:///{tmp_path}/nw.db"\n')
    assert "allow = []" in text and 'delay = "1s"' in text
    text = text.replace("allow = []", f'allow = ["{room.address}"]')
    text = text.replace('delay = "1s"', 'delay = "0s"')  # loopback: no politeness gap
    text = text.replace('host_backoff = "5s"', 'host_backoff = "50ms"')
    config = tmp_path / "newswatch.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_sources_check_prints_the_decoded_publisher_urls(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    config = default_config_at(newsroom, tmp_path)
    result = runner.invoke(app, ["sources", "check", "--search", "--config", str(config)])
    assert result.exit_code == 0, result.output
    out = result.output
    topic = TopicQuery(load_settings().topic.query)
    on_topic = [
        newsroom.url_of(slug)
        for slug, story in newsroom.stories.items()
        if topic.matches(story.title, story.subtitle, "\n".join(story.body))
    ]
    assert len(on_topic) >= 8
    for url in on_topic:
        assert out.count(f"+ {url} ") == 2, f"{url} by both GDELT and Google News"
    assert out.count("(decoded, on topic)") >= 8, "Google's links decoded, then judged"
    assert "/rss/articles/" not in out.replace("request:", "")
    assert "query sent: (Istanbul OR İstanbul) (Russia OR Ukrain" in out
    assert "sourcelang:turkish" in out
    for provider in ("gdelt", "google-news"):
        for language in ("en", "ru", "uk", "tr"):
            assert f"{provider} [{language}] ok" in out
    assert "on topic: 5/5" in out  # English: every judged article matched


def test_sources_check_says_why_a_link_was_not_decoded(newsroom: Newsroom, tmp_path: Path) -> None:
    config = default_config_at(newsroom, tmp_path)
    newsroom.misbehave("/_/DotsSplashUi/data/batchexecute", "status", code=503)
    result = runner.invoke(app, ["sources", "check", "--search", "--config", str(config)])
    assert "- not decoded: " in result.output
    assert "decode_unavailable: decode endpoint: HTTP 503" in result.output
