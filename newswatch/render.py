"""How the CLI shows things: rich tables and coloured diffs for people, plain JSON for programs."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

import storage
from newswatch.web.sidebyside import side_by_side
from scheduler.terminal import terminal_text
from scraper import Extracted


def to_jsonable(value: Any) -> Any:
    """Dataclasses, datetimes and tuples into plain JSON values with stable field names."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a NamedTuple: keep its names
        return {k: to_jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(console: Console, value: Any) -> None:
    console.print_json(json.dumps(to_jsonable(value), ensure_ascii=False))


def cell(value: object) -> Text:
    """A table cell for text from the web: no markup, every control character escaped."""
    return Text(terminal_text("" if value is None else str(value), one_line=True))


def _when(value: datetime | None) -> str:
    # Stored times are UTC: said, so nobody reads them as local time.
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


def articles_table(rows: Sequence[storage.ArticleRow]) -> Table:
    table = Table("id", "outlet", "title", "first seen", "versions", "status", box=None)
    for row in rows:
        churning = row.churning_since is not None
        table.add_row(
            str(row.id),
            cell(row.outlet),
            cell(row.title or row.url),
            _when(row.first_seen_at),
            str(row.version_count),
            cell(f"{row.status}, churning" if churning else row.status),
        )
    return table


def history_table(rows: Sequence[storage.VersionSummary]) -> Table:
    table = Table("version", "fetched", "title", "changed", "words +/-", box=None)
    for row in rows:
        changed = ", ".join(row.changed_fields) if row.number > 1 else "(first seen)"
        table.add_row(
            str(row.number),
            _when(row.fetched_at),
            cell(row.title),
            cell(changed),
            f"+{row.words_added} -{row.words_removed}",
        )
    return table


def diff_text(
    ops: Sequence[storage.DiffOp], *, context_words: int = 12, plain: bool = False
) -> Text:
    """A word diff with deletions struck out in red and insertions in green; ``plain`` (no
    colour: a pipe, a file, NO_COLOR) marks them ``[-old-]{+new+}`` instead, as
    ``git diff --word-diff=plain`` does, so the change survives without colour.

    Long unchanged runs are shortened to their edges so the change is visible at a glance.
    """
    text = Text()
    replacing = False
    for i, op in enumerate(ops):
        if op.op == "equal":
            text.append(terminal_text(_elide(op.text, context_words)))
        elif plain and op.op == "delete" and i + 1 < len(ops) and ops[i + 1].op == "insert":
            # A replacement reads as one change, ` [-old-]{+new+} `: the deletion keeps the
            # space before both, the insertion the space after.
            _append_change(text, op.op, op.text.rstrip(), plain=plain)
            replacing = True
            continue
        else:
            _append_change(text, op.op, op.text.lstrip() if replacing else op.text, plain=plain)
        replacing = False
    return text


def _append_change(text: Text, op: str, words: str, *, plain: bool) -> None:
    """One deleted or inserted run: coloured, or between word-diff markers."""
    if op == "delete":
        text.append(
            _marked(words, "[-", "-]") if plain else terminal_text(words),
            style="" if plain else "bold red strike",
        )
    else:
        text.append(
            _marked(words, "{+", "+}") if plain else terminal_text(words),
            style="" if plain else "bold green underline",
        )


def _marked(words: str, start: str, end: str) -> str:
    """``words`` between markers, the spaces around them kept outside (``a [-b-] c``)."""
    core = words.strip()
    if not core:
        return terminal_text(words)
    lead, tail = words[: len(words) - len(words.lstrip())], words[len(words.rstrip()) :]
    return terminal_text(f"{lead}{start}{core}{end}{tail}")


def _elide(run: str, keep: int) -> str:
    words = run.split(" ")
    if len(words) <= 2 * keep + 1:
        return run
    return " ".join(words[:keep]) + " … " + " ".join(words[-keep:])


def extracted_table(found: Extracted) -> Table:
    table = Table("field", "value", "from", box=None)
    for field in dataclasses.fields(found):
        if field.name in ("body", "body_html", "signals", "evidence"):
            continue
        value = getattr(found, field.name)
        shown = ", ".join(value) if isinstance(value, tuple) else _scalar(value)
        table.add_row(field.name, cell(shown), cell(found.signals.get(field.name, "")))
    words = len(found.body.split())
    table.add_row(
        "body",
        f"{words} words, {found.body.count(chr(10)) + 1 if words else 0} paragraphs",
        cell(found.signals.get("body", "")),
    )
    return table


def _scalar(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _seconds(value: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}s"


def article_panel(article: storage.Article, current: storage.Version | None) -> Table:
    """The metadata of one article (``newswatch show``)."""
    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")  # a URL cut short is no use: folded, never ellipsed
    rows: list[tuple[str, str]] = [
        ("id", str(article.id)),
        ("url", article.url),
        ("outlet", article.outlet),
        ("title", article.title or article.hint_title or "-"),
        (
            "status",
            article.status
            if article.churning_since is None
            else f"{article.status}, churning since {_when(article.churning_since)}: "
            "changes on every visit, versions not recorded",
        ),
        ("versions", str(article.version_count)),
        ("first seen", _when(article.first_seen_at)),
        ("last changed", _when(article.last_changed_at)),
        ("last checked", _when(article.last_checked_at)),
        ("next check", _when(article.next_check_at)),
    ]
    if current is not None:
        rows += [
            ("published", _when(current.published)),
            ("modified", _when(current.modified)),
            ("authors", ", ".join(current.authors) or "-"),
            ("language", current.language or "-"),
            ("words", str(len(current.body.split()))),
        ]
    for name, value in rows:
        table.add_row(name, cell(value))
    return table


def edits_table(rows: Sequence[storage.EditRow]) -> Table:
    table = Table(
        "id", "outlet", "title", "version", "when", "changed", "words +/-", "class", box=None
    )
    for row in rows:
        table.add_row(
            str(row.article_id),
            cell(row.outlet),
            cell(row.title or row.url),
            str(row.number),
            _when(row.fetched_at),
            cell(", ".join(row.changed_fields)),
            f"+{row.words_added} -{row.words_removed}",
            cell(", ".join(row.classes) or "-"),
        )
    return table


def sources_table(rows: Sequence[storage.SourceRow]) -> Table:
    table = Table(
        "id",
        "kind",
        "every",
        "enabled",
        "origin",
        "last checked",
        "failures",
        "articles",
        "url",
        box=None,
    )
    # A URL cut short is no use: it is folded onto more lines, never ellipsed.
    table.columns[-1].overflow = "fold"
    for row in rows:
        table.add_row(
            str(row.id),
            cell(row.kind),
            _seconds(row.every_seconds),
            "yes" if row.enabled else "no",
            cell(row.origin),
            _when(row.last_checked_at),
            str(row.failures),
            str(row.articles),
            cell(row.url),
        )
    return table


def alerts_table(rows: Sequence[storage.AlertRow]) -> Table:
    table = Table("id", "kind", "created", "state", "channels", "title", box=None)
    colours = {"sent": "green", "failed": "red", "pending": "yellow", "skipped": "dim"}
    for row in rows:
        channels = ", ".join(f"{d.channel}: {d.status}" for d in row.deliveries) or "-"
        table.add_row(
            str(row.id),
            cell(row.kind),
            _when(row.created_at),
            Text(row.state, style=colours.get(row.state, "")),
            cell(channels),
            cell(row.title or row.url),
        )
    return table


def backlog_lines(rows: Sequence[storage.ChannelBacklog], *, now: datetime) -> list[Text]:
    """One line per alert channel: what it still owes and since when ("up to date" when
    nothing), so a channel that is backing off is seen however the others are doing."""
    lines = []
    for row in rows:
        if not row.pending:
            lines.append(
                Text.assemble((terminal_text(row.channel, one_line=True), "bold"), ": up to date")
            )
            continue
        age = _age(now - row.oldest_pending_at) if row.oldest_pending_at else "?"
        failing = f", {row.failing} failing" if row.failing else ""
        lines.append(
            Text.assemble(
                (terminal_text(row.channel, one_line=True), "bold"),
                (f": {row.pending} pending{failing}, the oldest {age} old", "yellow"),
            )
        )
    return lines


def _age(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def stats_table(found: storage.Stats) -> Table:
    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    by_status = ", ".join(f"{k} {v}" for k, v in found.articles_by_status.items())
    by_state = ", ".join(f"{k} {v}" for k, v in found.alerts_by_state.items())
    for name, value in (
        ("articles", f"{found.articles} ({by_status})" if by_status else "0"),
        ("edited articles", str(found.edited_articles)),
        ("versions", str(found.versions)),
        ("outlets", str(found.outlets)),
        (
            "sources",
            f"{found.sources} ({found.sources_enabled} enabled, {found.sources_failing} failing)",
        ),
        ("alerts", f"{found.alerts} ({by_state})"),
        ("snapshots", f"{found.snapshots} ({found.snapshot_bytes / 1e6:.1f} MB raw)"),
        ("fetches", str(found.fetches)),
        ("first seen", _when(found.first_seen_at)),
        ("last seen", _when(found.last_seen_at)),
        ("last fetch", _when(found.last_fetch_at)),
    ):
        table.add_row(name, value)
    return table


def discovery_lines(rows: Sequence[storage.ProviderStats]) -> list[Text]:
    """Per search provider, one line: polls, hits, decoded, new articles, on-topic share,
    errors by kind (a line each, never wrapped into columns: kinds must stay readable)."""
    lines = []
    for row in rows:
        decoded = f"{row.decoded}" + (
            f" ({row.decoded_share:.0%})" if row.decoded_share is not None else ""
        )
        judged = row.on_topic + row.off_topic
        topic = (
            f"{row.on_topic}/{judged} ({row.on_topic_share:.0%})"
            if row.on_topic_share is not None
            else "none judged yet"
        )
        errors = ", ".join(f"{k} {v}" for k, v in sorted(row.errors.items())) or "none"
        lines.append(
            Text(
                f"{row.provider}: {row.polls} poll(s), {row.hits} hit(s), "
                f"{decoded} decoded, {row.new_articles} new article(s), on topic "
                f"{topic}, errors: {errors}, last poll {_when(row.last_poll_at)}"
            )
        )
    return lines


def wall_lines(rows: Sequence[storage.OutletWalls]) -> list[Text]:
    """Per outlet with judged fetches: its wall share and the verdicts, one line each."""
    return [
        Text(
            f"{terminal_text(row.outlet)}: {row.wall_share:.0%} of {row.fetches} fetch(es) "
            "walled or teasers; " + ", ".join(f"{kind} {n}" for kind, n in row.verdicts.items())
        )
        for row in rows
    ]


def side_by_side_table(
    ops: Sequence[storage.DiffOp],
    *,
    old_label: str,
    new_label: str,
    context: int = 1,
    plain: bool = False,
) -> Table:
    """Two columns, old and new, one aligned paragraph a row: the changed paragraphs with
    ``context`` unchanged ones around them; longer unchanged runs are counted, not shown."""
    table = Table(old_label, new_label, show_lines=True, expand=True)
    rows = side_by_side(ops)
    changed = [i for i, row in enumerate(rows) if row.changed]
    keep = {j for i in changed for j in range(i - context, i + context + 1)}
    hidden = 0
    for i, row in enumerate(rows):
        if i not in keep:
            hidden += 1
            continue
        if hidden:
            table.add_row(Text(f"… {hidden} unchanged paragraph(s)", style="dim italic"), "")
            hidden = 0
        old, new = Text(), Text()
        for seg in row.old:
            if seg.op == "delete":
                _append_change(old, "delete", seg.text, plain=plain)
            else:
                old.append(terminal_text(seg.text))
        for seg in row.new:
            if seg.op == "insert":
                _append_change(new, "insert", seg.text, plain=plain)
            else:
                new.append(terminal_text(seg.text))
        table.add_row(old, new, style="" if row.changed else "dim")
    if hidden:
        table.add_row(Text(f"… {hidden} unchanged paragraph(s)", style="dim italic"), "")
    return table


def search_table(rows: Sequence[storage.SearchHit]) -> Table:
    table = Table("id", "outlet", "title", "version", "seen", "snippet", box=None)
    for row in rows:
        version = f"{row.version_number}" + ("" if row.current else " (removed since)")
        snippet = Text()
        # Matched words arrive wrapped in [ and ]: show them highlighted instead.
        for i, part in enumerate(re.split(r"\[|\]", row.snippet)):
            snippet.append(terminal_text(part, one_line=True), style="bold yellow" if i % 2 else "")
        table.add_row(
            str(row.article_id),
            cell(row.outlet),
            cell(row.title or row.url),
            version,
            _when(row.fetched_at),
            snippet,
        )
    return table


def stories_table(rows: Sequence[storage.StoryInfo]) -> Table:
    table = Table("story", "title", "articles", "outlets", box=None)
    for row in rows:
        table.add_row(str(row.id), cell(row.title or "-"), str(row.articles), str(row.outlets))
    return table
