"""The database check behind ``/healthz``, kept fresh in the background.

A health probe must not wait in line behind the readers' requests, or a busy server looks
dead. So ``/healthz`` runs on the event loop and reads the last answer to ``select 1``; that
answer is refreshed on a thread of its own (never one of the request threads) at most once
a second, when probes keep coming. A probe waits for the query only when the last answer is
too old to stand for the database now (the first probe, or the first after a quiet spell), and
then no longer than ``STALE_AFTER``: a database that does not answer by then is reported so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import anyio
import anyio.to_thread
from sqlalchemy import text

import storage

REFRESH_EVERY = 1.0
STALE_AFTER = 10.0


class DatabaseProbe:
    """``await probe.state()``: "ok", or what went wrong, as of at most a few seconds ago."""

    def __init__(
        self,
        db: storage.Database,
        *,
        clock: Callable[[], float] = time.monotonic,
        stale_after: float = STALE_AFTER,
    ) -> None:
        self._db = db
        self._clock = clock
        self._stale_after = stale_after
        self._threads = anyio.CapacityLimiter(1)
        self._result: tuple[float, str] | None = None
        self._refreshing: asyncio.Task[None] | None = None
        self._asked_at = 0.0

    async def state(self) -> str:
        now = self._clock()
        if self._result is None or now - self._result[0] > REFRESH_EVERY:
            self._refresh_soon(now)
        if self._result is None or now - self._result[0] > self._stale_after:
            # Monitors probe every 10 to 30 s: an answer that old says nothing of the database
            # now, and reporting its age as a failure made every such probe fail.
            await self._wait_for_refresh(now)
        pending = self._refreshing is not None and not self._refreshing.done()
        waited = self._clock() - self._asked_at
        if self._result is None or (pending and waited >= self._stale_after):
            return f"error: no answer for {waited:.0f}s"
        return self._result[1]

    def _refresh_soon(self, now: float) -> None:
        if self._refreshing is None or self._refreshing.done():
            self._asked_at = now
            self._refreshing = asyncio.create_task(self._refresh())

    async def _wait_for_refresh(self, now: float) -> None:
        assert self._refreshing is not None
        left = self._stale_after - (now - self._asked_at)
        if left > 0:
            # asyncio.wait leaves the refresh running when the time is up: its answer, when it
            # comes, serves the next probe.
            await asyncio.wait({self._refreshing}, timeout=left)

    async def _refresh(self) -> None:
        started = self._clock()
        result = await anyio.to_thread.run_sync(_ping, self._db, limiter=self._threads)
        self._result = (started, result)


def _ping(db: storage.Database) -> str:
    try:
        with db.session() as session:
            session.exec(text("select 1"))  # type: ignore[call-overload]
        return "ok"
    except Exception as error:  # any failure to answer is the thing being reported
        return f"error: {type(error).__name__}"
