"""Where recording a new article spends its CPU, by step, without a profiler's overhead.

    python bench/recording_groups.py [--engine sqlite|postgres] [--articles 300] [--runs 2]

bench/recording.py's recording (its pages, its batch writer, 32 pages at a time), the writer
on the event loop's thread so that one thread's CPU clock sees every step. Each step named
below is timed by that clock around its function (steps nest: "story (all)" holds the three
"story:" lines); "commit" is the transaction's end, "batch index rows" the search and
similarity rows a batch writes at its end. cProfile's per-call overhead inflated the
Python-heavy steps several times over; this costs two clock reads a step. A first run warms
up and is not counted. A benchmark: it prints, never asserts.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import importlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
import storage  # noqa: E402
from scheduler import batch_writer  # noqa: E402

sys.path.append(str(HERE))
import recording  # noqa: E402

SPENT: collections.Counter[str] = collections.Counter()


def timed(module: Any, name: str, step: str) -> None:
    """Replace ``module.name`` by the same function, its thread CPU added to ``step``."""
    inner: Callable[..., Any] = getattr(module, name)

    def step_of(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return inner(*args, **kwargs)
        finally:
            SPENT[step] += time.thread_time() - started

    setattr(module, name, step_of)


def instrument() -> None:
    record = importlib.import_module("storage.record")
    syndication = importlib.import_module("storage.syndication")
    minhash = importlib.import_module("storage.minhash")
    digest = importlib.import_module("storage.digest")
    timed(digest, "fingerprint", "fingerprint")
    timed(record, "place_article", "story (all)")
    timed(minhash, "signatures", "story: signatures")
    timed(minhash, "band_hashes", "story: band hashes")
    timed(syndication, "_most_similar", "story: band lookup")
    timed(record, "store_snapshot", "snapshot row")
    timed(recording.storage, "prepare_snapshot", "snapshot hash+compress")
    timed(record, "append_version", "version (+search row held)")
    timed(record, "lock_article_row", "article row read")
    timed(record, "write_article_row", "article row write")
    timed(record, "_queue", "alert")
    transaction = storage.Database.transaction
    index_rows_last = storage.index_rows_last

    @contextlib.contextmanager
    def committed(self: storage.Database) -> Iterator[Any]:
        ending = 0.0
        with transaction(self) as session:
            yield session
            ending = time.thread_time()
        SPENT["commit"] += time.thread_time() - ending

    @contextlib.contextmanager
    def index_rows(session: Any) -> Iterator[None]:
        ending = 0.0
        with index_rows_last(session):
            yield
            ending = time.thread_time()
        SPENT["batch index rows"] += time.thread_time() - ending

    storage.Database.transaction = committed  # type: ignore[method-assign]
    batch_writer.storage.index_rows_last = index_rows  # type: ignore[attr-defined]


class _Unthreaded:
    """Passed as time_record's profile: its writer then runs on the loop's thread."""

    def enable(self) -> None:
        pass

    def disable(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    instrument()
    seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="nw_recording_groups_") as tmp:
        work = Path(tmp)
        site = recording.pages(args.articles, work)
        scratch = recording.Scratch(args.engine, work, args.postgres_url)
        try:
            for run in range(args.runs + 1):
                url = scratch.fresh()
                if run == 1:
                    SPENT.clear()
                taken, _, _ = recording.time_record(url, site, _Unthreaded(), 32)  # type: ignore[arg-type]
                if run:
                    seconds += taken
                scratch.drop_all()
        finally:
            scratch.drop_all()
    per = args.runs * len(site)
    total = seconds / per * 1000
    print(f"{args.engine}: recording {total:.2f} CPU ms per article ({args.runs} runs)")
    for step, spent in SPENT.most_common():
        ms = spent / per * 1000
        print(f"  {step:32s} {ms:6.3f} ms {ms / total * 100:5.1f} %")


if __name__ == "__main__":
    main()
