"""``/api/alerts``, ``/api/stats``, ``/api/coverage`` and ``/api/outlets``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

import storage
from newswatch.api.deps import AggregatesDep, RedactorDep, SessionDep
from newswatch.api.params import Limit, Offset, Since
from newswatch.api.schemas import OutletOut, Page
from newswatch.queries import parse_when
from newswatch.redaction import masked_alert

router = APIRouter(prefix="/api", tags=["reports"])


@router.get("/alerts", response_model=Page[storage.AlertRow])
def list_alerts(
    session: SessionDep,
    redactor: RedactorDep,
    state: Annotated[Literal["pending", "sent", "failed", "skipped"] | None,
                     Query(description="Only alerts in this state.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[storage.AlertRow]:
    """Alerts newest first, with each channel's delivery state."""
    rows = storage.list_alerts(session, state=state, limit=limit, offset=offset)
    return Page.of([masked_alert(row, redactor) for row in rows], limit=limit, offset=offset)


@router.get("/stats", response_model=storage.Stats)
def get_stats(session: SessionDep, cache: AggregatesDep) -> storage.Stats:
    """Totals over the whole database (recomputed at most every 30 s)."""
    return cache.get("stats", lambda: storage.stats(session))


@router.get("/coverage", response_model=list[storage.DayCount])
def coverage(session: SessionDep, cache: AggregatesDep, since: Since = "30d",
             until: Since = None) -> list[storage.DayCount]:
    """Articles per outlet per day (publication day when known), oldest first (recomputed
    at most every 30 s)."""
    start, end = (parse_when(since) if since else None), (parse_when(until) if until else None)
    # Relative times move with the clock: cache by the day they fall on, not the instant.
    key = ("coverage", start.date() if start else None, end.date() if end else None)
    return cache.get(key, lambda: storage.coverage_by_day(session, since=start, until=end))


@router.get("/outlets", response_model=list[OutletOut])
def list_outlets(session: SessionDep) -> list[OutletOut]:
    """Every outlet and how many articles it has, largest first."""
    return [OutletOut(outlet=name, articles=n) for name, n in storage.outlets(session)]
