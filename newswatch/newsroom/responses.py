"""The response value every route and fault returns, and the conditional-GET rules.

Routes describe *what* to send as a :class:`Response`; ``server.py`` alone writes bytes to the
socket. Faults can therefore bend a response (delay it, drip it, lie about its length) without
touching sockets themselves.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Request:
    """What the router needs to know about one request."""

    method: str
    path: str  # without the query string
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    seq: int  # 1, 2, 3… per newsroom: drives the per-request page noise
    body: bytes = b""  # what a POST sent (the search endpoints' decode call)


@dataclass(frozen=True)
class Response:
    """One response to write. Extra fields let faults misbehave at the byte level."""

    status: int
    body: bytes = b""
    content_type: str | None = HTML
    headers: tuple[tuple[str, str], ...] = ()
    etag: str | None = None
    last_modified: datetime | None = None
    delay: float = 0.0  # seconds to wait before the status line
    drip_bytes: int = 0  # > 0: send the body this many bytes at a time…
    drip_interval: float = 0.0  # …waiting this long between pieces
    content_length: int | None = None  # overrides len(body) (a lie, for truncation)
    send_length: bool = True  # False: no Content-Length, the close ends the body
    close: bool = False  # close the connection after this response

    def with_headers(self, *pairs: tuple[str, str]) -> Response:
        """A copy with extra headers appended."""
        return replace(self, headers=self.headers + pairs)


def http_date(moment: datetime) -> str:
    """An IMF-fixdate (``Mon, 02 Jun 2025 17:25:00 GMT``) for HTTP headers."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def not_modified(headers: dict[str, str], etag: str | None, last_modified: datetime | None) -> bool:
    """Whether a GET with these request headers may be answered 304 (RFC 9110 §13.2.2 order)."""
    inm = headers.get("if-none-match")
    if inm is not None:
        # If-None-Match wins over If-Modified-Since; comparison is weak (W/ ignored).
        if etag is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    ims = headers.get("if-modified-since")
    if ims is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    # HTTP dates have whole seconds: compare at that resolution.
    return last_modified.replace(microsecond=0) <= since


def conditional(request: Request, response: Response, *, validators: bool) -> Response:
    """Apply validators: strip them when disabled, or turn a matching GET/HEAD into a 304."""
    if not validators:
        return replace(response, etag=None, last_modified=None)
    if (
        response.status == 200
        and request.method in ("GET", "HEAD")
        and not_modified(request.headers, response.etag, response.last_modified)
    ):
        return Response(
            304, content_type=None, etag=response.etag, last_modified=response.last_modified
        )
    return response


def text_response(status: int, text: str, content_type: str = HTML) -> Response:
    """A plain response with a UTF-8 body."""
    return Response(status, text.encode("utf-8"), content_type)


def tiny_png() -> bytes:
    """A valid 1×1 PNG, for article photos and the ``not_html`` fault."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xcc\x88\x44")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
