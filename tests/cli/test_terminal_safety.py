"""Text from the web never steers the terminal: escape sequences, bidi overrides and rich
markup in a story's title and body reach stdout as visible text, through the
``console://`` alert channel and through every table the CLI prints. JSON stays exact.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newswatch.newsroom import Newsroom
from newswatch.newsroom.stories import builtin_stories
from tests.newsroom_config import write_newsroom_config

SEED = "envoys-arrive-istanbul-second-meeting"
# A hyperlink to anywhere (OSC 8, ended by BEL), clear-screen (CSI 2J), a CR that would let
# "WIPED" overwrite the line, a right-to-left override, and rich markup: two closing tags (the
# second has nothing to close, which made rich raise), a style and a link.
TITLE = (
    "Talks [/] end \x1b]8;;http://evil.example\x07click\x1b]8;;\x07 \x1b[2J\rWIPED "
    "\u202eevil\u202c [/] [bold]loud[/bold] [link=http://evil.example]here"
)
NEW_TITLE = TITLE.replace("Talks", "Istanbul talks \x9b2J")  # C1 CSI in the edit
# An HTML parser reads a CR as a line break, and a title's line breaks are spaces.
STORED_TITLE = NEW_TITLE.replace("\r", " ")
NEWSWATCH = [sys.executable, "-m", "newswatch"]
# Under FORCE_COLOR rich writes SGR style codes (ESC [ … m) of its own; nothing else may be ESC.
OWN_STYLES = re.compile(rb"\x1b\[[0-9;]*m")
RAW = {
    "ESC": b"\x1b",
    "BEL": b"\x07",
    "CR": b"\r",
    "C1 CSI": "\x9b".encode(),
    "RLO": "\u202e".encode(),
    "PDF": "\u202c".encode(),
}


@dataclass
class Watched:
    room: Newsroom
    config: Path
    first_run: subprocess.CompletedProcess[bytes]
    second_run: subprocess.CompletedProcess[bytes]


def newswatch(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "200", "TERM": "xterm-256color"}
    return subprocess.run(
        [*NEWSWATCH, *args], capture_output=True, env=env, timeout=120, check=False
    )


def parsed(result: subprocess.CompletedProcess[bytes]) -> object:
    """The JSON a command printed, without the colours rich gives it in a terminal."""
    return json.loads(OWN_STYLES.sub(b"", result.stdout))


def assert_terminal_safe(output: bytes) -> None:
    without_styles = OWN_STYLES.sub(b"", output)
    for name, raw in RAW.items():
        assert raw not in without_styles, f"raw {name} written: {without_styles[:400]!r}"


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watched]:
    """A hostile headline seen by `run --once` with a console:// channel, then edited."""
    folder = tmp_path_factory.mktemp("hostile")
    base = builtin_stories()[SEED]
    body = (f"{base.body[0]} \x1b]0;pwned\x07 [/]", *base.body[1:])
    room = Newsroom().start()
    room.publish(dataclasses.replace(base, title=TITLE, body=body))
    config = write_newsroom_config(
        room,
        folder,
        recheck_every="0s",
        extra="""
[[alerts]]
url = "console://"

[fetch]
delay = "0s"
""",
    )
    try:
        first = newswatch("run", "--config", str(config), "--once")
        room.retitle(SEED, NEW_TITLE)
        second = newswatch("run", "--config", str(config), "--once")
        yield Watched(room, config, first, second)
    finally:
        room.stop()


def test_console_alerts_are_delivered_with_the_title_as_it_is(watched: Watched) -> None:
    for run in (watched.first_run, watched.second_run):
        assert run.returncode == 0, run.stderr.decode()
        assert b"0 failed" in run.stderr and b"Traceback" not in run.stderr
        assert_terminal_safe(run.stdout)
    shown = OWN_STYLES.sub(b"", watched.first_run.stdout).decode()
    assert (
        "Talks [/] end \\x1b]8;;http://evil.example\\x07click\\x1b]8;;\\x07 \\x1b[2J "
        "WIPED \\u202eevil\\u202c [/] [bold]loud[/bold] [link=http://evil.example]here"
    ) in shown, shown
    assert "Istanbul talks \\u009b2J" in OWN_STYLES.sub(b"", watched.second_run.stdout).decode()
    alerts = parsed(newswatch("alerts", "--config", str(watched.config), "--json"))
    assert isinstance(alerts, list)
    assert len(alerts) == 2 and {a["state"] for a in alerts} == {"sent"}
    assert all(d["status"] == "sent" for a in alerts for d in a["deliveries"])


@pytest.mark.parametrize(
    "args",
    [
        ["articles"],
        ["show", "1"],
        ["history", "1"],
        ["diff", "1"],
        ["diff", "1", "-s"],
        ["edits"],
        ["alerts"],
        ["search", "Istanbul"],
        ["search", "pwned", "--all-versions"],
        ["articles", "--json"],
        ["show", "1", "--json"],
        ["edits", "--json"],
    ],
    ids=" ".join,
)
def test_cli_output_escapes_what_the_web_wrote(watched: Watched, args: list[str]) -> None:
    result = newswatch(*args, "--config", str(watched.config))
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert_terminal_safe(result.stdout)
    assert (
        b"\\x1b" in result.stdout or b"\\u001b" in result.stdout or b"\\u202e" in result.stdout
    ), "the escape is shown, not dropped"


def test_json_output_stays_exact(watched: Watched) -> None:
    result = newswatch("show", "1", "--json", "--config", str(watched.config))
    shown = parsed(result)
    assert isinstance(shown, dict)
    assert shown["version"]["title"] == STORED_TITLE
    assert "\x1b]0;pwned\x07 [/]" in shown["version"]["body"]
    [first] = parsed(newswatch("articles", "--json", "--config", str(watched.config)))  # type: ignore[misc]
    assert first["title"] == STORED_TITLE
