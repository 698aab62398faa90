"""Group commit for the article step's recordings: the writes waiting are committed together.

Recording a page is a dozen statements and a commit; the commit (SQLite writing its WAL pages,
a PostgreSQL round trip and WAL flush) cost as much as a third of it. So the article step hands
its write to :class:`BatchWriter` and awaits the outcome: the writer runs every write waiting
when it gets to them in one transaction, on a thread of its own, so fetching and extracting go
on meanwhile. A lone page is written at once. A write waits only for pages the writer was told
are on their way (:meth:`BatchWriter.coming`: new articles being read), until a few are
waiting or for a few hundredths of a second at most: on SQLite the writer kept up with the
extraction process, so its batches held one or two pages and each paid a commit of its own.

Each write keeps its own guarantees. Its rows (version, snapshot, story, alert, reschedule) are
committed in one transaction, together or not at all; a crash before the commit loses the
batch's writes only, and their articles, still leased, are fetched again when the leases expire,
as after a crash in the middle of a fetch. A write that fails does not take the others with it:
the batch is rolled back and every write of it is run again alone, in a transaction of its own,
so only the failing one fails (failures are rare, so this costs less than a savepoint around
every write, two more statements each).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlmodel import Session

import storage

logger = logging.getLogger(__name__)
T = TypeVar("T")
# A transaction holds SQLite's write lock to its end: a bound on how long other writers wait.
MAX_BATCH = 32
# A batch waits for pages on their way until this many writes are waiting, or this long. Few
# enough that the pages still being read keep the extraction process busy meanwhile (SQLite
# has 8 recording places, scheduler.worker.recording_depth); short beside a news alert's wait.
GATHER = 4
GATHER_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class _Write:
    work: Callable[[Session], Any]
    done: asyncio.Future[Any]


@dataclass(frozen=True, slots=True)
class _Result:
    value: Any = None
    error: BaseException | None = None


class BatchWriter:
    """Runs writes handed over from the event loop in shared transactions (module docstring).

    ``threaded=False`` writes on the event loop itself, still batched: an in-memory SQLite
    database has one connection, which another thread must not use while the loop does.
    """

    def __init__(self, db: storage.Database, *, threaded: bool = True) -> None:
        self._db = db
        self._pending: list[_Write] = []
        self._draining: asyncio.Task[None] | None = None
        # Writes announced and not yet handed over, and what a gathering batch waits on.
        self._coming = 0
        self._changed: asyncio.Future[None] | None = None
        self._thread = (
            concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="newswatch-record"
            )
            if threaded
            else None
        )
        # For benchmarks and tests: transactions committed, writes in them, the largest batch,
        # and the wall and CPU seconds of the writing (CPU of the thread that ran it).
        self.batches = 0
        self.writes = 0
        self.largest = 0
        self.busy_seconds = 0.0
        self.cpu_seconds = 0.0

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a write transaction (shared with other writes); what it returned.

        ``work`` may run twice (its batch failed, it is run again alone): apart from logging,
        it must not have effects outside the session. If the caller is cancelled, the write
        still happens.
        """
        loop = asyncio.get_running_loop()
        write = _Write(work, loop.create_future())
        self._pending.append(write)
        self._wake()
        if self._draining is None or self._draining.done():
            self._draining = loop.create_task(self._drain())
        return cast(T, await asyncio.shield(write.done))

    @contextmanager
    def coming(self) -> Iterator[None]:
        """Announce a write that will most likely be handed over when the block ends (a new
        article's page being read): batches waiting to be written wait for it a little."""
        self._coming += 1
        try:
            yield
        finally:
            self._coming -= 1
            self._wake()

    def _wake(self) -> None:
        if self._changed is not None and not self._changed.done():
            self._changed.set_result(None)

    async def _drain(self) -> None:
        if self._thread is None:
            # Let the pages that are ready now reach write() first, to share the transaction.
            await asyncio.sleep(0)
        while self._pending:
            await self._gather()
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            if self._thread is None:
                results = self._write_all(batch)
            else:
                loop = asyncio.get_running_loop()
                results = await loop.run_in_executor(self._thread, self._write_all, batch)
            for write, result in zip(batch, results, strict=True):
                if result.error is not None:
                    write.done.set_exception(result.error)
                else:
                    write.done.set_result(result.value)

    async def _gather(self) -> None:
        """Wait while announced pages may still join the batch (see GATHER)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GATHER_SECONDS
        while self._coming and len(self._pending) < GATHER:
            self._changed = loop.create_future()
            try:
                async with asyncio.timeout_at(deadline):
                    await self._changed
            except TimeoutError:
                return
            finally:
                self._changed = None

    def close(self) -> None:
        """End the writer's thread once the writes handed to it are done (the runtime's exit).

        A write handed over afterwards runs on the event loop, still batched.
        """
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None

    def _write_all(self, batch: list[_Write]) -> list[_Result]:
        started, cpu = time.perf_counter(), time.thread_time()
        results = self._write_batch(batch)
        busy, cpu = time.perf_counter() - started, time.thread_time() - cpu
        self.busy_seconds += busy
        self.cpu_seconds += cpu
        self.largest = max(self.largest, len(batch))
        # Whether the batches grow when pages come faster than they are written, and what a
        # write costs: the questions the daemon's rate raises first.
        logger.debug(
            "recordings written",
            extra={
                "event": "record_batch",
                "writes": len(batch),
                "waiting": len(self._pending),
                "seconds": round(busy, 4),
                "cpu_seconds": round(cpu, 4),
            },
        )
        return results

    def _write_batch(self, batch: list[_Write]) -> list[_Result]:
        try:
            with self._db.transaction() as session, storage.index_rows_last(session):
                values = [write.work(session) for write in batch]
        except Exception as error:
            if len(batch) == 1:
                return [_Result(error=error)]
            logger.warning(
                "a batch of recordings failed: writing each alone",
                extra={"event": "record_batch_failed", "writes": len(batch), "error": str(error)},
            )
            return [self._write_alone(write) for write in batch]
        self.batches += 1
        self.writes += len(batch)
        return [_Result(value) for value in values]

    def _write_alone(self, write: _Write) -> _Result:
        try:
            with self._db.transaction() as session:
                value = write.work(session)
        except Exception as error:
            return _Result(error=error)
        self.batches += 1
        self.writes += 1
        return _Result(value)
