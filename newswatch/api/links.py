"""Absolute links (the Atom feeds need them) built without trusting the request.

A client chooses the ``Host`` header; a link built from it would let anyone who can reach the
server plant their own host in a cached feed. The base is ``[api] public_url`` when set (the
address readers use, e.g. behind a reverse proxy), else the address this connection reached,
as the server's socket reports it. The HTML pages need no base at all: their links are paths.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from newswatch.config import Settings


def base_url(request: Request) -> str:
    """``https://news.example.org`` or ``http://127.0.0.1:8080``, never from a header."""
    settings: Settings = request.app.state.settings
    if settings.api.public_url:
        return settings.api.public_url.rstrip("/")
    server = request.scope.get("server") or (settings.api.host, settings.api.port)
    host, port = str(server[0]), server[1]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}" + (f":{port}" if port not in (None, 80) else "")


def absolute(request: Request, name: str, /, **params: Any) -> str:
    """The absolute URL of route ``name`` (path parameters in ``params``)."""
    return base_url(request) + str(request.app.url_path_for(name, **params))


def this_page(request: Request) -> str:
    """The absolute URL of the requested page, with its query string."""
    query = request.url.query
    return base_url(request) + request.url.path + (f"?{query}" if query else "")
