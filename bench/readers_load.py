"""The readers of bench/readers.py: N concurrent clients hammering the API, in their own
process, until their standard input closes; then one JSON line of what they saw.

    python bench/readers_load.py --base http://127.0.0.1:8080 --readers 32 [--nice 19]

Each reader loops over a mix of what people and feed readers ask: listings (first and deep
pages), edits, full-text search (first and deep pages), the edits feed with a topic (a new
topic each time, so no cache helps), coverage per day from a random start, stats, the home
page and /healthz. The process runs at a low CPU priority (``--nice``): on a real deployment
readers are other machines, and their own CPU cost is not what the bench measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import threading
import time
from collections import defaultdict
from datetime import date, timedelta

import httpx

TOPICS = (
    "ceasefire",
    "memorandum AND talks",
    "prisoner* OR exchange",
    "Kremlin -Kyiv",
    "summit",
    "humanitarian",
    "envoy*",
    "truce",
)


def next_request(rng: random.Random) -> tuple[str, str, dict[str, str | int]]:
    """(kind, path, params) of one request of the mix."""
    kind = rng.choice(
        (
            "articles",
            "articles deep",
            "edits",
            "search",
            "search deep",
            "edits feed, topic",
            "coverage",
            "stats",
            "home",
            "healthz",
        )
    )
    if kind == "articles":
        return kind, "/api/articles", {"limit": 50}
    if kind == "articles deep":
        return kind, "/api/articles", {"limit": 50, "offset": rng.randrange(10_000)}
    if kind == "edits":
        return kind, "/api/edits", {"limit": 50}
    if kind == "search":
        return kind, "/api/search", {"q": rng.choice(TOPICS).replace("-", "NOT "), "limit": 20}
    if kind == "search deep":
        return kind, "/api/search", {"q": "talks", "limit": 50, "offset": rng.randrange(10_000)}
    if kind == "edits feed, topic":
        # A topic no earlier request used: the feed cache cannot answer it.
        return (
            kind,
            "/feeds/edits.atom",
            {"topic": f"{rng.choice(TOPICS)} OR w{rng.randrange(10**9)}"},
        )
    if kind == "coverage":
        since = date(2025, 1, 1) + timedelta(days=rng.randrange(365))
        return kind, "/api/coverage", {"since": since.isoformat()}
    if kind == "stats":
        return kind, "/api/stats", {}
    if kind == "home":
        return kind, "/", {}
    return kind, "/healthz", {}


async def load(base: str, readers: int, stop: threading.Event) -> dict[str, object]:
    latencies: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    timeouts: dict[str, int] = defaultdict(int)
    problems: list[str] = []
    limits = httpx.Limits(max_connections=readers, max_keepalive_connections=readers)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def reader(seed: int) -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                kind, path, params = next_request(rng)
                started = time.perf_counter()
                try:
                    # A health probe gives up after 5 s (a monitor's patience); pages get 30 s.
                    response = await client.get(
                        path, params=params, timeout=5 if kind == "healthz" else 30
                    )
                    ok = response.status_code == 200
                    if not ok and len(problems) < 20:
                        problems.append(f"{kind}: {response.status_code} {response.text[:120]}")
                except httpx.HTTPError as error:
                    ok = False
                    timeouts[kind] += isinstance(error, httpx.TimeoutException)
                    if len(problems) < 20:
                        problems.append(f"{kind}: {type(error).__name__}")
                latencies[kind].append(time.perf_counter() - started)
                failures[kind] += not ok

        started = time.perf_counter()
        await asyncio.gather(*(reader(seed) for seed in range(readers)))
        seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "problems": problems,
        "kinds": {
            kind: {
                "requests": len(values),
                "failures": failures[kind],
                "timeouts": timeouts[kind],
                "p50_ms": _pct(values, 0.5),
                "p99_ms": _pct(values, 0.99),
            }
            for kind, values in sorted(latencies.items())
        },
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--nice", type=int, default=19)
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()
    os.nice(args.nice)
    stop = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    threading.Timer(args.max_seconds, stop.set).start()
    print(json.dumps(asyncio.run(load(args.base, args.readers, stop))), flush=True)
    os._exit(0)  # the timer thread would keep the process alive


if __name__ == "__main__":
    main()
