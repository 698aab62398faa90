"""The web server child of ``newswatch run`` (started by ``newswatch.api.supervisor``).

    python -m newswatch.api.child --listen-fd N --channel-fd M

Not a command for people: it serves on the socket its parent bound, reads its settings from
the channel, and stops when told (SIGTERM) or when its parent is gone.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import uvicorn
from prometheus_client import generate_latest

import storage
from newswatch.api.app import DAEMON_SERVER_THREADS, create_app
from newswatch.api.channel import ChildSpec, ParentDaemon
from newswatch.logs import configure_logging
from newswatch.redaction import channel_names
from scheduler.metrics import database_gauges

logger = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--channel-fd", type=int, required=True)
    args = parser.parse_args(argv)
    conn = Connection(args.channel_fd)
    try:
        spec = conn.recv()  # the parent's first message: this program's own ChildSpec
    except (EOFError, OSError):
        return 1  # the parent went away before it said anything
    if not isinstance(spec, ChildSpec):
        return 2
    configure_logging(spec.log_level, json_lines=spec.log_json)
    if spec.nice:
        yield_cpu(spec.nice)
    listener = socket.socket(fileno=args.listen_fd)
    settings = spec.settings
    with storage.open_database(settings.database.url, create_tables=False) as db:
        gauges = database_gauges(
            db, channels=channel_names(settings), clock=lambda: datetime.now(UTC)
        )
        server: uvicorn.Server | None = None
        gone = threading.Event()

        def parent_gone() -> None:
            gone.set()
            if server is not None:
                server.should_exit = True

        daemon = ParentDaemon(
            conn, gauges=lambda: generate_latest(gauges), on_parent_gone=parent_gone
        )
        daemon.start()
        app = create_app(db, settings, daemon=daemon, request_threads=DAEMON_SERVER_THREADS)
        # log_config=None: uvicorn's lines go through the daemon's own format (JSON or not).
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="on",
            server_header=False,
            timeout_graceful_shutdown=5,
        )
        server = uvicorn.Server(config)
        if gone.is_set():
            return 1
        try:
            server.run(sockets=[listener])  # SIGTERM and SIGINT stop it gracefully
        finally:
            daemon.close()
            conn.close()
    return 0


def yield_cpu(nice: int) -> None:
    """Run at ``nice``, and make this process's session (an autogroup, where Linux has them)
    as nice, so the daemon's share of the CPU stays the daemon's (see the supervisor)."""
    os.nice(nice)
    autogroup = Path("/proc/self/autogroup")
    if not autogroup.exists():
        return
    problem = "the kernel stayed busy"
    for _ in range(20):
        try:
            autogroup.write_text(f"{nice}\n")
            return
        except BlockingIOError:  # EAGAIN: the kernel takes one change per 0.1 s, machine-wide
            time.sleep(0.1)
        except OSError as error:
            problem = str(error)
            break
    logger.warning(
        "could not lower the web server's CPU priority: %s",
        problem,
        extra={"event": "serve_nice_failed"},
    )


if __name__ == "__main__":
    sys.exit(main())
