"""Fetch-path throughput against the local newsroom over loopback (not a test: prints a table).

Three ways to fetch the same article pages, each run several times, median reported:

* raw httpx      — ``AsyncClient.get`` + ``.text``: the reference ceiling of the HTTP stack;
* ours, unlimited — the polite fetcher with politeness lifted (no delay, 16 per host; robots.txt
  still read once and obeyed): the cost of our layers (bounded decoding, charset, robots,
  throttle, typed errors);
* ours, polite   — the default shape of politeness (one request at a time per host, a delay
  between them): the rate is set by the delay, which is the point; the smallest gap the
  newsroom saw between two requests is printed next to it.

Run: ``python bench/fetch.py [--pages 300] [--runs 5] [--delay 0.05]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx

from newswatch.newsroom import Newsroom
from scraper.addresses import AddressPolicy
from scraper.fetch import Fetcher, FetchLimits, build_client
from scraper.polite import Page, PoliteFetcher
from scraper.throttle import Throttle, ThrottleSettings

CONCURRENCY = 16


async def raw_httpx(urls: list[str]) -> None:
    slots = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=CONCURRENCY)) as client:

        async def one(url: str) -> None:
            async with slots:
                response = await client.get(url)
                assert response.status_code == 200 and response.text

        await asyncio.gather(*(one(url) for url in urls))


def ours(delay: float, per_host: int) -> Callable[[list[str]], Awaitable[None]]:
    async def run(urls: list[str]) -> None:
        # The bench's site is on loopback, which the address guard refuses unless allowed.
        async with build_client(
            max_connections=CONCURRENCY, policy=AddressPolicy.build(allow=["127.0.0.1"])
        ) as client:
            fetcher = PoliteFetcher(
                Fetcher(client, limits=FetchLimits()),
                throttle=Throttle(
                    ThrottleSettings(delay=delay, per_host=per_host, global_concurrency=CONCURRENCY)
                ),
                user_agent="newswatch-bench/0.1",
            )

            async def one(url: str) -> None:
                page = await fetcher.fetch(url)
                assert isinstance(page, Page) and page.status == 200 and page.text

            await asyncio.gather(*(one(url) for url in urls))

    return run


def measure(
    room: Newsroom, job: Callable[[list[str]], Awaitable[None]], urls: list[str], runs: int
) -> tuple[float, float]:
    """(median seconds, smallest gap between two page requests the server saw)."""
    times, gaps = [], []
    for _ in range(runs):
        room.clear_requests()
        started = time.perf_counter()
        asyncio.run(job(urls))
        times.append(time.perf_counter() - started)
        arrivals = sorted(r.time for r in room.requests)
        gaps.append(min((b - a for a, b in zip(arrivals, arrivals[1:], strict=False)), default=0.0))
    return statistics.median(times), min(gaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--polite-pages", type=int, default=30)
    args = parser.parse_args()
    with Newsroom.with_articles().start() as room:
        slugs = room.slugs()
        urls = [room.url_of(slugs[i % len(slugs)]) for i in range(args.pages)]
        polite_urls = urls[: args.polite_pages]
        rows = [
            ("raw httpx (reference)", len(urls), *measure(room, raw_httpx, urls, args.runs)),
            (
                "ours, politeness lifted",
                len(urls),
                *measure(room, ours(0.0, CONCURRENCY), urls, args.runs),
            ),
            (
                f"ours, polite (delay {args.delay:g}s)",
                len(polite_urls),
                *measure(room, ours(args.delay, 2), polite_urls, args.runs),
            ),
        ]
    print(f"fetch path over loopback: {args.runs} runs each, median; concurrency {CONCURRENCY}")
    print(f"{'mode':<30} {'pages':>6} {'median s':>9} {'pages/s':>9} {'min gap s':>10}")
    for name, pages, seconds, gap in rows:
        print(f"{name:<30} {pages:>6} {seconds:>9.3f} {pages / seconds:>9.1f} {gap:>10.4f}")


if __name__ == "__main__":
    main()
