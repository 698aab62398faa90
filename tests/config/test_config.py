from datetime import timedelta
from pathlib import Path

import pytest

from newswatch.config import ConfigError, default_config_text, load_settings

GOOD = """
[database]
url = "sqlite:///x.db"

[[sources]]
url = "http://127.0.0.1:8765/feed.xml"
kind = "feed"
every = "5m"

[topic]
query = ""

[recheck]
tiers = [ { younger_than = "3h", every = "15m" }, { younger_than = "1d", every = "1h" } ]

[[alerts]]
url = "jsonl:///tmp/alerts.jsonl"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "newswatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_documented_example_loads(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.database.url == "sqlite:///x.db"
    assert settings.sources[0].every == timedelta(minutes=5)
    assert settings.recheck.tiers[1].every == timedelta(hours=1)
    assert settings.alerts[0].url == "jsonl:///tmp/alerts.jsonl"


def test_the_shipped_default_watches_the_istanbul_talks() -> None:
    settings = load_settings()
    assert settings.sources, "the default configuration lists sources"
    assert "Стамбул" in settings.topic.query
    assert [t.every for t in settings.recheck.tiers][0] == timedelta(minutes=15)
    assert "[database]" in default_config_text()


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWATCH_DATABASE_URL", "sqlite:////tmp/other.db")
    monkeypatch.setenv("NEWSWATCH_TOPIC_QUERY", "istanbul")
    monkeypatch.setenv("NEWSWATCH_SOURCES", '[{"url": "http://127.0.0.1:1/f.xml", "every": "1m"}]')
    settings = load_settings(write(tmp_path, GOOD))
    assert settings.database.url == "sqlite:////tmp/other.db"
    assert settings.topic.query == "istanbul"
    assert settings.sources[0].url == "http://127.0.0.1:1/f.xml"


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        ('[database]\nurl = "x"\nurl2 = "y"\n', "database.url2", "unknown key"),
        ('[databse]\nurl = "x"\n', "databse", "unknown key"),
        (
            '[[sources]]\nurl = "http://a/"\nkind = "rss"\n',
            "sources.0.kind",
            "'feed', 'sitemap', 'page', 'article', 'search' or 'site'",
        ),
        ('[[sources]]\nurl = "http://a/"\nevery = "often"\n', "sources.0.every", "e.g. 90s"),
        ('[[sources]]\nurl = "ftp://a/"\n', "sources.0.url", "not an http(s) URL"),
        ('[topic]\nquery = "(istanbul OR"\n', "topic.query", "position"),
        (
            '[recheck]\ntiers = [{younger_than = "1d", every = "1h"}, '
            '{younger_than = "1h", every = "1m"}]\n',
            "recheck.tiers",
            "youngest to the oldest",
        ),
    ],
)
def test_errors_name_the_file_the_key_and_what_is_allowed(
    tmp_path: Path, text: str, key: str, hint: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert str(path) in message
    assert key in message
    assert hint in message


def test_broken_toml_and_missing_file_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "[database\n"))
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(tmp_path / "missing.toml")


def test_alert_kinds_are_the_ones_storage_queues(tmp_path: Path) -> None:
    text = GOOD + 'kinds = ["churning", "moved", "edited"]\n'
    assert load_settings(write(tmp_path, text)).alerts[0].kinds == ("churning", "moved", "edited")
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD + 'kinds = ["churned"]\n'))
    assert "alerts.0.kinds.0" in str(caught.value) and "churning" in str(caught.value)


def test_limits_have_defaults_and_take_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = load_settings(write(tmp_path, GOOD)).limits.limits()
    assert (limits.candidates.per_check, limits.versions.per_day) == (1000, 24)
    monkeypatch.setenv("NEWSWATCH_LIMITS_NEW_LINKS_PER_CHECK", "50")
    text = GOOD + '\n[limits]\ntitle_chars = 300\nchurn_recheck = "12h"\n'
    limits = load_settings(write(tmp_path, text)).limits.limits()
    assert limits.candidates.per_check == 50
    assert (limits.fields.title, limits.candidates.title_chars) == (300, 300)
    assert limits.versions.churn_recheck == timedelta(hours=12)
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, GOOD + "\n[limits]\nversions_per_day = 0\n"))
    assert "limits.versions_per_day" in str(caught.value)


def test_a_bad_value_from_the_environment_names_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The environment overrides the file, and the error blamed the file (here the built-in
    # configuration) for a value only the environment held.
    monkeypatch.setenv("NEWSWATCH_FETCH_TIMEOUT", "forever")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "fetch.timeout" in message and "'forever' is not a duration" in message
    assert "set by the environment variable NEWSWATCH_FETCH_TIMEOUT" in message
    monkeypatch.delenv("NEWSWATCH_FETCH_TIMEOUT")
    monkeypatch.setenv("NEWSWATCH_FETCH_DELAY", "soon")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "(set by the environment variable NEWSWATCH_FETCH_DELAY)" in str(caught.value)


def test_a_byte_order_mark_at_the_start_of_the_file_is_read_past(tmp_path: Path) -> None:
    # Notepad and other Windows editors write one; the file was refused as "not valid TOML:
    # Invalid statement (at line 1, column 1)".
    path = tmp_path / "newswatch.toml"
    path.write_text("\ufeff" + default_config_text(), encoding="utf-8")
    assert load_settings(path) == load_settings()
