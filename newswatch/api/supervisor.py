"""The daemon's web server runs in a child process the daemon starts and watches.

Why a child: served from the daemon's own process, 32 readers cut ingest from 98 to 4.4
versions/s and made ``/healthz`` report "no tick" (issue 14): the server and the daemon shared
one interpreter lock. In its own process, at a lower CPU priority (``[daemon] serve_nice``),
the server can be as busy as its readers make it while the daemon keeps its pace.

How it is watched:

* the daemon binds the listening socket itself and hands it to each child (``pass_fds``): a
  taken port is known at start, and a restarted child serves the same address while
  connections wait in the socket's backlog;
* a child that exits while the daemon runs is started again after 1 s, then 2, 4, ... up to
  a minute (back to 1 s once a child has served for a minute); a crash is logged, never fatal;
* :meth:`ServerSupervisor.stop` (the daemon's shutdown, SIGTERM/SIGINT included) sends the
  child SIGTERM and waits, then SIGKILL; if the daemon dies without stopping it, the child
  sees its channel close and stops by itself (``newswatch.api.channel``);
* the child runs in a session of its own, so a Ctrl-C in the terminal reaches the daemon only
  and the daemon stops its child in order. Linux (with autogroups, the desktop default) shares
  the CPU between sessions first and applies a process's niceness only within its session:
  in the daemon's session, the server's CPU would be charged to the daemon's share; in its
  own, at nice 0, it would compete with the daemon as an equal. So the child also sets its
  session's niceness (``/proc/self/autogroup``, see ``newswatch.api.child``).
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from newswatch.api.channel import ChildSpec, answer
from newswatch.api.daemonview import DaemonView

logger = logging.getLogger(__name__)

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0
HEALTHY_RUN = 60.0  # a child that served this long resets the backoff
STOP_TIMEOUT = 10.0


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (IPv4 or IPv6, as the host resolves)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class ServerSupervisor:
    """Starts the web server child, restarts it with backoff, stops it with the daemon."""

    def __init__(
        self,
        *,
        spec: ChildSpec,
        view: DaemonView,
        counters: Callable[[], bytes],
        host: str,
        port: int,
        first_backoff: float = FIRST_BACKOFF,
    ) -> None:
        self._spec = spec
        self._view = view
        self._counters = counters
        self._address = (host, port)
        self._first_backoff = first_backoff
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name="serve-supervisor", daemon=True)

    @property
    def pid(self) -> int | None:
        """The running child's process id."""
        child = self._child
        return child.pid if child is not None and child.poll() is None else None

    def start(self) -> str:
        """Bind the address (``OSError`` if taken), start the child; returns the base URL."""
        self._socket = bind(*self._address)
        self._thread.start()
        return url_of(self._socket)

    def stop(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL after 10 s) and stop restarting it."""
        self._stopping.set()
        with self._lock:
            child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "the web server did not stop in %.0fs; killing it",
                    STOP_TIMEOUT,
                    extra={"event": "serve_child_killed", "pid": child.pid},
                )
                child.kill()
                child.wait()
        self._thread.join(STOP_TIMEOUT)
        if self._socket is not None:
            self._socket.close()

    def _run(self) -> None:
        backoff = self._first_backoff
        while not self._stopping.is_set():
            started = time.monotonic()
            code = self._serve_once()
            if code is None or self._stopping.is_set():
                return
            backoff = self._first_backoff if time.monotonic() - started > HEALTHY_RUN else backoff
            logger.error(
                "the web server exited (code %s); starting it again in %.0fs",
                code,
                backoff,
                extra={"event": "serve_child_exited", "code": code, "restart_in": backoff},
            )
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF)

    def _serve_once(self) -> int | None:
        """Run one child to its end; its exit code (None: stopping, it was never started)."""
        assert self._socket is not None
        listen_fd = self._socket.fileno()
        ours, theirs = socket.socketpair()
        with self._lock:
            if self._stopping.is_set():
                ours.close()
                theirs.close()
                return None
            try:
                child = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "newswatch.api.child",
                        "--listen-fd",
                        str(listen_fd),
                        "--channel-fd",
                        str(theirs.fileno()),
                    ],
                    pass_fds=(listen_fd, theirs.fileno()),
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            except OSError as error:
                logger.error(
                    "cannot start the web server: %s",
                    error,
                    extra={"event": "serve_child_failed", "error": str(error)},
                )
                ours.close()
                theirs.close()
                return -1
            self._child = child
        theirs.close()
        conn = Connection(ours.detach())
        answering = threading.Thread(
            target=self._handshake_and_answer, args=(conn,), name="serve-channel", daemon=True
        )
        answering.start()
        logger.info("web server started", extra={"event": "serve_child_started", "pid": child.pid})
        code = child.wait()
        answering.join(STOP_TIMEOUT)  # the child's end closed with it: the thread sees EOF
        conn.close()
        return code

    def _handshake_and_answer(self, conn: Connection) -> None:
        try:
            conn.send(self._spec)
        except OSError:
            return  # the child died before reading it; _run sees the exit
        answer(conn, self._view, self._counters)
