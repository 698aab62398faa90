"""storage.prepared: statements run on the driver's cursor store, read and fail as execute()."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

import storage
from storage.models import Alert
from storage.prepared import Prepared
from storage.statements import ARTICLES

ALERTS = Alert.__table__  # type: ignore[attr-defined]
_INSERT = Prepared(insert(ALERTS).returning(ALERTS.c.id))
_READ = Prepared(select(ARTICLES).where(ARTICLES.c.id == bindparam("article_id")))


def test_rows_are_stored_and_read_as_execute_stores_and_reads_them(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article()
    row = {
        "kind": "new",
        "article_id": article_id,
        "version_id": None,
        "payload": {"title": "Talks in Istanbul", "authors": ["A", "B"], "n": 1},
        "created_at": now + timedelta(microseconds=7),
    }
    with db.transaction() as s:
        conn = s.connection()
        first = _INSERT.first(conn, row)
        second = conn.execute(insert(ALERTS).returning(ALERTS.c.id), row).scalar_one()
        assert first is not None and first[0] == second - 1
        read = _READ.mapping(conn, {"article_id": article_id})
        expected = (
            conn.execute(select(ARTICLES).where(ARTICLES.c.id == article_id)).mappings().one()
        )
    assert read == dict(expected)
    assert read is not None and read["first_seen_at"] == now  # aware, as the column reads it
    with db.session() as s:
        stored = (
            s.connection()
            .execute(select(ALERTS.c.payload, ALERTS.c.created_at).order_by(ALERTS.c.id))
            .all()
        )
    assert stored[0] == stored[1] == (row["payload"], row["created_at"])


def test_a_driver_error_is_sqlalchemys_and_rolls_the_transaction_back(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article()
    row = {"kind": "new", "article_id": article_id, "payload": {}, "created_at": now}
    with pytest.raises(IntegrityError), db.transaction() as s:
        _INSERT.run(s.connection(), row)
        _INSERT.run(s.connection(), row | {"article_id": article_id + 1000})  # no such article
    with db.session() as s:
        assert s.connection().execute(select(ALERTS.c.id)).all() == []
    with db.engine.connect() as conn:
        assert _READ.mapping(conn, {"article_id": article_id + 1000}) is None
