"""The Newsroom: a local news site for tests and ``newswatch demo``, controlled from Python.

>>> with Newsroom.with_articles().start() as room:       # doctest: +SKIP
...     room.edit("some-slug", "Madinsky", "Medinsky")
...     room.misbehave("/feed.xml", "status", code=503, retry_after=30)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from newswatch.newsroom import control
from newswatch.newsroom.catalog import Article, Catalog
from newswatch.newsroom.faults import Fault, FaultContext, check
from newswatch.newsroom.outlets import outlet_of
from newswatch.newsroom.responses import Request, Response, conditional
from newswatch.newsroom.server import NewsroomServer
from newswatch.newsroom.site import Site, route
from newswatch.newsroom.stories import Story, builtin_stories

LOOPBACK = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class RequestRecord:
    """One request the newsroom answered (control requests are not logged)."""

    time: float  # time.monotonic() at arrival
    method: str
    path: str  # the request target as sent: path plus ?query
    headers: dict[str, str]  # lower-case names
    status: int
    peer: str = ""  # the client's address and port: one per connection it opened


@dataclass(frozen=True)
class _Misbehaviour:
    mode: str
    fault: Fault
    opts: dict[str, Any]
    remaining: int | None  # None: until behave()


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Newsroom:
    """A small news site on loopback that publishes, edits, deletes and misbehaves on command."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or _utc_now
        self._catalog = Catalog(self._clock)
        self._lock = threading.Lock()
        self._faults: dict[str, _Misbehaviour] = {}
        self._requests: list[RequestRecord] = []
        self._seq = 0
        self._validators = True
        self._robots: str | None = None
        self._stopping = threading.Event()
        self._server: NewsroomServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def with_articles(cls, clock: Callable[[], datetime] | None = None) -> Newsroom:
        """A newsroom with every built-in story already published (not started)."""
        room = cls(clock)
        room.publish_all()
        return room

    # --- lifecycle -------------------------------------------------------------------------

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Newsroom:
        """Bind (port 0 picks a free one) and serve from a daemon thread; returns self."""
        if host not in LOOPBACK:
            raise ValueError(f"the newsroom only listens on loopback (127.0.0.1), not {host!r}")
        if self._server is not None:
            raise RuntimeError("newsroom already started")
        self._stopping.clear()
        # Binding happens here, before start() returns: clients can connect at once.
        self._server = NewsroomServer(("127.0.0.1", port), self, self._stopping)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name=f"newsroom:{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping faults, close every connection and the socket."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()  # joins the handler threads
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Newsroom:
        return self if self._server is not None else self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``: what a daemon's ``[fetch] allow`` names to fetch from it (the
        address guard refuses loopback otherwise)."""
        return self.base_url.removeprefix("http://")

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (only once started)."""
        if self._server is None:
            raise RuntimeError("newsroom not started: call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- stories ---------------------------------------------------------------------------

    @property
    def stories(self) -> dict[str, Story]:
        """Every known story by slug (built-in and published), current text, oldest first."""
        return {slug: self._catalog.known(slug) for slug in self._catalog.slugs()}

    def slugs(self) -> list[str]:
        """Every known slug (built-in and published), oldest story first."""
        return self._catalog.slugs()

    def story(self, slug: str) -> Story:
        """The story's current text (edits applied); KeyError for an unknown slug."""
        return self._catalog.known(slug)

    def article(self, slug: str) -> Article | None:
        """The published state (revision, times, gone status), or None if never published."""
        return self._catalog.get(slug)

    def path_of(self, slug: str) -> str:
        """The URL path of a known story."""
        return self._catalog.known(slug).path

    def url_of(self, slug: str) -> str:
        """The absolute URL of a known story."""
        return self.base_url + self.path_of(slug)

    def publish(self, story_or_slug: Story | str) -> str:
        """Publish a built-in story by slug, or any Story value; returns the slug."""
        if isinstance(story_or_slug, str):
            story_or_slug = self._catalog.known(story_or_slug)
        outlet_of(story_or_slug.outlet)  # fail here, not on the first page view
        self._catalog.publish(story_or_slug)
        return story_or_slug.slug

    def publish_all(self) -> list[str]:
        """Publish every built-in story (one listing change); returns their slugs."""
        # known() gives the current text, so edits made since are kept, not reverted.
        stories = [self._catalog.known(slug) for slug in builtin_stories()]
        self._catalog.publish(*stories)
        return [s.slug for s in stories]

    def edit(self, slug: str, old: str, new: str) -> None:
        """Replace ``old`` with ``new`` in the body (a visible edit, new revision)."""
        self._catalog.edit(slug, old, new)

    def rewrite(self, slug: str, *paragraphs: str) -> None:
        """Replace the whole body with ``paragraphs`` (a retraction, a rewrite; new revision)."""
        self._catalog.rewrite(slug, paragraphs)

    def retitle(self, slug: str, new_title: str) -> None:
        """Change the headline (a visible edit, new revision)."""
        self._catalog.retitle(slug, new_title)

    def delete(self, slug: str, status: int = 410) -> None:
        """Unpublish: the page answers 404 or 410 and leaves feeds and sitemaps."""
        self._catalog.delete(slug, status)

    def touch(self, slug: str) -> None:
        """A cosmetic re-save: new bytes, ETag and Last-Modified; same visible text."""
        self._catalog.touch(slug)

    # --- behaviour -------------------------------------------------------------------------

    def _path(self, path_or_slug: str) -> str:
        if path_or_slug.startswith(("http://", "https://")):
            return urlsplit(path_or_slug).path or "/"
        if path_or_slug.startswith("/"):
            return path_or_slug.split("?", 1)[0]
        return self.path_of(path_or_slug)

    def misbehave(
        self, path_or_slug: str, mode: str, *, times: int | None = None, **opts: Any
    ) -> None:
        """Make a path (or a story's page) misbehave; ``times`` limits it to N responses."""
        fault = check(mode, opts)
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for until behave())")
        with self._lock:
            self._faults[self._path(path_or_slug)] = _Misbehaviour(mode, fault, opts, times)

    def behave(self, path_or_slug: str | None = None) -> None:
        """Stop misbehaving on one path, or everywhere when called without one."""
        with self._lock:
            if path_or_slug is None:
                self._faults.clear()
            else:
                self._faults.pop(self._path(path_or_slug), None)

    def misbehaviours(self) -> dict[str, str]:
        """Active misbehaviours: path -> mode."""
        with self._lock:
            return {path: m.mode for path, m in self._faults.items()}

    def set_validators(self, enabled: bool) -> None:
        """Turn ETag/Last-Modified and 304 answers on (default) or off."""
        self._validators = enabled

    def set_robots(self, text: str | None) -> None:
        """Serve this robots.txt instead of the allow-all default (None restores it)."""
        self._robots = text

    # --- request log -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, path_or_slug: str) -> list[RequestRecord]:
        """Logged requests whose path (query ignored) is this path or story."""
        path = self._path(path_or_slug)
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def clear_requests(self) -> None:
        """Empty the request log."""
        with self._lock:
            self._requests.clear()

    # --- serving ---------------------------------------------------------------------------

    def _take_fault(self, path: str) -> _Misbehaviour | None:
        with self._lock:
            found = self._faults.get(path)
            if found is not None and found.remaining is not None:
                if found.remaining <= 1:
                    del self._faults[path]
                else:
                    self._faults[path] = _Misbehaviour(
                        found.mode, found.fault, found.opts, found.remaining - 1
                    )
            return found

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, peer: str = ""
    ) -> Response:
        """Answer one HTTP request (called from the server threads); ``peer`` is host:port."""
        split = urlsplit(target)
        path = unquote(split.path) or "/"
        if path.startswith("/_control/"):
            return control.handle(self, method, path.removeprefix("/_control/"), body)
        with self._lock:
            self._seq += 1
            seq = self._seq
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        request = Request(method, path, query, headers, seq, body)
        site = Site(self._catalog, self.base_url, self._clock, self._robots)
        page = route(site, request)
        response = conditional(request, page, validators=self._validators)
        misbehaviour = self._take_fault(path)
        if misbehaviour is not None:
            context = FaultContext(request, response, self.base_url, page)
            response = misbehaviour.fault(context, **misbehaviour.opts)
        record = RequestRecord(time.monotonic(), method, target, headers, response.status, peer)
        with self._lock:
            self._requests.append(record)
        return response
