"""How fetching is going: what ``newswatch health`` judges a daemon by.

A fetch *failed* when it ended in an error (timeout, refused connection, a wall…), a 5xx or a
429; an answer such as 404 or 410 is the site's word about an article, not a failure. The
lines search discovery writes into the fetch log are not fetches and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, and_, case, cast, or_
from sqlmodel import Session, col, func, select

from storage.discovery import DISCOVERY
from storage.models import FetchLog


@dataclass(frozen=True, slots=True)
class FetchOutcomes:
    """Fetches since a time: how many, how many failed (by error kind or status), and when
    the newest of all fetches was."""

    fetches: int
    failed: int
    last_fetch_at: datetime | None
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def success_share(self) -> float | None:
        """The share of fetches that succeeded (``None`` without fetches)."""
        return (self.fetches - self.failed) / self.fetches if self.fetches else None


def fetch_outcomes(s: Session, *, since: datetime) -> FetchOutcomes:
    """What the fetch log says about the fetches made at or after ``since``."""
    real = or_(col(FetchLog.error_kind).is_(None), col(FetchLog.error_kind) != DISCOVERY)
    failed = or_(
        col(FetchLog.error_kind).is_not(None),
        col(FetchLog.status).is_(None),
        col(FetchLog.status) >= 500,
        col(FetchLog.status) == 429,
    )
    recent = and_(real, col(FetchLog.at) >= since)
    # A refused status says more than its error kind ("http_status").
    kind = case(
        (
            or_(col(FetchLog.status) >= 500, col(FetchLog.status) == 429),
            "HTTP " + cast(FetchLog.status, String),
        ),
        else_=func.coalesce(col(FetchLog.error_kind), "no answer"),
    )
    total = s.exec(select(func.count()).select_from(FetchLog).where(recent)).one()
    rows = s.exec(select(kind, func.count()).where(recent, failed).group_by(kind)).all()
    last = s.exec(select(func.max(FetchLog.at)).where(real)).one()
    failures = {str(k): int(n) for k, n in rows}
    return FetchOutcomes(
        fetches=int(total), failed=sum(failures.values()), last_fetch_at=last, failures=failures
    )
