"""``newswatch export``: hand the stored history on as JSON lines, CSV or a WARC file.

JSON lines and CSV hold one line per version (article fields, then version fields); a WARC
holds, per version, the raw page exactly as fetched (a ``response`` record) and the extracted
fields (a ``metadata`` record pointing at it), so web-archive tools can replay and re-extract it.
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import io
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.progress import Progress
from sqlmodel import Session

import storage
from newswatch import render
from newswatch.cli.common import ConfigOption, app, err, load_redactor, open_db
from newswatch.cli.query import LimitOption, usage_error
from newswatch.queries import BadQuery, article_query, topic_matcher
from newswatch.redaction import masked_export
from scheduler.redact import Redactor

CSV_FIELDS = (
    "article_id",
    "url",
    "outlet",
    "status",
    "first_seen_at",
    "version",
    "fetched_at",
    "title",
    "subtitle",
    "authors",
    "published",
    "modified",
    "language",
    "changed_fields",
    "words_added",
    "words_removed",
    "classes",
    "fingerprint",
    "snapshot_sha256",
    "body",
)


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    warc = "warc"


@app.command()
def export(
    format_: Annotated[
        Format, typer.Option("--format", "-f", help="jsonl, csv or warc.")
    ] = Format.jsonl,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (default: standard output); a WARC named "
            "*.gz is gzipped record by record.",
            dir_okay=False,
        ),
    ] = None,
    config: ConfigOption = None,
    limit: LimitOption = 1_000_000,
    since: Annotated[
        str | None,
        typer.Option(help="Articles first seen at or after this time (2025-06-02, 24h...)."),
    ] = None,
    until: Annotated[str | None, typer.Option(help="Articles first seen before this time.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet (host).")] = None,
    topic: Annotated[str | None, typer.Option(help="A topic query on the stored text.")] = None,
    edited: Annotated[bool, typer.Option("--edited", help="Only edited articles.")] = False,
    latest: Annotated[
        bool, typer.Option("--latest", help="Only each article's current version.")
    ] = False,
) -> None:
    """Export stored versions (and, as WARC, the raw pages) for other tools.

    Example: newswatch export --format warc --output newswatch.warc.gz
    """
    try:
        query = article_query(since=since, until=until, outlet=outlet, edited=edited, limit=limit)
        matches = topic_matcher(topic)
    except BadQuery as error:
        raise usage_error(error) from None
    if output is None and format_ is Format.warc and sys.stdout.isatty():
        raise usage_error(ValueError("a WARC is binary: give --output FILE or redirect"))
    try:
        written = _export(
            format_,
            output,
            config,
            query,
            matches,
            limit=limit,
            all_versions=not latest,
            redactor=load_redactor(config),
        )
    except OSError as error:  # the output: a full disk, a path gone since, no permission
        if error.errno == errno.EPIPE:  # the reader stopped early (| head): typer's to handle
            raise
        raise usage_error(
            ValueError(f"cannot write {output or 'standard output'}: {error.strerror or error}")
        ) from None
    err.print(
        f"exported {written} version(s)" + (f" to {output}" if output else ""), highlight=False
    )
    if not written:
        raise typer.Exit(1)


def _export(
    format_: Format,
    output: Path | None,
    config: Path | None,
    query: storage.ArticleQuery,
    matches: storage.TextMatcher | None,
    *,
    limit: int,
    all_versions: bool,
    redactor: Redactor,
) -> int:
    with open_db(config) as db, db.session() as session:
        total = min(storage.count_articles(session, query), limit)
        items = (
            masked_export(item, redactor)
            for item in storage.iter_export(
                session, query, all_versions=all_versions, matches=matches
            )
        )
        with (
            _open_output(output, binary=format_ is Format.warc) as stream,
            Progress(console=err, transient=True) as progress,
        ):
            task = progress.add_task(f"exporting {format_.value}", total=total)
            counted = _counting(items, progress, task)
            if format_ is Format.jsonl:
                written = write_jsonl(counted, stream)
            elif format_ is Format.csv:
                written = write_csv(counted, stream)
            else:
                written = write_warc(
                    counted,
                    stream,
                    session=session,
                    gzipped=bool(output and output.suffix == ".gz"),
                )
    return written


def _counting(
    items: Iterator[storage.ExportItem], progress: Progress, task: Any
) -> Iterator[storage.ExportItem]:
    """Advance the bar once per article (versions of one article arrive together)."""
    last = None
    for item in items:
        if item.article.id != last:
            progress.advance(task)
            last = item.article.id
        yield item


@contextmanager
def _open_output(path: Path | None, *, binary: bool) -> Iterator[IO[Any]]:
    """Standard output or a file, in text or binary mode."""
    if path is None:
        stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    with path.open("wb") if binary else path.open("w", encoding="utf-8", newline="") as f:
        yield f


def write_jsonl(items: Iterator[storage.ExportItem], stream: IO[str]) -> int:
    """One JSON object per version: ``{"article": {...}, "version": {...}}``."""
    count = 0
    for item in items:
        stream.write(json.dumps(render.to_jsonable(item), ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_row(item: storage.ExportItem) -> dict[str, Any]:
    a, v = item.article, item.version
    when = render.to_jsonable
    return {
        "article_id": a.id,
        "url": a.url,
        "outlet": a.outlet,
        "status": a.status,
        "first_seen_at": when(a.first_seen_at),
        "version": v.number,
        "fetched_at": when(v.fetched_at),
        "title": v.title or "",
        "subtitle": v.subtitle or "",
        "authors": "; ".join(v.authors),
        "published": when(v.published) or "",
        "modified": when(v.modified) or "",
        "language": v.language or "",
        "changed_fields": " ".join(v.changed_fields),
        "words_added": v.words_added,
        "words_removed": v.words_removed,
        "classes": " ".join(v.classes),
        "fingerprint": v.fingerprint,
        "snapshot_sha256": v.snapshot_sha256 or "",
        "body": v.body,
    }


# A spreadsheet reads a cell starting with one of these as a formula (=HYPERLINK(...) sends
# the reader's data away; =cmd|... ran programs through DDE); tab and CR hide the start.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet will show, not run: one starting with a formula character
    (after any leading whitespace) gets a leading ``'``, as OWASP advises. Numbers stay."""
    if isinstance(value, str) and (
        value.startswith(_FORMULA_STARTS) or value.lstrip().startswith(_FORMULA_STARTS)
    ):
        return "'" + value
    return value


