"""``newswatch import FILE.warc[.gz]``: the newsroom's pages, archived by warcio in the test,
are recorded as fetched at their WARC-Date without fetching again; what is not a page is
counted; a rerun stores nothing twice; a damaged WARC says so and loses nothing stored."""

from __future__ import annotations

import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import storage
from newswatch.archive_import import ArchiveRules, ImportTally, Recorded, import_pages
from newswatch.cli import app
from newswatch.config import Settings
from newswatch.imports import ImportFileError
from newswatch.newsroom import Newsroom
from newswatch.runtime import recheck_policy
from newswatch.warcs import ArchivedPage, WarcReader
from scraper.topic import TopicQuery
from tests.cli.conftest import SLUGS
from tests.newsroom_config import write_newsroom_config

runner = CliRunner()
FIRST = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
LATER = datetime(2025, 6, 2, 15, 30, tzinfo=UTC)


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.stdout.split()), " ".join(result.stderr.split())


def versions(config: Path) -> list[tuple[str, int, str, str]]:
    """(url, number, fetched_at, title) of every stored version, in order."""
    with sqlite3.connect(config.parent / "newswatch.db") as conn:
        return conn.execute(
            "SELECT a.url, v.number, v.fetched_at, v.title FROM versions v "
            "JOIN articles a ON a.id = v.article_id ORDER BY a.url, v.number"
        ).fetchall()


class Archive:
    """A WARC written with warcio, as a crawler would write it."""

    def __init__(self, *, gzip: bool) -> None:
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gzip)

    def response(self, url: str, body: bytes, when: datetime, **options: str) -> None:
        status = options.get("status", "200 OK")
        kind = options.get("content_type", "text/html; charset=utf-8")
        http = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
        self._write(url, "response", body, when, http)

    def other(self, url: str, kind: str, when: datetime) -> None:
        if kind == "revisit":
            record = self.writer.create_revisit_record(
                url,
                digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                refers_to_uri=url,
                refers_to_date=_date(FIRST),
                warc_headers_dict={"WARC-Date": _date(when)},
            )
            self.writer.write_record(record)
            return
        self._write(url, kind, b"GET / HTTP/1.1\r\n\r\n", when, None)

    def _write(
        self, url: str, kind: str, body: bytes, when: datetime, http: StatusAndHeaders | None
    ) -> None:
        record = self.writer.create_warc_record(
            url,
            kind,
            payload=io.BytesIO(body),
            length=len(body),  # else warcio buffers the page in a file it never closes
            http_headers=http,
            warc_headers_dict={"WARC-Date": _date(when)},
        )
        self.writer.write_record(record)

    def save(self, path: Path) -> Path:
        path.write_bytes(self.buffer.getvalue())
        return path


