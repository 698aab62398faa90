"""The HTML pages: what they show, and that stored text can never run as script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx

import storage
from tests.api.populate import HOSTILE_TITLE, Populated


class Markup(HTMLParser):
    """Every element and attribute of a page, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    parsed = Markup(html)
    assert not [t for t, _ in parsed.tags if t in ("script", "iframe", "object", "embed")]
    handlers = [(t, a) for t, attrs in parsed.tags for a in attrs if a.startswith("on")]
    assert not handlers, handlers
    assert not [t for t, _ in parsed.tags if t == "img"]


def test_home_shows_the_timeline_and_recent_coverage_and_edits(site: str) -> None:
    html = httpx.get(site + "/").text
    assert '<svg class="timeline"' in html and "herald.example" in html
    assert "Recent coverage" in html and "Recent edits" in html
    assert "Erdogan offers Istanbul summit" in html
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_article_page_is_escaped(site: str, populated: Populated) -> None:
    html = httpx.get(f"{site}/articles/{populated.hostile_id}").text
    assert HOSTILE_TITLE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Talks in Istanbul" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<ins>" in html and "&lt;svg onload=alert(4)&gt;" in html
    assert_inert(html)


def test_article_page_shows_a_side_by_side_diff(site: str, populated: Populated) -> None:
    with storage.open_database(populated.url) as db, db.session() as session:
        article = storage.find_article(session, populated.seed_url)
        assert article is not None
    html = httpx.get(f"{site}/articles/{article.id}", params={"from": 1, "to": 2}).text
    assert '<table class="sbs">' in html
    assert "Vladimir <del>Madinsky</del>" in html and "Vladimir <ins>Medinsky</ins>" in html
    assert "version 1" in html and "version 2" in html
    assert httpx.get(f"{site}/articles/999999").status_code == 404
    # A link to a version the article does not have: no other pair shown under its address.
    for params in ({"from": 1, "to": 99}, {"from": 99}, {"to": 3}):
        missing = httpx.get(f"{site}/articles/{article.id}", params=params)
        assert missing.status_code == 404, params
        assert f"article {article.id} has no version" in missing.text, missing.text


def test_search_page(site: str, populated: Populated) -> None:
    html = httpx.get(site + "/search", params={"q": "Medinsky"}).text
    assert "<mark>Medinsky</mark>" in html and "1 result" in html
    assert_inert(html)
    hostile = httpx.get(site + "/search", params={"q": "onerror"}).text
    assert_inert(hostile)
    broken = httpx.get(site + "/search", params={"q": '"unclosed'}).text
    assert 'class="error"' in broken


def test_a_missing_article_is_a_page_for_a_browser_and_json_for_a_program(site: str) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = httpx.get(f"{site}/articles/999999", headers=browser)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "article 999999 not found" in page.text and "Back to the coverage" in page.text
    assert_inert(page.text)
    bad = httpx.get(f"{site}/articles/abc", headers=browser)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    api = httpx.get(f"{site}/api/articles/999999", headers=browser)
    assert api.status_code == 404 and api.json()["detail"]
    assert httpx.get(f"{site}/articles/999999").json()["detail"]  # no Accept: JSON


def test_a_story_page_lists_its_coverage_in_time_order(site: str) -> None:
    home = httpx.get(f"{site}/").text
    found = re.search(r'href="/stories/(\d+)">(\d+) outlets? report: ', home)
    assert found, "the home page lists the wire story the newsroom's two outlets carry"
    story = httpx.get(f"{site}/stories/{found.group(1)}")
    assert story.status_code == 200
    assert story.text.count('class="event new"') >= 2
    assert_inert(story.text)
    assert httpx.get(f"{site}/stories/999999", headers={"Accept": "text/html"}).status_code == 404


def test_the_to_date_of_the_filters_includes_its_day(site: str, populated: Populated) -> None:
    # The queries' until is the first moment left out; the form's "To" date left out the very
    # day it names, so From and To on one day showed nothing.
    with storage.open_database(populated.url) as db, db.session() as session:
        article = storage.find_article(session, populated.seed_url)
        assert article is not None and article.first_seen_at is not None
        day, title = article.first_seen_at.date().isoformat(), article.title
    assert title
    html = httpx.get(site + "/", params={"since": day, "until": day}).text
    assert "No articles match these filters" not in html and title in html, html
    before = httpx.get(site + "/", params={"until": "2000-01-01"}).text
    assert "No articles match these filters" in before
