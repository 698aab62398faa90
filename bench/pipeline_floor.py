"""The floor of any daemon that extracts, for bench/pipeline.py: fetch + extract, nothing stored.

    python bench/pipeline_floor.py --concurrency 8   (a child: URLs as one JSON line on stdin)

The raw-httpx ceiling only moves bytes; a daemon also has to turn every page into text, and on
this machine that costs more than the fetch. This measures raw ``httpx.AsyncClient`` GETs plus
``scraper.extract(response.text, url=url)`` of every page, storing nothing, in 1 process and in
2 (the URL list split by ``urls[i::2]``, same concurrency in each): how much of the ceiling any
daemon that extracts pages could reach here. The gap between this floor and the daemon's rate is
the cost of recording (the database, the frontier, versions, alerts), not of fetching or
extracting.

Each measurement runs in fresh child processes of this script. A child reads its URLs, warms
one connection, prints ``ready`` and waits for ``go`` on stdin, so that both children start
together and interpreter start-up, imports and the connect are not timed; it prints one JSON
line with its seconds and its CPU seconds. The rate is N over the slower child's seconds; the
CPU of all the children over N is what fetching and extracting a page costs (nginx's not
counted), the yardstick for what recording costs beside it (issue 20).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

if __name__ == "__main__":
    # Run as a script, bench/ comes first on sys.path and bench/storage.py would shadow
    # `storage` (scraper does not import it today; the rule is the bench's, kept here too).
    sys.path[:] = [
        p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()
    ]

import httpx  # noqa: E402

SCRIPT = Path(__file__).resolve()


class Pass(NamedTuple):
    """One measurement: the slowest child's seconds, and the CPU seconds of all of them."""

    seconds: float
    cpu: float


PROCESSES = (1, 2)


# -- the parent ----------------------------------------------------------------------------------


def floor(urls: list[str], concurrency: int, runs: int) -> dict[int, float]:
    """Pages/s fetched and extracted in 1 and in 2 processes, the median of ``runs`` each."""
    rates: dict[int, list[float]] = {k: [] for k in PROCESSES}
    for _ in range(runs):
        for k in PROCESSES:
            timing = measure([urls[i::k] for i in range(k)], concurrency)
            rates[k].append(len(urls) / timing.seconds)
    return {k: statistics.median(r) for k, r in rates.items()}


def measure(parts: list[list[str]], concurrency: int) -> Pass:
    """One child per part, all told to go at once: the slowest one's seconds, and their CPU."""
    cmd = [sys.executable, str(SCRIPT), "--concurrency", str(concurrency)]
    procs: list[subprocess.Popen[str]] = []
    try:
        for part in parts:
            # stderr is inherited: a child's traceback shows up in the bench's output.
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            procs.append(proc)
            proc.stdin.write(json.dumps(part) + "\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        for proc in procs:
            if proc.stdout.readline().strip() != "ready":  # type: ignore[union-attr]
                raise RuntimeError("a floor process failed to start (its error is above)")
        for proc in procs:
            proc.stdin.write("go\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        lines = [proc.stdout.readline() for proc in procs]  # type: ignore[union-attr]
        if not all(lines):
            raise RuntimeError("a floor process died (its error is above)")
        results = [json.loads(line) for line in lines]
        for part, result in zip(parts, results, strict=True):
            if result["pages"] != len(part):
                raise RuntimeError(f"a floor process extracted {result['pages']}/{len(part)}")
        for proc in procs:
            proc.wait(timeout=60)
        return Pass(max(r["seconds"] for r in results), sum(r["cpu"] for r in results))
    finally:
        for proc in procs:  # only our own children, on an error or Ctrl-C
            if proc.poll() is None:
                proc.kill()
                proc.wait()


# -- a child -------------------------------------------------------------------------------------


async def fetch_and_extract(urls: list[str], concurrency: int) -> dict[str, float]:
    """Wait for ``go``, then GET and extract every URL; the seconds and CPU seconds that took."""
    from scraper import extract  # imported here: the parent needs httpx only

    slots = asyncio.Semaphore(concurrency)
    pages = 0
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as client:

        async def one(url: str, *, count: bool = True) -> None:
            nonlocal pages
            async with slots:
                response = await client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                # In the event loop, as the daemon does: extraction is CPU, a thread would
                # only add GIL hand-offs.
                extract(response.text, url=url)
                pages += count

        await one(urls[0], count=False)  # connect (and import lazily) outside the timing
        print("ready", flush=True)
        # Blocking the loop is fine here: nothing runs until the go, the pool just stays warm.
        if sys.stdin.readline().strip() != "go":
            raise SystemExit("no go")
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(url) for url in urls))
        return {
            "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
            "pages": pages,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description="one floor process (see the docstring)")
    parser.add_argument("--concurrency", type=int, required=True)
    args = parser.parse_args()
    urls = json.loads(sys.stdin.readline())
    result = asyncio.run(fetch_and_extract(urls, args.concurrency))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
