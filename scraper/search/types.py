"""The values a search provider hands back: what it asked, what it found, what it could not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from scraper.types import Validators

# How a hit's publisher URL was had: given as is, taken out of a wrapper link, decoded by the
# provider's own endpoint (or remembered from an earlier decode), or found on the outlet's
# own feed by the hit's title.
Resolution = Literal["direct", "unwrapped", "decoded", "cached", "by_title"]


@dataclass(frozen=True, slots=True)
class Translation:
    """The topic in one provider's syntax, and the terms it cannot take (left out, said once)."""

    query: str
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """What one search source polls: a provider, a language, the query as sent.

    ``url`` is the source's identity in the database (a request URL without the time window,
    which changes at every poll); ``endpoint`` is where the provider answers.
    """

    provider: str
    language: str
    query: str
    endpoint: str
    url: str
    dropped: tuple[str, ...] = ()
    pace: float | None = None  # seconds between two requests to the provider; None: its own
    decode_limit: int = 40  # google-news: decode requests per poll at most


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: the provider's link and, when it could be had, the publisher's URL.

    ``url`` is ``None`` when the link could not be turned into the publisher's: ``error_kind``
    says why (``decode_failed``, ``decode_unavailable``, ``decode_deferred``, ``aggregator``…)
    and ``waits`` whether the next poll tries again.
    """

    link: str
    url: str | None
    title: str | None = None
    outlet: str | None = None
    site: str | None = None  # the outlet's home page, when the provider names it
    language: str | None = None
    published: datetime | None = None
    resolution: Resolution | None = None
    error_kind: str | None = None
    reason: str | None = None
    waits: bool = False


@dataclass(frozen=True, slots=True)
class Poll:
    """One poll of one search source: the requests sent, the hits, the problems met.

    ``validators`` are kept for the next conditional GET only when no hit waits: a feed that
    answered 304 next time would hide the waiting items.
    """

    provider: str
    query: str
    requests: tuple[str, ...]
    hits: tuple[Hit, ...]
    problems: tuple[str, ...] = ()
    validators: Validators = field(default_factory=Validators)
    not_modified: bool = False

    @property
    def decoded(self) -> tuple[Hit, ...]:
        """The hits with a publisher URL."""
        return tuple(h for h in self.hits if h.url is not None)

    def errors(self) -> dict[str, int]:
        """Hits without a publisher URL, counted by why."""
        counts: dict[str, int] = {}
        for hit in self.hits:
            if hit.url is None:
                kind = hit.error_kind or "not_decoded"
                counts[kind] = counts.get(kind, 0) + 1
        return counts
