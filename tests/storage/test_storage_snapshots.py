"""Snapshots: content-addressed, compressed, stored once, returned byte for byte."""

from __future__ import annotations

import concurrent.futures
import hashlib
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select, update

import storage
from storage import packing


def test_round_trip_and_dedup(db: storage.Database) -> None:
    page = ("<html><body>" + "Istanbul talks. " * 2000 + "</body></html>").encode()
    with db.transaction() as s:
        first = storage.store_snapshot(s, page)
        second = storage.store_snapshot(s, page)
    with db.transaction() as s:
        third = storage.store_snapshot(s, page)
    assert first == second == third == hashlib.sha256(page).hexdigest()
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(storage.Snapshot)).one() == 1
        row = s.get(storage.Snapshot, first)
        assert row is not None
        assert row.size == len(page)
        assert len(row.data) < len(page) // 10  # compressed
        assert storage.load_snapshot(s, first) == page


def test_binary_and_empty_bytes(db: storage.Database) -> None:
    blobs = [bytes(range(256)) * 4, b""]
    with db.transaction() as s:
        keys = [storage.store_snapshot(s, blob) for blob in blobs]
    with db.session() as s:
        assert [storage.load_snapshot(s, key) for key in keys] == blobs


def test_missing_snapshot(db: storage.Database) -> None:
    with db.session() as s, pytest.raises(storage.NotFound, match="snapshot 'abc'"):
        storage.load_snapshot(s, "abc")


def test_corruption_is_detected(db: storage.Database) -> None:
    with db.transaction() as s:
        key = storage.store_snapshot(s, b"original")
        other = storage.store_snapshot(s, b"tampered")
        tampered = s.get(storage.Snapshot, other)
        assert tampered is not None
        s.exec(
            update(storage.Snapshot)
            .where(storage.Snapshot.sha256 == key)
            .values(data=tampered.data)
        )
    with db.session() as s, pytest.raises(storage.SnapshotCorrupt):
        storage.load_snapshot(s, key)


def test_pages_prepared_on_several_threads_at_once_read_back_as_stored(
    db: storage.Database,
) -> None:
    """No compressor compresses on two threads at once (one must not be shared), few are kept
    for later pages, and snapshots written at the level used before (3) read back as well as
    those of today's level."""
    import zstandard

    pages = [(f"<p>{i} " + "Istanbul talks. " * (200 + i)).encode() for i in range(64)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        prepared = list(pool.map(storage.prepare_snapshot, pages))
    old_page = b"<p>stored before</p>" * 500
    old_sha = hashlib.sha256(old_page).hexdigest()
    with db.transaction() as s:
        keys = [storage.store_snapshot(s, item) for item in prepared]
        s.add(
            storage.Snapshot(
                sha256=old_sha,
                data=zstandard.ZstdCompressor(level=3).compress(old_page),
                size=len(old_page),
                created_at=datetime.now(UTC),
            )
        )
    with db.session() as s:
        assert [storage.load_snapshot(s, key) for key in keys] == pages
        assert storage.load_snapshot(s, old_sha) == old_page
    # Eight threads compressed at once; what is kept afterwards is bounded, not one per thread.
    assert len(packing._IDLE) <= packing._KEEP_IDLE
