"""The source step: fetch one due source, read the article links it lists, admit them.

A feed, a sitemap or a listing page is fetched (conditionally: a 304 reads nothing) and read by
:mod:`scraper.explore`; a site source is explored from its home page; a search source asks its
provider through :class:`scheduler.search_step.SearchStep`. The links found go to the frontier
within the growth limits, and the source's next poll is set by its pace (sooner when it keeps
listing new articles, later when it does not), by a backoff after a failure, or by the refusal's
own term (robots.txt, a paused host).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import storage
from scheduler.growth import count_drops, dropped_note
from scheduler.metrics import Metrics
from scheduler.outcomes import SourceOutcome, SourceResult
from scheduler.policy import Backoff, later
from scheduler.search_step import SearchRead, SearchStep
from scheduler.source_policy import SourcePacing, previous_interval
from scraper import DiscoveryError, FetchError, HTTPStatusError, Page, Validators
from scraper.discover import ListingRules
from scraper.explore import Explorer, SourceRead
from scraper.polite import PoliteFetcher, Refused

logger = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# A sitemap index or a site's exploration reads at most this many documents per check.
MAX_CHILD_DOCUMENTS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRules:
    """How sources are read and paced: per-URL listing rules and pacing, caps, backoff."""

    listings: Mapping[str, ListingRules] = dataclasses.field(default_factory=dict)
    pacing: Mapping[str, SourcePacing] = dataclasses.field(default_factory=dict)
    backoff: Backoff = dataclasses.field(default_factory=Backoff)
    limits: storage.Limits = dataclasses.field(default_factory=storage.Limits)


@dataclass(frozen=True, slots=True)
class _Read:
    """What reading a source gave: its links (or why it was not fetched), the validators
    for the next conditional poll, and for a search source the poll itself."""

    found: SourceRead | Refused
    validators: Validators = Validators()
    not_modified: bool = False
    searched: SearchRead | None = None


class SourceStep:
    """Checks one due source at a time (see the module docstring)."""

    def __init__(
        self,
        *,
        db: storage.Database,
        fetcher: PoliteFetcher,
        rules: SourceRules,
        clock: Clock,
        search: SearchStep | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._db = db
        self._fetcher = fetcher
        self._explorer = Explorer(fetcher, max_documents=MAX_CHILD_DOCUMENTS)
        self._rules = rules
        self._clock = clock
        self._search = search
        self._metrics = metrics

    async def check(self, due: storage.DueSource) -> SourceOutcome:
        """Fetch one source, add the article links it lists to the frontier."""
        now = self._clock()
        try:
            read = await self._read(due)
        except (FetchError, DiscoveryError) as error:
            return self._failed(due, error, now)
        if isinstance(read.found, Refused):
            return self._source_refused(due, read.found, now)
        return self._admit(due, read, read.found, now)

    async def _read(self, due: storage.DueSource) -> _Read:
        """Fetch and read the source the way its kind is read."""
        if due.kind == "site":
            return _Read(await self._explorer.read_site(due.url))
        if due.kind == "search" and self._search is not None and self._search.knows(due.url):
            polled = await self._search.read(due)
            if isinstance(polled, Refused):
                return _Read(polled)
            poll = polled.poll
            return _Read(polled.read, poll.validators, poll.not_modified, searched=polled)
        page = await self._fetcher.fetch(
            due.url, validators=Validators(etag=due.etag, last_modified=due.last_modified)
        )
        found = await self._read_source(page, due)
        if isinstance(page, Refused):
            return _Read(found)
        return _Read(found, page.validators, page.not_modified)

    def _failed(
        self, due: storage.DueSource, error: FetchError | DiscoveryError, now: datetime
    ) -> SourceOutcome:
        """Back the source off (at least its own interval), its error kept as its last."""
        every = timedelta(seconds=due.every_seconds)
        failures = self._source_failures(due) + 1
        delay = self._rules.backoff.delay(failures, retry_after=_retry_after(error))
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
        return SourceOutcome(SourceResult.FAILED)

    def _admit(
        self, due: storage.DueSource, read: _Read, found: SourceRead, now: datetime
    ) -> SourceOutcome:
        """The links found go to the frontier; the source's next poll follows its pace."""
        every = timedelta(seconds=due.every_seconds)
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
                limits=self._rules.limits.candidates,
            )
            new_ids = admitted.created
            count_drops(self._metrics, admitted)
            # Links dropped over the caps are a problem of the source's like any other: it
            # shows in its last error, and its pace is not sped up by what it floods us with.
            dropped = dropped_note(admitted, self._rules.limits.candidates)
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
                etag=read.validators.etag,
                last_modified=read.validators.last_modified,
                error=f"partial: {problems}" if problems else None,
            )
            if read.searched is not None and self._search is not None:
                self._search.record(session, due, read.searched, new=len(new_ids), now=now)
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
        return SourceOutcome(SourceResult.NOT_MODIFIED if read.not_modified else SourceResult.READ)

    def _pace(self, due: storage.DueSource, every: timedelta, *, found_new: bool) -> timedelta:
        """The next polling interval of a source that was just read (see source_policy)."""
        pacing = self._rules.pacing.get(due.url) or SourcePacing()
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
        return await self._explorer.read(page, due.kind, self._rules.listings.get(due.url))

    def _source_refused(
        self, due: storage.DueSource, refused: Refused, now: datetime
    ) -> SourceOutcome:
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
        return SourceOutcome(SourceResult.REFUSED, refusal=refused.kind)

    def _source_failures(self, due: storage.DueSource) -> int:
        with self._db.session() as session:
            return storage.source_failures(session, source_id=due.id)


def _retry_after(error: Exception) -> float | None:
    return error.retry_after if isinstance(error, HTTPStatusError) else None
