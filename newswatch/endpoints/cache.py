"""A short-lived, bounded cache for what is costly to compute and read often: the
whole-database aggregates (totals, coverage per day) and the Atom feeds.

The aggregates scan every article and the home page asks for both on every view; a feed reader
polls the same feed again and again. One computation per ``ttl`` per key keeps both cheap.
Keys come from query strings a reader chooses, so the cache holds at most ``max_entries``
(the oldest go first) and never serves a value older than ``ttl``. Concurrent misses on one key
compute it once: the others wait for that result instead of piling the same query on the
database. Each app has its own caches (on ``app.state``), so tests never share values.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class TTLCache:
    """``get(key, compute)``: the value computed at most ``ttl`` seconds ago, else a new one."""

    def __init__(
        self, ttl: float, *, max_entries: int = 256, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._values: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        hit = self._fresh(key)
        if hit is not None:
            return hit[0]  # type: ignore[no-any-return]
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:  # one computation per key at a time; the others find its result
            hit = self._fresh(key)
            if hit is not None:
                return hit[0]  # type: ignore[no-any-return]
            try:
                value = compute()
                self._store(key, value)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return value

    def _fresh(self, key: Hashable) -> tuple[Any] | None:
        now = self._clock()
        with self._lock:
            hit = self._values.get(key)
            if hit is None:
                return None
            if now - hit[0] >= self.ttl:
                del self._values[key]
                return None
            return (hit[1],)

    def _store(self, key: Hashable, value: object) -> None:
        now = self._clock()
        with self._lock:
            self._values[key] = (now, value)
            self._values.move_to_end(key)
            while len(self._values) > self.max_entries:
                self._values.popitem(last=False)
            # Expired entries of keys nobody asks again would otherwise wait for eviction.
            for old, (at, _) in list(self._values.items()):
                if now - at < self.ttl:
                    break
                del self._values[old]
