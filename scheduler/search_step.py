"""A search source's check: ask its provider, keep the publishers' URLs, count what happened.

The worker hands every due ``search`` source whose plan the configuration knows to
:meth:`SearchStep.read`; what comes back is read like any other source (candidate links, the
problems met) plus the poll's figures, which :meth:`SearchStep.record` writes in the worker's
transaction (``storage.log_discovery``) and adds to the daemon's counters.

Hits without a publisher URL (an undecodable Google link, an aggregator page) never become
candidates: an aggregator page is not an article. Those that *wait* (Google's decode endpoint
down, this poll's decode budget spent) are asked for again at the next poll.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

import storage
from scheduler.metrics import Metrics
from scraper.explore import Explorer, SourceRead
from scraper.polite import PoliteFetcher, Refused
from scraper.search import Poll, Provider, SearchPlan, provider_named
from scraper.types import Link, Validators
from scraper.urls import InvalidURL, canonicalize_url
from scraper.wrappers import WrapperKind, WrapperTable

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SearchRead:
    """A search source read: its candidate links and the poll they came from."""

    read: SourceRead
    poll: Poll
    plan: SearchPlan


class SearchStep:
    """Polls search providers for the worker (one provider instance each, with its caches)."""

    def __init__(
        self,
        fetcher: PoliteFetcher,
        plans: Mapping[str, SearchPlan],
        *,
        clock: Callable[[], datetime],
        metrics: Metrics | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._plans = dict(plans)
        self._clock = clock
        self._metrics = metrics
        self._explorer = Explorer(fetcher)
        self._providers: dict[str, Provider] = {}

    def knows(self, url: str) -> bool:
        """Whether ``url`` is a search source this step has a plan for."""
        return url in self._plans

    def wrappers(self) -> WrapperTable:
        """The wrapper table, plus the article pages of Google News endpoints moved elsewhere
        (a fetch ending there did not reach a publisher either)."""
        extra: dict[str, WrapperKind] = {}
        for plan in self._plans.values():
            if plan.provider == "google-news":
                origin = plan.endpoint.split("/", 3)
                base = "/".join(origin[:3])
                extra[f"{base}/rss/articles/"] = "aggregator"
                extra[f"{base}/articles/"] = "aggregator"
        return WrapperTable().with_extra(extra)

    def _provider(self, name: str) -> Provider:
        found = self._providers.get(name)
        if found is None:
            found = self._providers[name] = provider_named(name)
        return found

    async def read(self, due: storage.DueSource) -> SearchRead | Refused:
        """Poll the source's provider; FetchError/DiscoveryError when it fails outright."""
        plan = self._plans[due.url]
        # The window starts at the last poll that went well; after failures it is unknown.
        since = due.last_checked_at if due.failures == 0 else None
        poll = await self._provider(plan.provider).poll(
            self._fetcher,
            plan,
            since=since,
            now=self._clock(),
            validators=Validators(etag=due.etag, last_modified=due.last_modified),
        )
        if isinstance(poll, Refused):
            return poll
        links: list[Link] = []
        for hit in poll.decoded:
            try:
                url = canonicalize_url(hit.url or "")
            except InvalidURL:
                continue
            links.append(Link(url=url, title=hit.title, published=hit.published))
        problems = list(poll.problems)
        waiting = sum(1 for h in poll.hits if h.waits)
        if waiting:
            problems.append(f"{waiting} hit(s) wait for the next poll")
        read = self._explorer.admit(due.url, links, problems)
        for hit in poll.hits:
            if hit.url is None:
                logger.info(
                    "search hit without a publisher URL",
                    extra={
                        "event": "search_hit_unresolved",
                        "provider": plan.provider,
                        "link": hit.link,
                        "kind": hit.error_kind,
                        "reason": hit.reason,
                    },
                )
        return SearchRead(read=read, poll=poll, plan=plan)

    def record(
        self,
        session: Session,
        due: storage.DueSource,
        found: SearchRead,
        *,
        new: int,
        now: datetime,
    ) -> None:
        """Write the poll's figures (in the caller's transaction) and count them."""
        poll, plan = found.poll, found.plan
        errors = poll.errors()
        storage.log_discovery(
            session,
            storage.DiscoveryPoll(
                source_url=due.url,
                provider=plan.provider,
                language=plan.language,
                at=now,
                hits=len(poll.hits),
                decoded=len(poll.decoded),
                new=new,
                errors=errors,
            ),
        )
        logger.info(
            "search polled",
            extra={
                "event": "search_polled",
                "provider": plan.provider,
                "language": plan.language,
                "hits": len(poll.hits),
                "decoded": len(poll.decoded),
                "new": new,
                "errors": errors,
                "requests": len(poll.requests),
            },
        )
        if self._metrics is not None:
            self._metrics.search_hits.labels(plan.provider).inc(len(poll.hits))
            self._metrics.search_decoded.labels(plan.provider).inc(len(poll.decoded))
            self._metrics.search_new.labels(plan.provider).inc(new)
            for kind, n in errors.items():
                self._metrics.search_errors.labels(plan.provider, kind).inc(n)
