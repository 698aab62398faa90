"""Dialect-specific SQL that the ORM does not abstract: INSERT … ON CONFLICT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def upsert_insert(s: Session | Connection, model: Any) -> Any:
    """An ``INSERT`` for ``model`` that supports ``on_conflict_do_nothing/do_update``.

    Both SQLite (3.24+) and PostgreSQL spell it the same way, but SQLAlchemy keeps the
    constructs per dialect, so pick the one matching the session's (or connection's).
    """
    bind = s if isinstance(s, Connection) else s.get_bind()
    if bind.dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
