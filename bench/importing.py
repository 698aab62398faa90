"""`newswatch import FILE.warc.gz` against extraction alone of the same pages (issue 20).

    python bench/importing.py [--copies 3] [--runs 3] [--workers 0,1]

Writes a WARC (warcio, gzipped per record, as crawlers write them) of the development sets'
pages in ``../shared/bench`` (aeb-dev, fundus-dev, tr-dev: 641 pages), each page ``--copies``
times under its own URL, then alternates, in this one process:

* extract: every page through today's extractor, nothing else (the floor);
* import: what ``newswatch import`` does with the file (the gzip checked, every record read,
  each page extracted, hashed, checked against the topic and recorded with its snapshot,
  story placement, search entry and alert, 100 to a transaction), into a fresh SQLite file,
  once for each ``--workers`` count (0: the pages read in this process; more: read by that
  many worker processes, a batch while this one records the one before). The topic matches every
  page, so that every page is recorded, none set aside as off topic.

Prints pages/s of both and import's time per page over extraction's, by the wall clock and by
CPU seconds (the worker processes' included), per run and the median. A benchmark: it prints,
never asserts.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/storage.py must not shadow the storage package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

import storage  # noqa: E402
from newswatch.archive_import import ArchiveRules, import_pages  # noqa: E402
from newswatch.config import Settings  # noqa: E402
from newswatch.runtime import recheck_policy  # noqa: E402
from newswatch.warcs import ArchivedPage, WarcReader  # noqa: E402
from scheduler.article_fields import fields_from_extracted  # noqa: E402
from scraper import extract  # noqa: E402
from scraper.topic import TopicQuery  # noqa: E402

# The development sets' loader lives beside this file (added after the storage package).
sys.path.append(str(HERE))
from datasets import SETS, load  # noqa: E402

START = datetime(2025, 6, 1, tzinfo=UTC)


def write_warc(path: Path, copies: int) -> list[tuple[str, bytes]]:
    """The WARC of every page ``copies`` times; the (url, page) pairs written."""
    pages: list[tuple[str, bytes]] = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for name in SETS:
            for case in load(name):
                raw = case.html.encode() if isinstance(case.html, str) else case.html
                for copy in range(copies):
                    base = case.url.strip()
                    url = f"{base}{'&' if '?' in base else '?'}copy={copy}"
                    when = START + timedelta(minutes=len(pages))
                    http = StatusAndHeaders(
                        "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"
                    )
                    record = writer.create_warc_record(
                        url,
                        "response",
                        payload=io.BytesIO(raw),
                        length=len(raw),
                        http_headers=http,
                        warc_headers_dict={"WARC-Date": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
                    )
                    writer.write_record(record)
                    pages.append((url, raw))
    return pages


def cpu_seconds() -> float:
    """CPU of this process and of its children that have ended (the import's workers)."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def time_extract(pages: list[tuple[str, bytes]]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    for url, raw in pages:
        fields_from_extracted(extract(raw, url=url))
    return time.perf_counter() - wall, cpu_seconds() - cpu


def time_import(warc: Path, folder: Path, run: int, workers: int) -> tuple[float, float, int]:
    db = storage.open_database(f"sqlite:///{folder}/import-{run}-{workers}.db")
    rules = ArchiveRules(
        topic=TopicQuery(""),
        limits=storage.Limits(),
        policy=recheck_policy(Settings()),
        now=datetime.now(UTC),
    )
    try:
        wall, cpu = time.perf_counter(), cpu_seconds()
        pages = (p for p in WarcReader(warc).records() if isinstance(p, ArchivedPage))
        tally = import_pages(db, pages, rules=rules, workers=workers)
        return time.perf_counter() - wall, cpu_seconds() - cpu, tally.pages
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--workers", default="0,1", help="worker process counts to import with, comma-separated"
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",") if n.strip()]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        warc = folder / "pages.warc.gz"
        pages = write_warc(warc, args.copies)
        print(
            f"{len(pages):,} pages in a {warc.stat().st_size / 2**20:.1f} MB WARC; "
            f"{args.runs} runs (extract, then import with each worker count, alternated)"
        )
        print(
            f"{'run':>4} {'workers':>8} {'extract/s':>10} {'import/s':>9} {'recorded':>9} "
            f"{'wall ratio':>11} {'CPU ratio':>10}"
        )
        rows: dict[int, list[tuple[float, float, float, float]]] = {n: [] for n in counts}
        for run in range(args.runs):
            ext_wall, ext_cpu = time_extract(pages)
            for workers in counts:
                imp_wall, imp_cpu, recorded = time_import(warc, folder, run, workers)
                row = (
                    len(pages) / ext_wall,
                    len(pages) / imp_wall,
                    imp_wall / ext_wall,
                    imp_cpu / ext_cpu,
                )
                rows[workers].append(row)
                print(
                    f"{run + 1:>4} {workers:>8} {row[0]:>10.0f} {row[1]:>9.0f} {recorded:>9,} "
                    f"{row[2]:>11.2f} {row[3]:>10.2f}",
                    flush=True,
                )
        for workers in counts:
            med = [statistics.median(column) for column in zip(*rows[workers], strict=True)]
            print(
                f"median {workers:>6} {med[0]:>10.0f} {med[1]:>9.0f} {'':>9} "
                f"{med[2]:>11.2f} {med[3]:>10.2f}"
            )
        print(
            "ratios: import's time per page over extraction alone's, in this one process "
            "(wall; CPU, the workers' included)"
        )


if __name__ == "__main__":
    main()
