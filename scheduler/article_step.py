"""The article step: fetch one due article, judge what came back, record what a reader sees.

Between the fetch and the record sits the verdict (:mod:`scraper.verdicts`): a bot wall, a
consent page, a sign-in page, a soft 404 or a page without text is *judged*, never diffed. It
goes into the fetch log with its evidence, makes no version and no alert, counts as a failed
check of the article (so it is backed off), and a wall also pauses its host. A teaser of a
paywalled article is stored only while no full text was ever seen (then as a teaser, compared
only with teasers); once a full text is known, teasers are judged and skipped, so a meter that
shows the full text one visit and the teaser the next never alerts.

A change that would remove or replace most of the text, or empty a field the article had, is
held (``storage.hold_change``) and looked at again ``confirm_after`` later, over a new
connection; only a change seen twice is recorded, with the class ``retraction`` or
``rewrite``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import storage
from scheduler.batch_writer import BatchWriter
from scheduler.extraction import Extraction, InlineExtraction
from scheduler.fetchlog import FetchRecorder
from scheduler.metrics import Metrics
from scheduler.outcomes import ArticleOutcome, ArticleResult, failed, judged, recorded
from scheduler.policy import Backoff, RecheckPolicy, later
from scheduler.reading import Request, is_teaser, unread
from scheduler.recording import (
    PageWrite,
    RecordingRules,
    mark_off_topic,
    next_check,
    write_page,
)
from scraper import Extracted, ExtractionError, FetchError, HTTPStatusError, Page, Validators
from scraper import extract as extract_page
from scraper.fetch import HTML_TYPES
from scraper.polite import PoliteFetcher, Refused
from scraper.render import BrowserRenderer
from scraper.topic import TopicQuery
from scraper.verdicts import Known, Verdict, judge
from scraper.wrappers import WrapperTable

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# Whether an article's page is to be rendered in a browser first (its source or outlet says).
RenderChoice = Callable[[storage.DueArticle], bool]
# Awaited when an article's page is fetched, before it is read (see ArticleStep.check).
Handover = Callable[[], Awaitable[None]]
# A redirect to one of these is not followed: the page there is never the article.
_DEAD_ENDS = ("consent", "aggregator")


async def _nothing() -> None:
    """The hand-over of a check that holds no fetch slot (a caller other than the worker)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleRules:
    """How articles are checked: topic, recheck tiers, backoff, confirmation, rendering."""

    topic: TopicQuery
    policy: RecheckPolicy
    backoff: Backoff = dataclasses.field(default_factory=Backoff)
    confirm_after: timedelta = timedelta(minutes=2)
    render: RenderChoice | None = None
    limits: storage.Limits = dataclasses.field(default_factory=storage.Limits)


