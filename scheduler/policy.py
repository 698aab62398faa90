"""When to look at a source or an article again.

Articles follow NewsDiffs' tiers: the younger the article (counted from its last change, so an
edit makes it young again), the more often it is checked; past the last tier, never. Failures
back off exponentially, capped, so a broken host is not hammered.

What is already known makes a check cheaper or sooner, never later, and needs nothing beyond
the tiers. A 304 (ETag / Last-Modified) parses and stores nothing, and it, like a 200 with the
same text, keeps the age counted from the last change: an article whose page and
``dateModified`` stay old drifts to rarer tiers on its own. A feed ``<updated>`` or sitemap
``<lastmod>`` newer than the last check makes the article due at once (``storage.frontier``);
the same date again changes nothing. First sight counts as a change, so an old article found
today starts in the first tier. (tests/scheduler/test_known_dates.py shows the whole cycle.)
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Tier:
    younger_than: timedelta
    every: timedelta


# NewsDiffs' schedule, the default of [recheck] tiers: every 15 minutes while an article is
# younger than 3 hours, hourly under a day, every 3 hours under a week, every 3 days under a
# month, monthly under a year, then never.
NEWSDIFFS_TIERS = (
    Tier(timedelta(hours=3), timedelta(minutes=15)),
    Tier(timedelta(days=1), timedelta(hours=1)),
    Tier(timedelta(days=7), timedelta(hours=3)),
    Tier(timedelta(days=30), timedelta(days=3)),
    Tier(timedelta(days=365), timedelta(days=30)),
)


@dataclass(frozen=True, slots=True)
class RecheckPolicy:
    """Article recheck tiers, youngest first."""

    tiers: Sequence[Tier]

    def next_check(
        self, *, now: datetime, born: datetime, last_changed: datetime | None = None
    ) -> datetime | None:
        """When to check again an article first seen or published at ``born``; None = never."""
        reference = max(born, last_changed) if last_changed else born
        age = now - reference
        for tier in self.tiers:
            if age < tier.younger_than:
                return now + tier.every
        return None


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter for repeated failures."""

    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=6)
    jitter: float = 0.2

    def delay(
        self, failures: int, *, retry_after: float | None = None, rng: random.Random | None = None
    ) -> timedelta:
        """How long to wait after ``failures`` consecutive failures (1 = the first)."""
        exponent = min(max(failures - 1, 0), 20)
        seconds = min(self.base.total_seconds() * 2**exponent, self.cap.total_seconds())
        spread = (rng or random).uniform(1 - self.jitter, 1 + self.jitter)
        seconds *= spread
        if retry_after is not None:  # the server's own word wins when it asks for longer
            seconds = max(seconds, min(retry_after, self.cap.total_seconds()))
        return timedelta(seconds=seconds)


# However a delay was arrived at, nothing is put off further than this.
LONGEST_DELAY = timedelta(days=365)


def later(now: datetime, seconds: float) -> datetime:
    """``now`` plus ``seconds``, never past :data:`LONGEST_DELAY` (nor an overflow): the
    seconds often come from a server, and one item's arithmetic must not stop its host."""
    if not math.isfinite(seconds):
        return now + LONGEST_DELAY
    return now + min(
        timedelta(seconds=max(0.0, min(seconds, LONGEST_DELAY.total_seconds()))), LONGEST_DELAY
    )
