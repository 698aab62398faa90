"""What recording a new article costs beside extracting it, in one process (issue 20).

    python bench/recording.py [--articles 600] [--runs 5] [--engine sqlite|postgres] [--batch 32]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--profile FILE]

The pages are bench/pipeline.py's (the 85 real pages of the extraction benchmark, copies
letter-scrambled so that no two share a story). Each run, in this one process and alternated:

* extract: ``scraper.extract`` of every page (what the daemon does before recording);
* record: a fresh database whose frontier holds the N articles (claimed, as a pass claims
  them), then each page recorded as the daemon's article step records a new article (its
  recording method: snapshot, version, search rows, story placement, alert, reschedule),
  ``--batch`` pages at a time handed to its batch writer, which commits what is waiting
  together (the row says how many pages per commit it came to);
* reextract: ``newswatch reextract``'s work over the pages just recorded (each snapshot
  loaded, decompressed, extracted and compared).

It prints each in CPU ms per article (of this process: the machine is shared) and its ratio
to extraction, per run and the median of the runs: the ratio carries over between machines
and moments where the milliseconds do not. ``--profile`` writes a cProfile dump of the last
run's recording. A benchmark: it prints, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
# bench/storage.py must not shadow the storage package: import it before bench/ is on the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

import storage  # noqa: E402
from scheduler.article_fields import fields_from_extracted  # noqa: E402
from scheduler.article_step import ArticleRules, ArticleStep  # noqa: E402
from scheduler.batch_writer import BatchWriter  # noqa: E402
from scheduler.policy import RecheckPolicy, Tier  # noqa: E402
from scraper import Extracted, Page, extract  # noqa: E402
from scraper.polite import PoliteFetcher  # noqa: E402
from scraper.topic import TopicQuery  # noqa: E402

sys.path.append(str(HERE))
from pipeline_site import build_site  # noqa: E402

BASE = "http://bench.example:80"


def pages(count: int, work: Path) -> list[tuple[str, bytes]]:
    site = build_site(work / "www", count, [BASE])
    return [
        (f"{BASE}{site.path_of(i)}", (work / "www" / site.path_of(i).lstrip("/")).read_bytes())
        for i in range(count)
    ]


def time_extract(site: list[tuple[str, bytes]]) -> float:
    started = time.process_time()
    for url, body in site:
        extract(body.decode("utf-8"), url=url)
    return time.process_time() - started


class Scratch:
    """Fresh databases for the runs: SQLite files in a folder, or PostgreSQL databases."""

    def __init__(self, engine: str, work: Path, postgres_url: str) -> None:
        self.engine, self.work, self.postgres_url = engine, work, postgres_url
        self.made: list[str] = []

    def fresh(self) -> str:
        name = f"nw_rec_{uuid.uuid4().hex[:10]}"
        if self.engine == "sqlite":
            return f"sqlite:///{self.work / name}.db"
        admin = create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.made.append(name)
        return make_url(self.postgres_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.made:
            return
        admin = create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        self.made.clear()


def page_of(url: str, body: bytes) -> Page:
    return Page(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=body,
        content_type="text/html",
        elapsed=0.0,
    )


def time_reextract(url: str) -> tuple[float, int]:
    """Seconds to re-extract every stored page as ``newswatch reextract`` does (one transaction
    per article, today's extractor with the default caps), and the pages re-extracted."""
    limits = storage.Limits().fields

    def extractor(raw: bytes, page_url: str) -> storage.ArticleFields:
        return fields_from_extracted(extract(raw, url=page_url), limits)

    db = storage.open_database(url, create_tables=False)
    try:
        with db.session() as s:
            ids = storage.article_ids(s)
        report = storage.ReextractReport()
        started = time.process_time()
        for article_id in ids:
            with db.transaction() as s:
                report += storage.reextract_article(s, article_id=article_id, extractor=extractor)
        return time.process_time() - started, report.snapshots
    finally:
        db.close()


def time_record(
    url: str, site: list[tuple[str, bytes]], profile: cProfile.Profile | None, batch: int
) -> tuple[float, dict[str, int], float]:
    """Seconds to record every page as a new article, the outcomes, and the mean number of
    pages per transaction."""
    db = storage.open_database(url)
    now = datetime.now(UTC)
    try:
        with db.transaction() as s:
            storage.add_candidates(
                s, source_id=None, now=now, candidates=[storage.Candidate(url=u) for u, _ in site]
            )
            due = storage.claim_due_articles(
                s, owner="bench", now=now, limit=len(site), lease=timedelta(hours=1)
            )
        by_url = {d.url: d for d in due}
        found = [(by_url[u], page_of(u, body), extract(body.decode(), url=u)) for u, body in site]
        fetcher = PoliteFetcher.__new__(PoliteFetcher)  # never fetches: recording only
        # cProfile sees one thread only: a profiled run writes on the event loop.
        writer = BatchWriter(db, threaded=profile is None)
        step = ArticleStep(
            db=db,
            fetcher=fetcher,
            rules=ArticleRules(
                topic=TopicQuery(""),
                policy=RecheckPolicy([Tier(timedelta(days=36500), timedelta(minutes=15))]),
            ),
            clock=lambda: now,
            not_modified=lambda _check: None,
            writer=writer,
        )

        async def record(item: storage.DueArticle, page: Page, found: Extracted) -> str:
            # As the article step does for a new article (there on a thread, before the write).
            prepared = storage.prepare_snapshot(page.body)
            # The daemon's extraction process digests the fields (scheduler.reading); counted
            # here as recording, as it was before it moved there, so the ratios stay comparable.
            digest = storage.digest_fields(fields_from_extracted(found), signed=True)
            outcome = await step._record(item, page, digest, now, snapshot=prepared)
            return outcome.label

        async def record_all() -> list[str]:
            # ``batch`` pages at a time reach the writer, as a claimed batch's pages do when
            # they are ready together; it commits what is waiting whenever it is free.
            labels: list[str] = []
            for start in range(0, len(found), batch):
                chunk = found[start : start + batch]
                labels += await asyncio.gather(*(record(*item) for item in chunk))
            return labels

        outcomes: dict[str, int] = {}
        if profile:
            profile.enable()
        started = time.process_time()
        for label in asyncio.run(record_all()):
            outcomes[label] = outcomes.get(label, 0) + 1
        seconds = time.process_time() - started
        if profile:
            profile.disable()
        return seconds, outcomes, writer.writes / max(writer.batches, 1)
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=32,
        help="pages handed to the writer together (1: each page alone, as before issue 20)",
    )
    parser.add_argument("--profile", type=Path, help="cProfile dump of the last run's recording")
    parser.add_argument(
        "--reextract",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time `newswatch reextract` over the recorded pages",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nw_recording_") as tmp:
        work = Path(tmp)
        site = pages(args.articles, work)
        scratch = Scratch(args.engine, work, args.postgres_url)
        n = len(site)
        print(f"{n} new articles, {args.engine}, {args.runs} runs (extract, record alternated)")
        print(
            f"{'run':>4} {'extract ms':>11} {'record ms':>10} {'record/extract':>15} "
            f"{'reextract ms':>13} {'reextract/extract':>18}  outcomes"
        )
        ratios, ext_ms, rec_ms, rex_ms, rex_ratios = [], [], [], [], []
        try:
            for run in range(args.runs):
                e = time_extract(site) / n * 1000
                profile = cProfile.Profile() if args.profile and run == args.runs - 1 else None
                url = scratch.fresh()
                seconds, outcomes, per_commit = time_record(url, site, profile, args.batch)
                r = seconds / n * 1000
                ext_ms.append(e)
                rec_ms.append(r)
                ratios.append(r / e)
                x = x_ratio = 0.0
                if args.reextract:
                    seconds, pages_done = time_reextract(url)
                    x = seconds / max(pages_done, 1) * 1000
                    x_ratio = x / e
                    rex_ms.append(x)
                    rex_ratios.append(x_ratio)
                print(
                    f"{run + 1:>4} {e:>11.2f} {r:>10.2f} {r / e:>15.2f} {x:>13.2f} "
                    f"{x_ratio:>18.2f}  {outcomes} ({per_commit:.1f} pages per commit)",
                    flush=True,
                )
                if profile and args.profile:
                    profile.dump_stats(args.profile)
                scratch.drop_all()
        finally:
            scratch.drop_all()
        med = statistics.median
        print(
            f"median {med(ext_ms):>6.2f} {med(rec_ms):>10.2f} {med(ratios):>15.2f} "
            f"{med(rex_ms) if rex_ms else 0:>13.2f} {med(rex_ratios) if rex_ratios else 0:>18.2f}"
            "  (CPU ms per article; each ratio is the median of each run's own)"
        )
        if rex_ms:
            print(
                f"reextract: {1000 / med(rex_ms):.0f} stored pages/s against "
                f"{1000 / med(ext_ms):.0f} pages/s extraction alone"
            )


if __name__ == "__main__":
    main()
