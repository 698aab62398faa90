"""One daemon for bench/pipeline.py: what ``newswatch run --once`` does, timed from a start signal.

    python bench/pipeline_daemon.py --config run.toml --mode ingest [--advance 3600] [--wait]

Builds the daemon exactly as ``newswatch run`` does (``load_settings`` + ``open_runtime``), with
the clock moved ``--advance`` seconds ahead (how the bench makes every article due again). With
``--wait`` it prints ``ready`` once everything is imported and open, and starts when a line
arrives on stdin, so that k daemons start together and interpreter start-up is not timed.
Prints one JSON line: seconds, CPU seconds, outcomes, peak RSS.

Modes: ``discover`` reads the due sources only (seeds the frontier from the sitemap);
``ingest`` works off everything due (``run_until_idle``), then delivers the alerts;
``ticks`` runs ``--ticks`` claim-and-work passes (the memory bench).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import resource
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

# Run as a script, bench/ comes first on sys.path and bench/storage.py would shadow `storage`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
import storage  # noqa: E402
from newswatch.config import load_settings  # noqa: E402
from newswatch.logs import configure_logging  # noqa: E402
from newswatch.runtime import Runtime, open_runtime  # noqa: E402
from scheduler.extraction import ExtractionProcesses  # noqa: E402
from scheduler.worker import PassReport, utc_now  # noqa: E402


def memory_kb() -> dict[str, int]:
    status = Path("/proc/self/status").read_text().splitlines()
    return {
        line.split(":")[0]: int(line.split()[1])
        for line in status
        # RssFile: mapped files' pages (the language model, shared libraries), RssAnon the rest.
        if line.startswith(("VmHWM", "VmRSS", "RssAnon", "RssFile"))
    }


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def extraction_processes(runtime: Runtime) -> tuple[float, int, int]:
    """CPU seconds, peak RSS and proportional set size (kB) of the daemon's extraction
    processes so far (they start with the first page, so all their CPU is the timed part's)."""
    extraction = runtime.worker.extraction
    seconds, peak, pss = 0.0, 0, 0
    for pid in extraction.pids if isinstance(extraction, ExtractionProcesses) else []:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        seconds += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
        peak += _kb(status, "VmHWM:")
        pss += _kb(rollup, "Pss:")
    return seconds, peak, pss


def _scheduled(path: str) -> tuple[float, float]:
    """Seconds a task has run on a core and waited, runnable, for one (``schedstat``)."""
    try:
        running, waiting, _ = Path(path).read_text().split()
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(running) / 1e9, int(waiting) / 1e9


class Schedule:
    """Where the daemon's event loop thread, its batch writer's thread and its extraction
    processes spent the timed run: on a core, runnable but waiting for one, or asleep.

    Asleep is waiting for something: the loop thread for sockets, pipes or the GIL, the
    writer for work or the GIL, an extraction process for its next page. A stage that is
    seldom asleep is the bound. Waiting for a core says the cores are only when the machine's
    cores are all busy (bench/pipeline.py's ``cores`` column); with cores idle, the loop's and
    the writer's waits are the GIL passing between them, each hand-off waking a thread.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._start = {key: _scheduled(path) for key, path in self._paths().items()}

    def _paths(self) -> dict[str, str]:
        paths = {"loop": f"/proc/self/task/{threading.main_thread().native_id}/schedstat"}
        for thread in threading.enumerate():
            if thread.name.startswith("newswatch-record"):
                paths["writer"] = f"/proc/self/task/{thread.native_id}/schedstat"
        extraction = self._runtime.worker.extraction
        if isinstance(extraction, ExtractionProcesses):
            for n, pid in enumerate(extraction.pids):
                paths[f"extraction {n + 1}" if n else "extraction"] = f"/proc/{pid}/schedstat"
        return paths

    def shares(self, seconds: float) -> dict[str, dict[str, float]]:
        """Each task's shares of ``seconds`` (the timed run's wall time)."""
        found = {}
        for key, path in self._paths().items():
            running, waiting = _scheduled(path)
            # A thread or process started during the run (the writer's, the extraction
            # processes) has spent its whole life in it.
            before_running, before_waiting = self._start.get(key, (0.0, 0.0))
            running, waiting = running - before_running, waiting - before_waiting
            found[key] = {
                "core": running / seconds,
                "runnable": waiting / seconds,
                "asleep": max(0.0, 1 - (running + waiting) / seconds),
            }
        return found


def _kb(text: str, label: str) -> int:
    line = next((line for line in text.splitlines() if line.startswith(label)), f"{label} 0")
    return int(line.split()[1])


async def discover(runtime: Runtime, now: object) -> PassReport:
    report = PassReport()
    with runtime.db.transaction() as session:
        due = storage.claim_due_sources(
            session, owner="bench-discover", now=now, limit=1000, lease=timedelta(minutes=5)
        )
    for source in due:
        report.count(await runtime.worker.check_source(source))
    report.sources = len(due)
    return report


async def ticks(runtime: Runtime, n: int, rss_kb: list[int]) -> PassReport:
    total = PassReport()
    for _ in range(n):
        report = await runtime.worker.run_due()
        rss_kb.append(memory_kb()["VmRSS"])  # where the memory grows: tick by tick
        total.sources += report.sources
        total.articles += report.articles
        for outcome, count in report.outcomes.items():
            total.outcomes[outcome] = total.outcomes.get(outcome, 0) + count
    runtime.worker.release()
    return total


class ThreadProfiles:
    """cProfile in every thread started during the timed part: the batch writer's, to_thread's.

    cProfile sees one thread only, and the batch writer's thread does a new article's recording
    (``threading.setprofile`` runs ``start`` first thing in each new thread, which then swaps
    itself for a profiler). The writer's profile is written beside the main thread's, with
    ``.writer`` added to its name; the other threads' together with ``.threads``.
    """

    def __init__(self) -> None:
        self._profiles: list[tuple[str, cProfile.Profile]] = []
        self._lock = threading.Lock()

    def start(self, *_: object) -> None:
        sys.setprofile(None)
        profiler = cProfile.Profile()
        with self._lock:
            self._profiles.append((threading.current_thread().name, profiler))
        profiler.enable()

    def dump(self, path: Path) -> None:
        threading.setprofile(None)
        groups: dict[str, list[cProfile.Profile]] = {}
        with self._lock:
            for name, profiler in self._profiles:
                # Read while its thread idles (the run is over): create_stats only snapshots
                # another thread's profiler, it cannot stop it.
                profiler.create_stats()
                kind = "writer" if name.startswith("newswatch-record") else "threads"
                groups.setdefault(kind, []).append(profiler)
        for kind, profilers in groups.items():
            stats = pstats.Stats(profilers[0])
            for other in profilers[1:]:
                stats.add(other)
            stats.dump_stats(f"{path}.{kind}")


class InFlight:
    """How deep the fetching is: requests under way, sampled on the event loop every few ms.

    The mean over the run against ``[fetch] concurrency`` says whether the fetches stay that
    deep while the batch writer's thread writes; ``lag`` is how late the samples woke (the loop
    busy with other work meanwhile).
    """

    def __init__(self, runtime: Runtime, every: float = 0.005) -> None:
        self._throttle = runtime.fetcher.throttle
        self._every = every
        self.samples: list[int] = []
        self.lag = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self._every
            await asyncio.sleep(self._every)
            self.lag += max(0.0, loop.time() - due)
            self.samples.append(self._throttle.in_flight)

    def summary(self) -> dict[str, float]:
        n = max(len(self.samples), 1)
        return {
            "mean": sum(self.samples) / n,
            "lag_ms": self.lag / n * 1000,
            "samples": len(self.samples),
        }


class Collections:
    """The cyclic garbage collector's runs and seconds in the timed part (gc.callbacks)."""

    def __init__(self) -> None:
        self.runs = [0, 0, 0]
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.runs[info["generation"]] += 1
            self.seconds += time.perf_counter() - self._started

    def summary(self) -> dict[str, object]:
        return {"runs": self.runs, "seconds": round(self.seconds, 3)}


