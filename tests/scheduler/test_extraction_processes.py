"""Pages read in processes beside the daemon (scheduler.extraction).

The processes are real: ``python -m scheduler.extraction_child``, fed the pages of
tests/scraper/extract_cases; what they send back (the extraction and the digested fields,
signature included) must be what the daemon would have worked out itself. A parser that
crashes or never finishes cannot be brought about with a real page on purpose, so two tests
run the same child with its ``answer`` wrapped to exit, or to sleep, on a page that says so:
everything else in them is the real process.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import os
import pickle
import random
import string
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import zstandard

import storage
from newswatch.newsroom import Newsroom
from newswatch.newsroom.walls import sample
from newswatch.runtime import open_runtime
from scheduler import extraction_child
from scheduler.extraction import (
    ExtractionProcesses,
    InlineExtraction,
    extraction_for,
    usable_cores,
)
from scheduler.reading import Reading, Request, read_page
from scheduler.worker import PassReport
from scraper import ExtractionError, Page
from scraper.charset import page_text
from scraper.topic import TopicQuery
from scraper.urls import canonicalize_url
from scraper.verdicts import Known

from .conftest import Clock, make_settings

CASES = Path(__file__).resolve().parents[1] / "scraper" / "extract_cases"
URL = "https://news.example/2026/12/05/story"
PAGES = [path.read_text(encoding="utf-8") for path in sorted(CASES.glob("*.html"))[:12]]

# The real child, except on pages that carry one of two markers.
_FAULTY_CHILD = """
import os, time
from scheduler import extraction_child as child
real = child.answer
def answer(number, request):
    if "CRASH-HERE" in request.page.text:
        os._exit(7)
    if "HANG-HERE" in request.page.text:
        time.sleep(3600)
    return real(number, request)
