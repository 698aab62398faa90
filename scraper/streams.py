"""A connection's stream that looks its socket up once and reads a page in big pieces.

Before every request httpcore's pool asks each idle connection whether the server has closed it
(``has_expired``: is the socket readable?). httpcore's AnyIO stream answers through AnyIO's
attribute lookup, which builds a table of every socket attribute, the peer's address included
(a ``getpeername`` system call), to read one of them. With a daemon's eight connections to a
host that was about 27 lookups a fetched page, and 8 % of the daemon's event loop under
cProfile in bench/pipeline.py. The socket never changes for the stream's life, so it is looked
up once here.

It also reads bigger pieces. httpcore asks for 64 KiB a read, and each piece goes through its
HTTP/1.1 parser and httpx's response stream in Python before the next read: a news page of
100-400 kB took two to seven rounds of it. Asked for up to 256 KiB, the connection hands over
what has arrived (never more), which on a fast connection is most of a page; the parsers take
any length. Fetching the pipeline bench's pages from nginx over plain HTTP took 9-12 % less CPU
a page (``bench/fetch_reads.py``: 2.87 → 2.64 and 2.91 → 2.47 ms, medians of 12 alternated
runs). Over TLS it changes nothing: a read gets one decrypted record, 16 KiB at most, whatever
is asked (OpenSSL 3.0 gave a 150 kB body in reads of 16,384 bytes, asked for 256 KiB).
Everything else is passed through.
"""

from __future__ import annotations

import select
import ssl
from typing import Any, Protocol

import httpcore


class _Socket(Protocol):
    """What is read of the socket (asyncio hands out a wrapper, not a ``socket.socket``)."""

    def fileno(self) -> int: ...


READ_BYTES = 256 * 1024  # the least a read asks the socket for (see the module docstring)


class SocketOnce(httpcore.AsyncNetworkStream):
    """``inner`` with its socket looked up once (see the module docstring)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: _Socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max(max_bytes, READ_BYTES), timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return SocketOnce(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "socket":
            return self._socket
        if info == "is_readable" and self._socket is not None:
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: _Socket) -> bool:
    """Whether a read would return at once: data, or the end of a connection the server closed
    (a socket already closed here counts as readable, as in httpcore)."""
    fd = sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
