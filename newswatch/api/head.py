"""HEAD answered wherever GET is: the same status and headers, no body.

HTTP asks every general-purpose server to support HEAD wherever it supports GET (RFC 9110,
9.3.2), and monitors, link checkers and feed readers use it to see whether a page is there or
changed. FastAPI's routes answer only the methods they declare, so HEAD met a 405 on every
page, feed and API route. This middleware runs a HEAD request as the GET it mirrors and drops
the body, keeping the headers (``Content-Length`` included) the GET would send.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: a HEAD request runs as GET, and its body is not sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # a streamed body's parts: none of them goes out
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
