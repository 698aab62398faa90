"""``newswatch serve``: the HTTP API, the Atom feeds and the web page."""

from __future__ import annotations

import logging
import socket
from typing import Annotated

import typer

from newswatch.cli.common import (
    ConfigOption,
    LogLevel,
    app,
    complain,
    err,
    load_config,
    open_db,
    start_logging,
)
from newswatch.logs import parse_level
from newswatch.redaction import redactor_for


@app.command()
def serve(
    config: ConfigOption = None,
    host: Annotated[
        str | None, typer.Option(help="Listen address (default: \\[api] host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Port (default: \\[api] port, 8080).")
    ] = None,
    log_level: LogLevel = "INFO",
) -> None:
    """Serve the HTTP API (/api, /docs), Atom feeds (/feeds) and the web page (/).

    Example: newswatch serve --config newswatch.toml --port 8080
    """
    from newswatch.api import create_app
    from newswatch.api.server import serve as run_server

    settings = load_config(config)
    start_logging(log_level, redactor=redactor_for(settings))
    bind_host, bind_port = (
        host or settings.api.host,
        port if port is not None else settings.api.port,
    )
    check_can_listen(bind_host, bind_port)
    with open_db(config) as db:
        err.print(
            f"serving http://{bind_host}:{bind_port}/ (API docs at /docs); Ctrl-C stops",
            highlight=False,
        )
        run_server(
            create_app(db, settings),
            host=bind_host,
            port=bind_port,
            workers_log_level=logging.getLevelName(parse_level(log_level)[0]).lower(),
        )


def check_can_listen(host: str, port: int) -> None:
    """Exit 2 saying why, when ``host:port`` cannot be listened on (taken, not an address of
    this machine, a name that does not resolve); the server itself would only log it."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.create_server((host, port), family=family):
            pass
    except OSError as error:
        complain(
            "cannot listen",
            f"on {host}:{port}: {error.strerror or error}; choose "
            "another --host/--port (or [api] host and port), or stop what uses it",
        )
        raise typer.Exit(2) from None
