"""A topic filter runs in Python over stored text, so the API bounds how far back it looks:
the newest ``scan`` edits or articles, never the whole history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import storage


def test_a_topic_looks_at_the_newest_items_only(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with storage.open_database(f"sqlite:///{tmp_path / 'w.db'}") as db:
        with db.transaction() as session:
            for n in range(6):
                link = f"https://outlet.example/{n}.html"
                [article_id] = storage.add_candidates(
                    session, candidates=[storage.Candidate(url=link)], source_id=None, now=now
                )
                word = "needle" if n == 0 else "hay"  # article 0 is the oldest
                for version in (1, 2):
                    storage.record(
                        session,
                        article_id=article_id,
                        snapshot=None,
                        fields=storage.ArticleFields(
                            title=f"{word} {n}", body=f"{word} text v{version}."
                        ),
                        fetched_at=now + timedelta(minutes=10 * n + version),
                    )
        with db.session() as session:

            def needle(text: str) -> bool:
                return "needle" in text

            assert [e.article_id for e in storage.recent_edits(session, matches=needle)] == [1]
            assert storage.recent_edits(session, matches=needle, scan=5) == []
            assert len(storage.recent_edits(session, matches=needle, scan=6)) == 1
            hay = storage.recent_edits(
                session, matches=lambda t: "hay" in t, limit=2, offset=1, scan=5
            )
            assert [e.title for e in hay] == ["hay 4", "hay 3"]
            query = storage.ArticleQuery(limit=10)
            assert storage.query_articles(session, query, matches=needle, scan=5) == []
            assert len(storage.query_articles(session, query, matches=needle)) == 1
