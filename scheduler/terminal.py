"""Text from the web made safe to write to a terminal.

Titles, outlets, authors and URLs are written by whoever runs a site. Written raw, an ESC
starts an escape sequence (clear the screen, retitle the window, a hyperlink to anywhere,
rewrite the clipboard), a CR overwrites what the line said, and a bidi override (U+202E)
reverses what follows. :func:`terminal_text` shows such characters as visible escapes
instead; :class:`TerminalSafe` applies it to everything a rich console prints.

The escapes are chosen so JSON stays exact: JSON already escapes C0 controls itself, and the
``\\uXXXX`` form used for DEL, C1 controls, bidi controls and lone surrogates is JSON's own.
"""

from __future__ import annotations

import re

from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    RenderableType,
    RenderHook,
    RenderResult,
)
from rich.segment import Segment
from rich.text import Span, Text

# C0 controls but tab and newline, DEL, C1 controls (0x9B is CSI on 8-bit terminals), the bidi
# embeddings, overrides and isolates ("Trojan Source"), and lone surrogates (unprintable).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_LINE = re.compile(f"[\t\n{_UNSAFE.pattern[1:-1]}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def terminal_text(text: str, *, one_line: bool = False) -> str:
    """``text`` with every character that could steer a terminal shown as an escape.

    Newlines and tabs stay, unless ``one_line`` (a title, a URL, a table cell).
    """
    return (_UNSAFE_LINE if one_line else _UNSAFE).sub(_escape, text)


def escaped_text(text: Text) -> Text:
    """A rich Text with :func:`terminal_text` applied to its characters, styles kept."""
    plain = text.plain
    cuts = sorted({i for m in _UNSAFE.finditer(plain) for i in (m.start(), m.end())})
    if not cuts:
        return text
    result = text.blank_copy()
    for piece in text.divide(cuts):
        if len(piece) == 1 and _UNSAFE.match(piece.plain):
            shown = terminal_text(piece.plain)
            piece = Text(shown, spans=[Span(0, len(shown), s.style) for s in piece.spans])
        result.append_text(piece)
    return result


class _Escaped:
    """A renderable whose segments' text passes :func:`terminal_text` (styles stay).

    The last line of defence, after layout: a table cell holding an ESC is laid out one
    column narrow; the tables of the CLI escape their cells before that.
    """

    def __init__(self, inner: RenderableType) -> None:
        self._inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self._inner, options):
            if segment.control or not _UNSAFE.search(segment.text):
                yield segment
            else:
                yield Segment(terminal_text(segment.text), segment.style)


class TerminalSafe(RenderHook):
    """A render hook: nothing a console prints carries a raw control character."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        # Text (all that print(str) makes) is escaped before layout, so wrapping stays right.
        return [escaped_text(r) if isinstance(r, Text) else _Escaped(r) for r in renderables]


def safe_console(*, stderr: bool = False) -> Console:
    """A rich console that escapes control characters in all it prints, markup off: text
    from the web may contain ``[/]``, which rich would read as a closing tag.

    Written to a pipe or a file, printed lines are not wrapped: rich's 80 columns there broke
    URLs in two (``history 2 | grep URL`` found nothing, a copied command ran cut short).
    Tables are still laid out to the width, their URLs folded, never cut.
    """
    console = Console(stderr=stderr, markup=False)
    console.soft_wrap = not console.is_terminal
    console.push_render_hook(TerminalSafe())
    return console
