"""The database check behind ``/healthz``, kept fresh in the background.

A health probe must not wait in line behind the readers' requests, or a busy server looks
dead. So ``/healthz`` runs on the event loop and reads the last answer to ``select 1``; that
answer is refreshed on a thread of its own (never one of the request threads) at most once
a second, when probes keep coming. Only the very first probe waits for the query.
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
        self, db: storage.Database, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._db = db
        self._clock = clock
        self._threads = anyio.CapacityLimiter(1)
        self._result: tuple[float, str] | None = None
        self._refreshing: asyncio.Task[None] | None = None

    async def state(self) -> str:
        now = self._clock()
        if self._result is None:
            await self._refresh()
        elif now - self._result[0] > REFRESH_EVERY and (
            self._refreshing is None or self._refreshing.done()
        ):
            self._refreshing = asyncio.create_task(self._refresh())
        assert self._result is not None
        at, result = self._result
        age = self._clock() - at
        if age > STALE_AFTER:
            return f"error: no answer for {age:.0f}s"
        return result

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
