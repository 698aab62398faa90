"""Raw page bytes, stored once per content: zstd-compressed and keyed by sha256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import zstandard
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.exceptions import NotFound, SnapshotCorrupt
from storage.models import Snapshot

ZSTD_LEVEL = 3


@dataclass(frozen=True, slots=True)
class PreparedSnapshot:
    """A page ready to be stored: its sha256 and its compressed bytes.

    Hashing and compressing need no database and let go of the GIL, so the daemon prepares a
    new article's page on a thread before its write transaction, not inside it.
    """

    sha256: str
    compressed: bytes
    size: int


def prepare_snapshot(data: bytes) -> PreparedSnapshot:
    """Hash and compress ``data`` (see :class:`PreparedSnapshot`)."""
    compressed = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(data)
    return PreparedSnapshot(hashlib.sha256(data).hexdigest(), compressed, len(data))


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
    conn.execute(_INSERT_IF_NEW[conn.dialect.name], row)
    return prepared.sha256


# Built once per engine: every new version stores a snapshot.
_INSERT_IF_NEW = {
    "sqlite": sqlite.insert(Snapshot).on_conflict_do_nothing(index_elements=["sha256"]),
    "postgresql": postgresql.insert(Snapshot).on_conflict_do_nothing(index_elements=["sha256"]),
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
