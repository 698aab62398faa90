"""End-to-end pipeline throughput on loopback, beside the raw-httpx ceiling (issue 7).

    python bench/pipeline.py [--articles 1500] [--runs 1] [--concurrency 8] [--no-pg]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--skip-rss] [--skip-profile] [--profile-engine sqlite|postgres] [--skip-floor]
        [--extract-processes auto|N]
    python bench/pipeline.py --only-rss [--runs 2] [--rss-sources 10000] [--rss-articles 100000]

The pages: the 85 real pages of the extraction benchmark under N distinct URLs (see
bench/pipeline_site.py), served by the bench's own nginx (bench/nginx.conf.template) on two
ports: one with ETag/Last-Modified (rechecks get 304), one with validators off (rechecks get
200 with the same page). nginx's CPU seconds are printed beside every run: it is not the
bottleneck.

Measured in one run:
* ceiling: raw ``httpx.AsyncClient`` GETs of all N URLs at the daemon's concurrency, 200s and
  then 304s (If-None-Match), in this process; measured once at the start, and again right
  before every daemon run (200s before an ingest or a 200-same recheck, 304s before a 304
  recheck). A run's ratio is its rate over the ceiling just before it: this machine's speed
  drifts by a third within minutes, and a ceiling taken earlier would carry that drift into
  the ratio;
* floor: the same GETs plus ``scraper.extract`` of every page, nothing stored, in 1 process and
  in 2 (``bench/pipeline_floor.py``): what any daemon that extracts could reach here; the gap
  between it and the daemons is the cost of recording. Measured at the start, and again in k
  processes right before every ingest of k daemons, for the same reason as the ceiling: the
  share of the floor an ingest reached (issue 20's target) is the median of each ingest's rate
  over the floor just before it;
* new articles/s: a fresh database whose one sitemap source has been read (the frontier holds
  N due articles), then k daemons (``bench/pipeline_daemon.py``: ``newswatch run --once``,
  started together) until all are fetched, extracted and recorded;
* 304 rechecks/s: the same database with the daemons' clock an hour ahead (every article due);
* 200-but-same rechecks/s: the same on a second database ingested from the no-validator port;
* one daemon on SQLite (``--sqlite-daemons 1,2`` adds two sharing the file), 1/2/3 daemons on
  PostgreSQL (scratch databases, dropped at the end);
* RSS: one daemon with 10,000 sources and 100,000 due articles, after a few ticks;
* profile: the one-daemon ingest and 304 recheck under cProfile (SQLite, or PostgreSQL with
  ``--profile-engine postgres``), folded into groups: the event loop's thread, then the batch
  writer's thread and the other threads, each profiled on its own;
* beside each ingest: requests in flight on average (of ``concurrency``), how late the event
  loop woke, the garbage collector's share, and where the event loop's thread, the batch
  writer's thread and each extraction process spent the run (on a core, runnable but waiting
  for one, or asleep: waiting for sockets, work, a page or the GIL), from ``schedstat``.

Settings: ``[fetch] delay = "0s"`` and ``per_host = concurrency`` (every page is on one host;
the default per-host cap of 2 would be the limit otherwise), robots.txt obeyed (nginx serves an
allow-all one), ``[topic] query = ""``, alerts to a jsonl file, ``[daemon] serve = false``, and
one recheck tier (every 15 min at any age): the real pages carry their real publication dates,
years old, which the default tiers would never recheck. A benchmark, not a test: it prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
# bench/storage.py must not shadow the storage package: import it before bench/ is on the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
from sqlmodel import col, func, select  # noqa: E402

import storage  # noqa: E402

sys.path.append(str(HERE))
import pipeline_env as env  # noqa: E402
import pipeline_floor  # noqa: E402
import pipeline_profile  # noqa: E402
from pipeline_site import build_site, describe, sitemap_name  # noqa: E402

DAEMON = HERE / "pipeline_daemon.py"
RECHECK_ADVANCE = 3600  # seconds: past the 15-minute tier, so every article is due again
TARGETS = {"new": 0.5, "304": 0.7, "same": None}
FLOOR_TARGET = 0.6  # issue 20: new articles/s of k daemons against the k-process floor
CORES = os.cpu_count() or 1  # what /proc/stat's machine-wide line adds up


@dataclass
class Run:
    """k daemons working off one database once."""

    wall: float
    daemons: list[dict]
    nginx_cpu: float
    pg_cpu: float
    machine_cpu: float  # every process on the machine, ours included

    def count(self, *outcomes: str) -> int:
        return sum(d["outcomes"].get(o, 0) for d in self.daemons for o in outcomes)

    @property
    def cpu(self) -> float:
        return sum(d["cpu"] for d in self.daemons)

    @property
    def others(self) -> float:
        """Cores busy with processes that are not this run's (other people's work)."""
        return max(0.0, self.machine_cpu - self.cpu - self.nginx_cpu - self.pg_cpu) / self.wall

    @property
    def machine(self) -> float:
        """The share of the machine's cores busy during the run, whoever used them."""
        return self.machine_cpu / self.wall / CORES


