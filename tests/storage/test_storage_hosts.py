"""Hosts' shared turns: held one at a time, spaced by the gap after each release, paused for all.

Each "daemon" is its own :class:`storage.Database` (its own connections) on the same database.
The times are the database's, so these tests sleep what the ledger answers (fractions of a
second); what they assert is ordering, never speed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

import storage

HOST = "https://news.example:443"
GAP = 0.1
HOLD = 30.0


@pytest.fixture
def other(db: storage.Database) -> Iterator[storage.Database]:
    """A second daemon's view of the same database."""
    with storage.open_database(db.url, create_tables=False) as second:
        yield second


def reserve(
    db: storage.Database, holder: str, *, gap: float = GAP, hold: float = HOLD
) -> storage.HostTurn:
    with db.write_connection() as conn:
        return storage.reserve_host(conn, host=HOST, holder=holder, gap=gap, hold=hold)


def release(db: storage.Database, holder: str, *, pause: float = 0.0, reason: str = "") -> None:
    with db.write_connection() as conn:
        storage.release_host(conn, host=HOST, holder=holder, gap=GAP, pause=pause, reason=reason)


def take(db: storage.Database, holder: str, *, hold: float = HOLD) -> None:
    """Wait for the host's turn as a daemon does: ask, sleep what the ledger says, ask again."""
    for _ in range(1000):
        turn = reserve(db, holder, hold=hold)
        if turn.granted:
            return
        assert 0 < turn.wait <= max(GAP, storage.hosts.MIN_POLL) + 1, turn
        time.sleep(turn.wait)
    raise AssertionError("never granted")


def test_a_held_host_waits_for_its_release_then_for_the_gap(
    db: storage.Database, other: storage.Database
) -> None:
    assert reserve(db, "a").granted
    busy = reserve(other, "b")
    assert not busy.granted and busy.wait > 0 and busy.pause_reason is None
    released_at = time.monotonic()
    release(db, "a")
    after = reserve(other, "b")
    assert not after.granted and 0 < after.wait <= GAP, "the gap runs from the release"
    take(other, "b")
    assert time.monotonic() - released_at >= GAP
    with db.session() as s:
        [row] = s.exec(select(storage.HostSlot)).all()
    assert (row.host, row.holder) == (HOST, "b")


def test_a_pause_recorded_by_one_daemon_holds_back_another(
    db: storage.Database, other: storage.Database
) -> None:
    assert reserve(db, "a").granted
    release(db, "a", pause=120, reason="HTTP 429 Retry-After 120s")
    turn = reserve(other, "b")
    assert not turn.granted and 115 <= turn.wait <= 120
    assert turn.pause_reason == "HTTP 429 Retry-After 120s"
    # A shorter pause does not cut a longer one short; a longer one extends it.
    release(other, "b", pause=5, reason="connect (1 failure(s) in a row)")
    assert reserve(db, "a").pause_reason == "HTTP 429 Retry-After 120s"
    release(other, "b", pause=600, reason="HTTP 503 Retry-After 600s")
    turn = reserve(db, "a")
    assert turn.wait > 500 and turn.pause_reason == "HTTP 503 Retry-After 600s"


def test_a_holder_that_never_releases_holds_the_host_only_for_its_hold(
    db: storage.Database, other: storage.Database
) -> None:
    assert reserve(db, "dead", hold=0.3).granted  # and then the daemon dies
    started = time.monotonic()
    take(other, "b")
    assert time.monotonic() - started >= 0.25  # the hold, give or take the first answer's trip
    release(db, "dead")  # a late release from the old holder leaves the new holder's turn
    assert not reserve(db, "c").granted


def test_concurrent_daemons_never_hold_a_host_together_nor_within_the_gap(
    db: storage.Database,
) -> None:
    daemons, turns_each = 4, 4
    turns: list[tuple[float, float, str]] = []  # (granted, released, holder), local clock
    errors: list[BaseException] = []
    barrier = threading.Barrier(daemons)

    def daemon(name: str) -> None:
        try:
            with storage.open_database(db.url, create_tables=False) as own:
                barrier.wait(timeout=30)
                for turn in range(turns_each):
                    take(own, name)
                    granted = time.monotonic()  # after the grant committed
                    # The request; one in two outlasts the gap, so only the hold keeps the
                    # next daemon out.
                    time.sleep(0.01 if turn % 2 else GAP * 1.5)
                    released = time.monotonic()  # before the release begins
                    release(own, name)
                    turns.append((granted, released, name))
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=daemon, args=(f"d{n}",)) for n in range(daemons)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    turns.sort()
    assert len(turns) == daemons * turns_each
    assert len({name for _, _, name in turns}) == daemons
    gaps = [b[0] - a[1] for a, b in zip(turns, turns[1:], strict=False)]
    # Each turn begins the gap after the previous one ended, whoever held either.
    assert min(gaps) >= GAP, gaps
