"""Typed alerts for channel and filter tests, read the way the outbox reads its rows."""

from __future__ import annotations

from storage import AlertPayload, read_alert


def typed(kind: str, stored: dict[str, object], *, article_id: int = 1) -> AlertPayload:
    """The alert an outbox row of ``kind`` holding ``stored`` (format-1 keys) reads as."""
    return read_alert(kind=kind, article_id=article_id, version_id=None, stored=stored)
