"""The batch writer: recordings handed over together share one transaction, one that fails
loses nothing of the others (its batch is rolled back and each write run again alone), and a
write waits a little for pages announced as on their way, never for long."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

import storage
from scheduler import batch_writer
from scheduler.batch_writer import BatchWriter

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[storage.Database]:
    database = storage.open_database(f"sqlite:///{tmp_path / 'batch.db'}")
    yield database
    database.close()


def adding(url: str, *, fail: bool = False) -> Callable[[Session], list[int]]:
    def work(s: Session) -> list[int]:
        created = storage.add_candidates(
            s, source_id=None, candidates=[storage.Candidate(url=url)], now=NOW
        )
        if fail:
            raise ValueError(f"cannot record {url}")
        return created

    return work


def stored_urls(db: storage.Database) -> set[str]:
    with db.session() as s:
        return set(s.exec(select(storage.Article.url)).all())


@pytest.mark.parametrize("threaded", [True, False], ids=["thread", "loop"])
def test_writes_handed_over_together_are_committed_in_one_transaction(
    db: storage.Database, threaded: bool
) -> None:
    writer = BatchWriter(db, threaded=threaded)
    urls = [f"https://example.com/news/{n}" for n in range(3)]

    async def write_all() -> list[list[int]]:
        return await asyncio.gather(*(writer.write(adding(url)) for url in urls))

    created = asyncio.run(write_all())
    assert [len(ids) for ids in created] == [1, 1, 1]
    assert (writer.batches, writer.writes) == (1, 3)
    assert stored_urls(db) == set(urls)


@pytest.mark.parametrize("threaded", [True, False], ids=["thread", "loop"])
def test_a_failing_write_fails_alone_and_the_others_are_kept(
    db: storage.Database, threaded: bool
) -> None:
    writer = BatchWriter(db, threaded=threaded)
    good = ["https://example.com/news/a", "https://example.com/news/c"]
    bad = "https://example.com/news/b"

    async def write_all() -> list[list[int] | BaseException]:
        return await asyncio.gather(
            writer.write(adding(good[0])),
            writer.write(adding(bad, fail=True)),
            writer.write(adding(good[1])),
            return_exceptions=True,
        )

    first, failed, last = asyncio.run(write_all())
    assert isinstance(failed, ValueError) and bad in str(failed)
    assert not isinstance(first, BaseException) and len(first) == 1
    assert not isinstance(last, BaseException) and len(last) == 1
    # The batch was rolled back and the two good writes committed alone; nothing of the bad.
    assert (writer.batches, writer.writes) == (2, 2)
    assert stored_urls(db) == set(good)


def test_closing_ends_the_writers_thread_and_later_writes_still_land(
    db: storage.Database,
) -> None:
    writer = BatchWriter(db)

    async def write(url: str) -> list[int]:
        return await writer.write(adding(url))

    def writing_threads() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name.startswith("newswatch-record")}

    # Other tests' workers may leave writers of their own running: this writer's thread is
    # the one its first write starts.
    before = writing_threads()
    asyncio.run(write("https://example.com/news/before"))
    mine = writing_threads() - before
    assert len(mine) == 1
    writer.close()
    assert not any(thread.is_alive() for thread in mine)
    writer.close()  # a second close is harmless
    asyncio.run(write("https://example.com/news/after"))
    assert stored_urls(db) == {"https://example.com/news/before", "https://example.com/news/after"}


@pytest.mark.parametrize("threaded", [True, False], ids=["thread", "loop"])
def test_a_write_waits_for_a_page_announced_as_coming(
    db: storage.Database, threaded: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Long enough that only the announced page ending its read can end the wait.
    monkeypatch.setattr(batch_writer, "GATHER_SECONDS", 30.0)
    writer = BatchWriter(db, threaded=threaded)

    async def write_both() -> list[list[int]]:
        handed = asyncio.Event()

        async def announced(url: str) -> list[int]:
            with writer.coming():
                await handed.wait()  # the page is read once the other write is handed over
            return await writer.write(adding(url))

        coming = asyncio.create_task(announced("https://example.com/news/read"))
        await asyncio.sleep(0)  # the announcement is made before the other write
        ready = asyncio.create_task(writer.write(adding("https://example.com/news/ready")))
        for _ in range(5):  # handed over; a writer that did not wait would write it now
            await asyncio.sleep(0)
        handed.set()
        return [await ready, await coming]

    created = asyncio.run(write_both())
    assert [len(ids) for ids in created] == [1, 1]
    # Without the wait, the ready page would have been committed alone, then the other.
    assert (writer.batches, writer.writes) == (1, 2)


def test_a_write_does_not_wait_for_an_announced_page_that_never_comes(
    db: storage.Database,
) -> None:
    writer = BatchWriter(db)
    url = "https://example.com/news/ready"

    async def scenario() -> list[int]:
        written = asyncio.Event()

        async def announced_forever() -> None:
            with writer.coming():
                await written.wait()  # read until the other write is done: it must not wait

        coming = asyncio.create_task(announced_forever())
        await asyncio.sleep(0)
        try:
            return await asyncio.wait_for(writer.write(adding(url)), timeout=30)
        finally:
            written.set()
            await coming

    assert len(asyncio.run(scenario())) == 1
    assert (writer.batches, writer.writes) == (1, 1)
    assert stored_urls(db) == {url}