@dataclass
class Cell:
    """One measure (new / 304 / same) of one setup, over the runs."""

    rates: list[float] = field(default_factory=list)
    ceilings: list[float] = field(default_factory=list)  # raw httpx just before each run
    floors: list[float] = field(default_factory=list)  # the k-process floor just before each run
    floor_cpu_ms: list[float] = field(default_factory=list)  # that floor's CPU per page
    cpu_ms: list[float] = field(default_factory=list)  # daemon CPU per item
    busy: list[float] = field(default_factory=list)  # daemon CPU / (wall × daemons)
    others: list[float] = field(default_factory=list)  # cores used by unrelated processes
    machine: list[float] = field(default_factory=list)  # share of all cores busy, anyone's
    nginx: list[float] = field(default_factory=list)  # nginx CPU share of the wall time
    pg: list[float] = field(default_factory=list)  # PostgreSQL CPU share of the wall time
    problems: set[str] = field(default_factory=set)

    def add(
        self,
        run: Run,
        items: int,
        expected: int,
        ceiling: float,
        floor: tuple[float, float] | None = None,
    ) -> None:
        """One run's figures; ``floor``: the floor's rate and CPU ms a page, taken before it."""
        self.rates.append(items / run.wall)
        self.ceilings.append(ceiling)
        if floor is not None:
            self.floors.append(floor[0])
            self.floor_cpu_ms.append(floor[1])
        self.cpu_ms.append(run.cpu / max(items, 1) * 1000)
        self.busy.append(run.cpu / (run.wall * len(run.daemons)))
        self.others.append(run.others)
        self.machine.append(run.machine)
        self.nginx.append(run.nginx_cpu / run.wall)
        self.pg.append(run.pg_cpu / run.wall)
        if items != expected:
            other = {k: v for d in run.daemons for k, v in d["outcomes"].items()}
            self.problems.add(f"{items}/{expected} ({other})")

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0

    @property
    def ceiling(self) -> float:
        return statistics.median(self.ceilings) if self.ceilings else 0.0

    @property
    def ratio(self) -> float:
        """The median over the runs of each run's rate over its own ceiling."""
        pairs = zip(self.rates, self.ceilings, strict=True)
        return statistics.median(r / c for r, c in pairs) if self.rates else 0.0

    @property
    def floor_shares(self) -> list[float]:
        """Each run's rate over the floor measured just before it (none: no floor taken)."""
        return [r / f for r, f in zip(self.rates, self.floors, strict=True)] if self.floors else []

    @property
    def all_cpu_ms(self) -> list[float]:
        """Each run's CPU per item of every process doing the work (the daemons with their
        extraction processes, the database server, nginx): what the cores must give an item."""
        return [
            cpu + (nginx + pg) / rate * 1000
            for cpu, nginx, pg, rate in zip(
                self.cpu_ms, self.nginx, self.pg, self.rates, strict=True
            )
        ]

    @property
    def cpu_bound_shares(self) -> list[float]:
        """Each run's best rate the machine's cores allow at its CPU per item, over the floor
        taken before it: what no better overlap of the work could pass, only less CPU."""
        pairs = zip(self.all_cpu_ms, self.floors, strict=True)
        return [CORES * 1000 / ms / f for ms, f in pairs] if self.floors else []


# -- the ceiling ---------------------------------------------------------------------------------


