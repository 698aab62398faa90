"""Whether writes to the database succeed: each write transaction reports here, and
``/healthz`` reads it, so a daemon whose every write fails (a full disk, a read-only file, a
server refusing writes) turns unhealthy even though reads still answer.

Only the last failure and success are kept (plain attribute writes, safe under threads), so
recording costs nothing measurable on the path of every recheck.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FAILING_FOR = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class WriteHealth:
    """The last write failure (if it is recent) and the last successful write."""

    failing: bool
    error: str | None
    failed_at: datetime | None
    failures: int  # since the process started
    ok_at: datetime | None

    @property
    def detail(self) -> str:
        if not self.failing:
            return "ok"
        at = self.failed_at.isoformat(timespec="seconds") if self.failed_at else "?"
        return f"failing: {self.error} (last failure {at})"


class WriteRecord:
    """Where the database's write transactions report; :meth:`health` reads it."""

    def __init__(
        self, *, clock: Callable[[], float] = time.time, failing_for: timedelta = FAILING_FOR
    ) -> None:
        self._clock = clock
        self._window = failing_for.total_seconds()
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._error: str | None = None
        self._failures = 0
        self._ok_at: float | None = None

    def succeeded(self) -> None:
        self._ok_at = self._clock()

    def failed(self, error: str) -> None:
        with self._lock:
            self._failed_at = self._clock()
            self._error = error[:300]
            self._failures += 1

    def health(self) -> WriteHealth:
        """Failing while a write failed within the last minute: a full disk makes most writes
        fail while a few in-place updates still succeed, so "the last write" would flap."""
        with self._lock:
            failed_at, error, failures = self._failed_at, self._error, self._failures
        ok_at = self._ok_at
        failing = failed_at is not None and self._clock() - failed_at < self._window
        return WriteHealth(
            failing=failing,
            error=error if failing else None,
            failed_at=_utc(failed_at),
            failures=failures,
            ok_at=_utc(ok_at),
        )


def _utc(stamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(stamp, UTC) if stamp is not None else None
