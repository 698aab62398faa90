"""What bench/pipeline.py runs against: its own nginx, scratch databases, CPU accounting.

Everything here is a context manager that undoes itself, Ctrl-C included: nginx is stopped,
scratch PostgreSQL databases are dropped, SQLite files go with the temp dir.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template

import psycopg
from sqlalchemy.engine import make_url

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def nginx(root: Path, prefix: Path, *, etag_port: int, plain_port: int) -> Iterator[int]:
    """Run nginx on the two ports until the block ends; yields its master's pid."""
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(
        Template(TEMPLATE.read_text()).substitute(
            prefix=prefix, root=root, etag_port=etag_port, plain_port=plain_port
        )
    )
    # nginx's workers drop to "nobody" when started as root: they must be able to read the pages.
    for path in (prefix, *prefix.parents):
        if path == Path("/"):
            break
        path.chmod(path.stat().st_mode | 0o055)
    subprocess.run(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")], check=True
    )
    pid_file = prefix / "nginx.pid"
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    try:
        _wait_listening(etag_port)
        _wait_listening(plain_port)
        yield pid
    finally:
        os.kill(pid, signal.SIGQUIT)  # graceful stop of our own master (and its workers)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)


def _wait_listening(port: int) -> None:
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx is not listening on 127.0.0.1:{port}")


class Databases:
    """Fresh databases for each run: SQLite files in the temp dir, or scratch PostgreSQL ones."""

    def __init__(self, workdir: Path, postgres_url: str) -> None:
        self.workdir = workdir
        self.admin = make_url(postgres_url)
        self.created: list[str] = []

    def fresh(self, engine: str) -> str:
        name = f"nw_bench_{uuid.uuid4().hex[:12]}"
        if engine == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.admin.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        with self._admin() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()

    def _admin(self) -> psycopg.Connection:
        u = self.admin
        return psycopg.connect(
            host=u.host,
            port=u.port or 5432,
            user=u.username,
            password=u.password,
            dbname=u.database or "postgres",
            autocommit=True,
        )


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (0 for any that has gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def _processes() -> Iterator[tuple[int, str, int]]:
    """(pid, command, parent pid) of every process we can see."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        yield int(entry.name), comm, int(stat.rsplit(")", 1)[1].split()[1])


def pids_named(name: str) -> list[int]:
    return [pid for pid, comm, _ in _processes() if comm == name]


def family(pid: int) -> list[int]:
    """A process and its children (nginx's master and workers)."""
    return [p for p, _, parent in _processes() if p == pid or parent == pid]


def machine_busy() -> float:
    """CPU seconds all processes on the machine have used (all cores): what is left for others."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / _TICKS


class CpuMeter:
    """CPU seconds nginx and PostgreSQL spent during a block: is the server the bottleneck?"""

    def __init__(self, nginx_pid: int) -> None:
        self.nginx_pid = nginx_pid
        self.nginx = self.postgres = self.machine = 0.0

    @contextmanager
    def measure(self) -> Iterator[CpuMeter]:
        nginx_pids = family(self.nginx_pid)
        nginx0 = cpu_seconds(nginx_pids)
        pg0 = {pid: cpu_seconds([pid]) for pid in pids_named("postgres")}
        pg_last = dict(pg0)
        machine0 = machine_busy()
        done = threading.Event()

        def sample() -> None:
            # A daemon's backend exits when the daemon closes its pool, before the block ends:
            # its CPU is read every 0.2 s while it lives, so the last reading counts.
            while not done.wait(0.2):
                for pid in pids_named("postgres"):
                    pg_last[pid] = max(pg_last.get(pid, 0.0), cpu_seconds([pid]))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield self
        finally:
            done.set()
            sampler.join()
            self.machine = machine_busy() - machine0
            self.nginx = cpu_seconds(nginx_pids) - nginx0
            for pid in pids_named("postgres"):
                pg_last[pid] = max(pg_last.get(pid, 0.0), cpu_seconds([pid]))
            self.postgres = sum(seconds - pg0.get(pid, 0.0) for pid, seconds in pg_last.items())