async def main(args: argparse.Namespace) -> dict[str, object]:
    settings = load_settings(args.config)
    advance = timedelta(seconds=args.advance)
    clock = (lambda: utc_now() + advance) if args.advance else utc_now

    async with open_runtime(settings, clock=clock) as runtime:
        opened = memory_kb()
        if args.wait:
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        profiler = cProfile.Profile() if args.profile else None
        threads = ThreadProfiles() if args.profile else None
        in_flight = InFlight(runtime)
        sampler = asyncio.create_task(in_flight.run())
        collections = Collections()
        gc.callbacks.append(collections)
        tick_rss: list[int] = []
        schedule = Schedule(runtime)
        cpu0, started = cpu(), time.perf_counter()
        if profiler and threads:
            threading.setprofile(threads.start)
            profiler.enable()
        if args.mode == "discover":
            report = await discover(runtime, clock())
        elif args.mode == "ticks":
            report = await ticks(runtime, args.ticks, tick_rss)
        else:
            report = await runtime.worker.run_until_idle()
        if profiler and threads:
            profiler.disable()
            profiler.dump_stats(args.profile)
            threads.dump(args.profile)
        seconds, cpu_used = time.perf_counter() - started, cpu() - cpu0
        scheduled = schedule.shares(seconds)
        extraction_cpu, extraction_peak, extraction_pss = extraction_processes(runtime)
        own_pss = _kb(Path("/proc/self/smaps_rollup").read_text(), "Pss:")
        sampler.cancel()
        gc.callbacks.remove(collections)
        writer = runtime.worker.record_writer
        # Part of the ingest as the bench times it (up to this report), not of "seconds".
        delivery_started, delivery_cpu = time.perf_counter(), cpu()
        delivered = await runtime.deliverer.deliver(limit=1_000_000)
        delivery = {
            "seconds": time.perf_counter() - delivery_started,
            "cpu": cpu() - delivery_cpu,
        }
    return {
        "seconds": seconds,
        # The daemon's CPU with its extraction processes' (all of it spent on the timed work).
        "cpu": cpu_used + extraction_cpu,
        "extraction_cpu": extraction_cpu,
        "extraction_hwm_kb": extraction_peak,
        "extraction_pss_kb": extraction_pss,
        "pss_kb": own_pss,
        "sources": report.sources,
        "articles": report.articles,
        "outcomes": report.outcomes,
        "errors": report.errors,
        "alerts": delivered.sent,
        "delivery": delivery,
        # The batch writer: is it busy all the time (the bound), and are its batches large?
        "writer": {
            "batches": writer.batches,
            "writes": writer.writes,
            "largest": writer.largest,
            "busy_seconds": writer.busy_seconds,
            "cpu_seconds": writer.cpu_seconds,
        },
        "in_flight": in_flight.summary(),
        "schedule": scheduled,
        "gc": collections.summary(),
        "rss_open_kb": opened["VmRSS"],
        "ticks_kb": tick_rss,
        **memory_kb(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--mode", choices=("discover", "ingest", "ticks"), default="ingest")
    parser.add_argument("--advance", type=float, default=0.0, help="clock offset, seconds")
    parser.add_argument("--ticks", type=int, default=5)
    parser.add_argument("--wait", action="store_true", help="start on a line on stdin")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the timed part")
    parser.add_argument("--log-level", default="INFO")
    cli = parser.parse_args()
    # The daemon's default: one INFO line per article, to stderr (the bench sends it to a file).
    configure_logging(cli.log_level)
    print(json.dumps(asyncio.run(main(cli))), flush=True)
