"""Search discovery's record: one line per poll of a search source, and the totals per provider.

A poll's figures (hits, decoded, new articles, errors by kind) are written as a fetch-log line
of kind ``discovery`` (the source's URL, and the figures as JSON in the message): no table of
their own, so they are pruned with the fetch log and need no migration. The on-topic share is
read from the articles each provider's sources found first (off-topic against recorded), and
the articles whose fetch ended on an aggregator or consent page count among its errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Article, FetchLog, Source

DISCOVERY = "discovery"  # FetchLog.error_kind of a poll's line
# Article failures that mean "the fetch ended on a page that is not the publisher's".
NOT_PUBLISHER = ("aggregator", "consent", "redirector")


@dataclass(frozen=True, slots=True)
class DiscoveryPoll:
    """What one poll of one search source found."""

    source_url: str
    provider: str
    language: str
    at: datetime
    hits: int
    decoded: int
    new: int
    errors: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProviderStats:
    """A search provider's totals over the polls still in the fetch log (since ``since``).

    ``decoded_share`` is decoded hits over hits, ``on_topic_share`` recorded articles over
    those judged (on topic or off): ``None`` until there is something to divide.
    """

    provider: str
    polls: int
    hits: int
    decoded: int
    new_articles: int
    on_topic: int
    off_topic: int
    errors: dict[str, int]
    last_poll_at: datetime | None
    decoded_share: float | None
    on_topic_share: float | None


def log_discovery(s: Session, poll: DiscoveryPoll) -> None:
    """Write one poll's line (in the caller's transaction)."""
    message = json.dumps(
        {
            "provider": poll.provider,
            "language": poll.language,
            "hits": poll.hits,
            "decoded": poll.decoded,
            "new": poll.new,
            "errors": poll.errors,
        },
        sort_keys=True,
    )
    s.add(
        FetchLog(
            url=poll.source_url,
            at=poll.at,
            status=None,
            bytes=0,
            elapsed=0.0,
            error_kind=DISCOVERY,
            message=message,
        )
    )


@dataclass(slots=True)
class _Totals:
    polls: int = 0
    hits: int = 0
    decoded: int = 0
    new: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    last: datetime | None = None
    sources: set[str] = field(default_factory=set)

    def add(self, url: str, at: datetime, data: dict[str, object]) -> None:
        self.sources.add(url)
        self.polls += 1
        self.hits += _int(data.get("hits"))
        self.decoded += _int(data.get("decoded"))
        self.new += _int(data.get("new"))
        errors = data.get("errors")
        for kind, n in errors.items() if isinstance(errors, dict) else ():
            self.errors[str(kind)] = self.errors.get(str(kind), 0) + _int(n)
        if self.last is None or at > self.last:
            self.last = at


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def discovery_stats(s: Session, *, since: datetime | None = None) -> list[ProviderStats]:
    """Every provider's totals, by provider name."""
    urls = list(s.exec(select(Source.url).where(Source.kind == "search")))
    if not urls:
        return []
    # By URL first: fetch_log is indexed on it, and a search source's lines are few.
    stmt = select(FetchLog.url, FetchLog.at, FetchLog.message).where(
        col(FetchLog.url).in_(urls), FetchLog.error_kind == DISCOVERY
    )
    if since is not None:
        stmt = stmt.where(col(FetchLog.at) >= since)
    totals: dict[str, _Totals] = {}
    for url, at, message in s.exec(stmt):
        try:
            data = json.loads(message or "{}")
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            totals.setdefault(str(data.get("provider") or "?"), _Totals()).add(url, at, data)
    stats: list[ProviderStats] = []
    for provider in sorted(totals):
        t = totals[provider]
        on, off, refused = _verdicts(s, t.sources)
        errors = dict(t.errors)
        for kind, n in refused.items():
            errors[kind] = errors.get(kind, 0) + n
        stats.append(
            ProviderStats(
                provider=provider,
                polls=t.polls,
                hits=t.hits,
                decoded=t.decoded,
                new_articles=t.new,
                on_topic=on,
                off_topic=off,
                errors=errors,
                last_poll_at=t.last,
                decoded_share=t.decoded / t.hits if t.hits else None,
                on_topic_share=on / (on + off) if on + off else None,
            )
        )
    return stats


def _verdicts(s: Session, urls: set[str]) -> tuple[int, int, dict[str, int]]:
    """On-topic and off-topic articles first found by these sources, and those whose fetch
    ended on a page that was not the publisher's (by kind)."""
    ids = list(s.exec(select(Source.id).where(col(Source.url).in_(sorted(urls)))))
    if not ids:
        return 0, 0, {}
    mine = col(Article.source_id).in_(ids)
    on = s.exec(
        select(func.count()).select_from(Article).where(mine, col(Article.version_count) > 0)
    ).one()
    off = s.exec(
        select(func.count()).select_from(Article).where(mine, Article.status == "off_topic")
    ).one()
    refused: dict[str, int] = {}
    for kind in NOT_PUBLISHER:
        n = s.exec(
            select(func.count())
            .select_from(Article)
            .where(mine, Article.version_count == 0, col(Article.last_error).like(f"{kind}: %"))
        ).one()
        if n:
            refused[kind] = int(n)
    return int(on), int(off), refused
