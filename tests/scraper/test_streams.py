"""A guarded connection's stream looks its socket up once, and still tells when the server has
closed an idle connection (httpcore's pool asks before every request); it asks the socket for
a whole news page a read, not httpcore's 64 KiB."""

from __future__ import annotations

import asyncio
from typing import Any

import httpcore

from scraper.addresses import AddressPolicy
from scraper.guard import GuardedBackend
from scraper.streams import READ_BYTES, SocketOnce


def test_an_idle_connection_closed_by_the_server_reads_as_readable() -> None:
    async def scene() -> tuple[bool, bool, bool, bool]:
        closed = asyncio.Event()
        accepted = asyncio.Event()

        async def serve(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.set()
            await closed.wait()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        backend = GuardedBackend(AddressPolicy.build(allow=[f"127.0.0.1:{port}"]))
        async with server:
            stream = await backend.connect_tcp("127.0.0.1", port)
            await accepted.wait()
            first = stream.get_extra_info("socket")
            idle = stream.get_extra_info("is_readable")
            closed.set()
            for _ in range(200):  # the close reaches this end within a few milliseconds
                if stream.get_extra_info("is_readable"):
                    break
                await asyncio.sleep(0.01)
            after = stream.get_extra_info("is_readable")
            same = first is not None and stream.get_extra_info("socket") is first
            await stream.aclose()
            return isinstance(stream, SocketOnce), same, idle, after

    once, same, idle, after = asyncio.run(scene())
    assert once and same
    assert idle is False
    assert after is True


class _Recording(httpcore.AsyncNetworkStream):
    """A stream that answers every read with what it was asked for, and notes the ask."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.asked.append(max_bytes)
        return b"x" * max_bytes

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        return None

    async def aclose(self) -> None:
        return None

    def get_extra_info(self, info: str) -> Any:
        return None


def test_a_read_asks_the_socket_for_a_whole_page_at_once() -> None:
    inner = _Recording()
    stream = SocketOnce(inner)

    async def reads() -> list[int]:
        return [
            len(await stream.read(64 * 1024)),  # what httpcore asks for
            len(await stream.read(1 << 20)),  # a bigger ask is kept
        ]

    assert READ_BYTES >= 256 * 1024, "a news page of 100-250 kB fits one read"
    assert asyncio.run(reads()) == [READ_BYTES, 1 << 20]
    assert inner.asked == [READ_BYTES, 1 << 20]
