"""Timestamps in UTC: the one normalisation every stored time goes through.

Apart from ``storage.columns`` (whose column type imports SQLAlchemy), so that the fingerprint
of an article's fields can be worked out where the database layer is not loaded.
"""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