child.answer = answer
child.main()
"""
FAULTY = (sys.executable, "-P", "-c", _FAULTY_CHILD)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def page_of(html: str) -> Page:
    body = html.encode()
    headers = {"content-type": "text/html; charset=utf-8"}
    return Page(URL, URL, 200, headers, body, "text/html", 0.01)


def ask(html: str, *, topic: TopicQuery | None = None) -> Request:
    known = Known(requested_url=URL)
    return Request.of(page_of(html), known, storage.FieldLimits(), signed=True, topic=topic)


def read(html: str) -> Reading:
    """What the daemon itself makes of the page."""
    return read_page(ask(html))


async def read_all(
    extraction: ExtractionProcesses | InlineExtraction, pages: list[str]
) -> list[Reading | BaseException]:
    return await asyncio.gather(
        *(extraction.read(ask(html)) for html in pages), return_exceptions=True
    )


def test_a_process_reads_pages_exactly_as_the_daemon_would() -> None:
    assert len(PAGES) >= 10

    async def run() -> tuple[list[Reading | BaseException], list[int]]:
        processes = ExtractionProcesses(1)
        try:
            found = await read_all(processes, PAGES)
            return found, processes.pids
        finally:
            await processes.aclose()

    found, pids = asyncio.run(run())
    assert found == [read(html) for html in PAGES]
    readings = [r for r in found if isinstance(r, Reading)]
    signed = [r for r in readings if r.digest is not None and r.digest.signature is not None]
    assert len(signed) >= 5, "the bodies long enough to compare come back signed"
    assert all(r.identity is not None for r in readings if r.digest is not None)
    assert len(pids) == 1 and pids[0] != os.getpid()
    assert not alive(pids[0]), "aclose() ends the process"


def test_a_page_crosses_as_bytes_and_arrives_with_the_fetchers_text() -> None:
    """Pickled, a request carries its page's body and not its text, even once the text has been
    read: the other side reads it from the body again, as the fetcher does, and keeps the bytes
    for the parser only when the text is exactly those bytes read as UTF-8."""
    html = PAGES[0]
    latin = html.replace("</title>", " caf\u00e9</title>", 1)
    cases = {
        "utf-8": (html.encode(), "text/html; charset=utf-8", True),
        # Valid UTF-8 wins over a header that says otherwise, as the fetcher has it.
        "mislabelled": (html.encode(), "text/html; charset=iso-8859-1", True),
        "latin-1": (latin.encode("latin-1"), "text/html; charset=iso-8859-1", False),
        "bom": (b"\xef\xbb\xbf" + html.encode(), "text/html", False),
    }
    for name, (body, content_type, kept) in cases.items():
        page = Page(URL, URL, 200, {"content-type": content_type}, body, "text/html", 0)
        assert page.text == page_text(body, content_type)[0], name  # read on first use
        request = Request.of(page, Known(requested_url=URL), storage.FieldLimits(), signed=True)
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        assert len(body) < len(payload) < len(body) + len(page.text) // 2, name  # no text
        arrived = pickle.loads(payload)
        assert arrived.page == request.page, name
        assert (arrived.page.utf8 == body) if kept else arrived.page.utf8 is None, name
        assert read_page(arrived) == read_page(request), name
    assert "caf\u00e9" in page_text(*cases["latin-1"][:2])[0]


def test_what_a_process_digests_is_what_storage_would() -> None:
    # The fingerprint and signature worked out beside the daemon are the ones storage works
    # out from the plain fields: a page read either way is recorded the same.
    [reading] = asyncio.run(_read_in_a_process([PAGES[0]]))
    assert isinstance(reading, Reading) and reading.digest is not None
    own = storage.digest_fields(reading.digest.fields, signed=True)
    assert reading.digest == own
    assert reading.digest.signature is not None
    assert reading.digest.body_signature() == own.signature
    unsigned = read_page(Request.of(page_of(PAGES[0]), Known(), storage.FieldLimits())).digest
    assert unsigned is not None and not unsigned.signed
    assert unsigned.body_signature() == own.signature, "signed when placing needs it"


async def _read_in_a_process(pages: list[str]) -> list[Reading | BaseException]:
    processes = ExtractionProcesses(1)
    try:
        return await read_all(processes, pages)
    finally:
        await processes.aclose()


def test_a_process_matches_a_new_article_against_the_topic() -> None:
    digest = read(PAGES[0]).digest
    assert digest is not None
    own = digest.fields
    word = next(w for w in own.body.split() if w.isalpha() and len(w) > 4)
    topics = [TopicQuery("football"), TopicQuery(word), None]
    assert not topics[0].matches(own.title, own.subtitle, own.body)

    async def run() -> list[Reading]:
        processes = ExtractionProcesses(1)
        try:
            return [await processes.read(ask(PAGES[0], topic=topic)) for topic in topics]
        finally:
            await processes.aclose()

    off, on, unasked = asyncio.run(run())
    assert not off.on_topic
    assert off.digest is not None and not off.digest.signed, "never placed: not signed"
    assert on.digest is not None and on.digest.signed
    assert on.on_topic
    assert unasked.on_topic, "no topic asked (an article already followed): it stays followed"


def test_a_new_articles_page_comes_back_packed_for_the_snapshot_store() -> None:
    """The process hashes and compresses the page of a new article that will be recorded;
    a wall, a page off the topic or a page not asked to be packed comes back without it."""
    challenge = sample("cloudflare_managed-challenge_cvId3_2025-02-24.html")
    requests = [
        dataclasses.replace(ask(PAGES[0]), packed=True),
        dataclasses.replace(ask(challenge), packed=True),
        dataclasses.replace(ask(PAGES[0], topic=TopicQuery("football")), packed=True),
        ask(PAGES[0]),
    ]

    async def run() -> list[Reading]:
        processes = ExtractionProcesses(1)
        try:
            return [await processes.read(request) for request in requests]
        finally:
            await processes.aclose()

    packed, wall, off_topic, unasked = asyncio.run(run())
    body = requests[0].page.body
    assert packed.snapshot is not None
    assert packed.snapshot.sha256 == hashlib.sha256(body).hexdigest()
    assert packed.snapshot.size == len(body)
    assert zstandard.ZstdDecompressor().decompress(packed.snapshot.compressed) == body
    assert packed == read_page(requests[0]), "the same as the daemon packs it"
    assert wall.verdict is not None and wall.snapshot is None, "a wall is never recorded"
    assert not off_topic.on_topic and off_topic.snapshot is None
    assert unasked.snapshot is None


def test_the_process_does_not_load_the_database_layer() -> None:
    # storage/__init__ imports SQLAlchemy and every table: 40 MB the process never uses.
    script = (
        "import sys\n"
        "from scheduler import extraction_child\n"
        "extraction_child.storage_without_its_package()\n"
        "import scheduler.reading\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_page_that_cannot_be_read_fails_alone() -> None:
    async def run() -> list[Reading | BaseException]:
        processes = ExtractionProcesses(1)
        try:
            return await read_all(processes, [PAGES[0], "", PAGES[1]])
        finally:
            await processes.aclose()

    first, empty, second = asyncio.run(run())
    assert isinstance(empty, Reading)
    assert empty.digest is None and empty.identity is None
    assert empty.failure is not None and empty.failure.startswith("empty page")
    assert empty.verdict is not None, "a page with nothing on it is judged all the same"
    assert empty == read("")
    assert first == read(PAGES[0])
    assert second == read(PAGES[1])


def test_a_wall_is_judged_beside_the_daemon() -> None:
    # A real bot challenge (the newsroom's samples): judged in the process, as the daemon would.
    challenge = sample("cloudflare_managed-challenge_cvId3_2025-02-24.html")
    [reading] = asyncio.run(_read_in_a_process([challenge]))
    assert isinstance(reading, Reading)
    assert reading.verdict is not None and reading.verdict.wall
    assert reading == read(challenge)


def test_a_crash_fails_its_page_and_a_new_process_reads_the_rest() -> None:
    pages = [PAGES[0], "<p>CRASH-HERE</p>", *PAGES[1:6]]

    async def run() -> tuple[list[Reading | BaseException], ExtractionProcesses, list[int]]:
        processes = ExtractionProcesses(1, command=FAULTY)
        try:
            found = await read_all(processes, pages)
            first_pids = processes.pids
            again = await processes.read(ask(PAGES[7]))
            assert again == read(PAGES[7])
            return found, processes, first_pids
        finally:
            await processes.aclose()

    found, processes, pids = asyncio.run(run())
    crashed = found[1]
    assert isinstance(crashed, ExtractionError)
    assert "exit code 7" in str(crashed)
    expected = [read(html) for html in pages[2:]]
    assert found[0] == read(PAGES[0])
    assert found[2:] == expected, "the pages queued behind the crash are read by a new process"
    assert processes.restarts == 1
    assert len(pids) == 1


def test_a_page_read_too_long_has_its_process_ended() -> None:
    pages = ["<p>HANG-HERE</p>", PAGES[2], PAGES[3]]

    async def run() -> list[Reading | BaseException]:
        processes = ExtractionProcesses(1, command=FAULTY, timeout=1.0)
        try:
            return await asyncio.wait_for(read_all(processes, pages), 60)
        finally:
            await processes.aclose()

    hung, *rest = asyncio.run(run())
    assert isinstance(hung, ExtractionError)
    assert "took over 1 s" in str(hung)
    assert rest == [read(html) for html in pages[1:]]


def test_without_a_process_pages_are_read_in_the_daemon(caplog: pytest.LogCaptureFixture) -> None:
    broken = (sys.executable, "-c", "import sys; sys.exit(3)")

    async def run() -> tuple[list[Reading | BaseException], list[int]]:
        processes = ExtractionProcesses(1, command=broken)
        try:
            return await read_all(processes, PAGES[:3]), processes.pids
        finally:
            await processes.aclose()

    with caplog.at_level(logging.ERROR, logger="scheduler.extraction"):
        found, pids = asyncio.run(run())
    assert found == [read(html) for html in PAGES[:3]]
    assert pids == []
    assert any("exited with code 3" in str(r.__dict__.get("reason")) for r in caplog.records)


def test_the_setting_chooses_processes_by_the_cores() -> None:
    assert isinstance(extraction_for(0), InlineExtraction)
    assert isinstance(extraction_for(2), ExtractionProcesses)
    auto = extraction_for(None)
    expected = ExtractionProcesses if usable_cores() >= 2 else InlineExtraction
    assert isinstance(auto, expected)
    with pytest.raises(ValueError, match="at least 1"):
        ExtractionProcesses(0)


@pytest.mark.parametrize("processes", [0, 1])
def test_the_daemon_records_the_same_either_way(
    quiet_room: Newsroom, tmp_path: Path, processes: int
) -> None:
    slugs = [
        "istanbul-talks-delegations-swap-rival-peace-memorandums",
        "envoys-arrive-istanbul-second-meeting",
    ]
    for slug in slugs:
        quiet_room.publish(slug)
    settings = make_settings(quiet_room, tmp_path, daemon={"extract_processes": processes})

    async def once() -> tuple[PassReport, list[int]]:
        async with open_runtime(settings, clock=Clock()) as runtime:
            report = await runtime.worker.run_until_idle()
            extraction = runtime.worker.extraction
            pids = extraction.pids if isinstance(extraction, ExtractionProcesses) else []
            return report, pids

    report, pids = asyncio.run(once())
    assert report.outcomes.get("new") == len(slugs)
    assert len(pids) == processes
    assert not any(alive(pid) for pid in pids), "the runtime's exit ends its processes"
    with storage.open_database(settings.database.url) as db, db.session() as session:
        for slug in slugs:
            story = quiet_room.story(slug)
            article = storage.find_article(session, canonicalize_url(quiet_room.url_of(slug)))
            assert article is not None
            version = storage.get_version(session, article.id, 1)
            assert version is not None and version.title == story.title
            assert all(paragraph in version.body for paragraph in story.paragraphs)


def test_the_process_reads_on_while_a_big_answer_waits_unread() -> None:
    # A page of some 80 kB: its answer (the fields, the text among them, and the page packed)
    # is about three times the 64 kB Linux gives a pipe. The next page, more than its own pipe
    # holds, can only be written once the process reads it, which it does only if its answer
    # did not block it.
    words = random.Random(5).choices(string.ascii_lowercase, k=70_000)
    text = "".join(w + (" " if i % 7 else "") for i, w in enumerate(words))
    paragraphs = "".join(f"<p>{text[i : i + 900]}</p>" for i in range(0, len(text), 900))
    html = f"<html><head><title>T</title></head><body><article><h1>A long page</h1>{paragraphs}"
    request = dataclasses.replace(ask(html), packed=True)
    frames = [extraction_child.frame(pickle.dumps((n, request))) for n in (1, 2)]
    assert len(frames[1]) > 70_000
    process = subprocess.Popen(
        [sys.executable, "-P", "-m", "scheduler.extraction_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    def write_second() -> None:
        with contextlib.suppress(BrokenPipeError):  # the process killed below, on failure
            stdin.write(frames[1])
            stdin.flush()

    second = threading.Thread(target=write_second, daemon=True)
    try:
        stdin.write(frames[0])
        stdin.flush()
        second.start()
        second.join(timeout=30)
        blocked = second.is_alive()
        if not blocked:
            stdin.close()
            payloads = [extraction_child.read_frame(stdout) or b"" for _ in frames]
    finally:
        process.kill()
        process.wait()
        if second.ident is not None:
            second.join()
        stdout.close()
        with contextlib.suppress(BrokenPipeError):
            stdin.close()
    assert not blocked, "the process sat blocked on its first answer, its next page unread"
    assert all(len(payload) > 150_000 for payload in payloads), "answers the pipe could not hold"
    answers = [pickle.loads(payload) for payload in payloads]
    assert [number for number, _ in answers] == [1, 2]
    assert all(isinstance(reading, Reading) and reading.snapshot for _, reading in answers)
