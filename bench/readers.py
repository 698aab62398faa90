"""Does reading the API slow the daemon down? Ingest with and without 32 readers (issue 14).

    python bench/readers.py [--articles 2000] [--history 50000] [--runs 3] [--readers 32]

``newswatch run`` (its web server included, as a child process at ``[daemon] serve_nice``)
ingests ``--articles`` new articles from the newsroom (generated stories, in a process of its
own: bench/readers_newsroom.py) into a SQLite database that already holds ``--history``
articles, one in ten edited (bench/api.py's synthetic history, so that listings, search,
feeds and coverage have a realistic amount to read). Each run starts from a copy of the same
database, whose sitemap has been read: the frontier holds every new article, due.

Runs alternate quiet, loaded, loaded, quiet, ... (``--runs`` of each), so that the machine's
drift cancels out; the table shows each run, the medians, and each loaded run's rate over the
quiet run beside it. Loaded: bench/readers_load.py's 32 concurrent readers (listings and deep pages,
search and deep pages, the edits feed with a new topic each time, coverage, stats, the home
page, /healthz) from the moment the server answers until the daemon is done. A /healthz
probe fails if it is not answered 200 within 5 s. Ingest rate:
versions recorded per second from that moment (the same moment in a quiet run) until 90 % of
the articles are in. The ratio loaded / quiet is the figure the issue asks for (target at
least 0.9), and /healthz answers other than 200 under load (target 0).

``--in-process`` serves from a thread of the daemon instead (bench/readers_inprocess.py), as
newswatch did before issue 14, for comparison.

Beside each rate: the daemon's CPU per version, its server's CPU seconds, and how many cores
other processes kept busy meanwhile (this machine is shared; a rate is only comparable with
runs that had as much left to them).

The readers' process runs at nice 19: on a real deployment readers are other machines, and
their CPU cost is not what is measured. Loopback only. A benchmark: it prints, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
# bench/storage.py must not shadow the storage package: import it before bench/ is on the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
import storage  # noqa: E402, F401  (imported first on purpose, see above)

sys.path.append(str(HERE))
import api as api_bench  # noqa: E402

sys.path.append(str(HERE))  # importing bench/api.py took bench/ off the path again
import pipeline_env as env  # noqa: E402

NEWSWATCH = [sys.executable, "-m", "newswatch"]
PY = sys.executable


@dataclass
class Run:
    loaded: bool
    rate: float  # versions per second
    new: int
    seconds: float
    daemon_cpu: float = 0.0  # CPU seconds of the daemon's own process in the window
    server_cpu: float = 0.0  # of its web server child
    others: float = 0.0  # cores busy with processes not of this run (other people's work)
    readers: dict[str, object] | None = None

    def healthz(self, what: str = "failures") -> int:
        """/healthz probes that failed (or timed out, or were made) in this run."""
        kinds = (self.readers or {}).get("kinds", {})
        return int(kinds.get("healthz", {}).get(what, 0))  # type: ignore[union-attr]

    @property
    def healthz_failures(self) -> int:
        return self.healthz()


def write_config(
    path: Path, *, db_file: Path, newsroom: str, port: int, work: Path, serve_nice: int = 10
) -> Path:
    path.write_text(
        f"""
[database]
url = "sqlite:///{db_file}"

[[sources]]
url = "{newsroom}/sitemap.xml"
kind = "sitemap"
every = "30d"

[topic]
query = ""

[recheck]
tiers = [ {{ younger_than = "3650d", every = "15m" }} ]

[[alerts]]
url = "jsonl://{work / "alerts.jsonl"}"

[fetch]
delay = "0s"
per_host = 8
concurrency = 8

[daemon]
serve_nice = {serve_nice}