def _date(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def archive_of(room: Newsroom, *, gzip: bool) -> Archive:
    """Both newsroom articles at FIRST, the first one retitled at LATER, and records that
    are not pages: a 404, a JSON answer, a revisit and a request."""
    archive = Archive(gzip=gzip)
    urls = [room.url_of(slug) for slug in SLUGS]
    for url in urls:
        archive.response(url, httpx.get(url).content, FIRST)
    room.retitle(SLUGS[0], "Delegations meet again in Istanbul")
    archive.response(urls[0], httpx.get(urls[0]).content, LATER)
    archive.response(f"{urls[0]}-missing", b"<html>not here</html>", LATER, status="404 Not Found")
    archive.response(f"{urls[0]}.json", b"{}", LATER, content_type="application/json")
    archive.other(urls[1], "revisit", LATER)
    archive.other(urls[1], "request", LATER)
    return archive


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_warc_is_recorded_at_its_dates_and_a_rerun_stores_nothing_twice(
    room: Newsroom, tmp_path: Path, gzip: bool
) -> None:
    config = write_newsroom_config(room, tmp_path)
    warc = archive_of(room, gzip=gzip).save(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"))
    room.clear_requests()

    code, out, err = invoke("import", str(warc), "--config", str(config))
    assert code == 0, err
    assert "3 page(s) from" in out and "2 new articles, 1 edits" in out, out
    assert "skipped 4 record(s)" in out, out
    for reason in ("1 responses other than 200", "1 responses that are not HTML", "1 revisit"):
        assert reason in out, out
    stored = versions(config)
    first, second = (room.url_of(slug) for slug in SLUGS)
    assert [(url, number) for url, number, _, _ in stored] == [(first, 1), (first, 2), (second, 1)]
    assert [when[:16] for _, _, when, _ in stored] == [
        "2025-06-02 09:00",
        "2025-06-02 15:30",
        "2025-06-02 09:00",
    ], "recorded as fetched at the WARC-Date"
    assert stored[1][3] == "Delegations meet again in Istanbul"
    assert room.requests == [], "nothing fetched again"
    with sqlite3.connect(config.parent / "newswatch.db") as conn:
        schedule = conn.execute("SELECT next_check_at, lease_owner FROM articles").fetchall()
    assert len(schedule) == 2 and all(due and not owner for due, owner in schedule), schedule

    # Run again (an interrupted import resumed): every page is already stored.
    code, out, err = invoke("import", str(warc), "--config", str(config))
    assert code == 0, err
    assert "0 new articles, 0 edits, 0 unchanged, 3 already stored" in out, out
    assert versions(config) == stored


def alert_kinds(config: Path) -> list[str]:
    with sqlite3.connect(config.parent / "newswatch.db") as conn:
        return [kind for (kind,) in conn.execute("SELECT kind FROM alerts ORDER BY id")]


def test_an_import_alerts_as_the_daemon_would_unless_told_not_to(
    room: Newsroom, tmp_path: Path
) -> None:
    loud, quiet = tmp_path / "loud", tmp_path / "quiet"
    loud.mkdir()
    quiet.mkdir()
    warc = archive_of(room, gzip=True).save(tmp_path / "crawl.warc.gz")
    config = write_newsroom_config(room, loud)
    assert invoke("import", str(warc), "--config", str(config))[0] == 0
    assert alert_kinds(config) == ["new", "edited", "new"]

    config = write_newsroom_config(room, quiet)
    code, out, err = invoke("import", str(warc), "--no-alerts", "--config", str(config))
    assert code == 0, err
    assert len(versions(config)) == 3 and alert_kinds(config) == []

    # A list of URLs is fetched by the daemon, which alerts: the switch is refused there.
    listing = tmp_path / "urls.txt"
    listing.write_text(room.url_of(SLUGS[0]) + "\n")
    code, out, err = invoke("import", str(listing), "--no-alerts", "--config", str(config))
    assert code == 2 and "--no-alerts applies to WARC files" in err, err


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_truncated_warc_says_so_and_keeps_what_is_stored(
    room: Newsroom, tmp_path: Path, gzip: bool
) -> None:
    config = write_newsroom_config(room, tmp_path)
    whole = archive_of(room, gzip=gzip).save(tmp_path / ("whole.warc.gz" if gzip else "w.warc"))
    # One page stored before: the damaged file must not take it away.
    once = Archive(gzip=gzip)
    url = room.url_of(SLUGS[1])
    once.response(url, httpx.get(url).content, FIRST)
    code, _, err = invoke("import", str(once.save(tmp_path / whole.name)), "--config", str(config))
    assert code == 0, err
    before = versions(config)

    data = archive_of(room, gzip=gzip).buffer.getvalue()
    cut = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    cut.write_bytes(data[: len(data) * 2 // 3])
    code, out, err = invoke("import", str(cut), "--config", str(config))
    assert code == 2, (out, err)
    says = "a damaged gzip file" if gzip else "is cut short (the file is truncated)"
    assert says in err and "Traceback" not in err, err
    after = versions(config)
    assert set(before) <= set(after), "nothing stored is lost"


def test_an_exported_history_imports_as_it_was(room: Newsroom, tmp_path: Path) -> None:
    """`newswatch export --format warc` and `newswatch import` make a round trip."""
    config = write_newsroom_config(room, tmp_path)
    warc = archive_of(room, gzip=True).save(tmp_path / "crawl.warc.gz")
    assert invoke("import", str(warc), "--config", str(config))[0] == 0
    exported = tmp_path / "history.warc.gz"
    code, _, err = invoke(
        "export", "--format", "warc", "-o", str(exported), "--config", str(config)
    )
    assert code == 0, err

    (tmp_path / "copy").mkdir()
    copy = write_newsroom_config(room, tmp_path / "copy")
    code, out, err = invoke("import", str(exported), "--config", str(copy))
    assert code == 0, err
    assert "2 new articles, 1 edits" in out, out
    assert versions(copy) == versions(config)


def import_with(warc: Path, db_path: Path, *, workers: int, batch: int) -> ImportTally:
    """``import_pages`` over ``warc`` into a new database, ``batch`` pages a transaction."""
    db = storage.open_database(f"sqlite:///{db_path}")
    rules = ArchiveRules(
        topic=TopicQuery(""),
        limits=storage.Limits(),
        policy=recheck_policy(Settings()),
        now=datetime.now(UTC),
    )
    pages = (p for p in WarcReader(warc).records() if isinstance(p, ArchivedPage))
    try:
        return import_pages(db, pages, rules=rules, batch=batch, workers=workers)
    finally:
        db.close()


def history(db_path: Path) -> list[tuple[object, ...]]:
    """Every version with its body, its article's story and the alerts, in order."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT a.url, v.number, v.fetched_at, v.title, v.body, a.story_id IS NOT NULL "
            "FROM versions v JOIN articles a ON a.id = v.article_id ORDER BY a.url, v.number"
        ).fetchall()
        alerts = conn.execute("SELECT kind, article_id FROM alerts ORDER BY id").fetchall()
    return [*rows, *alerts]


def test_worker_processes_record_what_one_process_records(room: Newsroom, tmp_path: Path) -> None:
    """Pages read by two worker processes, a batch read while the one before is recorded
    (here a page a batch, so that the edit's batch is read before its article is stored)."""
    warc = archive_of(room, gzip=True).save(tmp_path / "crawl.warc.gz")
    alone = import_with(warc, tmp_path / "alone.db", workers=0, batch=1)
    pooled = import_with(warc, tmp_path / "pooled.db", workers=2, batch=1)
    assert alone.counts[Recorded.NEW] == 2 and alone.counts[Recorded.EDITED] == 1, alone
    assert pooled.counts == alone.counts
    recorded = history(tmp_path / "alone.db")
    assert len(recorded) == 3 + 3 and all(row[5] for row in recorded[:3]), recorded
    assert history(tmp_path / "pooled.db") == recorded


def test_worker_processes_keep_what_was_read_before_the_damage(
    room: Newsroom, tmp_path: Path
) -> None:
    """A WARC cut short: the batch read while the damage was met is still recorded."""
    data = archive_of(room, gzip=False).buffer.getvalue()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: len(data) * 2 // 3])
    for name, workers in (("alone.db", 0), ("pooled.db", 1)):
        with pytest.raises(ImportFileError, match="cut short"):
            import_with(cut, tmp_path / name, workers=workers, batch=1)
    kept = history(tmp_path / "alone.db")
    assert kept, "the pages before the damage are recorded"
    assert history(tmp_path / "pooled.db") == kept


def test_workers_apply_to_warc_files_only(room: Newsroom, tmp_path: Path) -> None:
    config = write_newsroom_config(room, tmp_path)
    warc = archive_of(room, gzip=True).save(tmp_path / "crawl.warc.gz")
    code, out, err = invoke("import", str(warc), "--workers", "1", "--config", str(config))
    assert code == 0, err
    assert "3 page(s) from" in out and "2 new articles, 1 edits" in out, out

    listing = tmp_path / "urls.txt"
    listing.write_text(room.url_of(SLUGS[0]) + "\n")
    code, out, err = invoke("import", str(listing), "--workers", "2", "--config", str(config))
    assert code == 2 and "--workers applies to WARC files" in err, err
