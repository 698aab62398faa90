"""What delivering an alert costs the daemon, per alert, on each engine (issue 20).

    python bench/delivery.py [--alerts 500] [--runs 3] [--engine sqlite|postgres]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Every new article queues an alert, and a burst of new articles is a burst of alerts: what the
daemon spends delivering them is spent beside the recording, on the same cores and, in the
event loop, under the same lock. bench/pipeline.py counts it in its ingest time (each daemon
delivers what it queued before it reports).

Each run: a fresh database holding N recorded articles, each with its ``new`` alert in the
outbox, then one ``Deliverer.deliver`` to a ``jsonl://`` channel, as the daemon's delivery
job calls it. Printed: this process's CPU and the wall time per alert (the jsonl channel
fsyncs each line, in a thread: its wait for the disk is in the wall time only), median of
the runs. A benchmark: it prints, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/storage.py must not shadow the storage package: import it before bench/ is on the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
import storage  # noqa: E402
from scheduler.channels import build_channel  # noqa: E402
from scheduler.delivery import Deliverer  # noqa: E402
from scheduler.routing import Route  # noqa: E402

sys.path.append(str(HERE))
from recording import Scratch  # noqa: E402


def queue_alerts(db: storage.Database, count: int, now: datetime) -> None:
    """``count`` new articles recorded, one transaction each, each queueing its alert."""
    with db.transaction() as s:
        ids = storage.add_candidates(
            s,
            source_id=None,
            candidates=[storage.Candidate(f"https://example.com/news/{i}") for i in range(count)],
            now=now,
        )
    for i, article_id in enumerate(ids):
        with db.transaction() as s:
            storage.record(
                s,
                article_id=article_id,
                fields=storage.ArticleFields(title=f"Talks, day {i}", body=f"Envoys met, {i}."),
                snapshot=None,
                fetched_at=now,
            )


def deliver_once(url: str, count: int, work: Path) -> tuple[float, float, int]:
    """CPU and wall seconds of delivering ``count`` queued alerts, and how many were sent."""
    now = datetime.now(UTC)
    with storage.open_database(url) as db:
        queue_alerts(db, count, now)
        channel = build_channel(f"jsonl://{work / 'alerts.jsonl'}")
        deliverer = Deliverer(db=db, routes=[Route(channel=channel)], clock=lambda: now)
        cpu, wall = time.process_time(), time.perf_counter()
        report = asyncio.run(deliverer.deliver(limit=count))
        return time.process_time() - cpu, time.perf_counter() - wall, report.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="runs (median)")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nw_delivery_"))
    scratch = Scratch(args.engine, work, args.postgres_url)
    print(f"{args.alerts} alerts to a jsonl channel, {args.engine}, {args.runs} runs")
    print(" run  CPU ms/alert  wall ms/alert  sent")
    cpus, walls = [], []
    try:
        for run in range(args.runs):
            cpu, wall, sent = deliver_once(scratch.fresh(), args.alerts, work)
            cpus.append(cpu / args.alerts * 1000)
            walls.append(wall / args.alerts * 1000)
            print(f"{run + 1:>4}  {cpus[-1]:>12.2f}  {walls[-1]:>13.2f}  {sent:>4}", flush=True)
    finally:
        scratch.drop_all()
        shutil.rmtree(work, ignore_errors=True)
    print(f"median  {statistics.median(cpus):>10.2f}  {statistics.median(walls):>13.2f}")


if __name__ == "__main__":
    main()
