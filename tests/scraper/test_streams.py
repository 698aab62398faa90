"""A guarded connection's stream looks its socket up once, and still tells when the server has
closed an idle connection (httpcore's pool asks before every request); it asks the socket for
a whole news page a read, not httpcore's 64 KiB."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

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


def test_a_read_takes_what_has_arrived_not_httpcores_64_kib() -> None:
    page = bytes(range(256)) * 600  # 150 kB: a news page, sent before the first read
    connected, sent = threading.Event(), threading.Event()

    def serve(listener: socket.socket) -> None:
        connection, _ = listener.accept()
        with connection:
            connected.wait(10)  # sent while the event loop is held: nothing is read before
            connection.sendall(page)
            sent.set()
            connection.recv(1)  # until the client closes

    async def scene() -> list[int]:
        with socket.create_server(("127.0.0.1", 0)) as listener:
            port = listener.getsockname()[1]
            server = threading.Thread(target=serve, args=(listener,), daemon=True)
            server.start()
            backend = GuardedBackend(AddressPolicy.build(allow=[f"127.0.0.1:{port}"]))
            # Room in the socket for the whole page, so that it is all there at the first read.
            room = [(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)]
            stream = await backend.connect_tcp("127.0.0.1", port, socket_options=room)
            connected.set()
            sent.wait(10)
            time.sleep(0.2)  # the event loop held: the page waits in the socket, whole
            pieces = []
            received = 0
            while received < len(page):
                piece = await stream.read(64 * 1024)  # what httpcore asks for
                pieces.append(len(piece))
                received += len(piece)
            await stream.aclose()
            server.join(10)
            return pieces

    pieces = asyncio.run(scene())
    assert sum(pieces) == len(page)
    assert pieces[0] > 64 * 1024, f"the first read took {pieces[0]} bytes of {len(page)}"
    assert READ_BYTES >= 256 * 1024, "a news page of 100-250 kB fits one read"
