"""Storage's log lines carry an ``event`` key, like the scraper's and the scheduler's, so a log
pipeline can select them by name instead of by message text."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import storage


def test_every_storage_log_line_names_its_event(
    tmp_path: Path,
    base_fields: storage.ArticleFields,
    now: datetime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="storage"):
        db = storage.open_database(f"sqlite:///{tmp_path}/logs.db")
        try:
            with db.transaction() as s:
                [article_id] = storage.add_candidates(
                    s,
                    source_id=None,
                    candidates=[storage.Candidate("https://example.com/news/a")],
                    now=now,
                )
            for hours, fields in enumerate(
                [base_fields, replace(base_fields, title="Talks end without a deal")]
            ):
                with db.transaction() as s:
                    storage.record(
                        s,
                        article_id=article_id,
                        fields=fields,
                        snapshot=None,
                        fetched_at=now + timedelta(hours=hours),
                    )
            with db.transaction() as s:
                storage.forget_article(s, article_id=article_id)
        finally:
            db.close()
    lines = [r for r in caplog.records if r.name.startswith("storage")]
    events = [getattr(r, "event", None) for r in lines]
    assert None not in events, [r.getMessage() for r in lines if not hasattr(r, "event")]
    assert {"database_opened", "candidates_added", "version_recorded", "alert_queued"} <= set(
        events
    )
    assert "article_forgotten" in events
