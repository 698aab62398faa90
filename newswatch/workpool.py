"""Worker processes for the bulk jobs (``newswatch reextract``, ``newswatch import`` of a WARC).

Both read pages in batches: while one batch is written in a short transaction, the workers
already read the next, so the parsing never holds a write transaction and the second core
does not sit idle. With no worker the pages are read in this process instead, at once (never
lazily inside the write transaction).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Protocol, TypeVar

from scheduler.extraction import usable_cores

# Each worker holds an extractor and a batch's share of pages: ~100 MB; more than a few
# workers would mostly fight over the same cores and the database's single writer.
MAX_WORKERS = 4

Item = TypeVar("Item")
Result = TypeVar("Result")


class MapItems(Protocol):
    """``map`` over a batch: its results in the batch's order, read when iterated."""

    def __call__(
        self, function: Callable[[Item], Result], items: list[Item]
    ) -> Iterator[Result]: ...


def worker_cores() -> int:
    """The cores this process may run on (:func:`scheduler.extraction.usable_cores`), at most
    :data:`MAX_WORKERS`."""
    return max(1, min(MAX_WORKERS, usable_cores()))


@contextmanager
def worker_map(workers: int) -> Iterator[MapItems]:
    """A :class:`MapItems` over ``workers`` processes, ended with the block; in this process
    when ``workers`` is 0."""
    if workers <= 0:
        yield _map_here
        return
    # spawn: the children never inherit this process's threads (the progress bar's) or its
    # database connections, and they are this process's own (their CPU time is counted).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_leave_interrupts_to_the_parent
    ) as pool:

        def map_there(function: Callable[[Item], Result], items: list[Item]) -> Iterator[Result]:
            chunk = max(1, len(items) // (4 * workers))
            return pool.map(function, items, chunksize=chunk)

        yield map_there


def _map_here(function: Callable[[Item], Result], items: list[Item]) -> Iterator[Result]:
    # list(): read now, not lazily inside the caller's write transaction.
    return iter([function(item) for item in items])


def _leave_interrupts_to_the_parent() -> None:
    """Ctrl-C reaches every process of the terminal: the parent stops the run and the pool,
    and a worker printing its own traceback would only bury the parent's message."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
