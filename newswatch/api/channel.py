"""The private channel between ``newswatch run`` and the web server child it supervises.

Why a channel and not the database: the daemon's liveness (when its loop last ticked) and its
Prometheus counters live in its memory. Writing them to the database every tick would add a
write transaction to every pass of every daemon; serving them from the daemon's process is what
made readers starve it (issue 14). So the daemon hands its child one end of a socket pair, and
a thread of the daemon answers two questions on it: ``status`` and ``counters``. The child asks
``status`` once a second (``/healthz`` reads that answer, never waits on the daemon) and
``counters`` at most once a second for ``/metrics``, whatever the readers' load: the daemon
does a bounded, tiny amount of work for its server. The database gauges of ``/metrics`` are
computed in the child.

The same socket tells the child when its parent is gone: a daemon that dies, even by SIGKILL,
closes its end, the child's next question gets EOF, and the child stops serving (no orphan).

Messages are JSON over :class:`multiprocessing.connection.Connection` framing; each carries an
id, so an answer that arrives after its question timed out is recognised and dropped. The first
message, from the daemon, is the pickled :class:`ChildSpec` (both ends are this program).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from newswatch.api.daemonview import DaemonStatus, DaemonView
from newswatch.config import Settings

logger = logging.getLogger(__name__)

_MAX_MESSAGE = 16 * 2**20
POLL_EVERY = 1.0  # seconds between two status questions
STALE_AFTER = 10.0  # seconds without an answer before /healthz says the daemon is stuck
ANSWER_TIMEOUT = 5.0
METRICS_TTL = 1.0


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """Everything the server child needs from its parent, sent as the first message."""

    settings: Settings
    alert_channels: tuple[str, ...]  # labels of the outbox gauge
    log_level: str
    log_json: bool
    nice: int


def answer(conn: Connection, view: DaemonView, counters: Callable[[], bytes]) -> None:
    """In the daemon: answer the child's questions until it hangs up (run in a thread)."""
    while True:
        try:
            request = json.loads(conn.recv_bytes(_MAX_MESSAGE))
            ask, ident = request.get("ask"), request.get("id")
            reply: dict[str, Any] = {"id": ident}
            if ask == "status":
                reply["status"] = view.status().to_json()
            elif ask == "counters":
                reply["counters"] = counters().decode("utf-8")
            else:
                reply["error"] = f"unknown question {ask!r}"
            conn.send_bytes(json.dumps(reply).encode("utf-8"))
        except (EOFError, OSError):
            return
        except (ValueError, AttributeError):  # a garbled message: say so, keep answering
            logger.warning("serve.bad_message", extra={"event": "serve_bad_message"})


class ParentGone(Exception):
    """The daemon closed its end of the channel."""


class ParentDaemon:
    """In the server child: the parent daemon seen through the channel (a :class:`DaemonView`)."""

    def __init__(
        self,
        conn: Connection,
        *,
        gauges: Callable[[], bytes],
        on_parent_gone: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._conn = conn
        self._gauges = gauges
        self._on_gone = on_parent_gone
        self._clock = clock
        self._lock = threading.Lock()
        self._next_id = 0
        self._closed = threading.Event()
        self._gone = False
        self._status: DaemonStatus | None = None
        self._status_at = clock()
        self._metrics: tuple[float, bytes] | None = None
        self._thread = threading.Thread(target=self._poll, name="daemon-status", daemon=True)

    def start(self) -> None:
        """Ask once now (so the first ``/healthz`` has an answer), then every second."""
        self._refresh()
        self._thread.start()

    def close(self) -> None:
        self._closed.set()

    def status(self) -> DaemonStatus:
        status, age = self._status, self._clock() - self._status_at
        if status is None or age > STALE_AFTER:
            return DaemonStatus(
                alive=False,
                detail=f"the daemon has not answered for {age:.0f}s",
                last_tick_at=status.last_tick_at if status else None,
                writes_ok=status.writes_ok if status else True,
                writes=status.writes if status else "unknown",
                pid=status.pid if status else 0,
            )
        return status

    def metrics(self) -> bytes:
        now = self._clock()
        cached = self._metrics
        if cached is not None and now - cached[0] < METRICS_TTL:
            return cached[1]
        counters = str(self._ask("counters")["counters"]).encode("utf-8")
        body = counters + self._gauges()
        self._metrics = (now, body)
        return body

    def _poll(self) -> None:
        while not self._closed.wait(POLL_EVERY):
            self._refresh()

    def _refresh(self) -> None:
        try:
            self._status = DaemonStatus.from_json(self._ask("status")["status"])
            self._status_at = self._clock()
        except TimeoutError:
            logger.warning(
                "the daemon did not answer its server within %.0fs",
                ANSWER_TIMEOUT,
                extra={"event": "serve_daemon_slow"},
            )
        except ParentGone:
            self._closed.set()

    def _ask(self, what: str) -> dict[str, Any]:
        with self._lock:
            if self._gone:
                raise ParentGone
            self._next_id += 1
            ident = self._next_id
            try:
                self._conn.send_bytes(json.dumps({"id": ident, "ask": what}).encode())
                deadline = self._clock() + ANSWER_TIMEOUT
                while True:
                    remaining = deadline - self._clock()
                    if remaining <= 0 or not self._conn.poll(remaining):
                        raise TimeoutError(what)
                    reply: dict[str, Any] = json.loads(self._conn.recv_bytes(_MAX_MESSAGE))
                    if reply.get("id") == ident:  # older ids: answers that came too late
                        return reply
            except TimeoutError:  # an OSError too, but the daemon is only slow
                raise
            except (EOFError, OSError):
                self._gone = True
        logger.warning(
            "the daemon is gone; its web server stops", extra={"event": "serve_parent_gone"}
        )
        self._on_gone()
        raise ParentGone
