"""The database as the throttle's host ledger: daemons sharing it share each host's pace.

:class:`DatabaseLedger` is a :class:`scraper.throttle.HostLedger` over ``storage.hosts``. Each
call is one short write transaction, run on a thread of its own so the event loop goes on
fetching during the round trip; one thread, so the ledger never takes more than one of the
pool's connections however many hosts are being fetched.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import socket
import uuid

import storage
from scraper.throttle import Turn


class DatabaseLedger:
    """Hosts' turns in the ``host_slots`` table of ``db``, held under this daemon's name.

    ``hold`` bounds how long a turn lasts if its release never comes (a daemon killed mid-
    request): make it the longest a request may take.
    """

    def __init__(
        self,
        db: storage.Database,
        *,
        hold: float,
        holder: str | None = None,
        max_pause: float = storage.MAX_PAUSE,
    ) -> None:
        self._db = db
        self._hold = hold
        self._max_pause = max_pause
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._thread = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="newswatch-hosts"
        )

    async def reserve(self, host: str, gap: float) -> Turn:
        future = self._thread.submit(self._reserve, host, gap)
        try:
            turn = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            # Cancelled mid-transaction (a shutdown), the reserve still commits: a turn it
            # grants is given back at once, not left to lapse after a whole hold.
            future.add_done_callback(functools.partial(self._give_back, host, gap))
            raise
        return Turn(granted=turn.granted, wait=turn.wait, pause_reason=turn.pause_reason)

    async def release(self, host: str, gap: float, *, pause: float = 0.0, reason: str = "") -> None:
        await asyncio.wrap_future(self._thread.submit(self._release, host, gap, pause, reason))

    def close(self) -> None:
        """Stop the ledger's thread (after the call it is running, if any)."""
        self._thread.shutdown(wait=True)

    def _reserve(self, host: str, gap: float) -> storage.HostTurn:
        with self._db.write_connection() as conn:
            return storage.reserve_host(
                conn,
                host=host,
                holder=self.holder,
                gap=gap,
                hold=self._hold,
                max_pause=self._max_pause,
            )

    def _give_back(
        self, host: str, gap: float, future: concurrent.futures.Future[storage.HostTurn]
    ) -> None:
        if future.cancelled() or future.exception() is not None or not future.result().granted:
            return
        # Closed meanwhile (RuntimeError): the turn lapses after its hold instead.
        with contextlib.suppress(RuntimeError):
            self._thread.submit(self._release, host, gap, 0.0, "")

    def _release(self, host: str, gap: float, pause: float, reason: str) -> None:
        with self._db.write_connection() as conn:
            storage.release_host(
                conn,
                host=host,
                holder=self.holder,
                gap=gap,
                pause=pause,
                reason=reason,
                max_pause=self._max_pause,
            )
