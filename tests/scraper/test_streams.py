"""A guarded connection's stream looks its socket up once, and still tells when the server has
closed an idle connection (httpcore's pool asks before every request)."""

from __future__ import annotations

import asyncio

from scraper.addresses import AddressPolicy
from scraper.guard import GuardedBackend
from scraper.streams import SocketOnce


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
