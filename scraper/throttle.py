"""Per-host politeness: a concurrency cap, a minimum delay, pauses and backoff; a global cap.

One :class:`Throttle` per daemon. Every request (robots.txt included) takes a slot for its host
(``scheme://host:port``). With a ``delay`` (default), a host gets one request at a time, each
starting at least ``delay`` after the previous one *ended*: only that guarantees that the gap the
*server* sees between two requests is never shorter than the delay (spacing the starts of
concurrent requests does not: their arrival order and timing are the network's). With no delay,
up to ``per_host`` requests are in flight at once. ``Crawl-delay`` from robots.txt raises the
delay; ``Retry-After`` on a 429/503 pauses the whole host; connection errors and 5xx back off
exponentially (with jitter) until a request succeeds again.

A wait longer than ``max_wait`` is not slept through: :class:`HostPaused` tells the caller how
long, so a daemon reschedules the work instead of holding a worker for an hour.
Clock, sleep and randomness are injected, so tests run a paused host in no time.

Several daemons on one database would each keep these rules to themselves and give a host N
times the rate. A :class:`HostLedger` (the database's, in ``scheduler.ledger``) extends the
delay rule across them: while a delay applies, a request also needs the host's turn from the
ledger, which no other daemon holds until the request has ended and the delay has passed since,
and pauses (Retry-After, backoff) seen by one daemon are written there for all. With no delay
the ledger is never asked. A ledger that fails is logged and left alone for a few seconds: the
fetch goes on under this daemon's own rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)
Clock = Callable[[], float]
# The defaults of [fetch] concurrency and host_backoff: the configuration takes them from here,
# so what a Throttle built without settings does is what a daemon without settings does.
GLOBAL_CONCURRENCY = 8
HOST_BACKOFF = 5.0
Sleep = Callable[[float], Awaitable[None]]
LEDGER_RETRY = 5.0  # after a ledger failure, pace hosts locally this long before asking again
LEDGER_WARN_EVERY = 60.0  # one warning per minute at most while the ledger keeps failing


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottleSettings:
    """The politeness limits; every duration is in seconds."""

    per_host: int = 2
    delay: float = 1.0
    global_concurrency: int = GLOBAL_CONCURRENCY
    max_wait: float = 30.0
    backoff_base: float = HOST_BACKOFF
    backoff_cap: float = 3600.0
    jitter: float = 0.2
    max_crawl_delay: float = 120.0
    max_pause: float = 6 * 3600.0  # the longest pause anything a server says can cause


class HostPaused(Exception):  # noqa: N818 - an expected outcome, turned into a value by callers
    """The host may not be asked for ``wait`` more seconds (longer than ``max_wait``)."""

    def __init__(self, host: str, wait: float, reason: str) -> None:
        super().__init__(f"{host} paused for {wait:.0f}s: {reason}")
        self.host, self.wait, self.reason = host, wait, reason


@dataclass(frozen=True, slots=True)
class Turn:
    """A ledger's answer: the host is this daemon's now, or ask again after ``wait`` seconds."""

    granted: bool
    wait: float = 0.0
    pause_reason: str | None = None  # set when a pause (not the delay) decides the wait


class HostLedger(Protocol):
    """Turns at hosts shared by every daemon that uses the same ledger.

    The ledger keeps time by its own clock; a daemon only sleeps the durations it is given, so
    daemons whose clocks disagree still agree on the spacing.
    """

    async def reserve(self, host: str, gap: float) -> Turn:
        """Take ``host`` if nobody holds it, it is not paused and its next start has come."""
        ...

    async def release(self, host: str, gap: float, *, pause: float = 0.0, reason: str = "") -> None:
        """Give ``host`` back: no start for ``gap`` seconds from now (``pause``: not before)."""
        ...


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    serial: asyncio.Lock
    next_start: float = 0.0  # monotonic time before which no request may start
    paused_until: float = 0.0
    pause_reason: str = ""
    failures: int = 0
    crawl_delay: float = 0.0
    min_delay: float = 0.0  # what a caller declared for this host (an API's asked-for pace)
    in_flight: int = 0
    unshared_pause: bool = False  # paused_until is this daemon's news, owed to the ledger


def host_key(url: str) -> str:
    """The politeness unit of a URL: scheme, host and port (as robots.txt scopes itself)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


