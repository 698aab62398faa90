"""HTTP plumbing: a threaded stdlib server that writes :class:`Response` values byte by byte.

It is stdlib only on purpose: writing the status line and headers ourselves lets faults lie
about lengths, drip bodies and close early, which a framework would not allow.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sys
import threading
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from newswatch.newsroom.responses import Response, http_date

logger = logging.getLogger(__name__)

_NO_BODY = {204, 304}


class App(Protocol):
    """What the server calls for each request."""

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes, peer: str = ""
    ) -> Response:
        """Answer one request; ``target`` is the request-target (path and query), ``peer``
        the client's host:port."""
        ...


class NewsroomServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that can drop its open connections on shutdown."""

    daemon_threads = True
    # socketserver's default backlog of 5 drops connections when a fetcher opens a dozen at
    # once; the kernel then retries the SYN a second later, which looks like a slow server.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App, stopping: threading.Event) -> None:
        self.app = app
        self.stopping = stopping
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        # A client that hangs up mid-response (a fetcher's size cap or timeout doing its job)
        # is expected here; anything else is a newsroom bug and is printed as usual.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """Unblock handler threads waiting on idle keep-alive connections, so close() can join."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):  # already closed by its own thread
                conn.shutdown(socket.SHUT_RDWR)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def head_bytes(response: Response, *, now: datetime) -> bytes:
    """The status line and headers of a response, as they go on the wire."""
    lines = [
        f"HTTP/1.1 {response.status} {_reason(response.status)}",
        f"Date: {http_date(now)}",
        "Server: newsroom/1.0",
    ]
    if response.content_type:
        lines.append(f"Content-Type: {response.content_type}")
    if response.etag:
        lines.append(f"ETag: {response.etag}")
    if response.last_modified:
        lines.append(f"Last-Modified: {http_date(response.last_modified)}")
    lines += [f"{name}: {value}" for name, value in response.headers]
    if response.status not in _NO_BODY and response.send_length:
        length = response.content_length
        lines.append(f"Content-Length: {len(response.body) if length is None else length}")
    if response.close or not response.send_length:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real sites (and httpx's pool)
    server_version = "newsroom/1.0"
    timeout = 30  # idle keep-alive connections do not live forever
    disable_nagle_algorithm = True  # small writes (drip, headers) must not wait for ACKs
    server: NewsroomServer

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        try:
            host, port = self.client_address[:2]
            response = self.server.app.handle(
                self.command, self.path, headers, body, f"{host}:{port}"
            )
        except Exception:
            logger.exception("newsroom.handler_failed", extra={"path": self.path})
            response = Response(500, b"internal error", "text/plain; charset=utf-8", close=True)
        try:
            self._write(response)
        except OSError:
            self.close_connection = True  # the client went away; nothing to tell it

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve

    def _write(self, response: Response) -> None:
        stopping = self.server.stopping
        if response.delay and stopping.wait(response.delay):
            self.close_connection = True
            return
        if response.close or not response.send_length:
            self.close_connection = True
        head = head_bytes(response, now=datetime.now(UTC))
        if self.command == "HEAD" or response.status in _NO_BODY:
            self.wfile.write(head)
            return
        body = response.body
        if response.drip_bytes <= 0:
            self.wfile.write(head + body)
            return
        self.wfile.write(head)
        step = response.drip_bytes
        for start in range(0, len(body), step):
            if start and stopping.wait(response.drip_interval):
                self.close_connection = True
                return
            self.wfile.write(body[start : start + step])
        self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        # room.requests is the request log; keep stderr quiet.
        logger.debug("newsroom.http " + format, *args)
