"""Escaping what the web wrote before a terminal sees it, and the console:// channel."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from rich.console import Console
from rich.table import Table

from scheduler.channels import ConsoleChannel
from scheduler.messages import AlertMessage
from scheduler.terminal import safe_console, terminal_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("clear \x1b[2J", "clear \\x1b[2J"),
        ("link \x1b]8;;http://evil\x07x", "link \\x1b]8;;http://evil\\x07x"),
        ("over\rwrite", "over\\x0dwrite"),
        ("nul\x00 bs\x08 del\x7f", "nul\\x00 bs\\x08 del\\u007f"),
        ("c1 \x9b2J \x85", "c1 \\u009b2J \\u0085"),
        ("bidi \u202eevil\u202c \u2066iso\u2069", "bidi \\u202eevil\\u202c \\u2066iso\\u2069"),
        ("lone \udc80 surrogate", "lone \\udc80 surrogate"),
        ("Переговоры в Стамбуле — «talks» [/] ✓", "Переговоры в Стамбуле — «talks» [/] ✓"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
    ],
)
def test_terminal_text(raw: str, shown: str) -> None:
    assert terminal_text(raw) == shown


def test_one_line_escapes_line_breaks_too() -> None:
    assert terminal_text("a\nb\tc", one_line=True) == "a\\x0ab\\x09c"


def test_escapes_are_valid_json_where_json_can_hold_the_character() -> None:
    # C0 controls never reach the escaping raw in JSON (json.dumps escapes them); the rest use
    # JSON's own \uXXXX form, so a JSON document passed through stays the same document.
    value = {"t": "a\x7f b\x9b c\u202e d\udc80"}
    text = json.dumps(value, ensure_ascii=False)
    assert json.loads(terminal_text(text)) == value


def test_the_safe_console_escapes_text_and_tables_and_reads_no_markup() -> None:
    console = safe_console()
    table = Table("title")
    table.add_row("in a cell \x1b[2J")
    with console.capture() as captured:
        console.print("[/] closes nothing \x1b]0;title\x07", "[bold]x[/bold]")
        console.print(table)
        console.print_json(data={"t": "\x1b \u202e"})
    shown = captured.get()
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "[/] closes nothing \\x1b]0;title" in shown and "[bold]x[/bold]" in shown
    assert "in a cell \\x1b[2J" in shown
    assert '"t": "\\u001b \\u202e"' in shown


def test_console_channel_prints_markup_and_escapes_as_text() -> None:
    stream = io.StringIO()
    channel = ConsoleChannel(
        "console://", Console(file=stream, force_terminal=True, color_system="standard", width=200)
    )
    message = AlertMessage(
        key="k",
        kind="new",
        title="Talks [/] end [/] \x1b[2J\u202e now",
        body="outlet [bold]x\nhttp://e.example/a\x1b]8;;x\x07",
        payload={},
    )
    asyncio.run(channel.send(message))  # rich raised MarkupError on the second [/]
    shown = stream.getvalue()
    styles_only = shown.replace("\x1b[1;32m", "").replace("\x1b[0m", "")
    assert "\x1b" not in styles_only and "\u202e" not in styles_only, repr(shown)
    assert "Talks [/] end [/] \\x1b[2J\\u202e now" in styles_only
    assert "outlet [bold]x\nhttp://e.example/a\\x1b]8;;x\\x07" in styles_only
