"""Raw page bytes, stored once per content: zstd-compressed and keyed by sha256."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import zstandard
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.exceptions import NotFound, SnapshotCorrupt
from storage.models import Snapshot
from storage.prepared import Prepared

# Level 1, not 3: a new article's page is compressed on the recording's path, where level 3
# cost half again as much CPU (0.62 → 0.42 ms for the bench's 184 kB pages) for snapshots 6 %
# smaller (21.2 % of the page instead of 20.0 %). Any level reads back the same.
ZSTD_LEVEL = 1


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
    compressor = _take_compressor()
    try:
        compressed = compressor.compress(data)
    finally:
        _give_back(compressor)
    return PreparedSnapshot(hashlib.sha256(data).hexdigest(), compressed, len(data))


# Compressors no thread is using. Building one per page allocated its tables each time, and one
# must not compress on two threads at once; one per thread held 1.4 MB in each of the event
# loop's executor threads (six on two cores) for good. Pages rarely compress more than two at a
# time: a compressor is kept for the next page unless two already are.
_IDLE: list[zstandard.ZstdCompressor] = []
_IDLE_LOCK = threading.Lock()
_KEEP_IDLE = 2


def _take_compressor() -> zstandard.ZstdCompressor:
    with _IDLE_LOCK:
        if _IDLE:
            return _IDLE.pop()
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL)


def _give_back(compressor: zstandard.ZstdCompressor) -> None:
    with _IDLE_LOCK:
        if len(_IDLE) < _KEEP_IDLE:
            _IDLE.append(compressor)


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
