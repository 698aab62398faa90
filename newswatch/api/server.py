"""Serving the app with uvicorn: in the foreground (``newswatch serve``), in a background
thread on a free port (the tests), or from a child process a daemon supervises
(``newswatch run``: see ``newswatch.api.supervisor``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI

from newswatch.logs import JsonFormatter

if TYPE_CHECKING:
    from newswatch.config import Settings
    from newswatch.runtime import Runtime

logger = logging.getLogger(__name__)


def serve(app: FastAPI, *, host: str, port: int, workers_log_level: str = "info") -> None:
    """Serve ``app`` until interrupted (Ctrl-C / SIGTERM stop it cleanly).

    ``log_config=None``: uvicorn's lines go through newswatch's handler and its secret filter
    instead of handlers of uvicorn's own.
    """
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=workers_log_level,
        access_log=False,
        server_header=False,
        log_config=None,
    )


@contextmanager
def serve_in_thread(
    app: FastAPI, *, host: str = "127.0.0.1", port: int = 0, timeout: float = 30.0
) -> Iterator[str]:
    """Serve ``app`` from a daemon thread; yields the base URL once it accepts connections."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        log_config=None,
    )
    # uvicorn listens to signals only on the main thread; this one is stopped with should_exit.
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="newswatch-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the API server did not start on {host}:{port}")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{host}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout)


@contextmanager
def serve_daemon(runtime: Runtime, settings: Settings) -> Iterator[str | None]:
    """While the daemon runs, serve its web page, API, ``/healthz`` and ``/metrics`` from a
    child process it supervises (``newswatch.api.supervisor``); stopped when the block ends.

    A port that is taken is logged, not fatal: watching the news is the daemon's main job.
    Yields the base URL, or None when nothing is served.
    """
    from newswatch.api.channel import ChildSpec
    from newswatch.api.daemonview import LocalDaemon
    from newswatch.api.supervisor import ServerSupervisor

    if not settings.daemon.serve:
        yield None
        return
    root = logging.getLogger()
    spec = ChildSpec(
        settings=settings,
        alert_channels=tuple(route.channel.key for route in runtime.routes),
        log_level=logging.getLevelName(root.getEffectiveLevel()),
        log_json=any(isinstance(h.formatter, JsonFormatter) for h in root.handlers),
        nice=settings.daemon.serve_nice,
    )
    supervisor = ServerSupervisor(
        spec=spec,
        view=LocalDaemon(runtime),
        counters=runtime.metrics.counters,
        host=settings.api.host,
        port=settings.api.port,
    )
    try:
        url = supervisor.start()
    except OSError as error:
        logger.error(
            "cannot serve the web page and /metrics; the daemon runs without them",
            extra={
                "event": "serve_failed",
                "host": settings.api.host,
                "port": settings.api.port,
                "error": str(error),
            },
        )
        yield None
        return
    logger.info("serving", extra={"event": "serving", "url": url})
    try:
        yield url
    finally:
        supervisor.stop()