def write_csv(items: Iterator[storage.ExportItem], stream: IO[str]) -> int:
    """One row per version with a header line; lists are joined (authors by ``; ``).

    Text cells that a spreadsheet would take for a formula are neutralised (see
    :func:`spreadsheet_safe`); JSON lines and WARC keep every text exact.
    """
    writer = csv.DictWriter(stream, fieldnames=CSV_FIELDS)
    writer.writeheader()
    count = 0
    for item in items:
        writer.writerow({k: spreadsheet_safe(v) for k, v in csv_row(item).items()})
        count += 1
    return count


def write_warc(
    items: Iterator[storage.ExportItem], stream: IO[bytes], *, session: Session, gzipped: bool
) -> int:
    """WARC/1.1: a ``warcinfo`` record, then per version a ``response`` record with the raw
    page (when its snapshot is kept) and a ``metadata`` record with the extracted fields."""

    def emit(record: bytes) -> None:
        # A .warc.gz is a series of gzip members, one per record, so readers can seek.
        stream.write(gzip.compress(record) if gzipped else record)

    info = b"software: newswatch\r\nformat: WARC File Format 1.1\r\n"
    emit(_record("warcinfo", info, "application/warc-fields", datetime.now(UTC), None, {}))
    count = 0
    for item in items:
        v = item.version
        response_id = None
        if v.snapshot_sha256:
            try:
                raw = storage.load_snapshot(session, v.snapshot_sha256)
            except storage.StorageError as error:
                err.print(
                    f"skipping the raw page of {item.article.url} v{v.number}: {error}",
                    highlight=False,
                )
            else:
                head = (
                    f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    f"Content-Length: {len(raw)}\r\n\r\n"
                ).encode()
                response_id = _record_id()
                emit(
                    _record(
                        "response",
                        head + raw,
                        "application/http;msgtype=response",
                        v.fetched_at,
                        item.article.url,
                        {
                            "WARC-Record-ID": response_id,
                            "WARC-Payload-Digest": f"sha256:{v.snapshot_sha256}",
                        },
                    )
                )
        fields = json.dumps(render.to_jsonable(item), ensure_ascii=False).encode()
        extra = {"WARC-Concurrent-To": response_id} if response_id else {}
        emit(_record("metadata", fields, "application/json", v.fetched_at, item.article.url, extra))
        count += 1
    return count


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _record(
    kind: str,
    block: bytes,
    content_type: str,
    when: datetime,
    uri: str | None,
    extra: dict[str, str],
) -> bytes:
    headers = {
        "WARC-Type": kind,
        "WARC-Record-ID": extra.pop("WARC-Record-ID", None) or _record_id(),
        "WARC-Date": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **({"WARC-Target-URI": uri} if uri else {}),
        "Content-Type": content_type,
        "WARC-Block-Digest": "sha256:" + hashlib.sha256(block).hexdigest(),
        **extra,
        "Content-Length": str(len(block)),
    }
    out = io.BytesIO()
    out.write(b"WARC/1.1\r\n")
    for name, value in headers.items():
        out.write(f"{name}: {value}\r\n".encode())
    out.write(b"\r\n" + block + b"\r\n\r\n")
    return out.getvalue()
