"""A local webhook receiver for alert tests: records what was POSTed and can be told to fail.

It also plays a forward proxy's part: a client sent through it asks for the absolute URL
(``POST http://hooks.example/alerts``), which lands in ``targets``, and is answered here.
A GET is answered with ``page`` (``text/xml``), so a source fetched through it reads as a feed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """Each POST lands in ``received`` as (lower-cased headers, JSON body).

    It answers ``status``; ``script`` holds statuses to answer first, one a POST, and
    ``on_post`` is called with each POST before it is answered (a test's clock moves on).
    """

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], dict[str, object]]] = []
        self.status = 200
        self.script: list[int] = []
        self.on_post: Callable[[], None] | None = None
        self.targets: list[str] = []
        self.page = b""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                receiver.targets.append(f"GET {self.path}")
                self.send_response(200)
                self.send_header("content-type", "text/xml; charset=utf-8")
                self.send_header("content-length", str(len(receiver.page)))
                self.end_headers()
                self.wfile.write(receiver.page)

            def do_POST(self) -> None:
                receiver.targets.append(f"POST {self.path}")
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.on_post is not None:
                    receiver.on_post()
                self.send_response(receiver.script.pop(0) if receiver.script else receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass  # the test reads ``received``; the log would only be noise

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    @property
    def bodies(self) -> list[dict[str, object]]:
        return [body for _, body in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