async def raw_httpx(
    urls: list[str], concurrency: int, etags: dict[str, str] | None = None
) -> tuple[float, dict[str, str]]:
    """Seconds to GET every URL (conditionally when ``etags`` is given), and the ETags seen."""
    slots = asyncio.Semaphore(concurrency)
    seen: dict[str, str] = {}
    want = 304 if etags else 200
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as client:

        async def one(url: str) -> None:
            async with slots:
                headers = {"If-None-Match": etags[url]} if etags else None
                response = await client.get(url, headers=headers)
                assert response.status_code == want, (url, response.status_code)
                if want == 200:
                    assert response.text
                seen[url] = response.headers.get("etag", "")

        await one(urls[0])  # connect outside the timing, as the daemon's pool is warm too
        started = time.perf_counter()
        await asyncio.gather(*(one(url) for url in urls))
        return time.perf_counter() - started, seen


def ceiling(
    urls: list[str], concurrency: int, runs: int
) -> tuple[dict[str, float], dict[str, str]]:
    """The median raw-httpx rates of 200s and 304s, and the ETags the 304 passes send."""
    ok, not_modified = [], []
    etags: dict[str, str] = {}
    for _ in range(runs):
        seconds, etags = asyncio.run(raw_httpx(urls, concurrency))
        ok.append(len(urls) / seconds)
        seconds, _ = asyncio.run(raw_httpx(urls, concurrency, etags))
        not_modified.append(len(urls) / seconds)
    rates = {
        "new": statistics.median(ok),
        "304": statistics.median(not_modified),
        "same": statistics.median(ok),
    }
    return rates, etags


# -- daemons -------------------------------------------------------------------------------------


def write_config(
    path: Path,
    *,
    db_url: str,
    sources: list[tuple[str, str]],
    concurrency: int,
    alerts: Path,
    extract_processes: str = "auto",
    topic: str = "",
) -> Path:
    lines = [f'[database]\nurl = "{db_url}"\n']
    for url, every in sources:
        lines.append(f'[[sources]]\nurl = "{url}"\nkind = "sitemap"\nevery = "{every}"\n')
    lines.append(f"[topic]\nquery = {json.dumps(topic)}\n")  # a JSON string is a TOML one
    lines.append('[recheck]\ntiers = [{younger_than = "36500d", every = "15m"}]\n')
    lines.append(f'[[alerts]]\nurl = "jsonl://{alerts}"\n')
    lines.append(
        f'[fetch]\nuser_agent = "newswatch-bench/0.1 (+http://127.0.0.1/)"\n'
        f'delay = "0s"\nconcurrency = {concurrency}\nper_host = {concurrency}\n'
        # The bench's sites are its own, on loopback, which the guard refuses unless named.
        'allow = ["127.0.0.1"]\n'
    )
    # The growth caps (1,000 new links a check, 5,000 a host a day) would stop the sitemap's
    # reading at its 1,000th URL: every page here is on one host, and all are meant to be read.
    lines.append(
        "[limits]\nnew_links_per_check = 1000000\nnew_links_per_source_per_day = 1000000\n"
        "new_links_per_host_per_day = 1000000\n"
    )
    processes = extract_processes if extract_processes.isdigit() else f'"{extract_processes}"'
    lines.append(f"[daemon]\nserve = false\nextract_processes = {processes}\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_daemons(
    config: Path,
    k: int,
    meter: env.CpuMeter,
    logs: Path,
    *,
    mode: str = "ingest",
    advance: float = 0.0,
    profile: Path | None = None,
    ticks: int = 5,
) -> Run:
    """Start k daemons, let them all go at once, and time until the last one is done."""
    cmd = [
        sys.executable,
        str(DAEMON),
        "--config",
        str(config),
        "--mode",
        mode,
        "--wait",
        "--advance",
        str(advance),
        "--ticks",
        str(ticks),
    ]
    if profile:
        cmd += ["--profile", str(profile)]
    procs: list[subprocess.Popen[str]] = []
    try:
        with open(logs, "a") as log:
            for _ in range(k):
                procs.append(
                    subprocess.Popen(
                        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
                    )
                )
        for proc in procs:
            if proc.stdout.readline().strip() != "ready":  # type: ignore[union-attr]
                tail = "\n".join(logs.read_text().splitlines()[-25:])
                raise RuntimeError(f"a daemon failed to start; the end of its log:\n{tail}")
        with meter.measure():
            started = time.perf_counter()
            for proc in procs:
                proc.stdin.write("go\n")  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
            lines = [proc.stdout.readline() for proc in procs]  # type: ignore[union-attr]
            if not all(lines):
                tail = "\n".join(logs.read_text().splitlines()[-25:])
                raise RuntimeError(f"a daemon died; the end of the daemons' log:\n{tail}")
            results = [json.loads(line) for line in lines]
            wall = (
                max(r["seconds"] for r in results)
                if mode == "ticks"
                else time.perf_counter() - started
            )
        for proc in procs:
            proc.wait(timeout=60)
        if mode == "ingest":
            for result in results:
                print_writer(result, wall)
        return Run(
            wall=wall,
            daemons=results,
            nginx_cpu=meter.nginx,
            pg_cpu=meter.postgres,
            machine_cpu=meter.machine,
        )
    finally:
        for proc in procs:  # only our own children, on an error or Ctrl-C
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def print_writer(result: dict, wall: float) -> None:
    """What one daemon's batch writer did: a writer busy for the whole run is the bound."""
    w = result["writer"]
    print(
        f"    writer: {w['writes']} writes in {w['batches']} batches"
        f" ({w['writes'] / max(w['batches'], 1):.1f} each, largest {w['largest']}),"
        f" busy {w['busy_seconds']:.2f} s of {wall:.2f} s,"
        f" CPU {w['cpu_seconds']:.2f} s of the daemon's {result['cpu']:.2f} s"
        f" (extraction processes {result.get('extraction_cpu', 0.0):.2f} s);"
        f" requests in flight {result['in_flight']['mean']:.1f} on average"
        f" (loop {result['in_flight']['lag_ms']:.1f} ms late a sample);"
        f" the daemon's peak RSS {result.get('VmHWM', 0) / 1024:.0f} MB",
        flush=True,
    )
    delivery = result.get("delivery")
    if delivery and result.get("alerts"):
        # After the run, in the bench's wall time but not in the daemon's CPU above.
        print(
            f"      then {result['alerts']} alerts delivered in {delivery['seconds']:.2f} s"
            f" (CPU {delivery['cpu']:.2f} s)",
            flush=True,
        )
    schedule = result.get("schedule") or {}
    if schedule:
        print(
            "      on a core / waiting for one / asleep: "
            + "; ".join(
                f"{name} {s['core']:.0%} / {s['runnable']:.0%} / {s['asleep']:.0%}"
                for name, s in schedule.items()
            ),
            flush=True,
        )


