"""How the CLI shows things: rich tables and coloured diffs for people, plain JSON for programs."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

import storage
from scraper import Extracted


def to_jsonable(value: Any) -> Any:
    """Dataclasses, datetimes and tuples into plain JSON values with stable field names."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(console: Console, value: Any) -> None:
    console.print_json(json.dumps(to_jsonable(value), ensure_ascii=False))


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def articles_table(rows: Sequence[storage.ArticleSummary]) -> Table:
    table = Table("id", "outlet", "title", "first seen", "versions", "status", box=None)
    for row in rows:
        table.add_row(str(row.id), row.outlet, Text(row.title or row.url),
                      _when(row.first_seen_at), str(row.version_count), row.status)
    return table


def history_table(rows: Sequence[storage.VersionSummary]) -> Table:
    table = Table("version", "fetched", "title", "changed", "words +/-", box=None)
    for row in rows:
        changed = ", ".join(row.changed_fields) if row.number > 1 else "(first seen)"
        table.add_row(str(row.number), _when(row.fetched_at), Text(row.title or ""), changed,
                      f"+{row.words_added} -{row.words_removed}")
    return table


def diff_text(ops: Sequence[storage.DiffOp], *, context_words: int = 12) -> Text:
    """A word diff with deletions struck out in red and insertions in green.

    Long unchanged runs are shortened to their edges so the change is visible at a glance.
    """
    text = Text()
    for op in ops:
        if op.op == "equal":
            text.append(_elide(op.text, context_words))
        elif op.op == "delete":
            text.append(op.text, style="bold red strike")
        else:
            text.append(op.text, style="bold green underline")
    return text


def _elide(run: str, keep: int) -> str:
    words = run.split(" ")
    if len(words) <= 2 * keep + 1:
        return run
    return " ".join(words[:keep]) + " … " + " ".join(words[-keep:])


def extracted_table(found: Extracted) -> Table:
    table = Table("field", "value", "from", box=None)
    for field in dataclasses.fields(found):
        if field.name in ("body", "body_html", "signals"):
            continue
        value = getattr(found, field.name)
        shown = ", ".join(value) if isinstance(value, tuple) else _scalar(value)
        table.add_row(field.name, Text(shown), found.signals.get(field.name, ""))
    words = len(found.body.split())
    table.add_row("body", f"{words} words, {found.body.count(chr(10)) + 1 if words else 0} "
                  "paragraphs", found.signals.get("body", ""))
    return table


def _scalar(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
