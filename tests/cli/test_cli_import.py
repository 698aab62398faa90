"""``newswatch import``: a backfill file becomes due articles, once each, and the daemon
fetches them; bad files end in a message that says what to do."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import app
from newswatch.newsroom import Newsroom
from tests.cli.conftest import SLUGS
from tests.newsroom_config import write_newsroom_config

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.stdout.split()), " ".join(result.stderr.split())


def stored(config: Path) -> dict[str, int]:
    """URL → version count of every stored article."""
    with sqlite3.connect(config.parent / "newswatch.db") as conn:
        return dict(conn.execute("SELECT url, version_count FROM articles").fetchall())


def test_a_list_of_urls_is_queued_once_fetched_by_the_daemon_and_resumable(
    room: Newsroom, tmp_path: Path
) -> None:
    config = write_newsroom_config(room, tmp_path, extra='[fetch]\ndelay = "0s"\n')
    urls = [room.url_of(slug) for slug in SLUGS]
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# two articles, one of them twice (a tracking parameter is not a new URL)\n\n"
        f"{urls[0]}\n{urls[1]}?utm_source=newsletter\n{urls[1]}\nnot a url\nftp://x.example/a\n",
        encoding="utf-8",
    )
    code, out, err = invoke("import", str(listing), "--config", str(config))
    assert code == 0, err
    assert "2 new article(s) queued from 2 URL(s) in the list (0 already stored)" in out
    assert "skipped 2 line(s) that are not http(s) URLs: 'not a url', 'ftp://x.example/a'" in err
    assert stored(config) == {urls[0]: 0, urls[1]: 0}

    # Run again (an interrupted import resumed): nothing is added twice.
    code, out, _ = invoke("import", str(listing), "--config", str(config))
    assert (
        code == 0 and "0 new article(s) queued from 2 URL(s) in the list (2 already stored)" in out
    )
    assert len(stored(config)) == 2

    daemon = subprocess.run(
        [sys.executable, "-m", "newswatch", "run", "--config", str(config), "--once"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert daemon.returncode == 0, daemon.stderr
    versions = stored(config)
    assert versions[urls[0]] == 1 and versions[urls[1]] == 1


def test_a_gzipped_sitemap_file_is_read(room: Newsroom, tmp_path: Path) -> None:
    config = write_newsroom_config(room, tmp_path)
    urls = [room.url_of(slug) for slug in SLUGS]
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    sitemap = tmp_path / "sitemap.xml.gz"
    sitemap.write_bytes(
        gzip.compress(
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + entries.encode()
            + b"</urlset>"
        )
    )
    code, out, err = invoke("import", str(sitemap), "--config", str(config))
    assert code == 0, err
    assert "2 new article(s) queued from 2 URL(s) in the sitemap" in out
    assert set(stored(config)) == set(urls)


INDEX = (
    '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<sitemap><loc>https://news.example/sitemap-2024.xml</loc></sitemap></sitemapindex>"
)


@pytest.mark.parametrize(
    ("name", "content", "code", "says"),
    [
        ("missing.txt", None, 2, "missing.txt: no such file"),
        ("index.xml", INDEX.encode(), 2, "a sitemap index; its 1 sitemaps are on the web"),
        ("broken.xml", b"<urlset><url><loc>", 2, "malformed sitemap XML"),
        ("binary.bin", b"\xff\xfe\x00garbage", 2, "neither a sitemap nor a UTF-8 list of URLs"),
        ("broken.gz", b"\x1f\x8b\x08\x00garbage", 2, "a damaged gzip file"),
        ("empty.txt", b"# nothing yet\n", 1, "no article URL found in this list"),
        ("missing.warc", None, 2, "cannot be read"),
        ("noise.warc", b"this is not a WARC file at all\r\n\r\n", 2, "not a WARC file"),
        ("empty.warc.gz", b"", 2, "not a WARC file"),
        ("bad.warc.gz", b"\x1f\x8b\x08\x00garbage", 2, "a damaged gzip file"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(
    room: Newsroom, tmp_path: Path, name: str, content: bytes | None, code: int, says: str
) -> None:
    config = write_newsroom_config(room, tmp_path)
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    exit_code, _, err = invoke("import", str(path), "--config", str(config))
    assert (exit_code, says in err) == (code, True), err
    assert "Traceback" not in err
