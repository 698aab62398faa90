"""``newswatch reextract`` over many articles: pages are parsed while no write transaction is
open (a daemon can write meanwhile), in worker processes too, with the same result."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

import storage
from newswatch.cli import app
from newswatch.reextraction import reextract_history, todays_extractor

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


def page(title: str, body: str) -> bytes:
    return f"<html><title>{title}</title><body>{body}</body></html>".encode()


def old_reading(raw: bytes, url: str) -> storage.ArticleFields:
    text = raw.decode()
    title = text.split("<title>")[1].split("</title>")[0]
    return storage.ArticleFields(title=title, body=text.split("<body>")[1].split("</body>")[0])


def new_reading(raw: bytes, url: str) -> storage.ArticleFields:
    """Finds that the body's first word is a kicker (module level: workers receive it)."""
    fields = old_reading(raw, url)
    kicker, _, rest = fields.body.partition(" ")
    return storage.ArticleFields(title=fields.title, subtitle=kicker, body=rest)


def writing_meanwhile(raw: bytes, url: str, *, database: Path) -> storage.ArticleFields:
    """Reads like :func:`new_reading`, after taking the write lock as a daemon would: this
    fails (the page is counted as failed) if the run holds the lock while parsing."""
    with sqlite3.connect(database, timeout=0) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    return new_reading(raw, url)


def history(
    path: Path, articles: int, reading: storage.Extractor = old_reading
) -> storage.Database:
    """``articles`` articles of two seen versions each, read by ``reading``."""
    db = storage.open_database(f"sqlite:///{path}")
    with db.transaction() as s:
        ids = storage.add_candidates(
            s,
            source_id=None,
            candidates=[storage.Candidate(f"https://e.com/{i}") for i in range(articles)],
            now=NOW,
        )
        for n, article_id in enumerate(ids):
            for hour, word in enumerate(["begin", "end"]):
                raw = page(f"Talks {n}", f"LIVE Talks {word} in Istanbul, day {n}.")
                storage.record(
                    s,
                    article_id=article_id,
                    fields=reading(raw, ""),
                    snapshot=raw,
                    fetched_at=NOW + timedelta(hours=hour),
                )
    return db


def derived(db: storage.Database) -> list[tuple[str, int, str | None, bool]]:
    """(url, number, subtitle, current) of every derived version."""
    with db.session() as s:
        rows = s.exec(
            select(
                storage.Article.url,
                storage.Version.number,
                storage.Version.subtitle,
                storage.Article.current_version_id == storage.Version.id,
            )
            .join(storage.Version, col(storage.Version.article_id) == col(storage.Article.id))
            .where(col(storage.Version.origin) == "reextract")
            .order_by(col(storage.Article.url), col(storage.Version.number))
        ).all()
    return [(url, number, subtitle, bool(current)) for url, number, subtitle, current in rows]


def test_pages_are_parsed_while_a_daemon_could_write(tmp_path: Path) -> None:
    path = tmp_path / "newswatch.db"
    db = history(path, 45)  # three batches of 20 articles, the last one short
    with db.session() as s:
        ids = storage.article_ids(s)
    seen: list[int] = []
    try:
        report = reextract_history(
            db,
            ids,
            extractor=partial(writing_meanwhile, database=path),
            on_batch=lambda articles, _: seen.append(articles),
        )
        assert seen == [20, 20, 5]
        assert (report.articles, report.snapshots, report.failed) == (45, 90, 0)
        assert report.derived == 90
        rows = derived(db)
        assert len(rows) == 90 and all(sub == "LIVE" for _, _, sub, _ in rows)
        assert sum(current for *_, current in rows) == 45, "each article's newest is current"
        again = reextract_history(db, ids, extractor=new_reading)
        assert (again.derived, again.unchanged) == (0, 90)
    finally:
        db.close()


def stale_reading(raw: bytes, url: str) -> storage.ArticleFields:
    """What an extractor that read nothing right stored: today's reads every page anew."""
    return storage.ArticleFields(title="stale", body=raw.decode()[-40:])


def fingerprints(db: storage.Database) -> list[tuple[str, int, str]]:
    with db.session() as s:
        return list(
            s.exec(
                select(storage.Article.url, storage.Version.number, storage.Version.fingerprint)
                .join(storage.Version, col(storage.Version.article_id) == col(storage.Article.id))
                .where(col(storage.Version.origin) == "reextract")
                .order_by(col(storage.Article.url), col(storage.Version.number))
            ).all()
        )


@pytest.mark.slow
def test_worker_processes_store_what_one_process_stores(tmp_path: Path) -> None:
    # Today's extractor: worker processes import it by name (the tests folder is no package).
    extractor = todays_extractor(storage.Limits().fields)
    alone = history(tmp_path / "a.db", 30, stale_reading)
    pooled = history(tmp_path / "b.db", 30, stale_reading)
    try:
        for db, workers in ((alone, 1), (pooled, 2)):
            with db.session() as s:
                ids = storage.article_ids(s)
            report = reextract_history(db, ids, extractor=extractor, workers=workers)
            assert (report.articles, report.derived, report.failed) == (30, 60, 0)
        assert derived(alone) == derived(pooled)
        assert fingerprints(alone) == fingerprints(pooled)
    finally:
        alone.close()
        pooled.close()


def test_the_command_reports_what_it_did(tmp_path: Path) -> None:
    path = tmp_path / "newswatch.db"
    history(path, 3, stale_reading).close()
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{path}"}
    result = CliRunner().invoke(app, ["reextract", "--workers", "1"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "3 articles, 6 pages re-extracted: 6 derived versions, 0 unchanged" in result.stdout
    result = CliRunner().invoke(app, ["reextract"], env=env)
    assert "6 pages re-extracted: 0 derived versions, 6 unchanged" in result.stdout
