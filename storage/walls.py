"""Each outlet's share of fetches that were not the article: walls, teasers, error pages.

The fetch log keeps, per request, the outlet it went to and, when the page was judged not to be
the article, the verdict (``scraper.verdicts``). Counted over a recent window, an outlet that
starts blocking us shows at once: its share of challenges or consent pages climbs while its
articles stop changing. Search polls' lines (kind ``discovery``) and robots.txt requests are
not fetches of the outlet's pages and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.discovery import DISCOVERY
from storage.models import FetchLog

WINDOW = timedelta(days=7)
# Verdicts that say the outlet is keeping us out (or showing less than the article).
WALL_VERDICTS = ("challenge", "consent", "login", "paywall")


@dataclass(frozen=True, slots=True)
class OutletWalls:
    """One outlet's fetches in the window, and how many of them were judged, by verdict.

    ``wall_share`` is walls and teasers (challenge, consent, login, paywall) over fetches.
    """

    outlet: str
    fetches: int
    verdicts: dict[str, int]
    wall_share: float


def wall_shares(
    s: Session, *, now: datetime | None = None, window: timedelta = WINDOW
) -> list[OutletWalls]:
    """The outlets with at least one judged fetch in ``window``, the highest wall share first."""
    since = (now or datetime.now(UTC)) - window
    lines = (
        col(FetchLog.outlet).is_not(None),
        col(FetchLog.at) >= since,
        or_(col(FetchLog.error_kind).is_(None), col(FetchLog.error_kind) != DISCOVERY),
        col(FetchLog.url).not_like("%/robots.txt"),
    )
    judged: dict[str, dict[str, int]] = {}
    for outlet, verdict, n in s.exec(
        select(FetchLog.outlet, FetchLog.verdict, func.count())
        .where(*lines, col(FetchLog.verdict).is_not(None))
        .group_by(col(FetchLog.outlet), col(FetchLog.verdict))
    ).all():
        judged.setdefault(str(outlet), {})[str(verdict)] = int(n)
    if not judged:
        return []
    fetches = dict(
        s.exec(
            select(FetchLog.outlet, func.count())
            .where(*lines, col(FetchLog.outlet).in_(judged))
            .group_by(col(FetchLog.outlet))
        ).all()
    )
    found = []
    for outlet, verdicts in judged.items():
        total = max(int(fetches.get(outlet, 0)), sum(verdicts.values()))
        walls = sum(n for kind, n in verdicts.items() if kind in WALL_VERDICTS)
        found.append(OutletWalls(outlet, total, dict(sorted(verdicts.items())), walls / total))
    return sorted(found, key=lambda o: (-o.wall_share, o.outlet))