class ArticleStep:
    """Checks one due article at a time (see the module docstring)."""

    def __init__(
        self,
        *,
        db: storage.Database,
        fetcher: PoliteFetcher,
        rules: ArticleRules,
        clock: Clock,
        not_modified: Callable[[storage.NotModifiedCheck], None],
        wrappers: WrapperTable | None = None,
        metrics: Metrics | None = None,
        fetch_log: FetchRecorder | None = None,
        renderer: BrowserRenderer | None = None,
        writer: BatchWriter | None = None,
        extraction: Extraction | None = None,
    ) -> None:
        self._db = db
        self._writer = writer or BatchWriter(db, threaded=not db.in_memory)
        self._extraction = extraction or InlineExtraction()
        self._fetcher = fetcher
        self._rules = rules
        self._recording = RecordingRules(rules.policy, rules.confirm_after, rules.limits.versions)
        self._clock = clock
        self._not_modified = not_modified
        self._wrappers = wrappers or WrapperTable()
        self._metrics = metrics
        self._fetch_log = fetch_log
        self._renderer = renderer

    async def check(
        self, due: storage.DueArticle, *, fetched: Handover | None = None
    ) -> ArticleOutcome:
        """Fetch one article and record what it says now; what came of it.

        ``fetched`` is awaited once the page is fetched, before anything waits on another
        process or thread (its extraction, the snapshot's compression, the batch writer): the
        worker then gives the article's fetch slot to the next one (``Worker._guarded``).
        """
        confirming = due.pending_fingerprint is not None
        try:
            page = await self._fetcher.fetch(
                due.url,
                accept=HTML_TYPES,
                fresh=confirming,
                stop=self._dead_end,
                # A second look at a drastic change asks for the page itself, not a 304; so
                # does a churning article (whether its text has settled is the question).
                validators=Validators()
                if confirming or due.churning
                else Validators(etag=due.etag, last_modified=due.last_modified),
            )
        except FetchError as error:
            walled = self._wall_in(due, error)
            if walled is not None:
                return walled
            return self._failed(due, error.kind, str(error), retry_after=_retry_after(error))
        if isinstance(page, Refused):
            return self._refused(due, page)
        now = self._clock()
        if page.not_modified:
            next_check = self._next_check(due, now, last_changed=due.last_changed_at)
            self._not_modified(storage.NotModifiedCheck(due.id, now, next_check))
            return ArticleOutcome(ArticleResult.NOT_MODIFIED)
        if page.is_gone:
            return self._gone(due, page, now)
        wrapper = self._wrappers.find(page.final_url)
        if wrapper is not None and page.status < 300:
            # An aggregator's or a consent page, not the publisher's: a discovery failure,
            # never stored and never judged on topic (the next check may reach the article).
            return self._failed(
                due,
                wrapper.kind,
                f"the fetch ended on {page.final_url}, a {wrapper.kind} page, not the publisher's",
            )
        if page.status >= 300 or not page.is_html:
            verdict = judge(page, None, Known(requested_url=due.url))
            if verdict is not None:
                return self._judged(due, page, verdict, now)
            return self._failed(due, "not_html", f"not an HTML page ({page.content_type})")
        if self._rules.render is not None and self._rules.render(due):
            try:
                page = await self._render(page)
            except FetchError as error:
                return self._failed(due, error.kind, str(error))
        return await self._understand(due, page, now, fetched or _nothing)

    @property
    def writer(self) -> BatchWriter:
        """Where recordings are written (shared transactions, off the event loop)."""
        return self._writer

    @property
    def extraction(self) -> Extraction:
        """Where pages are extracted (on the event loop, or in processes of their own)."""
        return self._extraction

    def _wall_in(self, due: storage.DueArticle, error: FetchError) -> ArticleOutcome | None:
        """A 403/429/503 whose page is a bot wall is judged like one served with 200."""
        if not isinstance(error, HTTPStatusError) or error.page is None:
            return None
        try:
            found: Extracted | None = extract_page(error.page.text, url=error.page.final_url)
        except ExtractionError:
            found = None
        verdict = judge(error.page, found, Known(requested_url=due.url))
        if verdict is None or not verdict.wall:
            return None
        return self._judged(due, error.page, verdict, self._clock(), retry_after=error.retry_after)

    def _dead_end(self, url: str) -> bool:
        wrapper = self._wrappers.find(url)
        return wrapper is not None and wrapper.kind in _DEAD_ENDS

    async def _render(self, page: Page) -> Page:
        if self._renderer is None:
            from scraper.render import RenderUnavailable

            raise RenderUnavailable(
                "rendering was asked for, but no browser is set up", url=page.final_url
            )
        return await self._renderer.render(page)

    async def _understand(
        self, due: storage.DueArticle, page: Page, now: datetime, fetched: Handover
    ) -> ArticleOutcome:
        await fetched()
        # An article with no version has no story yet: its body is signed for placing it.
        # Only a new article is matched against the topic: one followed already stays followed.
        new = due.version_count == 0
        request = Request.of(
            page,
            Known(requested_url=due.url, body_chars=due.full_chars),
            self._rules.limits.fields,
            signed=new,
            topic=self._rules.topic if new else None,
            packed=new,
        )
        try:
            # A new article's page is nearly always recorded: the batch writer may wait for it.
            with self._writer.coming() if new else contextlib.nullcontext():
                reading = await self._extraction.read(request)
        except ExtractionError as error:  # its extraction process ended on it, or met a bug
            reading = unread(request, str(error))
        verdict = reading.verdict
        if self._metrics is not None:
            self._metrics.article_pages.labels(storage.article_host(due.url)).inc()
        teaser = verdict is not None and is_teaser(verdict, request.known)
        if verdict is not None and not teaser:
            return self._judged(due, page, verdict, now)
        identity, digest = reading.identity, reading.digest
        if identity is None or digest is None:
            return self._failed(due, "extraction", reading.failure or "nothing was read")
        if teaser and verdict is not None:
            self._note_verdict(due, page, verdict)
        # A new article's page is always kept: packed where it was read.
        snapshot: bytes | storage.PreparedSnapshot = reading.snapshot or page.body
        off_topic = not reading.on_topic
        # A page found at another address is recorded there, in the move's transaction.
        move_to = identity if identity != due.url else None
        access = "teaser" if teaser else "full"
        return await self._record(
            due,
            page,
            digest,
            now,
            access=access,
            snapshot=snapshot,
            move_to=move_to,
            off_topic=off_topic,
        )

    # -- verdicts --------------------------------------------------------------------------

    def _judged(
        self,
        due: storage.DueArticle,
        page: Page,
        verdict: Verdict,
        now: datetime,
        *,
        retry_after: float | None = None,
    ) -> ArticleOutcome:
        """A page that is not the article: logged with its evidence, nothing recorded."""
        self._note_verdict(due, page, verdict)
        logger.info(
            "article judged",
            extra={
                "event": "judged",
                "url": due.url,
                "verdict": verdict.kind,
                "evidence": "; ".join(verdict.evidence),
                "hint": verdict.hint,
            },
        )
        if verdict.kind == "paywall":
            # A teaser of an article whose full text is known: a check like a 304, nothing
            # to compare (only like is compared with like).
            next_check = self._next_check(due, now, last_changed=due.last_changed_at)
            self._not_modified(storage.NotModifiedCheck(due.id, now, next_check))
            return judged("paywall")
        if verdict.wall and page.status < 500 and page.status != 429:
            # The site is keeping us out, not this page: the host backs off, as after a 503
            # (a 503 or 429 wall was already counted against the host by the fetcher).
            self._fetcher.throttle.failed(page.final_url, f"{verdict.kind} wall")
        with self._db.transaction() as session:
            failures = storage.record_failure(
                session,
                article_id=due.id,
                error_kind=verdict.kind,
                message="; ".join(verdict.evidence)
                + (f" ({verdict.hint})" if verdict.hint else ""),
                now=now,
            )
            delay = self._rules.backoff.delay(failures, retry_after=retry_after)
            storage.reschedule_article(
                session, article_id=due.id, next_check_at=later(now, delay.total_seconds()), now=now
            )
        return judged(verdict.kind)

    def _note_verdict(self, due: storage.DueArticle, page: Page, verdict: Verdict) -> None:
        if self._fetch_log is not None:
            self._fetch_log.judge(page.final_url, verdict)
        if self._metrics is not None:
            self._metrics.verdicts.labels(storage.article_host(due.url), verdict.kind).inc()

    # -- recording -------------------------------------------------------------------------

    async def _record(
        self,
        due: storage.DueArticle,
        page: Page,
        digest: storage.FieldsDigest,
        now: datetime,
        *,
        access: str = "full",
        snapshot: bytes | storage.PreparedSnapshot | None = None,
        move_to: str | None = None,
        off_topic: bool = False,
    ) -> ArticleOutcome:
        """Record the page; with ``move_to``, first move the article there, in one transaction
        (a crash never leaves the move without the page that showed it)."""
        if off_topic and move_to is None:
            with self._db.transaction() as session:
                mark_off_topic(session, due, now)
            return ArticleOutcome(ArticleResult.OFF_TOPIC)
        validators = page.validators
        published = digest.fields.published
        when = self._next_check(due, now, last_changed=due.last_changed_at, published=published)
        if due.version_count and when is not None and not due.churning and not move_to:
            # Most rechecks find the article as it was: one statement, no session.
            with self._db.write_connection() as conn:
                unchanged = storage.record_if_unchanged(
                    conn,
                    article_id=due.id,
                    fields=digest,
                    fetched_at=now,
                    next_check_at=when,
                    etag=validators.etag,
                    last_modified=validators.last_modified,
                )
            if unchanged is not None:
                return self._recorded(due.url, unchanged)
        write = PageWrite(
            due=due,
            digest=digest,
            snapshot=page.body if snapshot is None else snapshot,
            validators=validators,
            published=published,
            now=now,
            access=access,
            move_to=move_to,
            off_topic=off_topic,
        )
        # In a transaction shared with other pages' recordings, off the event loop.
        written = await self._writer.write(functools.partial(write_page, self._recording, write))
        if isinstance(written, ArticleOutcome):
            return written
        return self._recorded(written.url, written.outcome)

    def _recorded(self, url: str, outcome: storage.Outcome) -> ArticleOutcome:
        logger.info(
            "article recorded",
            extra={
                "event": "recorded",
                "url": url,
                "outcome": str(outcome.kind),
                "version": outcome.version_number,
                "changed": list(outcome.changed_fields),
            },
        )
        return recorded(outcome)

    def _gone(self, due: storage.DueArticle, page: Page, now: datetime) -> ArticleOutcome:
        with self._db.transaction() as session:
            storage.record_gone(session, article_id=due.id, status=page.status, now=now)
            storage.reschedule_article(session, article_id=due.id, next_check_at=None, now=now)
        logger.info("article gone", extra={"event": "gone", "url": due.url, "status": page.status})
        return ArticleOutcome(ArticleResult.GONE)

    def _refused(self, due: storage.DueArticle, refused: Refused) -> ArticleOutcome:
        now = self._clock()
        logger.info(
            "article not fetched",
            extra={
                "event": "article_refused",
                "url": due.url,
                "kind": refused.kind,
                "reason": refused.reason,
            },
        )
        retry_at = later(now, refused.retry_in)
        with self._db.transaction() as session:
            if refused.kind != "paused":
                # Disallowed (or robots.txt down): say so on the article, and leave it alone
                # for a long while instead of asking again every pass.
                storage.record_failure(
                    session,
                    article_id=due.id,
                    error_kind=refused.kind,
                    message=refused.reason,
                    now=now,
                )
            storage.reschedule_article(session, article_id=due.id, next_check_at=retry_at, now=now)
        if refused.kind == "paused":
            return ArticleOutcome(ArticleResult.DEFERRED)
        return failed(refused.kind)

    def _next_check(
        self,
        due: storage.DueArticle,
        now: datetime,
        *,
        last_changed: datetime | None,
        published: datetime | None = None,
    ) -> datetime | None:
        return next_check(self._recording, due, now, last_changed=last_changed, published=published)

    def _failed(
        self, due: storage.DueArticle, kind: str, message: str, *, retry_after: float | None = None
    ) -> ArticleOutcome:
        now = self._clock()
        logger.warning(
            "article failed",
            extra={"event": "article_failed", "url": due.url, "kind": kind, "error": message},
        )
        with self._db.transaction() as session:
            failures = storage.record_failure(
                session, article_id=due.id, error_kind=kind, message=message, now=now
            )
            delay = self._rules.backoff.delay(failures, retry_after=retry_after)
            storage.reschedule_article(
                session, article_id=due.id, next_check_at=now + delay, now=now
            )
        return failed(kind)


def _retry_after(error: Exception) -> float | None:
    return error.retry_after if isinstance(error, HTTPStatusError) else None
