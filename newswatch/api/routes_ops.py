"""Operating endpoints: ``/healthz`` for liveness checks and ``/metrics`` for Prometheus.

Served by the daemon (where they report its loop and counters) and by ``newswatch serve``
(where health is the database answering and metrics are the database's gauges).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

import storage
from newswatch.api.deps import get_db
from scheduler.metrics import CONTENT_TYPE

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the database answers and the daemon ticks")
def healthz(request: Request,
            db: Annotated[storage.Database, Depends(get_db)]) -> JSONResponse:
    checks: dict[str, object] = {}
    healthy = True
    try:
        with db.session() as session:
            session.exec(text("select 1"))  # type: ignore[call-overload]
        checks["database"] = "ok"
    except Exception as error:  # any failure to answer is the thing being reported
        checks["database"] = f"error: {type(error).__name__}"
        healthy = False
    liveness = getattr(request.app.state, "liveness", None)
    if liveness is not None:
        state = liveness()
        checks["daemon"] = state.detail
        checks["last_tick_at"] = state.last_tick_at.isoformat() if state.last_tick_at else None
        healthy = healthy and state.alive
    return JSONResponse({"status": "ok" if healthy else "unhealthy", **checks},
                        status_code=200 if healthy else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    registry = getattr(request.app.state, "metrics", None)
    if registry is None:
        return Response("metrics are served by the daemon (newswatch run)\n", status_code=404,
                        media_type="text/plain")
    return Response(registry.exposition(), media_type=CONTENT_TYPE)
