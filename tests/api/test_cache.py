"""The caches behind the aggregates and the feeds stay bounded in size and in age."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import httpx

import storage
from newswatch.api import create_app
from newswatch.api.app import AGGREGATE_ENTRIES
from newswatch.api.server import serve_in_thread
from newswatch.config import load_settings
from newswatch.endpoints.cache import TTLCache
from tests.api.populate import Populated


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_values_expire_and_the_oldest_go_first() -> None:
    clock, computed = Clock(), []
    cache = TTLCache(10, max_entries=3, clock=clock)

    def compute(key: int) -> int:
        computed.append(key)
        return key * 10

    for key in range(5):
        assert cache.get(key, lambda k=key: compute(k)) == key * 10
    assert len(cache) == 3
    assert cache.get(4, lambda: compute(-1)) == 40  # still fresh
    assert cache.get(0, lambda: compute(0)) == 0 and computed.count(0) == 2  # evicted
    clock.now = 10.0
    assert cache.get(4, lambda: compute(4)) == 40 and computed.count(4) == 2  # expired
    assert len(cache) == 1  # storing swept the other expired values


def test_concurrent_misses_compute_once() -> None:
    cache = TTLCache(60)
    started, release, calls = threading.Event(), threading.Event(), []

    def slow() -> str:
        calls.append(1)
        started.set()
        release.wait(10)
        return "value"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(8)
    ]
    threads[0].start()
    assert started.wait(10)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(10)
    assert results == ["value"] * 8 and len(calls) == 1


def test_coverage_cache_is_bounded(populated: Populated) -> None:
    with storage.open_database(populated.url) as db:
        app = create_app(db, load_settings(populated.config))
        with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as api:
            start = date(2020, 1, 1)
            for day in range(AGGREGATE_ENTRIES + 50):
                since = (start + timedelta(days=day)).isoformat()
                assert api.get("/api/coverage", params={"since": since}).status_code == 200
    assert len(app.state.aggregates) == AGGREGATE_ENTRIES
