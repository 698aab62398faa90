"""When to look at a source or an article again.

Articles follow NewsDiffs' tiers: the younger the article (counted from its last change, so an
edit makes it young again), the more often it is checked; past the last tier, never. Failures
back off exponentially, capped, so a broken host is not hammered.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Tier:
    younger_than: timedelta
    every: timedelta


@dataclass(frozen=True, slots=True)
class RecheckPolicy:
    """Article recheck tiers, youngest first."""

    tiers: Sequence[Tier]

    def next_check(self, *, now: datetime, born: datetime,
                   last_changed: datetime | None = None) -> datetime | None:
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

    def delay(self, failures: int, *, retry_after: float | None = None,
              rng: random.Random | None = None) -> timedelta:
        """How long to wait after ``failures`` consecutive failures (1 = the first)."""
        exponent = min(max(failures - 1, 0), 20)
        seconds = min(self.base.total_seconds() * 2**exponent, self.cap.total_seconds())
        spread = (rng or random).uniform(1 - self.jitter, 1 + self.jitter)
        seconds *= spread
        if retry_after is not None:  # the server's own word wins when it asks for longer
            seconds = max(seconds, min(retry_after, self.cap.total_seconds()))
        return timedelta(seconds=seconds)
