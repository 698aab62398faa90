"""How fast the real daemon (``newswatch run``) works off a backlog of due articles.

    python bench/backlog.py [--articles 1500] [--runs 3] [--tick 5s] [--batch 32] [--limit 120]

bench/pipeline.py times ``run_until_idle`` (what ``--once`` does): passes back to back. The
daemon instead claims on APScheduler's tick, so this bench starts the real command on a
frontier of N due articles (a fresh SQLite database whose sitemap has been read) and watches
the database until every article has a version, or ``--limit`` seconds have passed. A daemon
that claimed one batch per tick could not do more than batch / tick articles a second however
fast the machine; the figure printed beside the rate is that cap.

The pages, the nginx and the config are bench/pipeline.py's (real pages, median 109 kB,
concurrency 8, no politeness delay, ``[daemon] serve = false``). A benchmark: it prints.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
from newswatch.durations import parse_duration  # noqa: E402

sys.path.append(str(HERE))
import pipeline_env as env  # noqa: E402
from pipeline import run_daemons, write_config  # noqa: E402
from pipeline_site import build_site, describe, sitemap_name  # noqa: E402

NEWSWATCH = [sys.executable, "-m", "newswatch"]


def with_daemon_timing(config: Path, tick: str, batch: int) -> None:
    text = config.read_text(encoding="utf-8")
    text = text.replace("[daemon]\n", f'[daemon]\ntick = "{tick}"\nbatch = {batch}\n')
    config.write_text(text, encoding="utf-8")


def recorded(db_file: Path) -> int:
    """Articles with a version, read without disturbing the daemon (WAL: readers don't block)."""
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30) as con:
        return int(
            con.execute(
                "SELECT count(*) FROM articles WHERE current_version_id IS NOT NULL"
            ).fetchone()[0]
        )


def work_off(config: Path, db_file: Path, n: int, limit: float, log: Path) -> tuple[float, int]:
    """Start ``newswatch run``; seconds until all ``n`` articles are recorded (or the limit)."""
    with log.open("ab") as out:
        daemon = subprocess.Popen(
            [*NEWSWATCH, "run", "--config", str(config), "--log-level", "WARNING"],
            stdout=out,
            stderr=out,
        )
    try:
        started = time.perf_counter()
        done = 0
        while time.perf_counter() - started < limit:
            if daemon.poll() is not None:
                raise RuntimeError(f"the daemon exited with {daemon.returncode}; see {log}")
            done = recorded(db_file)
            if done >= n:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
        return seconds, done
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=3, help="runs (median)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--tick", default="5s", help="[daemon] tick (the default)")
    parser.add_argument("--batch", type=int, default=32, help="[daemon] batch (the default)")
    parser.add_argument(
        "--limit", type=float, default=120.0, help="seconds a run may take before it is cut short"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    cap = args.batch / parse_duration(args.tick).total_seconds()
    with ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="nw_backlog_"))
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        etag_port, plain_port = env.free_port(), env.free_port()
        base = f"http://127.0.0.1:{etag_port}"
        site = build_site(work / "www", args.articles, [base, f"http://127.0.0.1:{plain_port}"])
        nginx_pid = stack.enter_context(
            env.nginx(work / "www", work / "nginx", etag_port=etag_port, plain_port=plain_port)
        )
        meter = env.CpuMeter(nginx_pid)
        print(
            f"pages: {describe(site)}; `newswatch run` with tick {args.tick}, batch "
            f"{args.batch}, concurrency {args.concurrency}, SQLite; {args.runs} run(s)",
            flush=True,
        )
        rates = []
        for run in range(args.runs):
            db_file = work / f"run{run}.db"
            config = write_config(
                work / f"run{run}.toml",
                db_url=f"sqlite:///{db_file}",
                sources=[(f"{base}/{sitemap_name(base)}", "30d")],
                concurrency=args.concurrency,
                alerts=work / "alerts.jsonl",
            )
            with_daemon_timing(config, args.tick, args.batch)
            seeded = run_daemons(config, 1, meter, work / "seed.log", mode="discover")
            if seeded.daemons[0]["outcomes"] != {"source_ok": 1}:
                raise RuntimeError(f"reading the sitemap failed: {seeded.daemons[0]}")
            seconds, done = work_off(
                config, db_file, args.articles, args.limit, work / "daemon.log"
            )
            rates.append(done / seconds)
            state = "all recorded" if done >= args.articles else f"cut short at {args.limit:.0f} s"
            print(
                f"  run {run + 1}: {done:,} of {args.articles:,} articles in {seconds:.1f} s "
                f"({done / seconds:.0f}/s, {state})",
                flush=True,
            )
        print(
            f"new articles/s, the running daemon: median {statistics.median(rates):.0f}/s; "
            f"one batch per tick would cap it at {cap:.1f}/s"
        )


if __name__ == "__main__":
    main()
