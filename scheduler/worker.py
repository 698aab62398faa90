"""The due-work loop: claim what is due, hand each item to its step, count the outcomes.

One :class:`Worker` per daemon. It claims due sources and articles in batches, keeps the fetches
``concurrency`` deep, and writes the cheap checks (304s, fetch-log lines) together with the next
claim. What happens to one item is its step's job: :mod:`scheduler.source_step` and
:mod:`scheduler.article_step`, each returning a typed outcome (:mod:`scheduler.outcomes`).
Whatever goes wrong with one item is logged, recorded and backed off, and never stops the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import storage
from scheduler.article_step import ArticleRules, ArticleStep, Handover, RenderChoice
from scheduler.batch_writer import BatchWriter
from scheduler.extraction import Extraction
from scheduler.fetchlog import FetchRecorder
from scheduler.metrics import Metrics
from scheduler.outcomes import ArticleOutcome, CheckOutcome, SourceOutcome
from scheduler.policy import Backoff, RecheckPolicy
from scheduler.search_step import SearchStep
from scheduler.source_policy import SourcePacing
from scheduler.source_step import SourceRules, SourceStep
from scraper.discover import ListingRules
from scraper.polite import PoliteFetcher
from scraper.render import BrowserRenderer
from scraper.throttle import GLOBAL_CONCURRENCY
from scraper.topic import TopicQuery
from scraper.wrappers import WrapperTable

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# Article batches per pass: enough that a pass's tail (fetches draining before the next claim)
# is rare, few enough that sources are polled every few hundred articles during a backlog.
_BATCHES_PER_PASS = 8


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class PassReport:
    """What one pass over due work did, for --once, the demo and tests."""

    sources: int = 0
    articles: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    more_due: bool = False  # a claim came back full: more is probably due right now

    def count(self, outcome: CheckOutcome) -> None:
        self.outcomes[outcome.label] = self.outcomes.get(outcome.label, 0) + 1


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerConfig:
    owner: str
    batch: int = 32
    lease: timedelta = timedelta(minutes=5)
    concurrency: int = GLOBAL_CONCURRENCY


class Worker:
    """Runs due sources and articles through scraper and storage."""

    def __init__(
        self,
        *,
        db: storage.Database,
        fetcher: PoliteFetcher,
        topic: TopicQuery,
        policy: RecheckPolicy,
        config: WorkerConfig,
        clock: Clock = utc_now,
        backoff: Backoff | None = None,
        source_rules: Mapping[str, ListingRules] | None = None,
        source_pacing: Mapping[str, SourcePacing] | None = None,
        metrics: Metrics | None = None,
        fetch_log: FetchRecorder | None = None,
        search: SearchStep | None = None,
        confirm_after: timedelta = timedelta(minutes=2),
        render: RenderChoice | None = None,
        renderer: BrowserRenderer | None = None,
        limits: storage.Limits | None = None,
        extraction: Extraction | None = None,
    ) -> None:
        self._db = db
        wrappers = search.wrappers() if search is not None else WrapperTable()
        limits = limits or storage.Limits()
        backoff = backoff or Backoff()
        self._metrics = metrics
        self._fetch_log = fetch_log
        self._config = config
        self._clock = clock
        self._slots = asyncio.Semaphore(config.concurrency)
        # Pages fetched, being read or waiting for the batch writer (see _guarded).
        self._recording = asyncio.Semaphore(recording_depth(config.concurrency, db.dialect))
        # 304s not yet recorded: written together at each batch claim and at the pass's end.
        self._not_modified: list[storage.NotModifiedCheck] = []
        # On PostgreSQL the writes between two batches run on this thread, so the event loop
        # goes on fetching during their round trips (see _between_batches).
        self._writer = (
            concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="newswatch-claim"
            )
            if db.dialect == "postgresql"
            else None
        )
        self._sources = SourceStep(
            db=db,
            fetcher=fetcher,
            clock=clock,
            search=search,
            metrics=metrics,
            rules=SourceRules(
                listings=dict(source_rules or {}),
                pacing=dict(source_pacing or {}),
                backoff=backoff,
                limits=limits,
            ),
        )
        self._articles = ArticleStep(
            db=db,
            fetcher=fetcher,
            clock=clock,
            not_modified=self._note_not_modified,
            wrappers=wrappers,
            metrics=metrics,
            fetch_log=fetch_log,
            renderer=renderer,
            extraction=extraction,
            rules=ArticleRules(
                topic=topic,
                policy=policy,
                backoff=backoff,
                confirm_after=confirm_after,
                render=render,
                limits=limits,
            ),
        )
        self.accepting = True
        self.last_claim_at: datetime | None = None  # liveness: a long pass still claims

    async def run_due(self, *, done: set[tuple[str, int]] | None = None) -> PassReport:
        """Claim one batch of due sources and work it off, then due articles batch by batch.

        Article batches overlap: the next one is claimed as soon as every article of the
        previous one has a fetch slot, so the fetches stay ``concurrency`` deep across batch
        boundaries instead of draining to nothing before each claim. A pass claims at most
        ``_BATCHES_PER_PASS`` article batches, so that sources get their turn in a backlog.

        Items in ``done`` (``("source", id)`` / ``("article", id)``) are handed back unworked:
        that is how ``--once`` looks at each item at most once.
        """
        try:
            return await self._run_due(done)
        finally:
            self._write_checks(*self._checks_so_far(), claim=False)

    async def _run_due(self, done: set[tuple[str, int]] | None) -> PassReport:
        report = PassReport()
        done = set() if done is None else done
        if not self.accepting:
            return report
        with self._db.transaction() as session:
            claimed_sources = storage.claim_due_sources(
                session,
                owner=self._config.owner,
                now=self._clock(),
                limit=self._config.batch,
                lease=self._config.lease,
            )
        self.last_claim_at = utc_now()
        sources = [s for s in claimed_sources if ("source", s.id) not in done]
        checks = (self._guarded(_as_job(self.check_source(s)), report) for s in sources)
        await asyncio.gather(*checks)
        done.update(("source", s.id) for s in sources)
        report.sources = len(sources)
        if not self.accepting:
            return report
        articles_full = await self._work_articles(report, done)
        report.more_due = self.accepting and (
            len(claimed_sources) == self._config.batch or articles_full
        )
        return report

    async def _work_articles(self, report: PassReport, done: set[tuple[str, int]]) -> bool:
        """Claim and check article batches; ``True`` if the last claim came back full."""
        tasks: list[asyncio.Task[None]] = []
        full = False
        try:
            for batch_no in range(_BATCHES_PER_PASS):
                if batch_no == 0:
                    # The sources' fetch-log lines go in with the claim.
                    claimed = self._write_checks(*self._checks_so_far(), claim=True)
                else:
                    try:
                        claimed = await self._between_batches()
                    except Exception:
                        # The checks in flight are still good: finish them, claim next pass.
                        logger.exception("could not claim the next batch of due articles")
                        break
                full = len(claimed) == self._config.batch
                articles = [a for a in claimed if ("article", a.id) not in done]
                done.update(("article", a.id) for a in articles)
                report.articles += len(articles)
                started = _Countdown(len(articles))
                tasks += [
                    asyncio.create_task(self._guarded(self._checking(a), report, started.tick))
                    for a in articles
                ]
                if not full or not self.accepting or batch_no == _BATCHES_PER_PASS - 1:
                    break
                # Claim the next batch once this one's last article holds a fetch slot.
                await started.wait()
                if not self.accepting:
                    break
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return full

    async def _between_batches(self) -> list[storage.DueArticle]:
        """Record the 304s and fetch-log lines so far and claim the next batch, in one
        transaction.

        On PostgreSQL it runs on the writer thread: its round trips then overlap the fetches
        in flight instead of stopping the event loop (psycopg lets go of the GIL while it
        waits). SQLite answers in microseconds, from this process, so it stays inline.
        """
        checks, entries = self._checks_so_far()
        if self._writer is None:
            return self._write_checks(checks, entries, claim=True)
        future = self._writer.submit(self._write_checks, checks, entries, claim=True)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            # The transaction runs to its end regardless. Wait for it, so that the leases it
            # takes are held before a shutdown releases this daemon's leases, not after.
            concurrent.futures.wait([future])
            raise

    def _note_not_modified(self, check: storage.NotModifiedCheck) -> None:
        # A method, not the list's append: _checks_so_far hands the list over and starts anew.
        self._not_modified.append(check)

    def _checks_so_far(self) -> tuple[list[storage.NotModifiedCheck], list[storage.FetchEntry]]:
        """Take the 304s and fetch-log lines gathered since the last write (on the loop)."""
        checks, self._not_modified = self._not_modified, []
        entries = self._fetch_log.take() if self._fetch_log is not None else []
        return checks, entries

    def _write_checks(
        self,
        checks: list[storage.NotModifiedCheck],
        entries: list[storage.FetchEntry],
        *,
        claim: bool,
    ) -> list[storage.DueArticle]:
        """One transaction: the 304s, the fetch-log lines, and with ``claim`` the next batch.

        Until then the 304s' articles stay leased to this daemon, so nobody checks them twice;
        if the daemon dies first, the leases expire and the articles are simply checked again.
        """
        if not (checks or entries or claim):
            return []
        claimed: list[storage.DueArticle] = []
        with self._db.transaction() as session:
            storage.record_not_modified_many(session, checks)
            storage.log_fetches(session, entries)
            if claim:
                claimed = storage.claim_due_articles(
                    session,
                    owner=self._config.owner,
                    now=self._clock(),
                    limit=self._config.batch,
                    lease=self._config.lease,
                )
        if claim:
            self.last_claim_at = utc_now()
        return claimed

    async def run_until_idle(self, *, max_passes: int = 10_000) -> PassReport:
        """Work off everything due now, each item once (``--once``).

        Articles discovered on the way are due at once, so they are fetched in the same run.
        """
        total = PassReport()
        done: set[tuple[str, int]] = set()
        try:
            for _ in range(max_passes):
                report = await self.run_due(done=done)
                total.sources += report.sources
                total.articles += report.articles
                total.errors += report.errors
                for outcome, n in report.outcomes.items():
                    total.outcomes[outcome] = total.outcomes.get(outcome, 0) + n
                if report.sources == 0 and report.articles == 0:
                    break
        finally:
            self.release()  # items claimed again but already done in this run go back
        return total

    def release(self) -> None:
        """Give back every lease this worker holds (shutdown): another daemon may take them."""
        with self._db.transaction() as session:
            storage.release_leases(session, owner=self._config.owner)

    async def _guarded(
        self,
        job: Callable[[Handover], Awaitable[CheckOutcome]],
        report: PassReport,
        started: Callable[[], None] | None = None,
    ) -> None:
        """Run one item's check in a fetch slot, which an article gives back early.

        An article's page waits for its extraction process and for the batch writer's thread.
        Holding the fetch slot through that left fewer than ``concurrency`` fetches in flight
        whenever either was busy. So the check hands its slot to the next item once its page
        is fetched (``job``'s argument), and is read and recorded in a place of its own
        instead, of which there are as many as :func:`recording_depth` says: pages fetched but
        not yet written stay bounded (each holds its body in memory), and a writer or an
        extraction process that falls behind slows the fetching.
        """
        slot = _Slot(self._slots)
        recording = False

        async def fetched() -> None:
            nonlocal recording
            if recording:
                return
            await self._recording.acquire()
            recording = True
            slot.release()

        # The last line of defence: a bug in handling one item must not stop the pass.
        try:
            async with slot:
                if started is not None:
                    started()
                outcome = await job(fetched)
            report.count(outcome)
            if self._metrics is not None:
                self._metrics.checks.labels(outcome.label).inc()
        except Exception:
            report.errors += 1
            logger.exception("unexpected error while handling due work")
        finally:
            if recording:
                self._recording.release()

    def _checking(self, due: storage.DueArticle) -> Callable[[Handover], Awaitable[ArticleOutcome]]:
        return lambda fetched: self.check_article(due, fetched=fetched)

    async def check_source(self, due: storage.DueSource) -> SourceOutcome:
        """Fetch one source and admit the article links it lists (see scheduler.source_step)."""
        return await self._sources.check(due)

    # -- articles ------------------------------------------------------------------------------

    @property
    def record_writer(self) -> BatchWriter:
        """The batch writer of new versions (its counters are what benchmarks report)."""
        return self._articles.writer

    @property
    def extraction(self) -> Extraction:
        """Where article pages are extracted (in the daemon, or in processes beside it)."""
        return self._articles.extraction

    async def aclose(self) -> None:
        """End the batch writer's thread and the extraction processes (the runtime's exit)."""
        self._articles.writer.close()
        await self._articles.extraction.aclose()

    async def check_article(
        self, due: storage.DueArticle, *, fetched: Handover | None = None
    ) -> ArticleOutcome:
        """Fetch one article and record what it says now (see scheduler.article_step)."""
        return await self._articles.check(due, fetched=fetched)


def recording_depth(concurrency: int, dialect: str) -> int:
    """How many fetched pages may be read or wait for the batch writer at once.

    On PostgreSQL, twice as many as fetch slots. Each commit there waits for round trips and a
    WAL flush, and with as many places as fetch slots the writer's batches held the 3-4 pages
    that were not being fetched or read. Twice as many gave batches of 5-7 pages and one
    daemon 7 % more new articles a second, two 10 % more, each daemon peaking at 139-146 MB
    instead of 133-136 (bench/pipeline.py, alternated runs); four times as many was no
    faster, and peaked at 153-169 MB. On SQLite, which commits in microseconds, the
    extraction process binds: more places only piled pages up before it (the same rate,
    about 10 MB more at the peak).
    """
    if dialect == "postgresql":
        return 2 * concurrency
    return concurrency


def _as_job(check: Awaitable[CheckOutcome]) -> Callable[[Handover], Awaitable[CheckOutcome]]:
    """A check that holds its fetch slot to its end (a source's)."""
    return lambda _fetched: check


class _Slot:
    """One of the worker's fetch slots, which its holder may give back before the end."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self._slots = slots
        self._held = False

    async def __aenter__(self) -> None:
        await self._slots.acquire()
        self._held = True

    async def __aexit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.release()


class _Countdown:
    """Set once ``n`` calls of :meth:`tick` have been made (at once when ``n`` is 0)."""

    def __init__(self, n: int) -> None:
        self._left = n
        self._event = asyncio.Event()
        if n == 0:
            self._event.set()

    def tick(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self._event.set()

    async def wait(self) -> None:
        await self._event.wait()
