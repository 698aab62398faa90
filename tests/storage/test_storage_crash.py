"""Crash consistency: SIGKILL a process that is recording, again and again, at random moments.

Afterwards the SQLite file passes its integrity checks, no article or version is duplicated,
every version has its snapshot, and every alert that was due exists exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import storage

SCRIPT = Path(__file__).with_name("crash_ingest.py")
KILLS = 50
DEADLINE = 60.0


def load_plan() -> object:
    import importlib.util

    spec = importlib.util.spec_from_file_location("crash_ingest", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def start(db_path: Path, progress: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(db_path), str(progress)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )


def wait_for_steps(proc: subprocess.Popen[str], steps: int, deadline: float) -> bool:
    """Read until ``steps`` more steps were committed; False if the run finished first."""
    assert proc.stdout is not None
    seen = 0
    while seen < steps:
        if time.monotonic() > deadline:
            pytest.fail("the ingest process stopped making progress")
        line = proc.stdout.readline()
        if not line or line.strip() == "done":
            return False
        seen += line.startswith("step ")
    return True


@pytest.mark.slow
def test_kill_minus_nine_at_random_moments_loses_nothing_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    db_path, progress = tmp_path / "crash.db", tmp_path / "progress"
    rng = random.Random(20250602)
    kills = 0
    while True:
        proc = start(db_path, progress)
        # A guard against hangs, not a timing check: each run has its own minute (a loaded
        # machine takes seconds just to start the interpreter).
        deadline = time.monotonic() + DEADLINE
        # Kill after a random number of commits: the next step is then somewhere in flight.
        if kills < KILLS and wait_for_steps(proc, rng.randint(1, 6), deadline):
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
            kills += 1
            continue
        out, errors = proc.communicate(timeout=120)
        assert proc.returncode == 0, errors
        if kills >= KILLS:
            break
    assert kills >= KILLS
    check_database(db_path)


def check_database(db_path: Path) -> None:
    plan = load_plan()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO versions_fts(versions_fts) VALUES ('integrity-check')")
        articles = conn.execute("SELECT url, COUNT(*) FROM articles GROUP BY url").fetchall()
        assert len(articles) == plan.ARTICLES and all(n == 1 for _, n in articles)
        # Expected versions: one per distinct revision each article went through.
        expected: dict[int, list[int]] = {}
        for article, revision in plan.plan():
            if not expected.get(article) or expected[article][-1] != revision:
                expected.setdefault(article, []).append(revision)
        for article, revisions in expected.items():
            rows = conn.execute(
                "SELECT v.number, v.fingerprint, v.snapshot_sha256, s.sha256 FROM versions v "
                "JOIN articles a ON a.id = v.article_id "
                "LEFT JOIN snapshots s ON s.sha256 = v.snapshot_sha256 "
                "WHERE a.url = ? ORDER BY v.number",
                (plan.url(article),),
            ).fetchall()
            assert [r[0] for r in rows] == list(range(1, len(revisions) + 1))
            assert all(r[2] is not None and r[3] == r[2] for r in rows), "snapshot missing"
            fingerprints = [r[1] for r in rows]
            assert len(set(fingerprints)) == len(fingerprints), "a version was stored twice"
        # Every version is one alert (new or edited), exactly once, and nothing else alerted.
        alerts = conn.execute(
            "SELECT v.id, COUNT(al.id) FROM versions v LEFT JOIN alerts al "
            "ON al.version_id = v.id GROUP BY v.id"
        ).fetchall()
        assert all(n == 1 for _, n in alerts)
        total = conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
        assert total == sum(len(r) for r in expected.values())
        current = conn.execute(
            "SELECT COUNT(*) FROM articles a JOIN versions v ON v.id = a.current_version_id "
            "AND v.number = a.version_count"
        ).fetchone()[0]
        assert current == plan.ARTICLES
    finally:
        conn.close()
    with storage.open_database(f"sqlite:///{db_path}") as db, db.session() as s:
        hits = storage.search(s, "revision", limit=100)
        assert len(hits) == plan.ARTICLES, "the current-text index has every article once"
