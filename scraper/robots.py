"""robots.txt: fetched once per host, parsed with protego, cached with a TTL.

What an answer means follows RFC 9309 and Google's documented practice:

* 2xx: the rules apply (an empty file allows everything).
* 4xx, including 401/403/404, and a redirect chain that goes nowhere: allow everything.
* 5xx and 429: "disallow everything for now" and ask again after ``error_ttl``; if an earlier
  copy was read successfully it keeps applying instead (Google does the same).
* No answer at all (connection refused, DNS, timeout): the error is the caller's, exactly as if
  the page itself had failed; nothing is cached, and the throttle pauses the failing host.

The robots.txt request goes through the caller's ``fetch`` function, which the polite fetcher
routes through the same throttle, limits and fetch log as every other request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from protego import Protego  # type: ignore[import-untyped,unused-ignore]

from scraper import exceptions as exc
from scraper.types import Page, Validators

logger = logging.getLogger(__name__)
RobotsFetch = Callable[[str, Validators | None], Awaitable[Page]]
Clock = Callable[[], float]
State = Literal["rules", "allow_all", "unavailable"]


def robots_url(url: str) -> str:
    """The robots.txt that governs ``url`` (same scheme, host and port)."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}/robots.txt"


def agent_token(user_agent: str) -> str:
    """The product token that robots.txt groups match: ``newswatch/0.1 (…)`` → ``newswatch``."""
    return user_agent.split("/", 1)[0].split()[0].strip() or "*"


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """One host's robots.txt as understood: what may be fetched, how slowly, which sitemaps."""

    url: str
    state: State
    reason: str = ""
    crawl_delay: float | None = None
    sitemaps: tuple[str, ...] = ()
    parser: Protego | None = None

    def allows(self, url: str, agent: str) -> bool:
        if urlsplit(url).path == "/robots.txt":
            return True
        if self.state == "unavailable":
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, agent))

    @classmethod
    def parse(cls, url: str, text: str, agent: str) -> RobotsRules:
        parser = Protego.parse(text)
        delay = parser.crawl_delay(agent)
        rate = parser.request_rate(agent)
        if rate is not None and rate.requests:
            delay = max(delay or 0.0, rate.seconds / rate.requests)
        return cls(
            url=url,
            state="rules",
            crawl_delay=float(delay) if delay else None,
            sitemaps=tuple(parser.sitemaps),
            parser=parser,
        )


@dataclass(frozen=True, slots=True)
class _Entry:
    rules: RobotsRules
    expires: float
    validators: Validators | None
    good: RobotsRules | None  # the last copy read with a 2xx/4xx, kept through outages


class RobotsCache:
    """robots.txt per host, fetched on first need and again once its TTL has passed."""

    def __init__(
        self,
        fetch: RobotsFetch,
        *,
        user_agent: str,
        ttl: float = 3600.0,
        error_ttl: float = 1800.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.agent = agent_token(user_agent)
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        """The rules for ``url``'s host; raises the FetchError if the host does not answer."""
        where = robots_url(url)
        entry = self._entries.get(where)
        if entry is not None and entry.expires > self._clock():
            return entry.rules
        # One fetch per host even when fifty of its URLs ask at once.
        async with self._locks.setdefault(where, asyncio.Lock()):
            entry = self._entries.get(where)
            if entry is not None and entry.expires > self._clock():
                return entry.rules
            entry = await self._refresh(where, entry)
            self._entries[where] = entry
            return entry.rules

    async def _refresh(self, where: str, old: _Entry | None) -> _Entry:
        now = self._clock()
        good = old.good if old else None
        try:
            page = await self._fetch(where, old.validators if old else None)
        except (
            exc.TooManyRedirects,
            exc.BadRedirect,
            exc.EmptyBody,
            exc.BodyTooLarge,
            exc.UnexpectedContentType,
        ) as error:
            rules = RobotsRules(where, "allow_all", reason=f"robots.txt unusable ({error.kind})")
            return _Entry(rules, now + self._ttl, None, rules)
        except exc.HTTPStatusError as error:
            if error.status >= 500 or error.status == 429:
                reason = f"robots.txt answered HTTP {error.status}"
                logger.warning(
                    "robots.txt unavailable",
                    extra={"event": "robots_unavailable", "url": where, "status": error.status},
                )
                kept = good or RobotsRules(where, "unavailable", reason=reason)
                return _Entry(kept, now + self._error_ttl, old.validators if old else None, good)
            rules = RobotsRules(where, "allow_all", reason=f"robots.txt is HTTP {error.status}")
            return _Entry(rules, now + self._ttl, None, rules)
        if page.not_modified and old is not None and old.good is not None:
            return _Entry(old.good, now + self._ttl, old.validators, old.good)
        if page.status >= 400:  # 404/410 come back as pages
            rules = RobotsRules(where, "allow_all", reason=f"no robots.txt (HTTP {page.status})")
            return _Entry(rules, now + self._ttl, None, rules)
        rules = RobotsRules.parse(where, page.text, self.agent)
        return _Entry(rules, now + self._ttl, page.validators, rules)