[api]
port = {port}
""",
        encoding="utf-8",
    )
    return path


def versions(db_file: Path) -> int:
    """Versions stored, read without disturbing the daemon (WAL: readers do not block)."""
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30) as con:
        return int(con.execute("SELECT count(*) FROM versions").fetchone()[0])


def prepare(work: Path, newsroom: str, history: int) -> Path:
    """The database every run copies: the history, then the newsroom's sitemap read."""
    template = work / "template.db"
    started = time.perf_counter()
    api_bench.build(f"sqlite:///{template}", history)
    config = write_config(
        work / "seed.toml", db_file=template, newsroom=newsroom, port=env.free_port(), work=work
    )
    seeded = subprocess.run(
        [
            PY,
            str(HERE / "pipeline_daemon.py"),
            "--config",
            str(config),
            "--mode",
            "discover",
            "--log-level",
            "WARNING",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    outcome = json.loads(seeded.stdout.splitlines()[-1])
    if outcome["outcomes"] != {"source_ok": 1}:
        raise RuntimeError(f"reading the sitemap failed: {outcome}")
    with sqlite3.connect(template) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"history: {history:,} articles, {versions(template):,} versions, built in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return template


def wait_healthy(base: str, daemon: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            raise RuntimeError(f"the daemon exited with {daemon.returncode}; see {log}")
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the daemon's server did not answer; see {log}")


def one_run(
    work: Path,
    template: Path,
    newsroom: str,
    n: int,
    *,
    loaded: bool,
    readers: int,
    index: int,
    serve_nice: int,
    in_process: bool,
) -> Run:
    db_file = work / f"run{index}.db"
    shutil.copy(template, db_file)
    port = env.free_port()
    config = write_config(
        work / f"run{index}.toml",
        db_file=db_file,
        newsroom=newsroom,
        port=port,
        work=work,
        serve_nice=serve_nice,
    )
    base, log = f"http://127.0.0.1:{port}", work / f"run{index}.log"
    before = versions(db_file)
    command = (
        [PY, str(HERE / "readers_inprocess.py"), "--config", str(config)]
        if in_process
        else [*NEWSWATCH, "run", "--config", str(config), "--log-level", "WARNING"]
    )
    with log.open("ab") as out:
        daemon = subprocess.Popen(command, stdout=out, stderr=out)
    load: subprocess.Popen[str] | None = None
    try:
        wait_healthy(base, daemon, log)
        if loaded:
            load = subprocess.Popen(
                [PY, str(HERE / "readers_load.py"), "--base", base, "--readers", str(readers)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        server = [p for p in env.family(daemon.pid) if p != daemon.pid]
        ours = [daemon.pid, *server] + ([load.pid] if load is not None else [])
        cpu0 = (
            env.cpu_seconds([daemon.pid]),
            env.cpu_seconds(server),
            env.cpu_seconds(ours),
            env.machine_busy(),
        )
        start_count, started = versions(db_file), time.perf_counter()
        target = before + int(n * 0.9)
        count = start_count
        while count < target:
            if daemon.poll() is not None:
                raise RuntimeError(f"the daemon exited with {daemon.returncode}; see {log}")
            if time.perf_counter() - started > 600:
                break
            time.sleep(0.2)
            count = versions(db_file)
        seconds = time.perf_counter() - started
        daemon_cpu = env.cpu_seconds([daemon.pid]) - cpu0[0]
        server_cpu = env.cpu_seconds(server) - cpu0[1]
        others = (env.machine_busy() - cpu0[3] - (env.cpu_seconds(ours) - cpu0[2])) / seconds
        seen = None
        if load is not None:
            out_text, _ = load.communicate("", timeout=120)  # EOF on stdin stops the readers
            seen = json.loads(out_text.splitlines()[-1])
        return Run(
            loaded=loaded,
            rate=(count - start_count) / seconds,
            new=count - start_count,
            seconds=seconds,
            daemon_cpu=daemon_cpu,
            server_cpu=server_cpu,
            others=others,
            readers=seen,
        )
    finally:
        if load is not None and load.poll() is None:
            load.kill()
            load.wait()
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        db_file.unlink(missing_ok=True)


def report(runs: list[Run], readers: int) -> None:
    print(
        f"\n{'run':<4} {'readers':>7} {'versions/s':>11} {'versions':>9} {'seconds':>8} "
        f"{'daemon CPU ms/v':>16} {'server CPU':>11} {'others':>7} {'reads/s':>8} "
        f"{'healthz not 200':>16}"
    )
    for i, run in enumerate(runs, 1):
        reads = sum(k["requests"] for k in (run.readers or {}).get("kinds", {}).values())  # type: ignore[union-attr]
        seconds = float((run.readers or {}).get("seconds", 0) or 1)  # type: ignore[arg-type]
        print(
            f"{i:<4} {readers if run.loaded else 0:>7} {run.rate:>11.1f} {run.new:>9,} "
            f"{run.seconds:>8.1f} {run.daemon_cpu / max(run.new, 1) * 1000:>16.1f} "
            f"{run.server_cpu:>10.1f}s {run.others:>7.2f} "
            f"{reads / seconds if run.loaded else 0:>8.0f} "
            f"{run.healthz_failures if run.loaded else '-':>16}"
        )
    quiet = statistics.median(r.rate for r in runs if not r.loaded)
    loaded = statistics.median(r.rate for r in runs if r.loaded)
    # Each loaded run beside the quiet run next to it (this machine's speed drifts).
    pairs = [(runs[i], runs[i + 1]) for i in range(0, len(runs) - 1, 2)]
    ratios = [(b.rate / a.rate) if b.loaded else (a.rate / b.rate) for a, b in pairs]
    failures = sum(r.healthz() for r in runs if r.loaded)
    timeouts = sum(r.healthz("timeouts") for r in runs if r.loaded)
    probes = sum(r.healthz("requests") for r in runs if r.loaded)
    print(
        f"\ningest, median: {quiet:.1f} versions/s without readers, {loaded:.1f} with "
        f"{readers} ({loaded / quiet:.2f}); loaded / quiet, run beside run: "
        f"{', '.join(f'{r:.2f}' for r in ratios)}, median {statistics.median(ratios):.2f} "
        f"(target >= 0.90); /healthz not 200 within 5 s under load: {failures} of {probes} "
        f"({timeouts} not answered in time, {failures - timeouts} answered otherwise; "
        f"target 0)"
    )
    last = next((r for r in reversed(runs) if r.loaded and r.readers), None)
    if last and last.readers:
        print(
            f"\nthe readers of the last loaded run ({last.readers['seconds']:.0f} s, their "
            f"own CPU {last.readers['cpu']:.0f} s):"
        )
        print(
            f"  {'request':<20} {'count':>7} {'failed':>7} {'timed out':>10} {'p50 ms':>8} "
            f"{'p99 ms':>8}"
        )
        for kind, seen in last.readers["kinds"].items():  # type: ignore[union-attr]
            print(
                f"  {kind:<20} {seen['requests']:>7} {seen['failures']:>7} "
                f"{seen['timeouts']:>10} {seen['p50_ms']:>8.0f} {seen['p99_ms']:>8.0f}"
            )
        for problem in last.readers.get("problems", [])[:5]:  # type: ignore[union-attr]
            print(f"  ! {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="new articles per run")
    parser.add_argument("--history", type=int, default=50_000, help="articles already stored")
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (median)")
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--serve-nice", type=int, default=10, help="[daemon] serve_nice")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="serve from a thread of the daemon, as before issue 14",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="nw_readers_"))
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        room = subprocess.Popen(
            [PY, str(HERE / "readers_newsroom.py"), "--articles", str(args.articles)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        stack.callback(room.wait, 30)
        stack.callback(room.communicate, "")
        assert room.stdout is not None
        newsroom = room.stdout.readline().strip()
        serving = (
            "the server in a thread of the daemon (as before issue 14)"
            if args.in_process
            else f"the server a child at nice {args.serve_nice}"
        )
        print(
            f"newsroom {newsroom}: {args.articles:,} articles; `newswatch run` on SQLite, "
            f"{serving}; {args.runs} quiet and {args.runs} loaded runs",
            flush=True,
        )
        template = prepare(work, newsroom, args.history)
        runs = []
        for index in range(args.runs * 2):
            loaded = index % 4 in (1, 2)  # quiet, loaded, loaded, quiet: drift cancels out
            run = one_run(
                work,
                template,
                newsroom,
                args.articles,
                loaded=loaded,
                readers=args.readers,
                index=index,
                serve_nice=args.serve_nice,
                in_process=args.in_process,
            )
            runs.append(run)
            print(
                f"  run {index + 1} ({'loaded' if loaded else 'quiet'}): {run.rate:.1f} versions/s",
                flush=True,
            )
        report(runs, args.readers)


if __name__ == "__main__":
    main()
