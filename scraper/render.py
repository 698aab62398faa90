"""Rendering a page in a browser, for sites whose text arrives by script.

Optional: it needs Playwright (``pip install 'newswatch[browser]'``) and a Chromium on the
machine (Debian's ``chromium`` package; Playwright's own download is not used). The daemon runs
without it and says so when a source asks for it.

The browser never touches the network itself. Every request it makes is answered here: the
document with the page the polite fetcher already fetched, scripts and data (``fetch``/XHR) by
fetching them through the caller's guarded fetcher (the address guard, size caps and timeouts
apply to them as to any fetch), and images, media, fonts and style sheets not at all. So a
page's scripts cannot reach a private address, and rendering costs no image downloads.

One browser serves the whole daemon, started at the first page that needs it; at most
``pages`` pages render at once, each within ``timeout`` seconds, and V8's heap in each renderer
process is capped at ``memory_mb``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scraper import exceptions as exc
from scraper.types import Page

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright, Route

logger = logging.getLogger(__name__)
SubresourceFetch = Callable[[str], Awaitable[Page]]
_SKIPPED = frozenset(
    {
        "image",
        "media",
        "font",
        "stylesheet",
        "imageset",
        "texttrack",
        "websocket",
        "eventsource",
        "manifest",
        "other",
    }
)
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


class RenderUnavailable(exc.FetchError):
    """No browser to render with (Playwright or Chromium missing)."""

    kind = "render_unavailable"


class RenderFailed(exc.FetchError):
    """The browser could not render the page in time."""

    kind = "render"


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderLimits:
    """What one rendered page may cost."""

    timeout: float = 20.0
    pages: int = 2
    memory_mb: int = 512
    executable: str | None = None  # None: the first of BROWSERS on PATH


class BrowserRenderer:
    """Renders fetched pages in one shared headless Chromium (see the module docstring)."""

    def __init__(self, fetch: SubresourceFetch, *, limits: RenderLimits | None = None) -> None:
        self._fetch = fetch
        self.limits = limits or RenderLimits()
        self._slots = asyncio.Semaphore(self.limits.pages)
        self._start_lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    async def render(self, page: Page) -> Page:
        """``page`` as the browser's DOM shows it once its scripts have run."""
        browser = await self._ensure_browser(page.final_url)
        async with self._slots:
            try:
                async with asyncio.timeout(self.limits.timeout):
                    html = await self._render(browser, page)
            except TimeoutError:
                raise RenderFailed(
                    f"rendering took more than {self.limits.timeout:g}s", url=page.final_url
                ) from None
            except exc.FetchError:
                raise
            except Exception as error:  # Playwright's own errors: one typed error for us
                raise RenderFailed(f"the browser failed: {error}", url=page.final_url) from error
        # Read back as UTF-8 whatever the header declares: valid UTF-8 is read as such.
        return dataclasses.replace(page, body=html.encode("utf-8"))

    async def close(self) -> None:
        """Stop the browser (the daemon's shutdown)."""
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        self._browser = self._playwright = None

    async def _ensure_browser(self, url: str) -> Browser:
        async with self._start_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            try:
                from playwright.async_api import async_playwright
            except ImportError:
                raise RenderUnavailable(
                    "rendering needs Playwright: pip install 'newswatch[browser]'", url=url
                ) from None
            executable = self.limits.executable or next(
                (found for name in BROWSERS if (found := shutil.which(name))), None
            )
            if executable is None:
                raise RenderUnavailable(
                    "rendering needs Chromium on this machine "
                    "(apt-get install chromium), or [render] browser = "
                    "its path",
                    url=url,
                )
            self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=executable, headless=True, args=self._arguments()
            )
            logger.info(
                "browser started", extra={"event": "browser_started", "executable": executable}
            )
            return self._browser

    def _arguments(self) -> list[str]:
        return [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--blink-settings=imagesEnabled=false",
            f"--js-flags=--max-old-space-size={self.limits.memory_mb}",
        ]

    async def _render(self, browser: Browser, page: Page) -> str:
        context = await browser.new_context(java_script_enabled=True, service_workers="block")
        try:
            await context.route("**/*", lambda route: self._answer(route, page))
            tab = await context.new_page()
            await tab.goto(page.final_url, wait_until="load")
            try:
                await tab.wait_for_load_state("networkidle", timeout=2000)
            except Exception:  # a page that keeps polling: what is there after 2 s will do
                logger.debug("render: network never idle", extra={"url": page.final_url})
            return str(await tab.content())
        finally:
            await context.close()

    async def _answer(self, route: Route, page: Page) -> None:
        request = route.request
        if request.url == page.final_url and request.resource_type == "document":
            await route.fulfill(
                status=page.status, body=page.body, headers=_kept_headers(page.headers)
            )
            return
        if request.method != "GET" or request.resource_type in _SKIPPED:
            await route.abort()
            return
        try:
            fetched = await self._fetch(request.url)
        except exc.FetchError as error:
            logger.debug(
                "render: subresource refused or failed",
                extra={"url": request.url, "kind": error.kind},
            )
            await route.abort()
            return
        await route.fulfill(
            status=fetched.status, body=fetched.body, headers=_kept_headers(fetched.headers)
        )


def _kept_headers(headers: Any) -> dict[str, str]:
    # The body handed over is already decoded: its encoding headers no longer apply.
    return {
        k: v
        for k, v in dict(headers).items()
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    }
