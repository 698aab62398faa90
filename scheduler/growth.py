"""What the daemon does about the caps on growth (``storage.limits``): the words a source's
last error gets when its links were dropped, and the slow pace of a churning article."""

from __future__ import annotations

from datetime import datetime

import storage
from scheduler.metrics import Metrics


def dropped_note(admitted: storage.Admitted, limits: storage.CandidateLimits) -> str | None:
    """Why some of a source's links were not taken, for its ``last_error``; ``None``: all were."""
    parts = []
    if admitted.over_check:
        parts.append(
            f"{admitted.over_check} new links dropped over the cap of "
            f"{limits.per_check} per check ([limits] new_links_per_check)"
        )
    if admitted.over_source:
        parts.append(
            f"{admitted.over_source} new links dropped: the source had its "
            f"{limits.per_source_per_day} new links for the day "
            "([limits] new_links_per_source_per_day)"
        )
    if admitted.over_host:
        parts.append(
            f"{admitted.over_host} new links dropped: their hosts had their "
            f"{limits.per_host_per_day} new links for the day "
            "([limits] new_links_per_host_per_day)"
        )
    if admitted.too_long:
        parts.append(
            f"{admitted.too_long} links dropped: URL longer than {limits.url_chars} characters"
        )
    return "; ".join(parts) or None


def count_drops(metrics: Metrics | None, admitted: storage.Admitted) -> None:
    """Add a check's dropped links to the daemon's counters, by reason."""
    if metrics is None:
        return
    for reason, n in (
        ("over_check", admitted.over_check),
        ("over_source", admitted.over_source),
        ("over_host", admitted.over_host),
        ("too_long", admitted.too_long),
    ):
        if n:
            metrics.links_dropped.labels(reason).inc(n)


def churning_next_check(
    next_check: datetime | None, *, now: datetime, limits: storage.VersionLimits
) -> datetime | None:
    """A churning article's next check: as the recheck policy says, but no sooner than
    ``churn_recheck`` from now (``None`` stays ``None``: aged out of every tier)."""
    if next_check is None:
        return None
    return max(next_check, now + limits.churn_recheck)
