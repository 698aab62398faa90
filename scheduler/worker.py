"""The due-work loop: claim what is due, fetch it, understand it, record it, reschedule it.

One :class:`Worker` per daemon. Each item is handled on its own: whatever goes wrong with one
source or article is logged, recorded and backed off, and never stops the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import storage
from scheduler.article_step import ArticleRules, ArticleStep, RenderChoice
from scheduler.fetchlog import FetchRecorder
from scheduler.growth import count_drops, dropped_note
from scheduler.metrics import Metrics
from scheduler.policy import Backoff, RecheckPolicy, later
from scheduler.search_step import SearchRead, SearchStep
from scheduler.source_policy import SourcePacing, previous_interval
from scraper import (
    DiscoveryError,
    FetchError,
    HTTPStatusError,
    Page,
    Validators,
)
from scraper.discover import ListingRules
from scraper.explore import Explorer, SourceRead
from scraper.polite import PoliteFetcher, Refused
from scraper.render import BrowserRenderer
from scraper.topic import TopicQuery
from scraper.wrappers import WrapperTable

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]
_MAX_CHILD_DOCUMENTS = 50
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

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerConfig:
    owner: str
    batch: int = 32
    lease: timedelta = timedelta(minutes=5)
    concurrency: int = 8


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
    ) -> None:
        self._db = db
        self._search = search
        self._wrappers = search.wrappers() if search is not None else WrapperTable()
        self._limits = limits or storage.Limits()
        self._metrics = metrics
        self._fetch_log = fetch_log
        self._fetcher = fetcher
        self._explorer = Explorer(fetcher, max_documents=_MAX_CHILD_DOCUMENTS)
        self._source_rules = dict(source_rules or {})
        self._source_pacing = dict(source_pacing or {})
        self._topic = topic
        self._policy = policy
        self._config = config
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._slots = asyncio.Semaphore(config.concurrency)
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
        self._articles = ArticleStep(
            db=db,
            fetcher=fetcher,
            clock=clock,
            not_modified=self._note_not_modified,
            wrappers=self._wrappers,
            metrics=metrics,
            fetch_log=fetch_log,
            renderer=renderer,
            rules=ArticleRules(
                topic=topic,
                policy=policy,
                backoff=self._backoff,
                confirm_after=confirm_after,
                render=render,
                limits=self._limits,
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
        await asyncio.gather(*(self._guarded(self.check_source(s), report) for s in sources))
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
                    asyncio.create_task(
                        self._guarded(self.check_article(a), report, started=started.tick)
                    )
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
        self, job: object, report: PassReport, started: Callable[[], None] | None = None
    ) -> None:
        # The last line of defence: a bug in handling one item must not stop the pass.
        try:
            async with self._slots:
                if started is not None:
                    started()
                outcome = await job  # type: ignore[misc]
            report.count(outcome)
            if self._metrics is not None:
                self._metrics.checks.labels(outcome).inc()
        except Exception:
            report.errors += 1
            logger.exception("unexpected error while handling due work")

    # -- sources -------------------------------------------------------------------------------

    async def check_source(self, due: storage.DueSource) -> str:
        """Fetch one source, add the article links it lists to the frontier."""
        now = self._clock()
        every = timedelta(seconds=due.every_seconds)
        validators = Validators()
        not_modified = False
        searched: SearchRead | None = None
        try:
            if due.kind == "site":
                found: SourceRead | Refused = await self._explorer.read_site(due.url)
            elif due.kind == "search" and self._search is not None and self._search.knows(due.url):
                polled = await self._search.read(due)
                found = polled if isinstance(polled, Refused) else polled.read
                if isinstance(polled, SearchRead):
                    searched = polled
                    validators = polled.poll.validators
                    not_modified = polled.poll.not_modified
            else:
                page = await self._fetcher.fetch(
                    due.url, validators=Validators(etag=due.etag, last_modified=due.last_modified)
                )
                found = await self._read_source(page, due)
                if isinstance(page, Page):
                    validators, not_modified = page.validators, page.not_modified
        except (FetchError, DiscoveryError) as error:
            failures = self._source_failures(due) + 1
            delay = self._backoff.delay(failures, retry_after=_retry_after(error))
            logger.warning(
                "source failed",
                extra={
                    "event": "source_failed",
                    "url": due.url,
                    "kind": error.kind,
                    "error": str(error),
                },
            )
            with self._db.transaction() as session:
                storage.finish_source(
                    session,
                    source_id=due.id,
                    now=now,
                    next_check_at=now + max(delay, every),
                    error=f"{error.kind}: {error}",
                )
            return "source_error"
        if isinstance(found, Refused):
            return self._source_refused(due, found, now)
        candidates = [
            storage.Candidate(
                url=link.url, title=link.title, published=link.published, updated=link.updated
            )
            for link in found.links
        ]
        with self._db.transaction() as session:
            admitted = storage.admit_candidates(
                session,
                source_id=due.id,
                candidates=candidates,
                now=now,
                limits=self._limits.candidates,
            )
            new_ids = admitted.created
            count_drops(self._metrics, admitted)
            # Links dropped over the caps are a problem of the source's like any other: it
            # shows in its last error, and its pace is not sped up by what it floods us with.
            dropped = dropped_note(admitted, self._limits.candidates)
            problems = "; ".join([*found.problems, *([dropped] if dropped else [])]) or None
            # A source read with problems (a malformed feed salvaged, a child sitemap failing)
            # keeps its configured interval, neither sped up nor backed off, and shows the
            # problem as its last error. A clean read adapts the pace to what it found.
            interval = every if problems else self._pace(due, every, found_new=bool(new_ids))
            storage.finish_source(
                session,
                source_id=due.id,
                now=now,
                next_check_at=now + interval,
                etag=validators.etag,
                last_modified=validators.last_modified,
                error=f"partial: {problems}" if problems else None,
            )
            if searched is not None and self._search is not None:
                self._search.record(session, due, searched, new=len(new_ids), now=now)
        logger.info(
            "source checked",
            extra={
                "event": "source_checked",
                "url": due.url,
                "links": len(found.links),
                "new": len(new_ids),
                "dropped": admitted.dropped,
                "next_in": interval.total_seconds(),
            },
        )
        return "source_not_modified" if not_modified else "source_ok"

    def _pace(self, due: storage.DueSource, every: timedelta, *, found_new: bool) -> timedelta:
        """The next polling interval of a source that was just read (see source_policy)."""
        pacing = self._source_pacing.get(due.url) or SourcePacing()
        previous = previous_interval(
            last_checked_at=due.last_checked_at,
            next_check_at=due.next_check_at,
            failures=due.failures,
        )
        return pacing.next_interval(every=every, previous=previous, found_new=found_new)

    async def _read_source(
        self, page: Page | Refused, due: storage.DueSource
    ) -> SourceRead | Refused:
        if isinstance(page, Refused):
            return page
        if page.not_modified:
            return SourceRead(links=())
        if page.is_gone:
            raise DiscoveryError(f"the source answers HTTP {page.status}", url=page.final_url)
        return await self._explorer.read(page, due.kind, self._source_rules.get(due.url))

    def _source_refused(self, due: storage.DueSource, refused: Refused, now: datetime) -> str:
        logger.info(
            "source not fetched",
            extra={
                "event": "source_refused",
                "url": due.url,
                "kind": refused.kind,
                "reason": refused.reason,
            },
        )
        # Not a check: the source is looked at again once the refusal may have lapsed.
        with self._db.transaction() as session:
            storage.finish_source(
                session,
                source_id=due.id,
                now=now,
                next_check_at=later(now, refused.retry_in),
                error=f"{refused.kind}: {refused.reason}",
            )
        return f"source_{refused.kind}"

    def _source_failures(self, due: storage.DueSource) -> int:
        with self._db.session() as session:
            return storage.source_failures(session, source_id=due.id)

    # -- articles ------------------------------------------------------------------------------

    async def check_article(self, due: storage.DueArticle) -> str:
        """Fetch one article and record what it says now (see scheduler.article_step)."""
        return await self._articles.check(due)


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


def _retry_after(error: Exception) -> float | None:
    return error.retry_after if isinstance(error, HTTPStatusError) else None
