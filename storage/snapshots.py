"""Raw page bytes, stored once per content: zstd-compressed and keyed by sha256."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import zstandard
from sqlmodel import Session, select

from storage.exceptions import NotFound, SnapshotCorrupt
from storage.models import Snapshot
from storage.sql import upsert_insert

ZSTD_LEVEL = 3


def store_snapshot(s: Session, data: bytes, *, now: datetime | None = None) -> str:
    """Store ``data`` unless the same bytes are already stored; return their sha256 hex."""
    digest = hashlib.sha256(data).hexdigest()
    # No "is it stored?" read first: compressing a page costs less than that round trip, and
    # the insert is a no-op for bytes already stored (or stored by another daemon just now).
    compressed = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(data)
    stmt = upsert_insert(s, Snapshot).values(
        sha256=digest, data=compressed, size=len(data), created_at=now or datetime.now(UTC)
    )
    s.connection().execute(stmt.on_conflict_do_nothing(index_elements=["sha256"]))
    return digest


def load_snapshot(s: Session, sha256: str) -> bytes:
    """The original bytes of a stored snapshot; :class:`NotFound` if there is none."""
    compressed = s.exec(select(Snapshot.data).where(Snapshot.sha256 == sha256)).first()
    if compressed is None:
        raise NotFound("snapshot", sha256)
    data = zstandard.ZstdDecompressor().decompress(compressed)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SnapshotCorrupt(sha256)
    return data
