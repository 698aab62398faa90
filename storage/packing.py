"""A page's bytes packed for the snapshot store: sha256 and zstd, and no database.

This module imports the standard library and zstandard only, so the daemon's extraction
process packs a new article's page beside the daemon, where the bytes already are
(:mod:`scheduler.reading`), as the import's worker processes do
(:mod:`newswatch.archive_import`).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import zstandard

# Level 1, not 3: a new article's page is compressed on the recording's path, where level 3
# cost half again as much CPU (0.62 → 0.42 ms for the bench's 184 kB pages) for snapshots 6 %
# smaller (21.2 % of the page instead of 20.0 %). Any level reads back the same.
ZSTD_LEVEL = 1


@dataclass(frozen=True, slots=True)
class PreparedSnapshot:
    """A page ready to be stored: its sha256 and its compressed bytes.

    Hashing and compressing need no database, so a new article's page is packed before its
    write transaction, not inside it: in the daemon's extraction process, or in an import's
    worker process.
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