def count_versions(db_url: str) -> int:
    db = storage.open_database(db_url, create_tables=False)
    try:
        with db.session() as session:
            return int(
                session.exec(
                    select(func.count())
                    .select_from(storage.Article)
                    .where(col(storage.Article.current_version_id).is_not(None))
                ).one()
            )
    finally:
        db.close()


# -- the bench -----------------------------------------------------------------------------------


class Bench:
    def __init__(
        self,
        args: argparse.Namespace,
        work: Path,
        dbs: env.Databases,
        meter: env.CpuMeter,
        bases: dict[str, str],
    ) -> None:
        self.args, self.work, self.dbs, self.meter, self.bases = args, work, dbs, meter, bases
        self.logs = work / "daemons.log"
        self.n = 0
        self.urls: list[str] = []  # the ceiling's URLs (the ETag port)
        self.etags: dict[str, str] = {}  # theirs, from the first ceiling

    def ceiling_now(self, measure: str) -> float:
        """One raw-httpx pass of the kind ``measure`` compares with, just before its run."""
        etags = self.etags if measure == "304" else None
        seconds, _ = asyncio.run(raw_httpx(self.urls, self.args.concurrency, etags))
        return len(self.urls) / seconds

    def floor_now(self, k: int) -> tuple[float, float] | None:
        """One pass of the k-process floor just before an ingest of k daemons: its pages/s and
        its CPU ms a page (None: skipped)."""
        if self.args.skip_floor:
            return None
        parts = [self.urls[i::k] for i in range(k)]
        timing = pipeline_floor.measure(parts, self.args.concurrency)
        return len(self.urls) / timing.seconds, timing.cpu / len(self.urls) * 1000

    def config(self, engine: str, port: str, name: str, *, first: bool = False) -> tuple[Path, str]:
        url = self.dbs.fresh(engine)
        base = self.bases[port]
        # 30 days: the one-hour clock advance of a recheck leaves the sitemap alone.
        path = write_config(
            self.work / f"{name}.toml",
            db_url=url,
            concurrency=self.args.concurrency,
            sources=[(f"{base}/{sitemap_name(base, first=first)}", "30d")],
            alerts=self.work / f"{name}-alerts.jsonl",
            extract_processes=self.args.extract_processes,
            topic=self.args.topic,
        )
        return path, url

    def seeded(self, engine: str, port: str, name: str, *, first: bool = False) -> Path:
        """A fresh database whose sitemap has been read: N articles due (or the first M)."""
        path, _ = self.config(engine, port, name, first=first)
        run = run_daemons(path, 1, self.meter, self.logs, mode="discover")
        if run.daemons[0]["outcomes"] != {"source_ok": 1}:
            raise RuntimeError(f"reading the sitemap failed: {run.daemons[0]}")
        self.discovery = run.wall
        return path

    def setup(self, engine: str, k: int, cells: dict[str, Cell], run_no: int) -> None:
        for port, measure, outcome in (
            ("etag", "304", "not_modified"),
            ("plain", "same", "unchanged"),
        ):
            name = f"{engine}{k}-{port}-{run_no}"
            path = self.seeded(engine, port, name)
            floor = self.floor_now(k)
            ceiling = self.ceiling_now("new")
            ingest = run_daemons(path, k, self.meter, self.logs)
            cells["new"].add(ingest, ingest.count("new"), self.n, ceiling, floor)
            ceiling = self.ceiling_now(measure)
            recheck = run_daemons(path, k, self.meter, self.logs, advance=RECHECK_ADVANCE)
            cells[measure].add(recheck, recheck.count(outcome), self.n, ceiling)
        self.dbs.drop_all()

    def profile(self, engine: str) -> list[str]:
        path = self.seeded(engine, "etag", "profile", first=True)
        lines = []
        name = "SQLite" if engine == "sqlite" else "PostgreSQL"
        for title, advance, outcome in (
            (f"ingest, 1 daemon, {name}", 0.0, "new"),
            (f"304 recheck, 1 daemon, {name}", RECHECK_ADVANCE, "not_modified"),
        ):
            stats = self.work / f"profile-{outcome}.pstats"
            run = run_daemons(path, 1, self.meter, self.logs, advance=advance, profile=stats)
            if self.args.keep_profiles is not None:
                self.args.keep_profiles.mkdir(parents=True, exist_ok=True)
                for kept in stats.parent.glob(f"{stats.name}*"):
                    shutil.copy(kept, self.args.keep_profiles / kept.name)
            lines += pipeline_profile.report(stats, title, run.count(outcome))
            # The threads the daemon started: the batch writer's, and to_thread's (snapshots).
            for suffix, whose in (("writer", "the batch writer's thread"), ("threads", "others")):
                extra = stats.with_name(f"{stats.name}.{suffix}")
                if extra.exists():
                    lines += pipeline_profile.report(
                        extra, f"{title}, {whose}", run.count(outcome), top=8
                    )
        return lines

    def rss(self) -> dict:
        """Peak RSS of a daemon with 10,000 sources and 100,000 due articles, after a few ticks."""
        a = self.args
        url = self.dbs.fresh("sqlite")
        base = self.bases["etag"]
        sources = [(f"{base}/src/{i:05d}.xml", "1d") for i in range(a.rss_sources)]
        path = write_config(
            self.work / "rss.toml",
            db_url=url,
            sources=sources,
            concurrency=a.concurrency,
            alerts=self.work / "rss-alerts.jsonl",
            extract_processes=a.extract_processes,
        )
        started = time.perf_counter()
        db = storage.open_database(url)
        try:
            now = datetime.now(UTC)
            with db.transaction() as session:
                storage.sync_sources(
                    session,
                    [
                        storage.SourceSpec(url=u, kind="sitemap", every_seconds=86400)
                        for u, _ in sources
                    ],
                    now=now,
                )
                ids = [s.id for s in session.exec(select(storage.Source)).all()]
            per_source = max(1, a.rss_articles // len(ids))
            for chunk in range(0, len(ids), 500):
                with db.transaction() as session:
                    for source_id in ids[chunk : chunk + 500]:
                        # Distinct URLs (a query string) for pages nginx really serves.
                        first = source_id * per_source
                        candidates = [
                            storage.Candidate(
                                url=f"{base}/a/{(first + j) % self.n:05d}.html?copy={first + j}"
                            )
                            for j in range(per_source)
                        ]
                        storage.add_candidates(
                            session, source_id=source_id, now=now, candidates=candidates
                        )
        finally:
            db.close()
        populated = time.perf_counter() - started
        run = run_daemons(path, 1, self.meter, self.logs, mode="ticks", ticks=a.rss_ticks)
        d = run.daemons[0]
        return {
            "populate_s": populated,
            "open_mb": d["rss_open_kb"] / 1024,
            "peak_mb": d["VmHWM"] / 1024,
            "end_mb": d["VmRSS"] / 1024,
            "pss_mb": d["pss_kb"] / 1024,
            "extraction_peak_mb": d["extraction_hwm_kb"] / 1024,
            "extraction_pss_mb": d["extraction_pss_kb"] / 1024,
            "end_anon_mb": d.get("RssAnon", 0) / 1024,
            "end_file_mb": d.get("RssFile", 0) / 1024,
            "sources": d["sources"],
            "articles": d["articles"],
            "seconds": run.wall,
            "articles_total": len(ids) * per_source,
            "ticks_kb": d["ticks_kb"],
        }


def print_rss(args: argparse.Namespace, r: dict) -> None:
    ticks = " ".join(f"{kb / 1024:.0f}" for kb in r["ticks_kb"])
    print(
        f"\nRSS, one daemon on SQLite with {args.rss_sources:,} sources and "
        f"{r['articles_total']:,} due articles (populated in {r['populate_s']:.0f} s), "
        f"{args.rss_ticks} ticks ({r['sources']} sources, {r['articles']} articles "
        f"worked in {r['seconds']:.0f} s): after open {r['open_mb']:.0f} MB, after each tick "
        f"{ticks} MB, peak {r['peak_mb']:.0f} MB, end {r['end_mb']:.0f} MB (mapped files "
        f"{r['end_file_mb']:.0f}, the rest {r['end_anon_mb']:.0f}); target ≤ 200 MB "
        f"{'ok' if r['peak_mb'] <= 200 else 'MISS'}",
        flush=True,
    )
    # Shared pages (the libraries, the language model's file) count in both processes' RSS;
    # the proportional set sizes split them, so their sum is what the two hold.
    if r["extraction_peak_mb"]:
        print(
            f"  its extraction process: peak {r['extraction_peak_mb']:.0f} MB; proportional "
            f"set size at the end: daemon {r['pss_mb']:.0f} MB + extraction "
            f"{r['extraction_pss_mb']:.0f} MB = {r['pss_mb'] + r['extraction_pss_mb']:.0f} MB",
            flush=True,
        )
    else:
        print(f"  proportional set size at the end: {r['pss_mb']:.0f} MB", flush=True)


def floor_line(ceil: dict[str, float], floor: dict[int, float]) -> str:
    one, two = floor[1], floor[2]
    return (
        f"floor, fetch + extract, nothing stored: 1 process {one:.0f}/s "
        f"({one / ceil['new']:.0%} of the 200 ceiling), 2 processes {two:.0f}/s "
        f"({two / ceil['new']:.0%})"
    )


def print_table(
    ceil: dict[str, float],
    results: dict[str, dict[str, Cell]],
    floor: dict[int, float] | None = None,
) -> None:
    names = {"new": "new articles/s", "304": "304 rechecks/s", "same": "200-same rechecks/s"}
    print(
        "\nceiling: raw httpx right before each run (median); ratio: the median of each run's "
        "rate over its own ceiling"
    )
    print(
        "cpu ms/item: the daemons' CPU per item; busy: that CPU over wall time × daemons "
        "(< 100%: waiting on the database, the server or a CPU); nginx, pg: their CPU over wall "
        "time; others: cores used meanwhile by processes outside this bench; cores: the share "
        f"of the machine's {CORES} cores busy during the run, whoever used them (near 100%: the "
        "cores are the bound)"
    )
    print(
        f"{'measure':<20} {'setup':<9} {'rate/s':>7} {'ceiling':>7} {'ratio':>6} {'target':>6} "
        f"{'':>4} {'cpu ms/item':>11} {'busy':>5} {'nginx':>6} {'pg':>5} {'others':>6} "
        f"{'cores':>5}  runs"
    )
    med = statistics.median
    for measure, label in names.items():
        for setup, cells in results.items():
            cell = cells[measure]
            if not cell.rates:
                continue
            ratio = cell.ratio
            target = TARGETS[measure]
            flag = "" if target is None else ("ok" if ratio >= target else "MISS")
            spread = "/".join(f"{r:.0f}" for r in cell.rates)
            print(
                f"{label:<20} {setup:<9} {cell.rate:>7.1f} {cell.ceiling:>7.0f} {ratio:>6.0%} "
                f"{'' if target is None else f'{target:.0%}':>6} {flag:>4} "
                f"{med(cell.cpu_ms):>11.2f} {med(cell.busy):>5.0%} {med(cell.nginx):>6.0%} "
                f"{med(cell.pg):>5.0%} {med(cell.others):>6.2f} {med(cell.machine):>5.0%}  {spread}"
            )
            for problem in sorted(cell.problems):
                print(f"{'':<20} {'':<9} counted {problem}")
    if floor:
        # The new-articles target beside what extraction alone allows: a daemon cannot beat the
        # floor, so a target above it is out of reach in that many processes whatever the storage.
        print(
            f"new-articles target: 50% of the 200 ceiling is {TARGETS['new'] * ceil['new']:.0f}"
            f"/s; the floor (fetch + extract, nothing stored) is {floor[1]:.0f}/s in 1 process "
            f"({floor[1] / ceil['new']:.0%}), {floor[2]:.0f}/s in 2 "
            f"({floor[2] / ceil['new']:.0%})"
        )
        for setup, cells in results.items():
            shares = cells["new"].floor_shares
            if not shares:
                continue
            k = int(setup.rsplit("×", 1)[1])
            share = statistics.median(shares)
            pairs = zip(cells["new"].rates, cells["new"].floors, strict=True)
            each = ", ".join(f"{r:.0f}/s of {f:.0f}" for r, f in pairs)
            print(
                f"new articles, {setup}: {share:.0%} of the {k}-process floor taken right before "
                f"each ingest (target {FLOOR_TARGET:.0%}: "
                f"{'ok' if share >= FLOOR_TARGET else 'MISS'}; {each})"
            )
            # Whether the target is a matter of overlap (cores idle) or of CPU: all the work a
            # new article costs, divided into the cores, bounds the rate whatever the design.
            spent = statistics.median(cells["new"].all_cpu_ms)
            floor_cpu = statistics.median(cells["new"].floor_cpu_ms)
            bound = statistics.median(cells["new"].cpu_bound_shares)
            print(
                f"  CPU a new article in all (daemons, server, nginx) {spent:.1f} ms, "
                f"{spent / floor_cpu:.1f}× the floor's a page ({floor_cpu:.1f} ms): {CORES} "
                f"cores allow at most {CORES * 1000 / spent:.0f}/s, {bound:.0%} of that floor"
            )
    for engine in ("sqlite", "pg"):
        one, two = results.get(f"{engine} ×1"), results.get(f"{engine} ×2")
        if not (one and two):
            continue
        target = " (target: 2 daemons ≥ 1.6× one)" if engine == "pg" else ""
        # On the ratios, not the raw rates: k daemons against one, each over its own ceiling,
        # so a machine that slowed down between the two runs does not pass for poor scaling.
        print(
            f"\nscaling on {'PostgreSQL' if engine == 'pg' else 'one SQLite file'}{target}, "
            f"on the ratios to the ceiling:"
        )
        for measure, label in names.items():
            if one[measure].rate:
                factors = [
                    f"{k} {cells[measure].ratio / one[measure].ratio:.2f}×"
                    for k, cells in results.items()
                    if k.startswith(engine)
                ]
                factor = two[measure].ratio / one[measure].ratio
                verdict = ("ok" if factor >= 1.6 else "MISS") if engine == "pg" else ""
                print(f"  {label:<22} {', '.join(factors)}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1500, help="distinct article URLs")
    parser.add_argument("--runs", type=int, default=1, help="runs of each measure (median)")
    parser.add_argument("--concurrency", type=int, default=8, help="[fetch] concurrency")
    parser.add_argument(
        "--extract-processes",
        default="auto",
        help="the daemons' [daemon] extract_processes (0: extract in the daemon, as before)",
    )
    parser.add_argument("--pg", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--daemons", default="1,2,3", help="PostgreSQL daemon counts")
    parser.add_argument(
        "--sqlite-daemons",
        default="1",
        help="SQLite daemon counts (several share one file, as on a laptop)",
    )
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--rss-sources", type=int, default=10_000)
    parser.add_argument("--rss-articles", type=int, default=100_000)
    parser.add_argument("--rss-ticks", type=int, default=5)
    parser.add_argument(
        "--only-rss",
        action="store_true",
        help="measure only the daemon's memory, --runs times (no ceiling, floor or profile)",
    )
    parser.add_argument("--skip-profile", action="store_true")
    parser.add_argument(
        "--profile-engine",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="the database of the profiled daemon",
    )
    parser.add_argument(
        "--skip-floor",
        action="store_true",
        help="skip the fetch + extract floor (1 and 2 processes)",
    )
    parser.add_argument(
        "--profile-articles",
        type=int,
        default=800,
        help="articles in the profiled run (the first M pages)",
    )
    parser.add_argument(
        "--topic",
        default="",
        help="the daemons' [topic] query (default: none, every page is on the topic); a query "
        "every page matches, such as 'NOT zzzz', measures the cost of matching",
    )
    parser.add_argument(
        "--keep-profiles",
        type=Path,
        metavar="DIR",
        help="copy the profiles' .pstats files here, to read further with pstats or snakeviz",
    )
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the ExitStack below stops nginx and drops the databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="nw_pipeline_"))
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        ports = {"etag": env.free_port(), "plain": env.free_port()}
        bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        site = build_site(
            work / "www", args.articles, list(bases.values()), first=args.profile_articles
        )
        nginx_pid = stack.enter_context(
            env.nginx(
                work / "www", work / "nginx", etag_port=ports["etag"], plain_port=ports["plain"]
            )
        )
        dbs = env.Databases(work, args.postgres_url)
        stack.callback(dbs.drop_all)
        bench = Bench(args, work, dbs, env.CpuMeter(nginx_pid), bases)
        bench.n = args.articles
        print(
            f"pages: {describe(site)}; nginx 1.22 (1 worker) on {bases['etag']} (ETag) and "
            f"{bases['plain']} (no validators); concurrency {args.concurrency}; "
            f"{args.runs} run(s), median",
            flush=True,
        )

        if args.only_rss:
            for _ in range(args.runs):
                print_rss(args, bench.rss())
            return
        urls = [f"{bases['etag']}{site.path_of(i)}" for i in range(site.count)]
        bench.urls = urls
        ceil, bench.etags = ceiling(urls, args.concurrency, max(args.runs, 3))
        print(
            f"ceiling, raw httpx, one process: 200 {ceil['new']:.0f}/s, 304 {ceil['304']:.0f}/s",
            flush=True,
        )
        floor: dict[int, float] | None = None
        if not args.skip_floor:
            floor = pipeline_floor.floor(urls, args.concurrency, max(args.runs, 3))
            print(floor_line(ceil, floor), flush=True)

        setups = [("sqlite", int(k)) for k in args.sqlite_daemons.split(",") if k]
        setups += [("postgres", int(k)) for k in args.daemons.split(",") if k] if args.pg else []
        results: dict[str, dict[str, Cell]] = {}
        for engine, k in setups:
            label = f"{'pg' if engine == 'postgres' else engine} ×{k}"
            cells = results[label] = {m: Cell() for m in TARGETS}
            for run_no in range(args.runs):
                bench.setup(engine, k, cells, run_no)
            print(
                f"  {label}: new {cells['new'].rate:.0f}/s, 304 {cells['304'].rate:.0f}/s, "
                f"200-same {cells['same'].rate:.0f}/s (sitemap of {bench.n} URLs read in "
                f"{bench.discovery:.2f} s)",
                flush=True,
            )
        print_table(ceil, results, floor)

        if not args.skip_rss:
            print_rss(args, bench.rss())
        if not args.skip_profile:
            print("\nwhere the time goes (cProfile, own time; built-ins charged to callers):")
            print("\n".join(bench.profile(args.profile_engine)))


if __name__ == "__main__":
    main()
