"""The polite fetcher: robots.txt, per-host throttling and pauses around the single request.

scrapy-like small parts, wired in one place:

* :mod:`scraper.robots` decides whether a URL may be fetched (and how slowly);
* :mod:`scraper.throttle` spaces and caps requests per host and pauses failing hosts;
* :mod:`scraper.redirects` follows redirects, every hop checked like the first request;
* :mod:`scraper.fetch` makes one request.

"Disallowed by robots.txt" and "host paused" are not errors but a :class:`Refused` value: the
caller records it and comes back after ``retry_in`` seconds. Every HTTP request made (robots.txt
included) and every refusal by robots.txt is reported to the ``observer`` as an
:class:`Attempt`, which the scheduler writes to the fetch log.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from scraper import exceptions as exc
from scraper.addresses import AddressPolicy
from scraper.fetch import Fetcher
from scraper.redirects import follow
from scraper.robots import RobotsCache, RobotsRules
from scraper.throttle import HostPaused, Throttle
from scraper.types import Page, Validators

logger = logging.getLogger(__name__)
RefusalKind = Literal["disallowed", "robots_unavailable", "paused"]
# Failures that say the *host* is in trouble (as opposed to one bad URL): they pause the host.
_HOST_TROUBLE = (exc.ConnectFailed, exc.FetchTimeout, exc.ProtocolFailed)
_ROBOTS_REDIRECTS = 5  # RFC 9309: follow at least five


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP request made, or one URL refused by robots.txt, for the fetch log."""

    url: str
    at: datetime
    status: int | None
    bytes: int
    elapsed: float
    error_kind: str | None = None
    message: str | None = None
    robots: bool = False  # a robots.txt request


@dataclass(frozen=True, slots=True)
class Refused:
    """A URL not fetched on purpose; ask again after ``retry_in`` seconds."""

    url: str
    kind: RefusalKind
    reason: str
    retry_in: float

    @property
    def message(self) -> str:
        return f"{self.reason} ({self.url})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Politeness:
    """How the polite fetcher treats robots.txt (durations in seconds)."""

    obey_robots: bool = True
    robots_ttl: float = 3600.0
    robots_error_ttl: float = 1800.0
    disallowed_retry: float = 86400.0


Observer = Callable[[Attempt], None]


@dataclass(frozen=True, slots=True)
class _Form:
    data: bytes
    content_type: str


class _Refusal(Exception):  # noqa: N818 - internal: carries a Refused value out of a chain
    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.reason)
        self.refused = refused


