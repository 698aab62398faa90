"""Rows a block of recordings keeps in its session and writes when the block ends.

The batch writer records several pages in one transaction. Rows that are cheaper written
together (full-text rows, similarity rows) are held under a key of the session's ``info``
meanwhile, and written in a few statements at the block's end. A block opened inside another
holds nothing of its own: the outer block writes everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection
from sqlmodel import Session

Rows = TypeVar("Rows")


@contextmanager
def holding(
    s: Session, key: str, rows: Rows, write: Callable[[Rows, Connection], None]
) -> Iterator[None]:
    """Hold ``rows`` under ``key`` for the block, then ``write`` them (unless the block fails)."""
    if key in s.info:
        yield
        return
    s.info[key] = rows
    try:
        yield
    finally:
        del s.info[key]
    write(rows, s.connection())
