"""Concurrency: several processes on one SQLite file never see "database is locked", and two
transactions recording the same article at once store one version, not two (both engines)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlmodel import func, select

import storage

SCRIPT = Path(__file__).with_name("concurrent_ingest.py")


def test_two_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    db_path = tmp_path / "shared.db"
    storage.open_database(f"sqlite:///{db_path}").close()
    procs = [
        subprocess.Popen(
            [sys.executable, str(SCRIPT), str(db_path), name, "40"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for name in ("one", "two", "three")
    ]
    results = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, errors) in zip(procs, results, strict=True):
        assert "locked" not in errors
        assert proc.returncode == 0 and out.strip() == "ok", errors
    with storage.open_database(f"sqlite:///{db_path}") as db, db.session() as s:
        assert s.exec(select(func.count()).select_from(storage.Article)).one() == 3 * 40 + 1
        # 3 rounds × 120 own articles, plus the shared article's single version.
        assert s.exec(select(func.count()).select_from(storage.Version)).one() == 3 * 120 + 1


def test_recording_the_same_article_at_once_stores_one_version(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    article_id = make_article()
    barrier = threading.Barrier(4)
    outcomes: list[storage.Outcome] = []
    errors: list[BaseException] = []

    def record() -> None:
        try:
            barrier.wait(timeout=30)
            with db.transaction() as s:
                outcomes.append(
                    storage.record(
                        s,
                        article_id=article_id,
                        fields=base_fields,
                        snapshot=b"<html>",
                        fetched_at=now,
                    )
                )
        except BaseException as exc:  # collected and reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert (
        sorted(o.kind for o in outcomes)
        == [storage.OutcomeKind.NEW] + [storage.OutcomeKind.UNCHANGED] * 3
    )
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(storage.Version)).one() == 1
        assert s.exec(select(func.count()).select_from(storage.Alert)).one() == 1
