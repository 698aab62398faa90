"""How often to poll a source: faster while it yields new articles, slower while it does not.

A source's configured ``every`` is where polling starts. After each successful check the next
interval is the previous one halved if the check found articles never seen before, and grown
by half if it found none (a 304 counts as none), kept within ``[min_every, max_every]``. The
interval settles where roughly a third of the checks find something new: a busy wire feed is
read at its floor, a section that publishes twice a day drifts to its ceiling, and one new
article brings it back down at once. Failures do not come here: they keep the exponential
backoff in :mod:`scheduler.policy`.

The state is derived, not stored: the previous interval is what the last check set
(``next_check_at - last_checked_at``, both already on the source row). After a failure or a
refusal that difference is a backoff, not a pace, so the next success starts again from
``every``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: Default bounds, as multiples of the configured ``every``.
FLOOR_DIVISOR = 4
CEILING_FACTOR = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class SourcePacing:
    """The bounds of one source's polling interval; ``None``: every/4 and every×4."""

    min_every: timedelta | None = None
    max_every: timedelta | None = None
    speedup: float = 2.0  # divisor after a check that found new articles
    slowdown: float = 1.5  # factor after a check that found none

    def bounds(self, every: timedelta) -> tuple[timedelta, timedelta]:
        """The floor and ceiling for a source configured to be polled ``every``."""
        floor = self.min_every if self.min_every is not None else every / FLOOR_DIVISOR
        ceiling = self.max_every if self.max_every is not None else every * CEILING_FACTOR
        # A hand-written pair that contradicts ``every`` must not stop polling altogether.
        floor = min(floor, every)
        return floor, max(ceiling, every)

    def next_interval(
        self, *, every: timedelta, previous: timedelta | None, found_new: bool
    ) -> timedelta:
        """The wait before the next check, given the last pace and what this check found."""
        floor, ceiling = self.bounds(every)
        pace = previous if previous is not None and previous > timedelta(0) else every
        pace = pace / self.speedup if found_new else pace * self.slowdown
        return min(max(pace, floor), ceiling)


def previous_interval(
    *, last_checked_at: datetime | None, next_check_at: datetime | None, failures: int
) -> timedelta | None:
    """The pace the previous check set, or ``None`` when it says nothing about the source.

    ``None`` before the first check and after a failure (whose wait was a backoff).
    """
    if failures or last_checked_at is None or next_check_at is None:
        return None
    return next_check_at - last_checked_at
