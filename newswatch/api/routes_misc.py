"""``/api/alerts``, ``/api/channels``, ``/api/stats``, ``/api/coverage`` and
``/api/outlets``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

import storage
from newswatch.api.schemas import ChannelOut, CoverageOut, OutletOut, Page
from newswatch.endpoints.deps import (
    AggregatesDep,
    OutletsDep,
    RedactorDep,
    SessionDep,
    SettingsDep,
)
from newswatch.endpoints.params import Limit, Offset, Since
from newswatch.queries import parse_when
from newswatch.redaction import channel_names, masked_alert, named_alert, named_backlog

router = APIRouter(prefix="/api", tags=["reports"])


@router.get("/alerts", response_model=Page[storage.AlertRow])
def list_alerts(
    session: SessionDep,
    redactor: RedactorDep,
    settings: SettingsDep,
    state: Annotated[
        Literal["pending", "sent", "failed", "skipped"] | None,
        Query(description="Only alerts in this state."),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[storage.AlertRow]:
    """Alerts newest first, with each configured channel's delivery state (``pending``:
    not tried yet, or waiting for its next attempt)."""
    names = channel_names(settings)
    rows = storage.list_alerts(
        session, state=state, limit=limit, offset=offset, channels=list(names)
    )
    return Page.of(
        [named_alert(masked_alert(row, redactor), names) for row in rows],
        limit=limit,
        offset=offset,
    )


@router.get("/channels", response_model=Page[ChannelOut])
def list_channels(session: SessionDep, settings: SettingsDep) -> Page[ChannelOut]:
    """Each configured alert channel's backlog: the alerts it has not settled yet."""
    names = channel_names(settings)
    now = datetime.now(UTC)
    rows = [
        ChannelOut(
            channel=row.channel,
            pending=row.pending,
            oldest_pending_at=row.oldest_pending_at,
            oldest_pending_seconds=(now - row.oldest_pending_at).total_seconds()
            if row.oldest_pending_at
            else None,
            failing=row.failing,
        )
        for row in named_backlog(storage.channel_backlog(session, list(names)), names)
    ]
    return Page.whole(rows)


@router.get("/stats", response_model=storage.Stats)
def get_stats(session: SessionDep, cache: AggregatesDep) -> storage.Stats:
    """Totals over the whole database (recomputed at most every 30 s)."""
    return cache.get("stats", lambda: storage.stats(session))


@router.get("/coverage", response_model=Page[CoverageOut])
def coverage(
    session: SessionDep,
    cache: AggregatesDep,
    outlets: OutletsDep,
    since: Since = None,
    until: Since = None,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page[CoverageOut]:
    """Articles per outlet per day (publication day when known), oldest first, per outlet
    key with its display name; the whole history unless ``since``/``until`` say otherwise
    (recomputed at most every 30 s)."""
    start, end = (parse_when(since) if since else None), (parse_when(until) if until else None)
    # Relative times move with the clock: cache by the day they fall on, not the instant.
    key = ("coverage", start.date() if start else None, end.date() if end else None)
    counts = cache.get(key, lambda: storage.coverage_by_day(session, since=start, until=end))
    per: dict[tuple[date, str], int] = {}
    for row in counts:
        outlet = outlets.key(row.outlet)
        per[(row.day, outlet)] = per.get((row.day, outlet), 0) + row.articles
    rows = [
        CoverageOut(day=day, outlet=outlet, name=outlets.name(outlet), articles=n)
        for (day, outlet), n in sorted(per.items())
    ]
    return Page.of(rows[offset : offset + limit], limit=limit, offset=offset)


@router.get("/outlets", response_model=Page[OutletOut])
def list_outlets(
    session: SessionDep, outlets: OutletsDep, limit: Limit = 500, offset: Offset = 0
) -> Page[OutletOut]:
    """Every outlet (by key: its registered domain) with its display name, its number of
    articles and its hosts, largest first."""
    hosts: dict[str, list[str]] = {}
    totals: dict[str, int] = {}
    for host, n in storage.outlets(session):
        key = outlets.key(host)
        hosts.setdefault(key, []).append(host)
        totals[key] = totals.get(key, 0) + n
    rows = [
        OutletOut(outlet=key, name=outlets.name(key), articles=n, hosts=sorted(hosts[key]))
        for key, n in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]
    return Page.of(rows[offset : offset + limit], limit=limit, offset=offset)
