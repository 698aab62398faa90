"""What the web server knows about the daemon it serves for: its loop's liveness, whether its
writes succeed, and its Prometheus counters.

:class:`DaemonView` is the seam. :class:`LocalDaemon` reads a daemon in the same process (the
tests); the server child of ``newswatch run`` reads its parent through
:class:`newswatch.api.channel.ParentDaemon`. Either way ``/healthz`` and ``/metrics`` say the
same things.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from newswatch.runtime import Runtime


@dataclass(frozen=True, slots=True)
class DaemonStatus:
    """The daemon's health as ``/healthz`` reports it."""

    alive: bool  # its loop ticks
    detail: str  # "ticking", "no tick for more than 35s", ...
    last_tick_at: datetime | None
    writes_ok: bool  # no write failed within the last minute
    writes: str  # "ok", or "failing: <error> (last failure <time>)"
    pid: int

    @property
    def healthy(self) -> bool:
        return self.alive and self.writes_ok

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_tick_at"] = self.last_tick_at.isoformat() if self.last_tick_at else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DaemonStatus:
        tick = data.get("last_tick_at")
        return cls(
            alive=bool(data["alive"]),
            detail=str(data["detail"]),
            last_tick_at=datetime.fromisoformat(tick) if tick else None,
            writes_ok=bool(data["writes_ok"]),
            writes=str(data["writes"]),
            pid=int(data["pid"]),
        )


class DaemonView(Protocol):
    """A daemon seen from its web server."""

    def status(self) -> DaemonStatus:
        """Liveness and write health, answered without waiting on the daemon's loop."""

    def metrics(self) -> bytes:
        """The Prometheus exposition: the daemon's counters and the database's gauges."""


class LocalDaemon:
    """A daemon running in this process."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def status(self) -> DaemonStatus:
        return status_of(self._runtime)

    def metrics(self) -> bytes:
        return self._runtime.metrics.exposition()


def status_of(runtime: Runtime) -> DaemonStatus:
    """The status of the daemon ``runtime`` runs (called in the daemon's process)."""
    liveness = runtime.daemon.liveness()
    writes = runtime.db.write_health()
    return DaemonStatus(
        alive=liveness.alive,
        detail=liveness.detail,
        last_tick_at=liveness.last_tick_at,
        writes_ok=not writes.failing,
        writes=writes.detail,
        pid=os.getpid(),
    )
