"""``newswatch import``: queue a backfill (a list of URLs, a sitemap file) for the daemon, or
record the pages a WARC file archived."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

import storage
from newswatch.archive_import import (
    ArchiveRules,
    ImportTally,
    Recorded,
    default_workers,
    import_pages,
)
from newswatch.cli.common import ConfigOption, app, complain, err, load_config, open_db, out
from newswatch.durations import format_duration
from newswatch.imports import ImportFileError, read_backfill
from newswatch.runtime import recheck_policy
from newswatch.warcs import ArchivedPage, Skipped, WarcReader, is_warc
from scraper.topic import TopicQuery

# URLs per transaction: a big file goes in as a few hundred short writes, so a running daemon
# (which shares the database) is never kept waiting for long, and an interrupted import keeps
# what it had written.
BATCH = 1000


@app.command(name="import")
def import_urls(
    file: Annotated[
        Path,
        typer.Argument(
            help="A text file with one URL per line, a sitemap (.xml, .gz) or a WARC "
            "(.warc, .warc.gz)."
        ),
    ],
    config: ConfigOption = None,
    alerts: Annotated[
        bool,
        typer.Option(
            "--alerts/--no-alerts",
            help="WARC files: queue an alert for each new article and edit recorded, as the "
            "daemon would (the default), or record them silently, as history.",
        ),
    ] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="WARC files: worker processes that read the pages while this one records "
            "them (0: this one reads them too; default: one fewer than the cores for a WARC "
            "over 32 MB, else 0).",
        ),
    ] = None,
) -> None:
    """Queue a backfill: every article URL in FILE becomes due now, for the daemon to fetch.

    FILE is a list of URLs (one per line; blank lines and # comments are skipped) or a
    sitemap saved from an outlet, gzipped or not. URLs already stored are skipped, so an
    interrupted import is resumed by running it again.

    A WARC file's pages (HTML responses answered 200) are recorded as fetched at their
    WARC-Date, without fetching them; other records are counted and skipped, and so are pages
    no newer than what is stored (a rerun resumes). With --no-alerts they are recorded
    without alerting: weeks-old pages are history, not news for the alert channels. While
    one batch of pages is recorded, worker processes read the next.

    Example: newswatch import urls.txt --config newswatch.toml
    """
    if is_warc(file):
        _import_warc(config, file, alerts=alerts, workers=workers)
        return
    for given, option in ((not alerts, "--no-alerts"), (workers is not None, "--workers")):
        if given:
            complain(
                "error",
                f"{option} applies to WARC files: the URLs of a list or sitemap are fetched by "
                "the daemon, which alerts on what it finds",
            )
            raise typer.Exit(2)
    try:
        backfill = read_backfill(file)
    except ImportFileError as error:
        complain("error", error)
        raise typer.Exit(2) from None
    if backfill.rejected:
        shown = ", ".join(repr(r[:80]) for r in backfill.rejected[:3])
        more = f" and {len(backfill.rejected) - 3} more" if len(backfill.rejected) > 3 else ""
        err.print(
            f"skipped {len(backfill.rejected)} line(s) that are not http(s) URLs: {shown}{more}",
            highlight=False,
        )
    if not backfill.candidates:
        complain("error", f"{file}: no article URL found in this {_kind(backfill.kind)}")
        raise typer.Exit(1)
    added = _queue(config, list(backfill.candidates))
    total = len(backfill.candidates)
    tick = format_duration(load_config(config).daemon.tick)
    out.print(
        f"{added} new article(s) queued from {total} URL(s) in the {_kind(backfill.kind)} "
        f"({total - added} already stored); a running daemon starts on them within {tick} "
        "(or: newswatch run --once)",
        highlight=False,
    )


def _queue(config: Path | None, candidates: list[storage.Candidate]) -> int:
    """Add the URLs to the frontier, :data:`BATCH` per transaction; the count of new ones."""
    columns = (
        TextColumn("queuing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[added]} new"),
        TimeRemainingColumn(),
    )
    added = 0
    now = datetime.now(UTC)
    # A backfill may come before the first run: like `run`, it may start the history.
    with (
        open_db(config, create=True) as db,
        Progress(*columns, console=err, transient=True) as progress,
    ):
        task = progress.add_task("import", total=len(candidates), added=0)
        for start in range(0, len(candidates), BATCH):
            chunk = candidates[start : start + BATCH]
            with db.transaction() as session:
                added += len(
                    storage.add_candidates(session, source_id=None, candidates=chunk, now=now)
                )
            progress.update(task, advance=len(chunk), added=added)
    return added


def _kind(kind: str) -> str:
    return "sitemap" if kind == "sitemap" else "list"


def _import_warc(config: Path | None, file: Path, *, alerts: bool, workers: int | None) -> None:
    """Record the WARC's pages, showing how far through the file the import is."""
    settings = load_config(config)
    rules = ArchiveRules(
        topic=TopicQuery(settings.topic.query),
        limits=settings.limits.limits(),
        policy=recheck_policy(settings),
        now=datetime.now(UTC),
        alerts=alerts,
    )
    try:
        reader = WarcReader(file)
    except ImportFileError as error:
        complain("error", error)
        raise typer.Exit(2) from None
    skipped: Counter[Skipped] = Counter()

    def pages() -> Iterator[ArchivedPage]:
        for item in reader.records():
            if isinstance(item, Skipped):
                skipped[item] += 1
            else:
                yield item

    columns = (
        TextColumn("importing"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[pages]} pages"),
        TimeRemainingColumn(),
    )
    tally = ImportTally()
    failure: ImportFileError | None = None
    with (
        open_db(config, create=True) as db,
        Progress(*columns, console=err, transient=True) as progress,
    ):
        task = progress.add_task("import", total=reader.size, pages=0)

        def advance(done: ImportTally) -> None:
            progress.update(task, completed=reader.position, pages=done.pages)

        try:
            tally = import_pages(
                db,
                pages(),
                rules=rules,
                workers=default_workers(reader.size) if workers is None else workers,
                on_batch=advance,
            )
        except ImportFileError as error:
            failure = error
        except BrokenProcessPool:
            complain(
                "error",
                "a worker process stopped (out of memory?); the batches recorded so far are "
                "kept, and a rerun skips them: run again, with --workers 0 if it happens again",
            )
            raise typer.Exit(2) from None
    _report_warc(file, tally, skipped)
    if failure is not None:
        complain("error", failure)
        raise typer.Exit(2)
    if not tally.pages:
        complain("error", f"{file}: no HTML page answered 200 in this WARC")
        raise typer.Exit(1)


def _report_warc(file: Path, tally: ImportTally, skipped: Counter[Skipped]) -> None:
    done = ", ".join(f"{tally.counts[kind]} {kind.value}" for kind in Recorded)
    out.print(f"{tally.pages} page(s) from {file}: {done}", highlight=False)
    if skipped:
        left = ", ".join(f"{n} {reason.value}" for reason, n in skipped.most_common())
        out.print(f"skipped {sum(skipped.values())} record(s): {left}", highlight=False)
