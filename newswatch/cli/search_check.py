"""``newswatch sources check`` on a search source: does discovery work, and how well?

For each search source: the query as sent, the requests made, every hit with its publisher's
URL (or why there is none), and for the first ``limit`` publisher URLs whether the article
matches the topic (fetched, extracted and matched like the daemon does). The same polite
fetcher as the daemon's: robots.txt, the provider's pace, the address guard.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console
from rich.text import Text

from newswatch import fetching
from newswatch.config import Settings
from scraper import ScraperError, extract
from scraper.fetch import HTML_TYPES
from scraper.polite import PoliteFetcher, Refused
from scraper.search import Hit, SearchPlan, provider_named
from scraper.topic import TopicQuery
from scraper.types import Page


@dataclass(frozen=True, slots=True)
class HitCheck:
    """One hit as the check saw it: ``on_topic`` is ``None`` when it was not fetched."""

    title: str | None
    link: str
    url: str | None
    resolution: str | None
    error: str | None
    on_topic: bool | None


@dataclass(frozen=True, slots=True)
class SearchCheck:
    """What one search source answered now."""

    url: str
    provider: str
    language: str
    query: str
    requests: tuple[str, ...]
    ok: bool
    hits: tuple[HitCheck, ...]
    decoded: int
    judged: int
    on_topic: int
    error: str | None
    dropped: tuple[str, ...] = ()

    @property
    def on_topic_share(self) -> float | None:
        return self.on_topic / self.judged if self.judged else None


def check_search_sources(
    settings: Settings, plans: list[SearchPlan], *, limit: int = 10
) -> list[SearchCheck]:
    """Poll each planned search source once and judge up to ``limit`` of its articles."""
    topic = TopicQuery(settings.topic.query)

    async def run() -> list[SearchCheck]:
        async with fetching.open_client(settings) as client:
            fetcher = fetching.polite_fetcher(settings, client, clock=lambda: datetime.now(UTC))
            return [await _check(fetcher, plan, topic, limit) for plan in plans]

    return asyncio.run(run())


async def _check(
    fetcher: PoliteFetcher, plan: SearchPlan, topic: TopicQuery, limit: int
) -> SearchCheck:
    base = SearchCheck(
        url=plan.url,
        provider=plan.provider,
        language=plan.language,
        query=plan.query,
        requests=(),
        ok=False,
        hits=(),
        decoded=0,
        judged=0,
        on_topic=0,
        error=None,
        dropped=plan.dropped,
    )
    try:
        poll = await provider_named(plan.provider).poll(
            fetcher, plan, since=None, now=datetime.now(UTC)
        )
    except ScraperError as error:
        return _replace(base, error=f"{error.kind}: {error}")
    if isinstance(poll, Refused):
        return _replace(base, error=f"{poll.kind}: {poll.reason}")
    hits: list[HitCheck] = []
    judged = on = 0
    for hit in poll.hits:
        verdict = None
        if hit.url is not None and judged < limit:
            verdict = await _on_topic(fetcher, hit, topic)
            if verdict is not None:
                judged += 1
                on += verdict
        hits.append(
            HitCheck(
                title=hit.title,
                link=hit.link,
                url=hit.url,
                resolution=hit.resolution,
                on_topic=verdict,
                error=f"{hit.error_kind}: {hit.reason}" if hit.url is None else None,
            )
        )
    return SearchCheck(
        url=plan.url,
        provider=plan.provider,
        language=plan.language,
        query=plan.query,
        requests=poll.requests,
        ok=True,
        hits=tuple(hits),
        decoded=len(poll.decoded),
        judged=judged,
        on_topic=on,
        error="; ".join(poll.problems) or None,
        dropped=plan.dropped,
    )


def _replace(check: SearchCheck, *, error: str) -> SearchCheck:
    return SearchCheck(
        url=check.url,
        provider=check.provider,
        language=check.language,
        query=check.query,
        requests=check.requests,
        ok=False,
        hits=(),
        decoded=0,
        judged=0,
        on_topic=0,
        error=error,
        dropped=check.dropped,
    )


async def _on_topic(fetcher: PoliteFetcher, hit: Hit, topic: TopicQuery) -> bool | None:
    try:
        page = await fetcher.fetch(hit.url or "", accept=HTML_TYPES)
        if not isinstance(page, Page) or page.status >= 400:
            return None
        found = extract(page.text, url=page.final_url)
    except ScraperError:
        return None
    return topic.matches(found.title, found.subtitle, found.body)


def print_search_checks(console: Console, checks: list[SearchCheck]) -> None:
    """Each search source: its query, requests, hits and the share on topic."""
    for check in checks:
        status = Text("ok", style="green") if check.ok else Text("FAIL", style="bold red")
        console.print(Text.assemble(f"{check.provider} [{check.language}] ", status))
        console.print(Text(f"  query sent: {check.query}"), soft_wrap=True)
        for dropped in check.dropped:
            console.print(Text(f"  left out: {dropped}", style="yellow"), soft_wrap=True)
        for request in check.requests:
            console.print(Text(f"  request: {request}"), soft_wrap=True)
        if check.error:
            console.print(
                Text(f"  problem: {check.error}", style="yellow" if check.ok else "bold red")
            )
        if not check.ok:
            continue
        for hit in check.hits:
            # One line a hit, never wrapped: a URL must stay copyable.
            if hit.url is None:
                console.print(
                    Text(f"  - not decoded: {hit.link} — {hit.error}", style="yellow"),
                    soft_wrap=True,
                )
                continue
            topic = (
                "" if hit.on_topic is None else (", on topic" if hit.on_topic else ", off topic")
            )
            console.print(
                Text(f"  + {hit.url} ({hit.resolution}{topic}) {hit.title or ''}"), soft_wrap=True
            )
        share = f"{check.on_topic}/{check.judged}" if check.judged else "none judged"
        console.print(
            Text(
                f"  {len(check.hits)} hit(s), {check.decoded} with the "
                f"publisher's URL, on topic: {share}"
            )
        )
