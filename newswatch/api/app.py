"""Building the app: :func:`create_app` wires the routers, error handlers and pages to one
database and one settings value. Nothing is built at import time; ``newswatch serve`` (and
the tests) call the factory.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

import storage
from newswatch.api import (
    docs,
    feeds,
    routes_articles,
    routes_misc,
    routes_ops,
    routes_recheck,
    routes_search,
    routes_sources,
)
from newswatch.api.daemonview import DaemonView
from newswatch.api.guard import Guard, trusted_hosts
from newswatch.api.head import HeadAsGet
from newswatch.api.probe import DatabaseProbe
from newswatch.config import Settings
from newswatch.endpoints.cache import TTLCache
from newswatch.queries import BadQuery
from newswatch.redaction import redactor_for
from newswatch.web import routes as web_routes

logger = logging.getLogger(__name__)

# Blocking handlers the daemon's server runs at once: it yields the CPU to the daemon, and more
# threads would only contend for interpreter time (anyio's default is 40).
DAEMON_SERVER_THREADS = 4
# Bounds of the caches: a reader choosing new query strings must not grow them without end.
AGGREGATE_ENTRIES = 256
FEED_TTL = 5.0
FEED_ENTRIES = 256


def create_app(
    db: storage.Database,
    settings: Settings,
    *,
    aggregate_ttl: float = 30.0,
    feed_ttl: float = FEED_TTL,
    daemon: DaemonView | None = None,
    request_threads: int | None = None,
) -> FastAPI:
    """The HTTP API (``/api``), Atom feeds (``/feeds``) and web page (``/``) over ``db``.

    Totals and coverage per day are recomputed at most every ``aggregate_ttl`` seconds, a
    feed at most every ``feed_ttl`` seconds per query. ``daemon``: the daemon this server
    serves for, whose liveness ``/healthz`` and whose counters ``/metrics`` report.
    ``request_threads``: blocking handlers run at once (set when the server starts; default:
    anyio's)."""
    app = FastAPI(
        lifespan=_bounded_threads(request_threads),
        docs_url=None,  # served by newswatch.api.docs from this package's files, no CDN
        redoc_url=None,
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
    app.state.aggregates = TTLCache(aggregate_ttl, max_entries=AGGREGATE_ENTRIES)
    app.state.feeds = TTLCache(feed_ttl, max_entries=FEED_ENTRIES)
    app.state.daemon = daemon
    app.state.probe = DatabaseProbe(db)  # /healthz never queues behind the pages
    for module in (
        routes_articles,
        routes_search,
        routes_misc,
        routes_sources,
        routes_recheck,
        feeds,
        routes_ops,
        docs,
        web_routes,
    ):
        app.include_router(module.router)
    static = resources.files("newswatch.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _add_error_handlers(app)
    _describe_our_validation_errors(app)
    app.add_middleware(HeadAsGet)
    app.add_middleware(
        Guard,
        hosts=trusted_hosts(
            configured=settings.api.trusted_hosts,
            listen_host=settings.api.host,
            public_url=settings.api.public_url,
        ),
    )
    return app


def _describe_our_validation_errors(app: FastAPI) -> None:
    """Make the OpenAPI description's 422 body the one the handler below sends.

    FastAPI describes every 422 as its own ``HTTPValidationError``, whose ``detail`` is a list
    of objects; this API's ``detail`` is a message a person can read, with the objects in
    ``errors``. A client generated from the description failed to read every 422.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schemas = generate().get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = _VALIDATION_ERROR
        return generate()

    app.openapi = openapi  # type: ignore[method-assign]


_VALIDATION_ERROR: dict[str, Any] = {
    "title": "HTTPValidationError",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "string",
            "title": "Detail",
            "description": "What was wrong: each field and its problem, separated by '; '.",
        },
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ValidationError"},
            "title": "Errors",
            "description": "The same problems, one object each (absent when the request was "
            "well formed but its query could not be read, such as a search query).",
        },
    },
}


def _bounded_threads(threads: int | None) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if threads is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    return lifespan


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is JSON with a ``detail`` message a person can act on."""

    @app.exception_handler(storage.NotFound)
    async def not_found(request: Request, error: storage.NotFound) -> Response:
        return _error(request, str(error), 404)

    @app.exception_handler(BadQuery)
    async def bad_query(_: Request, error: BadQuery) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(storage.SearchQueryError)
    async def bad_search(_: Request, error: storage.SearchQueryError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=422)

    @app.exception_handler(DataError)
    async def bad_value(_: Request, error: DataError) -> JSONResponse:
        # The database refused a value it cannot hold (a NUL in text, a number out of its
        # range) that validation let through: the request's fault, not the server's.
        logger.info(
            "api.data_error", extra={"event": "api_data_error", "error": str(error.orig)[:200]}
        )
        return JSONResponse(
            {
                "detail": "a value in the request cannot be stored or compared "
                "by the database (out of range, or not text)"
            },
            status_code=422,
        )

    @app.exception_handler(storage.StorageError)
    async def storage_error(_: Request, error: storage.StorageError) -> JSONResponse:
        detail = app.state.redactor.text(str(error))
        logger.warning("api.storage_error", extra={"error": detail})
        return JSONResponse({"detail": detail}, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = [_problem(e) for e in error.errors()]
        if _wants_page(request):
            return _error(request, "; ".join(problems), 422)
        return JSONResponse(
            {"detail": "; ".join(problems), "errors": jsonable_encoder(error.errors())},
            status_code=422,
        )

    @app.exception_handler(OverflowError)
    async def overflow(_: Request, error: OverflowError) -> JSONResponse:
        return JSONResponse(
            {"detail": f"a number or time in the request is out of range: {error}"}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        detail = (
            error.detail
            if error.status_code != 404 or error.detail != "Not Found"
            else "no such page: see /docs for the API"
        )
        return _error(
            request, str(detail), error.status_code, headers=getattr(error, "headers", None)
        )


# Paths whose answers are for programs: always JSON, whatever the client accepts.
_MACHINE_PATHS = ("/api/", "/feeds/", "/healthz", "/metrics", "/openapi.json", "/docs")


def _wants_page(request: Request) -> bool:
    """A browser asking for one of the web pages (not the API): it gets an error page."""
    return not request.url.path.startswith(_MACHINE_PATHS) and "text/html" in request.headers.get(
        "accept", ""
    )


def _error(
    request: Request, detail: str, status: int, headers: dict[str, str] | None = None
) -> Response:
    """The error as a page for a browser on the web pages, else as JSON ``{"detail"}``."""
    if _wants_page(request):
        templates: Jinja2Templates = request.app.state.templates
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "detail": detail},
            status_code=status,
            headers=headers,
        )
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _problem(error: Any) -> str:
    """One validation error as ``field: what is wrong``; the body as a whole is named so."""
    loc = error.get("loc", ())
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON (send JSON with Content-Type: application/json)"
    field = ".".join(str(p) for p in loc if p not in ("query", "body", "path"))
    if not field and loc[:1] == ("body",):
        field = "the request body"
        if error.get("type") == "model_attributes_type":
            # A body sent as form data or text reaches the model as a string.
            return f"{field}: expected a JSON object (send it with Content-Type: application/json)"
    return f"{field}: {error['msg']}{_hint(error)}"


def _hint(error: Any) -> str:
    if error.get("loc", ())[-1:] == ("offset",) and error.get("type") == "less_than_equal":
        return " (to reach older items, narrow the listing with since/until or outlet)"
    return ""
