"""The page as a journalist following the story reads it, in headless Chromium, over 50 outlets
and 2,000 articles in four languages: the chart groups the small outlets, the filters (outlet,
language, edit class, dates) work with no script, the stories show their outlets and time
span, a story has a timeline of coverage and edits, an article's history can be stepped
through.

Screenshots go to ``$NEWSWATCH_SCREENSHOTS`` (or the session's temporary folder); each test
prints where it put them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

import storage
from newswatch.api import create_app
from newswatch.api.server import serve_in_thread
from newswatch.config import Settings
from tests.web import crowd
from tests.web.test_browser import browser, page  # noqa: F401 (the fixtures)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The app served over the crowded database, and an article with three versions."""
    url = f"sqlite:///{tmp_path_factory.mktemp('crowd') / 'crowd.db'}"
    crowd.fill(url)
    with storage.open_database(url) as db:
        with db.session() as session:
            edited = session.exec(
                select(storage.Article).where(storage.Article.version_count == 2).limit(1)
            ).one()
            current = storage.get_version(session, edited.id or 0, 2)
        assert current is not None
        with db.transaction() as session:  # a third version: a history to step through
            storage.record(
                session,
                article_id=edited.id or 0,
                snapshot=None,
                fields=storage.ArticleFields(
                    title=f"{current.title} (corrected)",
                    body=current.body,
                    published=current.published,
                    language=current.language,
                    site_name="ignored",
                    authors=tuple(current.authors),
                ),
                fetched_at=current.fetched_at + timedelta(hours=5),
            )
        settings = Settings(database={"url": url})  # type: ignore[arg-type]
        with serve_in_thread(create_app(db, settings)) as base:
            yield base, edited.id or 0


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("NEWSWATCH_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shot(tab: Any, shots: Path, name: str, *, full: bool = True) -> None:
    path = shots / f"{name}.png"
    tab.screenshot(path=str(path), full_page=full)
    print(f"screenshot: {path}")  # noqa: T201 (the test's output names its pictures)


def _no_script_ran(tab: Any) -> list[str]:
    """Script errors, and failed requests (the browser's own favicon guess aside)."""
    problems: list[str] = []
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return problems


def test_fifty_outlets_read_as_a_few_bands(
    page: Any,  # noqa: F811
    crowded: tuple[str, int],
    shots: Path,
) -> None:
    base, _ = crowded
    problems = _no_script_ran(page)
    page.goto(base + "/")
    summary = page.locator("section.card p.muted").first.inner_text()
    assert "2000 articles from 50 outlets in 4 languages" in summary, summary
    legend = page.locator("ul.legend li")
    assert legend.count() == 10  # nine outlets by name, and the rest as one band
    assert legend.last.inner_text().startswith("41 other outlets")
    names = [legend.nth(i).inner_text() for i in range(9)]
    assert not any(".example" in n for n in names), names  # names, not hosts
    assert (
        "the 9 largest of 50 outlets, the rest in grey"
        in page.locator("figure.chart figcaption").inner_text()
    )
    # Bands: at most ten colours in the whole chart, however many outlets.
    fills = {
        page.locator("svg.timeline rect").nth(i).get_attribute("fill")
        for i in range(page.locator("svg.timeline rect").count())
    }
    assert 2 < len(fills) <= 10
    stories = page.locator("#stories ol li")
    assert stories.count() == 8
    first = stories.first.inner_text()
    assert re.search(r"^\d+ outlets report: ", first) and "first 2025-" in first, first
    assert re.search(r"latest 2025-\d\d-\d\d \d\d:\d\d UTC", first), first
    langs = {t.strip().lower() for t in page.locator("#coverage .lang").all_inner_texts()}
    assert langs and langs <= {"en", "ru", "uk", "tr"}
    _shot(page, shots, "home-50-outlets")
    assert problems == []


def test_filters_by_language_outlet_class_and_date(
    page: Any,  # noqa: F811
    crowded: tuple[str, int],
    shots: Path,
) -> None:
    base, _ = crowded
    page.goto(base + "/")
    page.get_by_label("Language", exact=True).select_option("uk")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**language=uk**")
    langs = {t.strip().lower() for t in page.locator("#coverage .lang").all_inner_texts()}
    assert langs == {"uk"}
    edit_langs = {t.strip().lower() for t in page.locator("#edits .lang").all_inner_texts()}
    assert edit_langs == {"uk"}
    _shot(page, shots, "home-filter-language-uk")

    page.goto(base + "/")
    outlet = page.get_by_label("Outlet", exact=True)
    option = outlet.locator("option").nth(5)
    name = re.sub(r" \(\d+\)$", "", option.inner_text())
    outlet.select_option(option.get_attribute("value"))
    page.get_by_label("Edit class", exact=True).select_option("headline")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**class=headline**")
    outlets = set(page.locator("#coverage .outlet").all_inner_texts())
    assert outlets == {name}, (outlets, name)
    for item in page.locator("#edits ol li").all():
        text = item.inner_text()
        assert name in text and "headline" in text, text
    _shot(page, shots, "home-filter-outlet-headline")

    # From and To days both included: June 1 and 2, nothing of June 3.
    page.goto(base + "/?since=2025-06-01&until=2025-06-02")
    seen = page.locator("#coverage .meta").all_inner_texts()
    assert seen and all(re.search(r"2025-06-0[12]", t) for t in seen), seen
    assert any("2025-06-02" in t for t in seen), seen
    page.goto(base + "/?since=yesterdayish")
    assert "yesterdayish" in page.locator("p.error").inner_text()
    assert page.get_by_role("link", name="Clear filters").is_visible()


def test_a_story_has_a_timeline_of_coverage_and_edits(
    page: Any,  # noqa: F811
    crowded: tuple[str, int],
    shots: Path,
) -> None:
    base, _ = crowded
    page.goto(base + "/")
    heading = page.locator("#stories ol li a.title").first
    outlets = int(heading.inner_text().split(" ", 1)[0])
    heading.click()
    page.wait_for_url("**/stories/*")
    assert f"{outlets} outlets" in page.locator("section.card p.muted").nth(1).inner_text()
    events = page.locator("ol.timeline-events li")
    kinds = {events.nth(i).get_attribute("class") for i in range(events.count())}
    assert events.count() > outlets and kinds >= {"event new", "event edited"}
    times = [t for t in page.locator("ol.timeline-events .when").all_inner_texts()]
    assert times == sorted(times)  # in time order
    assert page.locator("ol.timeline-events .changes").count() > 0  # what each edit changed
    _shot(page, shots, "story-timeline")


def test_stepping_through_an_articles_history(
    page: Any,  # noqa: F811
    crowded: tuple[str, int],
    shots: Path,
) -> None:
    base, article_id = crowded
    page.goto(f"{base}/articles/{article_id}")
    assert "Version 2 → version 3" in page.locator("#diff h2").inner_text()
    page.get_by_role("link", name="← Previous change").click()
    page.wait_for_url("**from=1&to=2**")
    assert "Version 1 → version 2" in page.locator("#diff h2").inner_text()
    assert page.locator("nav.steps span", has_text="← Previous change").count() == 1  # none
    page.get_by_role("link", name="Next change →").click()
    page.wait_for_url("**from=2&to=3**")
    page.get_by_role("link", name="Compare with the first version").click()
    page.wait_for_url("**from=1&to=3**")
    assert "Version 1 → version 3" in page.locator("#diff h2").inner_text()
    permalink = page.get_by_role("link", name="Permalink to this comparison")
    assert permalink.get_attribute("href") == f"/articles/{article_id}?from=1&to=3#diff"
    assert page.locator("table.sbs ins", has_text="(corrected)").is_visible()
    assert page.locator("dl.facts").inner_text().count("Language") == 1
    _shot(page, shots, "article-steps")
