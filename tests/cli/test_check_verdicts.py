"""``newswatch check URL`` says when a page is not the article, and why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import app
from newswatch.newsroom import Newsroom

SEED = "envoys-arrive-istanbul-second-meeting"
runner = CliRunner()


def check(room: Newsroom, tmp_path: Path, *args: str) -> tuple[int, str]:
    config = tmp_path / "nw.toml"
    config.write_text(
        f'[fetch]\nuser_agent = "newswatch-test/1 (+mailto:a@b.c)"\nallow = ["{room.address}"]\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check", room.url_of(SEED), "--config", str(config), *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("mode", "opts", "says"),
    [
        ("challenge", {}, "not the article: challenge header cf-mitigated: challenge"),
        (
            "challenge",
            {"vendor": "perimeterx"},
            "not the article: challenge 'verify you are human'",
        ),
        (
            "consent",
            {"how": "page"},
            "not the article: consent a form that posts to a consent host",
        ),
        ("metered", {"share": 1.0}, "not the article: paywall JSON-LD isAccessibleForFree: false"),
        ("soft_404", {}, "not the article: soft_404 error title 'page not found"),
        ("script_shell", {}, 'hint its text arrives by script: set render = "browser"'),
    ],
)
def test_check_prints_the_verdict_and_its_signals(
    newsroom: Newsroom, tmp_path: Path, mode: str, opts: dict[str, object], says: str
) -> None:
    newsroom.misbehave(SEED, mode, **opts)
    code, output = check(newsroom, tmp_path)
    flat = " ".join(output.split())
    assert says in flat, flat
    assert code in (0, 1)


def test_check_json_carries_the_verdict(newsroom: Newsroom, tmp_path: Path) -> None:
    code, output = check(newsroom, tmp_path, "--json")
    assert code == 0 and json.loads(output)["verdict"] is None
    newsroom.misbehave(SEED, "soft_404")
    code, output = check(newsroom, tmp_path, "--json")
    verdict = json.loads(output)["verdict"]
    assert verdict["kind"] == "soft_404" and verdict["evidence"]


@pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("google-chrome") is None,
    reason="Chromium is not installed (apt-get install chromium): .ci/run installs it",
)
def test_check_render_reads_a_script_only_page(newsroom: Newsroom, tmp_path: Path) -> None:
    newsroom.misbehave(SEED, "script_shell")
    code, output = check(newsroom, tmp_path, "--render", "--json")
    found = json.loads(output)
    assert code == 0 and found["verdict"] is None
    assert "prisoner" in found["body"] and len(found["body"]) > 1500
