"""A process that records synthetic articles and edits in a loop, to be killed at random.

Run by test_storage_crash.py: ``python crash_ingest.py DB_PATH PROGRESS_PATH``. The work is a
fixed plan of steps (which article shows which text at each check); after each committed step
it prints ``step N`` and writes N to the progress file, *outside* the transaction, so a kill
between the two makes the next run replay a step that is already stored. That replay must be
harmless: that is part of what the test proves.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import storage

ARTICLES = 24
STEPS = 360
START = datetime(2025, 6, 1, tzinfo=UTC)


def plan() -> list[tuple[int, int]]:
    """(article, text revision) per step: each article is rechecked, sometimes edited."""
    steps, revision = [], [0] * ARTICLES
    for step in range(STEPS):
        article = (step * 7) % ARTICLES
        if step % 3 == 0:  # every third check finds an edit; the others are unchanged
            revision[article] += 1
        steps.append((article, revision[article]))
    return steps


def fields(article: int, revision: int) -> storage.ArticleFields:
    body = "\n".join(
        f"Paragraph {p} of article {article} says the talks went on at revision {revision}."
        for p in range(3)
    )
    return storage.ArticleFields(title=f"Article {article}", body=body)


def url(article: int) -> str:
    return f"https://example.com/news/{article}.html"


def main() -> None:
    db_path, progress = sys.argv[1], Path(sys.argv[2])
    done = int(progress.read_text() or -1) if progress.exists() else -1
    db = storage.open_database(f"sqlite:///{db_path}")
    for step, (article, revision) in enumerate(plan()):
        if step <= done:
            continue
        with db.transaction() as s:
            storage.add_candidates(
                s, source_id=None, candidates=[storage.Candidate(url(article))], now=START
            )
            found = storage.find_article(s, url(article))
            assert found is not None and found.id is not None
            page = f"<html><body>{fields(article, revision).body}</body></html>".encode()
            storage.record(
                s,
                article_id=found.id,
                fields=fields(article, revision),
                snapshot=page,
                fetched_at=START + timedelta(minutes=step),
            )
            storage.log_fetch(
                s,
                url=url(article),
                at=START + timedelta(minutes=step),
                status=200,
                bytes=len(page),
                elapsed=0.01,
            )
        print(f"step {step}", flush=True)
        # Atomically: a kill in the middle of write_text would leave the file empty, and the
        # next run would replay the whole plan, storing old revisions again as new versions.
        partial = progress.with_suffix(".partial")
        partial.write_text(str(step))
        os.replace(partial, progress)
    print("done", flush=True)


if __name__ == "__main__":
    main()
