"""Raw page bytes, stored once per content: zstd-compressed and keyed by sha256 (packed by
:mod:`storage.packing`)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import zstandard
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.exceptions import NotFound, SnapshotCorrupt
from storage.models import Snapshot
from storage.packing import PreparedSnapshot, prepare_snapshot
from storage.prepared import Prepared


def store_snapshot(
    s: Session, data: bytes | PreparedSnapshot, *, now: datetime | None = None
) -> str:
    """Store ``data`` unless the same bytes are already stored; return their sha256 hex."""
    # No "is it stored?" read first: compressing a page costs less than that round trip, and
    # the insert is a no-op for bytes already stored (or stored by another daemon just now).
    prepared = data if isinstance(data, PreparedSnapshot) else prepare_snapshot(data)
    conn = s.connection()
    row = {
        "sha256": prepared.sha256,
        "data": prepared.compressed,
        "size": prepared.size,
        "created_at": now or datetime.now(UTC),
    }
    _INSERT_IF_NEW[conn.dialect.name].run(conn, row)
    return prepared.sha256


# Built once per engine: every new version stores a snapshot.
_INSERT_IF_NEW = {
    "sqlite": Prepared(sqlite.insert(Snapshot).on_conflict_do_nothing(index_elements=["sha256"])),
    "postgresql": Prepared(
        postgresql.insert(Snapshot).on_conflict_do_nothing(index_elements=["sha256"])
    ),
}


def load_snapshot(s: Session, sha256: str) -> bytes:
    """The original bytes of a stored snapshot; :class:`NotFound` if there is none."""
    compressed = s.exec(select(Snapshot.data).where(Snapshot.sha256 == sha256)).first()
    if compressed is None:
        raise NotFound("snapshot", sha256)
    data = zstandard.ZstdDecompressor().decompress(compressed)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SnapshotCorrupt(sha256)
    return data
