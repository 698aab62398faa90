"""Load benchmark of the HTTP API: requests per second and p50/p99 latency of the main read
endpoints on a database of 100,000 articles, served by uvicorn (`newswatch serve`) and loaded
over loopback by wrk (Debian's ``wrk``; falls back to an httpx async client in this process).

    python bench/api.py [--articles 100000] [--duration 10] [--connections 32] [--keep DIR]

Synthetic data is written with direct bulk inserts into storage's tables (then the full-text
index is rebuilt), so building 100k articles takes seconds, not a crawl.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as `python bench/api.py`, this folder comes first on sys.path, where bench/storage.py
# would shadow the storage package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import httpx  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

import storage  # noqa: E402
from storage.models import Article, Version  # noqa: E402

WORDS = (
    "talks delegation ceasefire Istanbul prisoners exchange memorandum Kremlin Kyiv "
    "Ankara envoy summit negotiators truce agreement humanitarian statement round "
    "minister officials sides proposal territory security guarantees meeting"
).split()
OUTLETS = [f"outlet{i:02d}.example" for i in range(20)]


def build(url: str, n: int, *, seed: int = 6) -> None:
    """``n`` articles over 90 days and 20 outlets; one in ten edited once."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with storage.open_database(url) as db, db.engine.begin() as conn:
        chunk = 5000
        next_version = n + 1
        for start in range(1, n + 1, chunk):
            articles, versions = [], []
            for i in range(start, min(start + chunk, n + 1)):
                seen = now - timedelta(minutes=rng.randrange(90 * 24 * 60))
                body = "\n".join(" ".join(rng.choices(WORDS, k=40)) + "." for _ in range(4))
                title = " ".join(rng.choices(WORDS, k=8)).capitalize()
                edited = i % 10 == 0
                vid = next_version if edited else i
                versions.append(_version(i, i, 1, seen, title, body, []))
                if edited:
                    versions.append(
                        _version(
                            vid,
                            i,
                            2,
                            seen + timedelta(hours=2),
                            title + " (updated)",
                            body + "\nA new paragraph.",
                            ["title", "body"],
                        )
                    )
                    next_version += 1
                articles.append(
                    {
                        "id": i,
                        "url": f"https://{OUTLETS[i % 20]}/news/{i}.html",
                        "outlet": OUTLETS[i % 20],
                        "first_seen_at": seen,
                        "status": "live",
                        "version_count": 2 if edited else 1,
                        "current_version_id": vid,
                        "title": title,
                        "last_changed_at": seen,
                        "last_checked_at": seen,
                        "failures": 0,
                    }
                )
            conn.execute(insert(Article), articles)
            conn.execute(insert(Version), versions)
        if db.dialect == "sqlite":
            conn.execute(text("INSERT INTO versions_fts(versions_fts) VALUES ('rebuild')"))


def _version(
    vid: int, article: int, number: int, when: datetime, title: str, body: str, changed: list[str]
) -> dict[str, object]:
    return {
        "id": vid,
        "article_id": article,
        "number": number,
        "fetched_at": when,
        "title": title,
        "body": body,
        "authors": [],
        "published": when,
        "fingerprint": f"{vid:064x}",
        "changed_fields": changed,
        "words_added": 3 if changed else 0,
        "words_removed": 0,
        "diff": {},
        "classes": [],
        "kind": "edit",
        "origin": "fetch",
    }


def endpoints(n: int) -> list[tuple[str, str]]:
    edited = (n // 20) * 10 or 10
    return [
        ("articles, newest 50", "/api/articles?limit=50"),
        ("articles of one outlet", "/api/articles?outlet=outlet07.example&limit=50"),
        ("articles, edited, 24h", "/api/articles?edited=true&since=24h&limit=50"),
        ("one article", f"/api/articles/{n // 2}"),
        ("diff v1 → v2", f"/api/articles/{edited}/diff"),
        ("edits, newest 50", "/api/edits?limit=50"),
        ("search (FTS)", "/api/search?q=ceasefire%20AND%20memorandum&limit=20"),
        ("stats", "/api/stats"),
        ("Atom: new coverage", "/feeds/new.atom"),
        ("web: home page", "/"),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, _ms(out, "50%"), _ms(out, "99%"), int(errors.group(1)) if errors else 0


def _ms(out: str, pct: str) -> float:
    value, unit = re.search(rf"{pct}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def httpx_load(url: str, seconds: int, connections: int) -> tuple[float, float, float, int]:
    async def run() -> tuple[list[float], int]:
        latencies: list[float] = []
        errors = 0
        deadline = time.monotonic() + seconds
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:

            async def worker() -> None:
                nonlocal errors
                while time.monotonic() < deadline:
                    t = time.perf_counter()
                    response = await client.get(url)
                    latencies.append((time.perf_counter() - t) * 1000)
                    errors += response.status_code >= 400

            await asyncio.gather(*(worker() for _ in range(connections)))
        return latencies, errors

    latencies, errors = asyncio.run(run())
    latencies.sort()
    return (
        len(latencies) / seconds,
        latencies[len(latencies) // 2],
        latencies[int(len(latencies) * 0.99)],
        errors,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--keep", type=Path, help="build the database here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="newswatch-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'bench.db'}"
    if not (folder / "bench.db").exists():
        started = time.perf_counter()
        build(url, args.articles)
        print(
            f"built {args.articles:,} articles in {time.perf_counter() - started:.1f}s "
            f"({(folder / 'bench.db').stat().st_size / 1e6:.0f} MB)"
        )
    config = folder / "bench.toml"
    config.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newswatch",
            "serve",
            "--config",
            str(config),
            "--port",
            str(port),
            "--log-level",
            "WARNING",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/stats", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)
        load = wrk if shutil.which("wrk") else httpx_load
        print(
            f"load: {'wrk' if load is wrk else 'httpx'}, {args.connections} connections, "
            f"{args.duration}s per endpoint, one uvicorn process, SQLite\n"
        )
        print(f"{'endpoint':<26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
        for name, path in endpoints(args.articles):
            assert httpx.get(base + path, timeout=30).status_code == 200, path
            rps, p50, p99, errors = load(base + path, args.duration, args.connections)
            print(f"{name:<26} {rps:>8.0f} {p50:>8.1f} {p99:>8.1f} {errors:>7}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