class Throttle:
    """Slots, delays and pauses for every host this daemon talks to."""

    def __init__(
        self,
        settings: ThrottleSettings | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        ledger: HostLedger | None = None,
    ) -> None:
        self.settings = settings or ThrottleSettings()
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._hosts: dict[str, _Host] = {}
        self._global = asyncio.Semaphore(self.settings.global_concurrency)
        self._ledger = ledger
        self._ledger_off_until = float("-inf")
        self._ledger_warned_at: float | None = None
        self._ledger_failures = 0  # since the last warning

    def _host(self, key: str) -> _Host:
        found = self._hosts.get(key)
        if found is None:
            found = self._hosts[key] = _Host(
                asyncio.Semaphore(self.settings.per_host), asyncio.Lock()
            )
        return found

    @property
    def in_flight(self) -> int:
        """Requests under way now, every host together (what keeps the fetching deep)."""
        return sum(host.in_flight for host in self._hosts.values())

    def delay_of(self, url: str) -> float:
        """The minimum gap between two requests to this URL's host."""
        return self._delay(self._host(host_key(url)))

    def _delay(self, host: _Host) -> float:
        return max(self.settings.delay, host.crawl_delay, host.min_delay)

    def set_min_delay(self, url: str, seconds: float) -> None:
        """A pace the caller knows this URL's host asks for (GDELT: one request every 5 s).

        Kept apart from robots.txt's Crawl-delay, which is set again on every hop: the larger
        of the two (and of the configured delay) applies. Not capped by ``max_crawl_delay``:
        the caller chose it, not the server.
        """
        self._host(host_key(url)).min_delay = max(seconds, 0.0) if math.isfinite(seconds) else 0.0

    def set_crawl_delay(self, url: str, seconds: float | None) -> None:
        """What robots.txt asks for (capped: a typo of 86400 must not stop a host for a day)."""
        self._host(host_key(url)).crawl_delay = min(
            max(seconds or 0.0, 0.0), self.settings.max_crawl_delay
        )

    def pause(self, url: str, seconds: float, reason: str) -> None:
        """Ask nothing of this URL's host for ``seconds`` (Retry-After applies to the host),
        at most ``max_pause``."""
        seconds = (
            min(seconds, self.settings.max_pause)
            if math.isfinite(seconds)
            else self.settings.max_pause
        )
        host = self._host(host_key(url))
        if self._pause_locally(host, seconds, reason):
            host.unshared_pause = True

    def failed(self, url: str, reason: str) -> float:
        """A connection error or 5xx: back the host off exponentially; returns the pause."""
        host = self._host(host_key(url))
        host.failures += 1
        s = self.settings
        seconds: float = min(s.backoff_base * 2.0 ** min(host.failures - 1, 30), s.backoff_cap)
        seconds *= self._rng.uniform(1 - s.jitter, 1 + s.jitter)
        self.pause(url, seconds, f"{reason} ({host.failures} failure(s) in a row)")
        return seconds

    def succeeded(self, url: str) -> None:
        """A good answer ends the host's failure streak (the pause already set still runs)."""
        self._host(host_key(url)).failures = 0

    def wait_for(self, url: str) -> float:
        """Seconds before this URL's host may be asked again (0: now)."""
        host = self._host(host_key(url))
        return max(0.0, max(host.next_start, host.paused_until) - self._clock())

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold a request slot for ``url``'s host; raises :class:`HostPaused` for long waits."""
        key = host_key(url)
        host = self._host(key)
        self._check_pause(key, host)
        one_at_a_time = host.serial if self._delay(host) > 0 else contextlib.nullcontext()
        async with host.slots, one_at_a_time:
            while True:
                now = self._clock()
                start = max(now, host.next_start, host.paused_until)
                if start - now > self.settings.max_wait:
                    reason = host.pause_reason if host.paused_until >= start else "crawl delay"
                    raise HostPaused(key, start - now, reason)
                # Reserve the start at once, so the next caller queues a full delay behind it.
                host.next_start = start + self._delay(host)
                if start > now:
                    await self._sleep(start - now)
                if host.paused_until <= self._clock():
                    break  # otherwise a Retry-After arrived while we slept: wait for it too
            # The ledger's turn is taken inside the global slot, so a granted turn is used at
            # once: waiting for a global slot while holding the host would hold up every daemon.
            async with self._global:
                shared = await self._take_turn(key, host, self._delay(host))
                host.in_flight += 1
                try:
                    yield
                finally:
                    host.in_flight -= 1
                    # Measured from the end too: a slow response must not shrink the next gap.
                    host.next_start = max(host.next_start, self._clock() + self._delay(host))
                    if shared:
                        await self._release(key, host, self._delay(host))

    async def _take_turn(self, key: str, host: _Host, gap: float) -> bool:
        """Wait for the host's turn in the ledger; False: no ledger to ask, local rules only."""
        if self._ledger is None or gap <= 0 or self._clock() < self._ledger_off_until:
            return False
        while True:
            try:
                turn = await self._ledger.reserve(key, gap)
            except Exception as error:  # politeness bookkeeping must never fail a fetch
                self._ledger_failed("reserve", key, error)
                return False
            if turn.granted:
                return True
            if turn.pause_reason is not None:
                # Another daemon's pause: remembered here, so the next request is refused
                # without asking the ledger (and not written back to it as this daemon's news).
                self._pause_locally(host, turn.wait, turn.pause_reason)
            if turn.wait > self.settings.max_wait:
                raise HostPaused(key, turn.wait, turn.pause_reason or "crawl delay")
            await self._sleep(turn.wait)

    async def _release(self, key: str, host: _Host, gap: float) -> None:
        assert self._ledger is not None
        pause, reason = 0.0, ""
        if host.unshared_pause:
            host.unshared_pause = False
            pause, reason = max(0.0, host.paused_until - self._clock()), host.pause_reason
        try:
            await self._ledger.release(key, gap, pause=pause, reason=reason)
        except Exception as error:  # the turn then lapses by itself (the ledger's hold)
            self._ledger_failed("release", key, error)

    def _ledger_failed(self, action: str, key: str, error: Exception) -> None:
        now = self._clock()
        self._ledger_off_until = now + LEDGER_RETRY
        self._ledger_failures += 1
        if self._ledger_warned_at is not None and now - self._ledger_warned_at < LEDGER_WARN_EVERY:
            return
        logger.warning(
            "host ledger failed: pacing hosts by this daemon's own rules for now",
            extra={
                "event": "host_ledger_failed",
                "action": action,
                "host": key,
                "error": f"{type(error).__name__}: {error}",
                "failures": self._ledger_failures,
            },
        )
        self._ledger_warned_at, self._ledger_failures = now, 0

    def _pause_locally(self, host: _Host, seconds: float, reason: str) -> bool:
        until = self._clock() + seconds
        if until <= host.paused_until:
            return False
        host.paused_until, host.pause_reason = until, reason
        return True

    def _check_pause(self, key: str, host: _Host) -> None:
        wait = host.paused_until - self._clock()
        if wait > self.settings.max_wait:
            raise HostPaused(key, wait, host.pause_reason)