class PoliteFetcher:
    """Fetches like a good citizen: robots.txt first, then the host's slot, then the request."""

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        throttle: Throttle,
        user_agent: str,
        politeness: Politeness | None = None,
        observer: Observer | None = None,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        fresh: Fetcher | None = None,
    ) -> None:
        self._fetcher = fetcher
        # Fetches that must not reuse a connection (a second look at a drastic change).
        self._fresh = fresh or fetcher
        self.throttle = throttle
        self.politeness = politeness or Politeness()
        self._observer = observer
        self._clock = clock or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        # Errors already in the fetch log as a request's failure (not to be logged twice).
        self._reported: weakref.WeakSet[exc.FetchError] = weakref.WeakSet()
        self._robots = RobotsCache(
            self._fetch_robots,
            user_agent=user_agent,
            ttl=self.politeness.robots_ttl,
            error_ttl=self.politeness.robots_error_ttl,
            clock=monotonic,
        )

    @property
    def policy(self) -> AddressPolicy | None:
        """Where requests may go (the fetcher's; ``None``: only the client's guard decides)."""
        return self._fetcher.policy

    def observe(self, observer: Observer | None) -> None:
        """Set who hears about every attempt (the scheduler's fetch log)."""
        self._observer = observer

    async def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        accept: Collection[str] | None = None,
        fresh: bool = False,
        stop: Callable[[str], bool] | None = None,
    ) -> Page | Refused:
        """The page at ``url`` after redirects, or why it was not fetched; FetchError on failure.

        ``fresh``: over new connections only (no kept-alive one), so that a CDN edge or a
        load balancer that served something odd is not simply asked again. A redirect to a
        URL ``stop`` names (a consent wall, an aggregator) is not followed: the 3xx comes back.
        """
        fetcher = self._fresh if fresh else self._fetcher
        try:
            return await follow(
                lambda hop: self._hop(hop, validators, accept, fetcher),
                url,
                max_redirects=self._fetcher.limits.max_redirects,
                stop=stop,
            )
        except _Refusal as refusal:
            return refusal.refused
        except exc.FetchError as error:
            if error not in self._reported:
                # Failed between requests (a redirect loop, a bad Location): still one line.
                self._report_unanswered(url, error.kind, str(error))
            self._reported.discard(error)
            raise

    async def post(
        self, url: str, *, data: bytes, content_type: str, accept: Collection[str] | None = None
    ) -> Page | Refused:
        """POST ``data`` to ``url`` as politely as a GET: address policy, robots.txt, the host's
        slot and pace, the fetch log. Redirects are not followed (the 3xx page comes back)."""
        try:
            return await self._hop(url, None, accept, form=_Form(data, content_type))
        except _Refusal as refusal:
            return refusal.refused

    async def robots(self, url: str) -> RobotsRules | Refused:
        """The robots.txt rules of ``url``'s host (its ``Sitemap:`` lines start a ``site``)."""
        try:
            return await self._robots.rules_for(url)
        except _Refusal as refusal:
            return refusal.refused

    async def _hop(
        self,
        url: str,
        validators: Validators | None,
        accept: Collection[str] | None,
        fetcher: Fetcher | None = None,
        *,
        form: _Form | None = None,
    ) -> Page:
        refusal = self.policy.check_url(url) if self.policy is not None else None
        if refusal is not None:
            # Before robots.txt: a forbidden host is not asked anything, not even that.
            error = exc.ForbiddenAddress(str(refusal), url=url)
            self._report_unanswered(url, error.kind, str(error))
            self._reported.add(error)
            raise error
        if self.politeness.obey_robots:
            rules = await self._robots.rules_for(url)
            self.throttle.set_crawl_delay(url, rules.crawl_delay)
            if not rules.allows(url, self._robots.agent):
                raise _Refusal(self._refuse(url, rules))
        return await self._request(url, validators, accept, form=form, fetcher=fetcher)

    def _refuse(self, url: str, rules: RobotsRules) -> Refused:
        if rules.state == "unavailable":
            refused = Refused(
                url,
                "robots_unavailable",
                f"{rules.reason}: treated as disallow-all for now",
                self.politeness.robots_error_ttl,
            )
        else:
            refused = Refused(
                url, "disallowed", "disallowed by robots.txt", self.politeness.disallowed_retry
            )
        self._report_unanswered(url, refused.kind, refused.reason)
        return refused

    async def _fetch_robots(self, url: str, validators: Validators | None) -> Page:
        return await follow(
            lambda hop: self._request(hop, validators, None, robots=True),
            url,
            max_redirects=_ROBOTS_REDIRECTS,
        )

    async def _request(
        self,
        url: str,
        validators: Validators | None,
        accept: Collection[str] | None,
        *,
        robots: bool = False,
        form: _Form | None = None,
        fetcher: Fetcher | None = None,
    ) -> Page:
        try:
            async with self.throttle.slot(url):
                at, started = self._clock(), self._monotonic()
                try:
                    chosen = fetcher or self._fetcher
                    if form is None:
                        page = await chosen.get(url, validators=validators, accept=accept)
                    else:
                        page = await chosen.post(
                            url, data=form.data, accept=accept, content_type=form.content_type
                        )
                except exc.FetchError as error:
                    self._report(
                        Attempt(
                            url=url,
                            at=at,
                            status=getattr(error, "status", None),
                            bytes=0,
                            elapsed=self._monotonic() - started,
                            error_kind=error.kind,
                            message=str(error),
                            robots=robots,
                        )
                    )
                    self._reported.add(error)
                    self._penalise(url, error)
                    raise
        except HostPaused as paused:
            raise _Refusal(
                Refused(url, "paused", f"host paused: {paused.reason}", paused.wait)
            ) from None
        self.throttle.succeeded(url)
        self._report(
            Attempt(
                url=url,
                at=at,
                status=page.status,
                bytes=len(page.body),
                elapsed=page.elapsed,
                robots=robots,
            )
        )
        return page

    def _penalise(self, url: str, error: exc.FetchError) -> None:
        if isinstance(error, exc.HTTPStatusError):
            if error.retry_after is not None and error.status in (429, 503):
                # Retry-After speaks for the whole host, not just this URL.
                self.throttle.pause(
                    url,
                    error.retry_after,
                    f"HTTP {error.status} Retry-After {error.retry_after:g}s",
                )
                return
            if error.status >= 500 or error.status == 429:
                self.throttle.failed(url, f"HTTP {error.status}")
            return
        if isinstance(error, _HOST_TROUBLE):
            self.throttle.failed(url, error.kind)

    def _report_unanswered(self, url: str, kind: str, message: str) -> None:
        """Log an attempt that has no response of its own (refused before asking, or failed
        between redirect hops): no status, no bytes."""
        self._report(
            Attempt(
                url=url,
                at=self._clock(),
                status=None,
                bytes=0,
                elapsed=0.0,
                error_kind=kind,
                message=message,
            )
        )

    def _report(self, attempt: Attempt) -> None:
        logger.debug(
            "fetch attempt",
            extra={
                "event": "fetch",
                "url": attempt.url,
                "status": attempt.status,
                "error_kind": attempt.error_kind,
            },
        )
        if self._observer is None:
            return
        try:
            self._observer(attempt)
        except Exception:  # the fetch log is diagnostics: losing a line must not lose the page
            logger.exception("could not record a fetch attempt", extra={"url": attempt.url})
