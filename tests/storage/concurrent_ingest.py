"""One of several processes writing to the same SQLite file at once (test_storage_concurrency).

``python concurrent_ingest.py DB_PATH WORKER ARTICLES``: discovers, claims and records its own
articles plus a shared one, a transaction per step, like a daemon. Exits 1 on any error.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import storage

START = datetime(2025, 6, 1, tzinfo=UTC)


def main() -> None:
    db_path, worker, articles = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = storage.open_database(f"sqlite:///{db_path}")
    urls = [f"https://example.com/{worker}/{i}.html" for i in range(articles)]
    urls.append("https://example.com/shared.html")
    with db.transaction() as s:
        storage.add_candidates(
            s, source_id=None, candidates=[storage.Candidate(u) for u in urls], now=START
        )
    for round_ in range(3):
        for url in urls:
            with db.transaction() as s:
                found = storage.find_article(s, url)
                assert found is not None and found.id is not None
                text = "shared text" if "shared" in url else f"{url} round {round_}"
                storage.record(
                    s,
                    article_id=found.id,
                    fields=storage.ArticleFields(title=url, body=text),
                    snapshot=text.encode(),
                    fetched_at=START + timedelta(hours=round_),
                )
            with db.transaction() as s:
                storage.claim_due_articles(
                    s, owner=worker, now=START, limit=5, lease=timedelta(minutes=5)
                )
            with db.session() as s:
                storage.search(s, "round", limit=5)
    print("ok", flush=True)


if __name__ == "__main__":
    main()
