"""Hosts' turns shared by every daemon on the database: one request at a time, spaced, paused.

A daemon takes a host (:func:`reserve_host`) before each request to it and gives it back
(:func:`release_host`) when the request has ended. While one daemon holds a host no other starts
a request there, and after the release no request starts for ``gap`` seconds: the gap the
*server* sees between two requests is never shorter, whichever daemons made them. A pause
(Retry-After, a failing host's backoff) recorded by one daemon holds every daemon back.

Every time is the database's own clock (PostgreSQL ``clock_timestamp()``), so daemons on
machines whose clocks disagree still agree; callers only sleep the durations they are given.
On SQLite every daemon shares one machine, and Python's clock is the database's. A daemon that
dies holding a host holds it back no longer than the ``hold`` it asked for.

Each function runs in the caller's write transaction (``Database.write_connection``): the host's
row is locked first by an upsert (PostgreSQL's row lock; on SQLite the transaction's
``BEGIN IMMEDIATE`` already holds the write lock), so two daemons never both take a host.
Keep that transaction to the one call: other daemons wait on the row while it is open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, literal, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite

from storage.columns import UTCDateTime
from storage.models import HostSlot

HOST_SLOTS = HostSlot.__table__  # type: ignore[attr-defined]
# A host held by another daemon is looked at again at most this often, however small its gap.
MIN_POLL = 0.05
# No pause is longer than this, whatever a server asked for or an older version stored.
MAX_PAUSE = 6 * 3600.0


@dataclass(frozen=True, slots=True)
class HostTurn:
    """The host is the caller's now (``granted``), or ask again after ``wait`` seconds."""

    granted: bool
    wait: float = 0.0
    pause_reason: str | None = None  # set when a pause (not the gap or a holder) decides it


def reserve_host(
    conn: Connection,
    *,
    host: str,
    holder: str,
    gap: float,
    hold: float,
    max_pause: float = MAX_PAUSE,
) -> HostTurn:
    """Take ``host`` for one request if it is free and due; else say how long to wait.

    Free: nobody else holds it (or their hold has run out). Due: ``gap`` has passed since the
    last request ended and no pause runs. A granted turn holds the host until its release, or
    for ``hold`` seconds if the release never comes (a daemon killed mid-request).
    """
    row = _locked(conn, host)
    now = row.now
    # A pause stored further out than max_pause (a Retry-After of 9999 years believed by an
    # older version) ends max_pause from now, not in the year 9999.
    paused_until = (
        min(row.paused_until, now + timedelta(seconds=max_pause))
        if row.paused_until is not None
        else None
    )
    start = max(now, row.next_start, paused_until or now)
    wait = (start - now).total_seconds()
    paused = paused_until is not None and paused_until >= start and wait > 0
    reason = (row.pause_reason or "paused") if paused else None
    if row.holder not in (None, holder) and row.held_until is not None and row.held_until > now:
        # Someone's request is in flight: look again no later than one gap on, so a waiter
        # sees the host free (and its next start) before that start comes.
        held = (row.held_until - now).total_seconds()
        return HostTurn(False, max(wait, min(max(gap, MIN_POLL), held)), reason)
    if wait > 0:
        return HostTurn(False, wait, reason)
    _write(
        conn,
        host,
        holder=holder,
        held_until=now + timedelta(seconds=hold),
        next_start=now + timedelta(seconds=gap),
    )
    return HostTurn(True)


def release_host(
    conn: Connection,
    *,
    host: str,
    holder: str,
    gap: float,
    pause: float = 0.0,
    reason: str = "",
    max_pause: float = MAX_PAUSE,
) -> None:
    """Give ``host`` back after a request: no start for ``gap`` seconds (or ``pause``) from now.

    A hold that ran out and was taken by someone else stays theirs.
    """
    row = _locked(conn, host)
    values: dict[str, Any] = {"next_start": max(row.next_start, row.now + timedelta(seconds=gap))}
    if row.holder == holder:
        values.update(holder=None, held_until=None)
    values.update(
        _pause_values(row, min(pause, max_pause) if math.isfinite(pause) else max_pause, reason)
    )
    _write(conn, host, **values)


def _pause_values(row: Row[Any], seconds: float, reason: str) -> dict[str, Any]:
    until = row.now + timedelta(seconds=seconds)
    if seconds <= 0 or (row.paused_until is not None and row.paused_until >= until):
        return {}
    return {"paused_until": until, "pause_reason": reason}


def _locked(conn: Connection, host: str) -> Row[Any]:
    """The host's row (made at its first use), locked until commit, with the database's now."""
    postgres = conn.dialect.name == "postgresql"
    now = (
        type_coerce(func.clock_timestamp(), UTCDateTime())
        if postgres
        else literal(datetime.now(UTC), UTCDateTime())
    )
    insert = (postgresql if postgres else sqlite).insert(HOST_SLOTS)
    stmt = (
        insert.values(host=host, next_start=now)
        # A no-op update: it locks an existing row as an UPDATE would, and returns it.
        .on_conflict_do_update(
            index_elements=[HOST_SLOTS.c.host], set_={"host": insert.excluded.host}
        )
        .returning(
            HOST_SLOTS.c.next_start,
            HOST_SLOTS.c.holder,
            HOST_SLOTS.c.held_until,
            HOST_SLOTS.c.paused_until,
            HOST_SLOTS.c.pause_reason,
            now.label("now"),
        )
    )
    return conn.execute(stmt).one()


def _write(conn: Connection, host: str, **values: Any) -> None:
    conn.execute(update(HOST_SLOTS).where(HOST_SLOTS.c.host == host).values(**values))
