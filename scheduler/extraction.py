"""Where the daemon extracts article pages: on its event loop, or in extraction processes beside it.

Extracting a page is pure CPU under the GIL. In one process the event loop (fetching,
extracting, judging) and the batch writer's thread (recording) queue for that one lock, so a
daemon uses one core of two however much work is due (issue 20's profile: the loop held the
GIL 77 % of the time, a third of it extracting). :class:`ExtractionProcesses` sends each page's
bytes to a small process of its own (:mod:`scheduler.extraction_child`: the extractor and
nothing of the daemon's) and awaits what it says, so the loop goes on fetching and the writer
gets the lock meanwhile. The process reads the page whole (:mod:`scheduler.reading`): it also
judges it, names the article's URL, matches a new article against the topic and digests the
fields storage will keep (fingerprint, a new article's MinHash signature), work the event loop
and the batch writer's thread did before, under the same lock.

The processes are also a fence: a page that sends the parser into a crash or an endless loop
ends an extraction process, never the daemon. The page being read then fails (the article is
backed off like any page that cannot be read), the pages queued behind it are sent to a new
process, and a page that reads for longer than ``timeout`` has its process killed.

:class:`InlineExtraction` extracts on the event loop, as one core or ``extract_processes = 0``
asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
import typing
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from scheduler.extraction_child import HEADER, frame, widen_pipe
from scheduler.reading import Reading, Request, read_page
from scraper import ExtractionError, Page
from scraper.verdicts import Known
from storage.limits import FieldLimits

logger = logging.getLogger(__name__)
_CHILD = (sys.executable, "-P", "-m", "scheduler.extraction_child")
_READY = -1  # the number of the empty page a new process reads first: its "ready"
_START_LIMIT = 60.0  # seconds a new process may take to import the extractor
_CLOSE_WAIT = 5.0  # seconds a process gets to finish its page and exit when the daemon stops
_MMAP_THRESHOLD = 1 << 20  # bytes: glibc maps blocks this big on their own (_child_environment)
# What a new process reads first: a page with nothing on it.
_NOTHING = Request(
    Page(
        url="",
        final_url="",
        status=200,
        headers={},
        body=b"",
        content_type="text/html",
        elapsed=0.0,
    ),
    Known(),
    FieldLimits(),
)


class Extraction(Protocol):
    """How the article step reads a page: :func:`scheduler.reading.read_page`, somewhere."""

    async def read(self, request: Request) -> Reading: ...

    async def aclose(self) -> None: ...


class InlineExtraction:
    """On the event loop, as ``scraper.extract`` is called anywhere else."""

    async def read(self, request: Request) -> Reading:
        return read_page(request)

    async def aclose(self) -> None:
        return None


def usable_cores() -> int:
    """Cores this process may run on (its affinity, where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def extraction_for(processes: int | None) -> Extraction:
    """``processes`` extraction processes; None: one where two or more cores are usable."""
    if processes is None:
        processes = 1 if usable_cores() >= 2 else 0
    return ExtractionProcesses(processes) if processes > 0 else InlineExtraction()


@dataclass(slots=True)
class _Page:
    number: int
    request: Request
    answer: asyncio.Future[Reading]


@dataclass(slots=True, eq=False)
class _Child:
    """One extraction process and the pages sent to it, oldest (the one being read) first."""

    process: asyncio.subprocess.Process
    pages: deque[_Page] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # the extractor is imported
    timed_out: bool = False
    reading_since: float = 0.0  # loop time the oldest page's reading began
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class ExtractionProcesses:
    """Pages extracted by ``processes`` child processes (see the module docstring)."""

    def __init__(
        self,
        processes: int = 1,
        *,
        timeout: float = 60.0,
        command: tuple[str, ...] = _CHILD,
    ) -> None:
        if processes < 1:
            raise ValueError("extraction processes must be at least 1 (0: use InlineExtraction)")
        self._processes = processes
        self._timeout = timeout
        self._command = command
        self._children: list[_Child] = []
        self._starting = asyncio.Lock()
        self._numbers = 0
        self._inline = False  # no process would start: extract on the loop from then on
        self._closed = False
        self._resending: set[asyncio.Task[None]] = set()
        self.restarts = 0  # processes that ended while pages were theirs (tests, benchmarks)

    @property
    def pids(self) -> list[int]:
        """The running extraction processes' ids (benchmarks, tests)."""
        return [child.process.pid for child in self._children]

    async def read(self, request: Request) -> Reading:
        if self._closed:
            raise ExtractionError(
                "the daemon is stopping: no page is read any more", url=request.page.final_url
            )
        child = await self._child_for_next()
        if child is None:
            return read_page(request)
        self._numbers += 1
        page = _Page(self._numbers, request, asyncio.get_running_loop().create_future())
        await self._send(child, page)
        return await page.answer

    async def aclose(self) -> None:
        """End every process: its input closes, it finishes its page and exits (or is killed)."""
        self._closed = True
        children, self._children = self._children, []
        for child in children:
            await _end(child)
            for page in child.pages:
                page.answer.cancel()  # its check was cancelled with the daemon's work
            for task in child.tasks:
                task.cancel()
            for task in child.tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # -- processes -------------------------------------------------------------------------

    async def _child_for_next(self) -> _Child | None:
        """The process with the fewest pages waiting; a new one while fewer than asked run."""
        if self._inline:
            return None
        idle = [c for c in self._children if not c.pages]
        if idle or len(self._children) >= self._processes:
            return min(idle or self._children, key=lambda c: len(c.pages))
        async with self._starting:
            if self._inline:
                return None
            if len(self._children) < self._processes:
                child = await self._start()
                if child is None:
                    return None
            return min(self._children, key=lambda c: len(c.pages))

    async def _start(self) -> _Child | None:
        try:
            process = await asyncio.create_subprocess_exec(
                *self._command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=_child_environment(),
            )
        except OSError as error:
            self._give_up(f"it could not be started: {error}")
            return None
        _widen_pipe(process)
        child = _Child(process)
        self._children.append(child)
        child.tasks.append(asyncio.create_task(self._receive(child), name="extraction-answers"))
        child.tasks.append(asyncio.create_task(self._watch(child), name="extraction-watch"))
        # The first page is empty: its answer says the process has imported the extractor.
        await self._send(child, _Page(_READY, _NOTHING, asyncio.get_running_loop().create_future()))
        ready = asyncio.create_task(child.ready.wait())
        ended = asyncio.create_task(process.wait())
        await asyncio.wait((ready, ended), return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        ended.cancel()
        if not child.ready.is_set():
            self._give_up(f"it exited with code {process.returncode} before reading a page")
            return None
        return child

    def _give_up(self, why: str) -> None:
        logger.error(
            "no extraction process: pages are extracted in the daemon itself",
            extra={"event": "extraction_inline", "reason": why},
        )
        self._inline = True

    async def _send(self, child: _Child, page: _Page) -> None:
        if not child.pages:
            child.reading_since = asyncio.get_running_loop().time()
        child.pages.append(page)
        stdin = child.process.stdin
        assert stdin is not None
        payload = pickle.dumps((page.number, page.request), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            stdin.write(frame(payload))
            await stdin.drain()
        except ConnectionError:
            pass  # the process has ended: _receive hands its pages on

    async def _receive(self, child: _Child) -> None:
        """Settle each page as its answer arrives; when the process ends, hand the rest on."""
        stdout = child.process.stdout
        assert stdout is not None
        loop = asyncio.get_running_loop()
        try:
            while True:
                (size,) = HEADER.unpack(await stdout.readexactly(HEADER.size))
                number, found = pickle.loads(await stdout.readexactly(size))
                page = child.pages.popleft()
                child.reading_since = loop.time()
                if page.number != number:  # cannot happen unless the frames are corrupt
                    raise RuntimeError(f"answer {number} came for page {page.number}")
                if number == _READY:
                    child.ready.set()
                else:
                    _settle(page, found)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception:
            logger.exception("an extraction process sent what cannot be read; it is restarted")
            child.process.kill()
        await child.process.wait()
        if child in self._children:
            self._children.remove(child)
        if self._closed or not child.pages:
            return
        self._ended(child)

    def _ended(self, child: _Child) -> None:
        """The page being read when the process died fails; the ones behind it go elsewhere."""
        culprit = child.pages.popleft()
        code = child.process.returncode
        if culprit.number == _READY:  # it never started: the pages behind go elsewhere
            self._resend(list(child.pages))
            return
        self.restarts += 1
        if child.timed_out:
            why = f"reading the page took over {self._timeout:g} s, so its process was ended"
        else:
            why = f"the extraction process ended (exit code {code}) while reading this page"
        url = culprit.request.page.final_url
        logger.warning(
            "an extraction process ended", extra={"event": "extraction_restart", "url": url}
        )
        if not culprit.answer.done():
            culprit.answer.set_exception(ExtractionError(why, url=url))
        self._resend(list(child.pages))

    def _resend(self, pages: list[_Page]) -> None:
        """Pages an ended process had not begun: read again, by another process."""
        for page in pages:
            task = asyncio.get_running_loop().create_task(self._again(page))
            self._resending.add(task)
            task.add_done_callback(self._resending.discard)

    async def _again(self, page: _Page) -> None:
        if page.answer.done():
            return
        try:
            page.answer.set_result(await self.read(page.request))
        except Exception as error:  # the page's own outcome, handed to whoever awaits it
            page.answer.set_exception(error)

    async def _watch(self, child: _Child) -> None:
        """Kill the process when one page has been read for longer than the timeout."""
        loop = asyncio.get_running_loop()
        while child.process.returncode is None:
            # Importing the extractor is not reading a page: a loaded machine may take long.
            limit = self._timeout if child.ready.is_set() else max(self._timeout, _START_LIMIT)
            overdue = child.pages and loop.time() - child.reading_since > limit
            if overdue:
                child.timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    child.process.kill()
                return
            await asyncio.sleep(min(1.0, self._timeout / 4))


def _settle(page: _Page, found: object) -> None:
    if page.answer.done():
        return
    if isinstance(found, Reading):
        page.answer.set_result(found)
        return
    kind, message, trace = typing.cast(tuple[str, str, str], found)
    if trace:
        logger.error(
            "extraction failed with an error",
            extra={
                "event": "extraction_error",
                "url": page.request.page.final_url,
                "traceback": trace,
            },
        )
        message = f"{kind}: {message}"
    page.answer.set_exception(ExtractionError(message))


def _child_environment() -> dict[str, str]:
    """The daemon's environment, with glibc told which blocks to map on their own.

    glibc raises its mmap threshold to the size of every mapped block it frees, so after the
    first big page every page's text and parse tree came from the heap, and what was freed
    stayed resident. A threshold fixed at 256 kB kept the process's own memory down, but each
    page's frame, body, text and UTF-8 copy (100-400 kB each) was then mapped and faulted in
    afresh: 0.5 ms of system time a page, a tenth of the process's CPU. At 1 MB (where the
    user has not set it), a news page's blocks come from the heap and a rare huge page is still
    mapped and given back whole. Over the 183 news pages of aeb-dev and fundus-dev the process
    spent 0.16 ms of system time a page instead of 0.49, and held 32 MB of anonymous memory
    instead of 29.
    """
    return {"MALLOC_MMAP_THRESHOLD_": str(_MMAP_THRESHOLD), **os.environ}


def _widen_pipe(process: asyncio.subprocess.Process) -> None:
    """Room in the pipe to the process for a whole page (Linux gives a pipe 64 kB).

    A page of 100-200 kB otherwise goes in several writes, each waking the process and each
    taking the GIL back from the batch writer's thread afterwards: 11 % of the event loop's
    time in the pipeline bench's profile.
    """
    stdin = process.stdin
    pipe = stdin.transport.get_extra_info("pipe") if stdin is not None else None
    if pipe is not None:
        widen_pipe(pipe.fileno())  # the process widens the pipe of its answers itself


async def _end(child: _Child) -> None:
    stdin = child.process.stdin
    if stdin is not None and not stdin.is_closing():
        stdin.close()
    try:
        await asyncio.wait_for(child.process.wait(), _CLOSE_WAIT)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            child.process.kill()
        await child.process.wait()
