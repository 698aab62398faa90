"""Worker processes for the bulk commands (``newswatch reextract``, ``newswatch import``).

Both read a batch of pages outside any transaction and write it in one short transaction.
With workers, the pages of the next batch are extracted while the current one is written, so
extraction runs on the other cores and the writing process only writes.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Protocol, TypeVar

from scheduler.extraction import usable_cores

In = TypeVar("In")
Out = TypeVar("Out")
# Each worker holds an extractor and a batch's share of pages: ~100 MB; more than a few
# workers would mostly fight over the same cores and the database's single writer.
MAX_WORKERS = 4


class MapItems(Protocol):
    """``fn`` over ``items``, the work submitted at once; iterating the result waits for it."""

    def __call__(self, fn: Callable[[In], Out], items: list[In], /) -> Iterator[Out]: ...


def default_workers(big: bool) -> int:
    """Worker processes for a run: none (this process) for a small one, else one per core."""
    return max(1, min(MAX_WORKERS, usable_cores())) if big else 1


@contextmanager
def mapper(workers: int) -> Iterator[MapItems]:
    """A :class:`MapItems` that works in ``workers`` processes, or in this one."""
    if workers <= 1:
        yield _here
        return
    # spawn: the children never inherit this process's threads (the progress bar's) or its
    # database connections, and they are this process's own (their CPU time is counted).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_leave_interrupts_to_the_parent
    ) as pool:
        yield _InPool(pool, workers)


def _here(fn: Callable[[In], Out], items: list[In], /) -> Iterator[Out]:
    # list(): the work is done now, in this process, not lazily during the write.
    return iter(list(map(fn, items)))


class _InPool:
    def __init__(self, pool: ProcessPoolExecutor, workers: int) -> None:
        self._pool = pool
        self._workers = workers

    def __call__(self, fn: Callable[[In], Out], items: list[In], /) -> Iterator[Out]:
        chunk = max(1, len(items) // (4 * self._workers))
        return self._pool.map(fn, items, chunksize=chunk)


def _leave_interrupts_to_the_parent() -> None:
    """Ctrl-C reaches every process of the terminal: the parent stops the run and the pool,
    and a worker printing its own traceback would only bury the parent's message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
