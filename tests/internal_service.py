"""A stand-in for what sits behind a crawler's firewall: an "admin" page on a loopback address.

The address-guard tests publish links to it from the newsroom and check that it never hears
from newswatch. It answers every request with an HTML page that would make a fine article
(so that a request that got through would also be stored and visible), and logs each request.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

SECRET = "ADMIN-CONSOLE-SECRET-7f3a"
PAGE = f"""<!DOCTYPE html><html lang="en"><head><title>Istanbul talks: admin console</title>
</head><body><article><h1>Istanbul talks: admin console</h1>
<p>Internal service. Token {SECRET}. Delegations in Istanbul agreed a prisoner swap.</p>
<p>This page must never be fetched by a crawler that reads other people's links.</p>
</article></body></html>""".encode()


class _V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class InternalService:
    """An HTTP server on ``host`` (``127.0.0.1``, ``127.0.0.2``, ``::1``) that logs requests."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.requests: list[str] = []
        log = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - stdlib's name
                log.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        server_class = _V6Server if ":" in host else ThreadingHTTPServer
        self._server = server_class((host, port), Handler)
        self._server.daemon_threads = True
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def netloc(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def url(self, path: str = "/admin") -> str:
        return f"http://{self.netloc}{path}"

    def __enter__(self) -> InternalService:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
