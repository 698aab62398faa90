"""Admitting discovered links to the frontier, within the caps on new URLs.

A source names its links; strangers write sources. One feed or listing page that names
thousands of fresh URLs on every fetch (on its own host, or on a thousand made-up ones) would
otherwise queue them all, and each would be fetched, logged and kept. So each check of a source
may add at most ``per_check`` new URLs, one source at most ``per_source_per_day`` in any 24
hours (else a source naming made-up hosts grows by ``per_check`` at every check, all day), and
one host at most ``per_host_per_day``, counted over every source (a host is an article's
``outlet``: its host without ``www.``). Links to articles already known are never capped: they
only refresh hints.

The host count is read, then written, in the caller's transaction; daemons checking different
sources at once may each take a host's last places, so a host can overshoot its day by at most
one check's worth per daemon.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.frontier import add_candidates
from storage.limits import CandidateLimits, cut
from storage.models import Article, ArticleAlias
from storage.outlets import article_host
from storage.types import Candidate

logger = logging.getLogger(__name__)

_CHUNK = 500
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Admitted:
    """What one source check added, and what the caps kept out."""

    created: list[int]  # ids of the articles this check created
    over_check: int = 0  # new URLs past the per-check cap
    over_source: int = 0  # new URLs past the source's cap for the day
    over_host: int = 0  # new URLs of hosts that had used up their day
    too_long: int = 0  # URLs longer than any article's

    @property
    def dropped(self) -> int:
        """Every link left out."""
        return self.over_check + self.over_source + self.over_host + self.too_long


def admit_candidates(
    s: Session,
    *,
    source_id: int | None,
    candidates: list[Candidate],
    now: datetime,
    limits: CandidateLimits,
) -> Admitted:
    """Add a source's links to the frontier (:func:`storage.add_candidates`) within ``limits``.

    New URLs are taken in the order the source lists them (feeds list the newest first), so the
    ones left out are those the source itself puts last.
    """
    listed = _usable(candidates, limits)
    too_long = len({c.url for c in candidates if len(c.url) > limits.url_chars})
    known = _known(s, [c.url for c in listed])
    fresh = [c for c in listed if c.url not in known]
    room = _host_room(s, {article_host(c.url) for c in fresh}, now, limits.per_host_per_day)
    source_room = _source_room(s, source_id, now, limits.per_source_per_day) if fresh else 0
    budget = min(limits.per_check, source_room)
    taken: list[Candidate] = []
    over_budget = over_host = 0
    for candidate in fresh:
        host = article_host(candidate.url)
        if room[host] <= 0:
            over_host += 1
        elif len(taken) >= budget:
            over_budget += 1
        else:
            room[host] -= 1
            taken.append(candidate)
    kept = [c for c in listed if c.url in known] + taken
    created = add_candidates(s, source_id=source_id, candidates=kept, now=now) if kept else []
    by_check = budget == limits.per_check
    admitted = Admitted(
        created,
        over_check=over_budget if by_check else 0,
        over_source=0 if by_check else over_budget,
        over_host=over_host,
        too_long=too_long,
    )
    if admitted.dropped:
        logger.warning(
            "links dropped: over the caps on new URLs",
            extra={
                "event": "candidates_dropped",
                "source_id": source_id,
                "listed": len(candidates),
                "new": len(created),
                "over_check": admitted.over_check,
                "over_source": admitted.over_source,
                "over_host": over_host,
                "too_long": too_long,
            },
        )
    return admitted


def _usable(candidates: Iterable[Candidate], limits: CandidateLimits) -> list[Candidate]:
    """Each URL once (its first listing wins), none too long, titles cut to size."""
    seen: set[str] = set()
    usable = []
    for c in candidates:
        if c.url in seen or len(c.url) > limits.url_chars:
            continue
        seen.add(c.url)
        if c.title is not None and len(c.title) > limits.title_chars:
            c = dataclasses.replace(c, title=cut(c.title, limits.title_chars))
        usable.append(c)
    return usable


def _known(s: Session, urls: list[str]) -> set[str]:
    """The URLs that already are an article's, or an article's old address."""
    known: set[str] = set()
    for chunk in _chunks(sorted(urls)):
        known.update(s.exec(select(Article.url).where(col(Article.url).in_(chunk))).all())
        known.update(s.exec(select(ArticleAlias.url).where(col(ArticleAlias.url).in_(chunk))).all())
    return known


def _host_room(s: Session, hosts: set[str], now: datetime, per_day: int) -> dict[str, int]:
    """How many more new articles each host may have today (the 24 hours up to ``now``)."""
    room = dict.fromkeys(hosts, per_day)
    for chunk in _chunks(sorted(hosts)):
        stmt = (
            select(Article.outlet, func.count(col(Article.id)))
            .where(col(Article.outlet).in_(chunk), col(Article.first_seen_at) > now - DAY)
            .group_by(col(Article.outlet))
        )
        for outlet, count in s.exec(stmt).all():
            room[outlet] = per_day - int(count)
    return room


def _source_room(s: Session, source_id: int | None, now: datetime, per_day: int) -> int:
    """How many more new articles the source may add today (no source: a person adding)."""
    if source_id is None:
        return per_day
    stmt = select(func.count(col(Article.id))).where(
        col(Article.source_id) == source_id, col(Article.first_seen_at) > now - DAY
    )
    return per_day - int(s.exec(stmt).one())


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
