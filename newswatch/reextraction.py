"""Re-extracting a whole stored history (``newswatch reextract``) in batches of articles.

Each batch is read in a read-only session, extracted outside any transaction (in worker
processes when the run is big enough to pay for starting them), and its changed readings are
written in one short transaction. So a daemon sharing the database waits at most for one
batch's writes, never for the parsing; and while a batch is written, the workers already
extract the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial

import storage
from newswatch.workpool import worker_cores, worker_map
from scheduler.article_fields import fields_from_extracted
from scraper import extract

# Articles per batch: ~10 pages each, so a write transaction holds a couple of hundred rows
# and a batch's compressed pages (a few MB) are all that sits in memory besides the workers.
BATCH = 20
# Below this many articles, starting worker processes (each imports the extractor) costs more
# than the second core saves.
PARALLEL_FROM = 200


def extract_fields(raw: bytes, url: str, *, limits: storage.FieldLimits) -> storage.ArticleFields:
    """Today's extractor, its fields cut to the configured caps as the daemon cuts them."""
    return fields_from_extracted(extract(raw, url=url), limits)


def todays_extractor(limits: storage.FieldLimits) -> storage.Extractor:
    """:func:`extract_fields` with ``limits``, in a form worker processes can receive."""
    return partial(extract_fields, limits=limits)


def default_workers(articles: int) -> int:
    """Worker processes for a run over ``articles``: none for small runs, else one per core."""
    return 1 if articles < PARALLEL_FROM else worker_cores()


def reextract_history(
    db: storage.Database,
    ids: Sequence[int],
    *,
    extractor: storage.Extractor,
    workers: int = 1,
    batch: int = BATCH,
    on_batch: Callable[[int, storage.ReextractReport], None] | None = None,
) -> storage.ReextractReport:
    """Re-extract the articles ``ids``; ``on_batch(articles, report)`` after each batch."""
    report = storage.ReextractReport()
    read = partial(storage.read_page, extractor=extractor)
    # One worker is this process itself: no pool for it.
    with worker_map(workers if workers > 1 else 0) as map_pages:
        waiting: tuple[int, Iterator[storage.Reading]] | None = None
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            with db.session() as s:
                pages = storage.stored_pages(s, chunk)
            # Submitted now, so the workers extract this batch while the previous one is written.
            readings = map_pages(read, pages)
            if waiting is not None:
                report += _write(db, *waiting, on_batch)
            waiting = (len(chunk), readings)
        if waiting is not None:
            report += _write(db, *waiting, on_batch)
    return report


def _write(
    db: storage.Database,
    articles: int,
    readings: Iterator[storage.Reading],
    on_batch: Callable[[int, storage.ReextractReport], None] | None,
) -> storage.ReextractReport:
    done = list(readings)  # every page extracted before the write transaction begins
    with db.transaction() as s:
        kept = storage.keep_readings(s, done)
    # Articles without a seen version have no pages but were visited all the same.
    kept += storage.ReextractReport(articles=articles - kept.articles)
    if on_batch is not None:
        on_batch(articles, kept)
    return kept
