"""What a read size costs the fetcher: CPU per page at httpcore's 64 KiB reads and at ours.

    python bench/fetch_reads.py [--pages 600] [--runs 6] [--concurrency 8]

The pages are the pipeline bench's (the 85 real pages of the extraction benchmark under N
URLs, median 109 kB; ``bench/pipeline_site.py``), served by the same nginx on loopback. Each
run fetches every page with the daemon's own client and :class:`scraper.fetch.Fetcher`
(address guard, bounded decoding, charset), ``concurrency`` at a time, once with
``scraper.streams.READ_BYTES`` set to 64 KiB (what httpcore asks for; the socket is then asked
for no more) and once as shipped, alternated in this one process (each first in every other
run); the CPU of this process per page is printed for both, with the median of each run's
ratio. Fetching only: nothing is extracted or stored. A benchmark, not a test: it prints.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, bench/ comes first on sys.path and bench/storage.py would shadow
    # `storage`; the bench's own modules are imported by name below all the same.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here] + [str(here)]

import pipeline_env as env  # noqa: E402
from pipeline_site import build_site  # noqa: E402

import scraper.streams  # noqa: E402
from scraper.addresses import AddressPolicy  # noqa: E402
from scraper.fetch import Fetcher, build_client  # noqa: E402

HTTPCORE_READ = 64 * 1024  # httpcore's AsyncHTTP11Connection.READ_NUM_BYTES


async def fetch_all(urls: list[str], port: int, concurrency: int) -> float:
    """CPU seconds of this process per page, every URL fetched once."""
    policy = AddressPolicy.build(allow=[f"127.0.0.1:{port}"])
    async with build_client(max_connections=concurrency, policy=policy) as client:
        fetcher = Fetcher(client, policy=policy)
        slots = asyncio.Semaphore(concurrency)

        async def one(url: str) -> None:
            async with slots:
                page = await fetcher.get(url)
                assert page.status == 200 and page.text, url

        await one(urls[0])  # connect outside the timing, as a daemon's pool is warm
        started = time.process_time()
        await asyncio.gather(*(one(url) for url in urls))
        return (time.process_time() - started) / len(urls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    shipped = scraper.streams.READ_BYTES
    sizes = {"64 KiB (httpcore's)": HTTPCORE_READ, f"{shipped // 1024} KiB (ours)": shipped}
    with tempfile.TemporaryDirectory(prefix="nw-fetch-reads-") as tmp:
        work = Path(tmp)
        port, spare = env.free_port(), env.free_port()
        base = f"http://127.0.0.1:{port}"
        site = build_site(work / "www", args.pages, [base])
        urls = [f"{base}{site.path_of(i)}" for i in range(site.count)]
        cpu: dict[str, list[float]] = {name: [] for name in sizes}
        with env.nginx(work / "www", work / "nginx", etag_port=port, plain_port=spare):
            for run in range(args.runs):
                # Each size first in every other run, so neither gains from going second.
                order = list(sizes.items())
                for name, size in order if run % 2 == 0 else reversed(order):
                    scraper.streams.READ_BYTES = size
                    cpu[name].append(asyncio.run(fetch_all(urls, port, args.concurrency)))
        scraper.streams.READ_BYTES = shipped
    print(f"{args.pages} pages, {args.runs} runs alternated, concurrency {args.concurrency}")
    for name, values in cpu.items():
        each = ", ".join(f"{v * 1000:.2f}" for v in values)
        print(f"  reads of {name:<20} CPU {statistics.median(values) * 1000:.2f} ms/page ({each})")
    old, new = cpu.values()
    ratios = [n / o for o, n in zip(old, new, strict=True)]
    print(f"  ours over httpcore's, median of the runs' ratios: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
