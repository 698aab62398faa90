"""End to end in headless Chromium: open the page, search, open an article, pick two
versions, see the highlighted side-by-side diff; a hostile article runs no script.

Needs the ``playwright`` package and Debian's ``/usr/bin/chromium`` (Playwright's own browser
downloads are not used). Skipped with a reason when either is missing, except under
``CI=true``, where they must be there.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.populate import Populated

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run under CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def test_search_open_an_article_and_compare_two_versions(
    page: Any, site: str, tmp_path: Path
) -> None:
    page.goto(site + "/")
    assert page.locator("svg.timeline rect").count() > 5
    assert page.get_by_role("heading", name="Recent edits").is_visible()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    page.get_by_role("searchbox", name="Search").fill("Medinsky")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search?q=Medinsky")
    assert page.locator("mark", has_text="Medinsky").first.is_visible()
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    page.locator("ol.results a.title").first.click()
    page.wait_for_url("**/articles/*")
    page.get_by_label("from version 1").check()
    page.get_by_label("to version 2").check()
    page.get_by_role("button", name="Compare versions").click()
    page.wait_for_url("**from=1&to=2")
    deleted = page.locator("table.sbs del", has_text="Madinsky")
    inserted = page.locator("table.sbs ins", has_text="Medinsky")
    assert deleted.is_visible() and inserted.is_visible()
    # Highlighted, not merely marked up: the stylesheet gives them coloured backgrounds.
    assert deleted.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert inserted.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    inserted.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "diff.png"), full_page=True)


def test_a_hostile_article_runs_no_script(
    page: Any, site: str, populated: Populated, tmp_path: Path
) -> None:
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: fired.append(f"console {message.text}"))
    page.on("pageerror", lambda error: fired.append(f"error {error}"))
    for path in (
        "/",
        f"/articles/{populated.hostile_id}",
        f"/articles/{populated.hostile_id}?from=1&to=2",
        "/search?q=onerror",
    ):
        page.goto(site + path)
        page.wait_for_load_state("load")
        page.mouse.move(400, 400)  # would fire an onmouseover if one had survived
    title = page.goto(f"{site}/articles/{populated.hostile_id}")
    assert title is not None and title.ok
    assert "<script>alert(1)</script>" in page.locator("h1.headline").inner_text()
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    # Only the CSP report of a blocked inline script would be acceptable; nothing ran.
    assert [f for f in fired if "Content Security Policy" not in f] == []


def test_api_docs_render_from_this_server_alone(page: Any, site: str, tmp_path: Path) -> None:
    """Swagger UI comes from the package, runs under /docs' CSP, and asks no one else."""
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda request: elsewhere.append(request.url) if not request.url.startswith(site) else None,
    )
    page.goto(site + "/docs")
    page.locator(".opblock-summary-path", has_text="/api/articles").first.wait_for()
    assert page.locator(".opblock").count() > 10
    page.screenshot(path=str(tmp_path / "docs.png"), full_page=False)
    assert elsewhere == [] and problems == [], (elsewhere, problems)
