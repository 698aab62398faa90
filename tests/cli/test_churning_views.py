"""A churning article is visible as such: `newswatch articles`/`show`, the API, the web page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import storage
from newswatch.api import create_app
from newswatch.api.server import serve_in_thread
from newswatch.cli import app
from newswatch.config import load_settings

runner = CliRunner()
NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Churned:
    config: Path
    url: str
    churning_id: int
    calm_id: int


@pytest.fixture(scope="module")
def churned(tmp_path_factory: pytest.TempPathFactory) -> Churned:
    """A database with one article that churns (its text changed at each of 8 checks), and
    one that does not."""
    tmp = tmp_path_factory.mktemp("churn")
    url = f"sqlite:///{tmp / 'newswatch.db'}"
    config = tmp / "newswatch.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    limits = storage.VersionLimits(churn_after=3)
    with storage.open_database(url) as db:
        with db.transaction() as s:
            churning_id, calm_id = storage.add_candidates(
                s,
                source_id=None,
                now=NOW,
                candidates=[
                    storage.Candidate("https://example.com/live/counter"),
                    storage.Candidate("https://example.com/news/calm"),
                ],
            )
        for n in range(8):
            with db.transaction() as s:
                for article_id, body in ((churning_id, f"Seen {n} times."), (calm_id, "Calm.")):
                    storage.record(
                        s,
                        article_id=article_id,
                        snapshot=None,
                        fields=storage.ArticleFields(title="Talks", body=body),
                        fetched_at=NOW + n * timedelta(minutes=15),
                        limits=limits,
                    )
    return Churned(config, url, churning_id, calm_id)


def test_articles_lists_and_flags_churning_ones(churned: Churned) -> None:
    result = runner.invoke(
        app, ["articles", "--churning", "--json", "--config", str(churned.config)]
    )
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert row["id"] == churned.churning_id and row["churning_since"].startswith("2025-06-02")
    result = runner.invoke(app, ["articles", "--config", str(churned.config)])
    assert "live, churning" in result.output
    result = runner.invoke(
        app, ["show", str(churned.churning_id), "--json", "--config", str(churned.config)]
    )
    assert json.loads(result.output)["churning_since"] is not None
    result = runner.invoke(
        app, ["show", str(churned.calm_id), "--json", "--config", str(churned.config)]
    )
    assert json.loads(result.output)["churning_since"] is None


@pytest.fixture(scope="module")
def api(churned: Churned) -> Iterator[httpx.Client]:
    with (
        storage.open_database(churned.url) as db,
        serve_in_thread(create_app(db, load_settings(churned.config))) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield client


def test_the_api_and_the_web_page_say_it_changes_on_every_visit(
    api: httpx.Client, churned: Churned
) -> None:
    items = api.get("/api/articles", params={"churning": True}).json()["items"]
    assert [a["id"] for a in items] == [churned.churning_id]
    assert items[0]["churning_since"] is not None
    article = api.get(f"/api/articles/{churned.churning_id}").json()
    assert article["churning_since"] is not None and article["version_count"] == 3
    assert api.get(f"/api/articles/{churned.calm_id}").json()["churning_since"] is None
    page = api.get(f"/articles/{churned.churning_id}")
    assert page.status_code == 200 and "changes on every visit" in page.text
