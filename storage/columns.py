"""Column types shared by the tables: always-aware UTC datetimes and portable JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from storage.utc import as_utc

# The largest id a row can have (BIGINT on PostgreSQL, INTEGER on SQLite): a larger number a
# user typed names no row, and must not reach the driver, which cannot even bind it.
MAX_ID = 2**63 - 1


def is_row_id(key: str | int) -> bool:
    """Whether ``key`` names a row by id (an int, or ASCII digits) rather than by URL."""
    return isinstance(key, int) or (key.isascii() and key.isdigit())


MAX_ROW_ID = MAX_ID


def as_row_id(text: str) -> int | None:
    """``text`` as a row id if it is plain ASCII digits within range, else None."""
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ROW_ID:
        return int(text)
    return None


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so values are stored as naive UTC
    text (which also keeps ``<=`` comparisons in SQL correct) and made aware again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class PortableJSON(TypeDecorator[Any]):
    """JSON on SQLite, JSONB on PostgreSQL (smaller, and indexable if search needs it later)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())
