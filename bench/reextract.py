"""`newswatch reextract` over a large stored history, against extraction alone (issue 20).

    python bench/storage.py --articles 10000 --versions 10 --path DIR --keep
    python bench/reextract.py --db DIR/bench-….db [--articles N] [--workers 1,2] [--runs 2]

Works on an SQLite history that is already there (bench/storage.py ``--keep`` leaves one:
100,000 versions, each with its page). Each run, alternated in this one process:

* extract: the same articles' stored pages (or every ``--sample``-th article's), loaded
  beforehand, through today's extractor in a fresh process (nothing else): the floor;
* reextract: what ``newswatch reextract --workers W`` does over the first ``--articles``
  articles (every page read, decompressed and checked, extracted outside any transaction,
  compared with its newest reading, changed readings written a batch per transaction), on a
  fresh copy of the file made before the clock starts, so every run finds the same history;
  three passes: today's extractor over the synthetic history (every reading differs wholesale
  from the stored one), today's again (none differs), then an "upgrade" that adds a paragraph
  to every body (every reading differs a little, as after a real extractor upgrade).

Prints versions/s of both, and reextract's time per page over extraction's: by the wall clock
(what the user waits for; the workers use both cores) and by CPU seconds (this process and its
workers together: what the run costs, which other load on the machine skews less). The median
of the runs, per worker count. A benchmark: it prints, never asserts.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/storage.py must not shadow the storage package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
from sqlmodel import col, func, select  # noqa: E402

import storage  # noqa: E402
from newswatch.reextraction import reextract_history, todays_extractor  # noqa: E402
from storage.models import Article, Version  # noqa: E402

EXTRACTOR = todays_extractor(storage.Limits().fields)


@dataclass(frozen=True, slots=True)
class Timed:
    pages: int
    wall: float
    cpu: float  # this process and its reaped children


def cpu_now() -> float:
    me, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def time_extract(db_url: str, ids: list[int]) -> Timed:
    """Extraction alone of these articles' seen pages, loaded first; run in a fresh process so
    that, like a worker, it starts with the extractor's caches cold."""
    db = storage.open_database(db_url, create_tables=False)
    try:
        with db.session() as s:
            rows = s.exec(
                select(Article.url, Version.snapshot_sha256)
                .join(Version, col(Version.article_id) == col(Article.id))
                .where(col(Article.id).in_(ids), col(Version.origin) == "fetch")
            ).all()
            pages = [(url, storage.load_snapshot(s, sha)) for url, sha in rows if sha]
    finally:
        db.close()
    wall, cpu = time.perf_counter(), time.process_time()
    for url, raw in pages:
        EXTRACTOR(raw, url)
    return Timed(len(pages), time.perf_counter() - wall, time.process_time() - cpu)


def extract_alone(db_url: str, ids: list[int]) -> Timed:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(time_extract, db_url, ids).result()


def upgraded(raw: bytes, url: str) -> storage.ArticleFields:
    """Today's reading with one paragraph more at the end of the body: an extractor upgrade
    that changes every page a little, as real upgrades do (pass 1 differs wholesale)."""
    fields = EXTRACTOR(raw, url)
    return replace(fields, body=f"{fields.body}\n\nA paragraph the upgraded extractor reads.")


def time_reextract(source: Path, articles: int, workers: int) -> list[tuple[Timed, int]]:
    """Three passes over a fresh copy: the first finds readings that differ wholesale (the
    synthetic history's stored fields are not today's extractor's), the second finds none,
    the third (an upgrade, :func:`upgraded`) finds every page changed by a paragraph."""
    passes = []
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        copy = Path(folder) / source.name
        shutil.copyfile(source, copy)
        db = storage.open_database(f"sqlite:///{copy}", create_tables=False)
        try:
            with db.session() as s:
                ids = storage.article_ids(s)[:articles]
            for extractor in (EXTRACTOR, EXTRACTOR, upgraded):
                wall, cpu = time.perf_counter(), cpu_now()
                report = reextract_history(db, ids, extractor=extractor, workers=workers)
                timed = Timed(report.snapshots, time.perf_counter() - wall, cpu_now() - cpu)
                passes.append((timed, report.derived))
        finally:
            db.close()
    return passes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, type=Path, help="an SQLite file of a history")
    parser.add_argument("--articles", type=int, default=None, help="default: all of them")
    parser.add_argument(
        "--sample", type=int, default=1, help="extract alone every N-th article's pages"
    )
    parser.add_argument("--workers", default="2", help="worker counts to run, e.g. 1,2")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    db = storage.open_database(f"sqlite:///{args.db}", create_tables=False)
    try:
        with db.session() as s:
            ids = storage.article_ids(s)
            versions = s.exec(select(func.count()).select_from(Version)).one()
    finally:
        db.close()
    articles = args.articles or len(ids)
    # Every --sample-th article's pages: extraction alone's rate does not depend on how many.
    sample = ids[:articles][:: args.sample]
    print(
        f"history of {versions:,} versions; reextract over {articles:,} articles, extraction "
        f"alone over the pages of {len(sample):,} of them; {args.runs} runs, alternated"
    )
    print(
        f"{'run':>4} {'workers':>7} {'pass':>5} {'extract/s':>10} {'reextract/s':>12} "
        f"{'derived':>8} {'wall ratio':>11} {'CPU ratio':>10}"
    )
    results: dict[tuple[int, int], list[tuple[float, ...]]] = {}
    for run in range(args.runs):
        for workers in counts:
            alone = extract_alone(f"sqlite:///{args.db}", sample)
            for number, (again, derived) in enumerate(time_reextract(args.db, articles, workers)):
                row = (
                    alone.pages / alone.wall,
                    again.pages / again.wall,
                    (again.wall / again.pages) / (alone.wall / alone.pages),
                    (again.cpu / again.pages) / (alone.cpu / alone.pages),
                )
                results.setdefault((workers, number + 1), []).append(row)
                print(
                    f"{run + 1:>4} {workers:>7} {number + 1:>5} {row[0]:>10.0f} {row[1]:>12.0f} "
                    f"{derived:>8,} {row[2]:>11.2f} {row[3]:>10.2f}",
                    flush=True,
                )
    for (workers, number), rows in sorted(results.items()):
        med = [statistics.median(column) for column in zip(*rows, strict=True)]
        print(
            f"median {workers:>5} {number:>5} {med[0]:>10.0f} {med[1]:>12.0f} {'':>8} "
            f"{med[2]:>11.2f} {med[3]:>10.2f}"
        )
    print(
        "pass 1: every page reads wholly differently (derived versions written); pass 2: none"
        " does;\npass 3: every page gains a paragraph (an extractor upgrade)\n"
        "ratios: reextract's time per page over extraction alone's (wall; CPU incl. workers)"
    )


if __name__ == "__main__":
    main()
