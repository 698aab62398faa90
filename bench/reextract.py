"""`newswatch reextract` over a large stored history, against extraction alone (issue 20).

    python bench/storage.py --engine sqlite --articles 10000 --versions 10 --path DIR
    python bench/reextract.py --db sqlite:///DIR/newswatch.db [--articles 200] [--runs 3]

Works on a database that is already there (bench/storage.py ``--path`` leaves one: 100,000
versions, each with its page). Each run takes the first ``--articles`` articles and, alternated
in this one process:

* extract: their stored pages, loaded beforehand, through today's extractor (nothing else);
* reextract: what ``newswatch reextract`` does for each article (its snapshots loaded,
  decompressed and checked, extracted, compared with the newest reading, a derived version
  stored when it differs), one transaction per article, each rolled back at the end so that
  every run finds the same database.

Prints stored pages/s of both and their ratio, per run and the median. CPU seconds of this
process: the machine is shared. A benchmark: it prints, never asserts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/storage.py must not shadow the storage package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
from sqlmodel import col, select  # noqa: E402

import storage  # noqa: E402
from scheduler.article_fields import fields_from_extracted  # noqa: E402
from scraper import extract  # noqa: E402
from storage.models import Article, Version  # noqa: E402


def extractor(raw: bytes, url: str) -> storage.ArticleFields:
    """The CLI's extractor: today's ``extract`` with the default field caps."""
    return fields_from_extracted(extract(raw, url=url), storage.Limits().fields)


def pages_of(db: storage.Database, ids: list[int]) -> list[tuple[str, bytes]]:
    with db.session() as s:
        rows = s.exec(
            select(Article.url, Version.snapshot_sha256)
            .join(Version, col(Version.article_id) == col(Article.id))
            .where(col(Article.id).in_(ids), col(Version.origin) == "fetch")
        ).all()
        return [(url, storage.load_snapshot(s, sha)) for url, sha in rows if sha is not None]


def time_extract(pages: list[tuple[str, bytes]]) -> float:
    started = time.process_time()
    for url, raw in pages:
        extractor(raw, url)
    return time.process_time() - started


def time_reextract(db: storage.Database, ids: list[int]) -> tuple[float, int]:
    started = time.process_time()
    done = 0
    for article_id in ids:
        with db.session() as s, s.begin():
            report = storage.reextract_article(s, article_id=article_id, extractor=extractor)
            done += report.snapshots
            s.rollback()
    return time.process_time() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL of an existing history")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    db = storage.open_database(args.db, create_tables=False)
    try:
        with db.session() as s:
            ids = storage.article_ids(s)[: args.articles]
            versions = s.exec(select(Version.id)).all()
        pages = pages_of(db, ids)
        print(
            f"{len(ids)} articles, {len(pages)} stored pages of a history of "
            f"{len(versions):,} versions; {args.runs} runs (extract, reextract alternated)"
        )
        print(f"{'run':>4} {'extract pages/s':>16} {'reextract pages/s':>18} {'time ratio':>11}")
        ratios, ext, rex = [], [], []
        for run in range(args.runs):
            e = time_extract(pages)
            r, done = time_reextract(db, ids)
            ext.append(len(pages) / e)
            rex.append(done / r)
            ratios.append(r / e)
            print(f"{run + 1:>4} {ext[-1]:>16.0f} {rex[-1]:>18.0f} {ratios[-1]:>11.2f}", flush=True)
        med = statistics.median
        print(
            f"median {med(ext):>11.0f} {med(rex):>18.0f} {med(ratios):>11.2f}  "
            "(reextract time over extraction time, each run's own)"
        )
    finally:
        db.close()


if __name__ == "__main__":
    main()
