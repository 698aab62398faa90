"""What every response goes through: the ``Host`` check and the security headers.

The ``Host`` header is the client's to choose. Links are never built from it (see
``newswatch.api.links``), and a request naming a host this server does not answer for is
refused: that stops DNS rebinding, where a hostile page points its own name at 127.0.0.1 and
reads a local newswatch through the visitor's browser. ``[api] trusted_hosts`` lists the names;
empty means the configured listen address, localhost, 127.0.0.1, ::1 and the host of
``[api] public_url``.

Headers: every response says ``nosniff``, sends no referrer and may not be framed. HTML gets a
Content-Security-Policy with no third-party source: the pages run no script at all, and
``/docs`` runs only the Swagger UI files served from this package.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATH = "/docs"
_ANY = "*"


def trusted_hosts(
    *, configured: Iterable[str], listen_host: str, public_url: str
) -> frozenset[str]:
    """The host names requests may name: ``configured``, or the defaults when it is empty."""
    names = [name.strip().lower() for name in configured if name.strip()]
    if not names:
        names = [listen_host.lower(), "localhost", "127.0.0.1", "::1"]
        if public_url:
            names.append((urlsplit(public_url).hostname or "").lower())
    return frozenset(name.strip("[]") for name in names if name)


def host_name(header: str) -> str:
    """The name part of a ``Host`` header: no port, no IPv6 brackets, lower case."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """ASGI middleware: refuse untrusted ``Host`` headers, add the security headers."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = host_name(Headers(scope=scope).get("host", ""))
        if _ANY not in self.hosts and name not in self.hosts:
            await _refuse(send, name)
            return
        csp = DOCS_CSP if scope["path"] == DOCS_PATH else PAGE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Content-Security-Policy", csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse(send: Send, name: str) -> None:
    detail = (
        f"this server does not answer for host {name!r}: add it to [api] trusted_hosts "
        "(or set [api] public_url) to serve it"
    )
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
