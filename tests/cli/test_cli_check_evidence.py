"""``newswatch check`` shows, for each decided field, the evidence that won and what it beat."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from newswatch.cli import app

CASES = Path(__file__).resolve().parents[1] / "scraper" / "extract_cases"
runner = CliRunner()


def _check(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_check_lists_the_winner_and_the_losers_of_each_field(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    shutil.copy(CASES / "seo_title.html", page)
    code, output = _check(str(page))
    assert code == 0, output
    evidence = output.split("evidence", 1)[1].split("body", 1)[0]
    rows = [" ".join(line.split()) for line in evidence.splitlines() if line.strip()]
    title = [row for row in rows if "Envoys meet again" in row or "og:title" in row]
    assert any(row.startswith("title won h1 #2 Envoys meet again") for row in title), rows
    assert any("lost og:title Russia Ukraine talks" in row for row in title), rows
    assert any("not the headline the page shows" in row for row in title), rows
    assert any("the site's name" in row for row in rows), rows  # the logo <h1> lost, and why
    assert any(row.startswith("language won") for row in rows), rows


def test_check_json_carries_the_evidence_by_name(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    shutil.copy(CASES / "byline_coauthors.html", page)
    code, output = _check(str(page), "--json")
    assert code == 0, output
    found = json.loads(output)
    authors = [row for row in found["evidence"] if row["field"] == "authors"]
    [won] = [row for row in authors if row["won"]]
    assert won["source"] == "byline under the headline"
    assert won["value"] == "Stefan Becket, Kathryn Watson, Grace Segers"
    assert found["authors"] == ["Stefan Becket", "Kathryn Watson", "Grace Segers"]
