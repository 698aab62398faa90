"""The feeds and pages against a hostile world: control characters in stored text, a forged
``Host`` header, and readers polling the same feed over and over."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

import storage
from newswatch.api import create_app
from newswatch.api.server import serve_in_thread
from newswatch.config import Settings

A = "{http://www.w3.org/2005/Atom}"
CONTROL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
TITLE = f"Talks{CONTROL} in Istanbul \ufffe\uffff end"
URL = "https://hostile.example/2025/06/02/controls.html"


def store(url: str, *, title: str, body: str, at: datetime, link: str = URL) -> None:
    with storage.open_database(url) as db, db.transaction() as session:
        storage.add_candidates(
            session, candidates=[storage.Candidate(url=link)], source_id=None, now=at
        )
        article = storage.find_article(session, link)
        assert article is not None and article.id is not None
        storage.record(
            session,
            article_id=article.id,
            fields=storage.ArticleFields(title=title, body=body),
            snapshot=None,
            fetched_at=at,
        )


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    now = datetime.now(UTC)
    store(url, title=TITLE, body=f"First{CONTROL} text.", at=now)
    store(url, title=TITLE, body=f"Second{CONTROL} text, edited.", at=now + timedelta(minutes=5))
    return url


def serve(url: str, **api: object) -> Iterator[httpx.Client]:
    settings = Settings(database={"url": url}, api=api)  # type: ignore[arg-type]
    with (
        storage.open_database(url) as db,
        serve_in_thread(create_app(db, settings, feed_ttl=3600)) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        yield client


@pytest.fixture
def client(database: str) -> Iterator[httpx.Client]:
    yield from serve(database)


def test_control_characters_cannot_break_a_feed(client: httpx.Client) -> None:
    for path in ("/feeds/new.atom", "/feeds/edits.atom"):
        response = client.get(path)
        assert response.status_code == 200
        feed = ET.fromstring(response.content)  # raises on any character XML cannot hold
        titles = [e.findtext(f"{A}title") or "" for e in feed.findall(f"{A}entry")]
        assert len(titles) == 1 and "Istanbul" in titles[0], titles
        assert not set(CONTROL + "\ufffe\uffff") & set(titles[0])


def test_links_never_come_from_the_host_header(client: httpx.Client) -> None:
    port = client.base_url.port
    refused = client.get("/feeds/new.atom", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "trusted_hosts" in refused.json()["detail"]
    assert client.get("/", headers={"Host": "evil.example:80"}).status_code == 400
    # A trusted name with a port the server does not listen on: the links keep the real one.
    feed = client.get("/feeds/edits.atom", headers={"Host": "localhost:9"}).text
    assert f"http://127.0.0.1:{port}/articles/" in feed and "localhost:9" not in feed
    page = client.get("/", headers={"Host": "localhost:9"}).text
    assert 'href="/articles/' in page and "localhost:9" not in page


def test_public_url_makes_the_links_and_trusts_its_host(database: str) -> None:
    for client in serve(database, public_url="https://news.example.org/watch"):
        feed = client.get("/feeds/new.atom", headers={"Host": "news.example.org"})
        assert feed.status_code == 200
        root = ET.fromstring(feed.content)
        self_link = root.find(f"{A}link[@rel='self']")
        assert self_link is not None
        assert self_link.get("href") == "https://news.example.org/watch/feeds/new.atom"
        related = [
            link.get("href") for link in root.iter(f"{A}link") if link.get("rel") == "related"
        ]
        assert related and all(
            h.startswith("https://news.example.org/watch/articles/") for h in related if h
        )


def test_a_feed_is_rendered_once_per_query_while_fresh(client: httpx.Client, database: str) -> None:
    first = client.get("/feeds/new.atom").content
    store(
        database,
        title="A later article",
        body="Later.",
        at=datetime.now(UTC),
        link="https://later.example/story.html",
    )
    assert client.get("/feeds/new.atom").content == first  # the cached rendering
    other = client.get("/feeds/new.atom", params={"limit": 49}).text  # another query
    assert "A later article" in other
