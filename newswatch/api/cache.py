"""A short-lived cache for the whole-database aggregates (totals, coverage per day).

They scan every article, change slowly, and the home page asks for both on every view; one
computation per ``ttl`` per app keeps a busy page cheap. Each app has its own cache (it lives
on ``app.state``), so tests and several apps in one process never share values.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class TTLCache:
    """``get(key, compute)``: the value computed at most ``ttl`` seconds ago, else a new one."""

    def __init__(self, ttl: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            value: T = hit[1]
            return value
        value = compute()
        with self._lock:
            self._values[key] = (now, value)
        return value
