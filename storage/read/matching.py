"""Filtering a listing on its text, for a predicate storage cannot express in SQL.

Matching a *topic query* needs ``scraper.topic``, which storage must not import, so callers pass
a predicate over the stored text and the listing is walked here in batches, reading only ids and
text; whole rows are loaded afterwards for the few that match, keeping ``limit``/``offset`` exact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

TextMatcher = Callable[[str], bool]
"""Called with a version's title, subtitle and body joined by newlines."""

BATCH = 500  # rows read per query while walking a listing


def joined_text(*parts: str | None) -> str:
    """The text a :data:`TextMatcher` sees: the non-empty parts, one per line."""
    return "\n".join(part for part in parts if part)


def matching_ids(
    s: Session,
    stmt: Any,
    matches: TextMatcher,
    *,
    need: int,
    scan: int | None,
    text: Callable[[Any], str] = lambda row: joined_text(*row[1:]),
) -> list[int]:
    """Ids (the first column of ``stmt``'s rows) whose ``text`` ``matches``, in ``stmt``'s
    order, until ``need`` are found or ``scan`` rows were read (``None``: no bound)."""
    kept: list[int] = []
    start = 0
    while len(kept) < need and (scan is None or start < scan):
        size = BATCH if scan is None else min(BATCH, scan - start)
        batch = s.execute(stmt.offset(start).limit(size)).all()
        if not batch:
            break
        start += len(batch)
        for row in batch:
            if matches(text(row)):
                kept.append(row[0])
                if len(kept) == need:
                    break
    return kept
