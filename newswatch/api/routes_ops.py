"""Operating endpoints: ``/healthz`` for liveness checks and ``/metrics`` for Prometheus.

Served by the daemon's web server (where they report the daemon's loop, its writes and its
counters) and by ``newswatch serve`` (where health is the database answering).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

import storage
from newswatch.api.channel import ParentGone
from newswatch.api.daemonview import DaemonView
from newswatch.api.probe import DatabaseProbe
from newswatch.endpoints.deps import get_db
from scheduler.metrics import CONTENT_TYPE

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz", summary="Liveness: the database answers, the daemon ticks and its writes succeed"
)
async def healthz(
    request: Request, db: Annotated[storage.Database, Depends(get_db)]
) -> JSONResponse:
    """200 when healthy; 503 with the reason otherwise (each check is a field). Answered on
    the event loop from checks made in the background (``newswatch.api.probe``)."""
    checks: dict[str, object] = {}
    probe: DatabaseProbe = request.app.state.probe
    database = await probe.state()
    checks["database"] = database
    healthy = database == "ok"
    daemon: DaemonView | None = request.app.state.daemon
    if daemon is not None:
        state = daemon.status()
        checks["daemon"] = state.detail
        checks["last_tick_at"] = state.last_tick_at.isoformat() if state.last_tick_at else None
        checks["writes"] = state.writes
        healthy = healthy and state.healthy
    else:  # `newswatch serve`: only this server's own writes (adding sources) are known
        writes = db.write_health()
        checks["writes"] = writes.detail
        healthy = healthy and not writes.failing
    return JSONResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status_code=200 if healthy else 503
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    daemon: DaemonView | None = request.app.state.daemon
    if daemon is None:
        return Response(
            "metrics are served by the daemon (newswatch run)\n",
            status_code=404,
            media_type="text/plain",
        )
    try:
        body = daemon.metrics()
    except (TimeoutError, ParentGone):
        return Response("the daemon did not answer\n", status_code=503, media_type="text/plain")
    return Response(body, media_type=CONTENT_TYPE)
