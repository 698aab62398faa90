"""Building the app: :func:`create_app` wires the routers, error handlers and pages to one
database and one settings value. Nothing is built at import time; ``newswatch serve`` (and
the tests) call the factory.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import storage
from newswatch.api import (
    feeds,
    routes_articles,
    routes_misc,
    routes_ops,
    routes_search,
    routes_sources,
)
from newswatch.api.cache import TTLCache
from newswatch.config import Settings
from newswatch.queries import BadQuery
from newswatch.redaction import redactor_for
from newswatch.web import routes as web_routes
from scheduler.daemon import Liveness
from scheduler.metrics import Metrics

logger = logging.getLogger(__name__)

# The pages are plain HTML and CSS: no script may run, whatever a stored article contains.
# Swagger UI (/docs) is FastAPI's own page and needs its scripts, so it is left out.
_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_DOC_PATHS = ("/docs", "/redoc", "/openapi.json")


def create_app(db: storage.Database, settings: Settings, *,
               aggregate_ttl: float = 30.0, metrics: Metrics | None = None,
               liveness: Callable[[], Liveness] | None = None) -> FastAPI:
    """The HTTP API (``/api``), Atom feeds (``/feeds``) and web page (``/``) over ``db``.

    Totals and coverage per day are recomputed at most every ``aggregate_ttl`` seconds."""
    app = FastAPI(
        title="newswatch",
        version="0.1.0",
        summary="Every version of every article about one story: lists, versions, diffs, "
                "search, feeds.",
        openapi_tags=[
            {"name": "articles", "description": "Stored articles, their versions and diffs."},
            {"name": "search", "description": "Full-text search and syndication stories."},
            {"name": "reports", "description": "Alerts, totals and coverage per day."},
            {"name": "sources", "description": "Polled sources; writing needs the API token."},
            {"name": "feeds", "description": "Atom feeds of new coverage and of edits."},
            {"name": "operations", "description": "Health check and Prometheus metrics."},
        ],
    )
    app.state.db = db
    app.state.settings = settings
    app.state.redactor = redactor_for(settings)
    app.state.templates = web_routes.templates()
    app.state.aggregates = TTLCache(aggregate_ttl)
    app.state.metrics = metrics
    app.state.liveness = liveness
    for module in (routes_articles, routes_search, routes_misc, routes_sources, feeds,
                   routes_ops, web_routes):
        app.include_router(module.router)
    static = resources.files("newswatch.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _add_error_handlers(app)
    app.middleware("http")(_security_headers)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with a ``detail`` message a person can act on."""

    @app.exception_handler(storage.NotFound)
    async def not_found(_: Request, error: storage.NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    @app.exception_handler(BadQuery)
    async def bad_query(_: Request, error: BadQuery) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(storage.SearchQueryError)
    async def bad_search(_: Request, error: storage.SearchQueryError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(storage.StorageError)
    async def storage_error(_: Request, error: storage.StorageError) -> JSONResponse:
        detail = app.state.redactor.text(str(error))
        logger.warning("api.storage_error", extra={"error": detail})
        return JSONResponse({"detail": detail}, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e['loc'] if p not in ('query', 'body'))}: "
                    f"{e['msg']}" for e in error.errors()]
        return JSONResponse({"detail": "; ".join(problems),
                             "errors": jsonable_encoder(error.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if error.status_code != 404 or error.detail != "Not Found" \
            else "no such page: see /docs for the API"
        return JSONResponse({"detail": detail}, status_code=error.status_code,
                            headers=getattr(error, "headers", None))


async def _security_headers(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if not request.url.path.startswith(_DOC_PATHS):
        response.headers.setdefault("Content-Security-Policy", _CSP)
    return response
