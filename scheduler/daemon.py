"""The daemon: APScheduler jobs around the worker and the deliverer, and a graceful stop.

Per-URL due times live in the database, not in APScheduler's job store (DESIGN.md): the
scheduler only ticks. A tick works pass after pass for as long as passes come back full (a
backlog is worked off at the pace the machine allows, not one batch per tick); a tick that
finds the previous one still working leaves it to carry on. On SIGTERM/SIGINT the daemon stops
claiming, lets in-flight work finish within the grace period (cancelling it after that, leases
released), flushes alerts, and returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scheduler.delivery import Deliverer
from scheduler.worker import PassReport, Worker

T = TypeVar("T")

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Liveness:
    """What ``/healthz`` reports about the daemon's loop."""

    alive: bool
    last_tick_at: datetime | None
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DaemonTiming:
    tick: timedelta = timedelta(seconds=5)
    deliver_every: timedelta = timedelta(seconds=5)
    shutdown_grace: timedelta = timedelta(seconds=20)


class Daemon:
    """Runs the worker and the deliverer on a timer until told to stop."""

    def __init__(self, *, worker: Worker, deliverer: Deliverer, timing: DaemonTiming) -> None:
        self._worker = worker
        self._deliverer = deliverer
        self._timing = timing
        self._stop = asyncio.Event()
        self._in_flight: set[asyncio.Task[object]] = set()
        self._running = False
        self._working = False  # a tick's passes are under way
        self.last_tick_at: datetime | None = None
        self.passes: list[PassReport] = []

    def liveness(self) -> Liveness:
        """Alive while running and ticking: a stuck loop stops ticking and turns unhealthy."""
        now = datetime.now(UTC)
        allowed = self._timing.tick * 3 + self._timing.shutdown_grace
        if not self._running:
            return Liveness(alive=False, last_tick_at=self.last_tick_at, detail="not running")
        # A long pass through a backlog claims batch after batch: that is progress too.
        seen = [t for t in (self.last_tick_at, self._worker.last_claim_at) if t is not None]
        last = max(seen, default=None)
        if last is None or now - last > allowed:
            return Liveness(
                alive=False,
                last_tick_at=last,
                detail=f"no tick for more than {allowed.total_seconds():.0f}s",
            )
        return Liveness(alive=True, last_tick_at=last, detail="ticking")

    def stop(self) -> None:
        """Ask the daemon to stop (what SIGTERM and SIGINT do)."""
        self._stop.set()

    async def run(self, *, handle_signals: bool = True) -> None:
        """Run until :meth:`stop` or a signal; returns after a graceful shutdown."""
        loop = asyncio.get_running_loop()
        if handle_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self.stop)
        scheduler = AsyncIOScheduler(event_loop=loop)
        start = datetime.now(scheduler.timezone)
        # Two instances: a tick that fires while a long one works returns at once (see _tick)
        # instead of being refused by APScheduler with a warning every tick.
        scheduler.add_job(
            self._tick,
            "interval",
            seconds=self._timing.tick.total_seconds(),
            max_instances=2,
            coalesce=True,
            id="due-work",
            next_run_time=start,
        )
        scheduler.add_job(
            self._deliver,
            "interval",
            seconds=self._timing.deliver_every.total_seconds(),
            max_instances=1,
            coalesce=True,
            id="deliver-alerts",
            next_run_time=start,
        )
        scheduler.start()
        self._running = True
        logger.info("daemon started", extra={"event": "daemon_started"})
        try:
            await self._stop.wait()
        finally:
            self._running = False
            scheduler.shutdown(wait=False)
            await self._drain()
            if handle_signals:
                for signum in (signal.SIGTERM, signal.SIGINT):
                    loop.remove_signal_handler(signum)
            logger.info("daemon stopped", extra={"event": "daemon_stopped"})

    async def _tick(self) -> None:
        """Work passes back to back while they come back full; then wait for the next tick."""
        if self._working:
            return  # the tick under way claims again as soon as its pass is done
        self._working = True
        try:
            while not self._stop.is_set():
                self.last_tick_at = datetime.now(UTC)
                report = await self._tracked(self._worker.run_due())
                if not isinstance(report, PassReport) or not report.more_due:
                    break
        finally:
            self._working = False

    async def _deliver(self) -> None:
        await self._tracked(self._deliverer.deliver())

    async def _tracked(self, work: Coroutine[Any, Any, T]) -> T | None:
        task = asyncio.ensure_future(work)
        self._in_flight.add(task)
        try:
            result = await asyncio.shield(task)
            if isinstance(result, PassReport):
                self.passes.append(result)
            return result
        except Exception:
            logger.exception("a daemon job failed; it runs again at the next tick")
            return None
        finally:
            self._in_flight.discard(task)

    async def _drain(self) -> None:
        self._worker.accepting = False
        pending = {task for task in self._in_flight if not task.done()}
        if pending:
            _, late = await asyncio.wait(
                pending, timeout=self._timing.shutdown_grace.total_seconds()
            )
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        # Whatever was claimed but not finished goes back to the frontier at once.
        self._worker.release()
        try:
            await self._deliverer.deliver()
        except Exception:
            logger.exception("could not flush alerts at shutdown; they stay in the outbox")
