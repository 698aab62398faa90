"""The fetch log: every HTTP attempt (robots.txt included) and every robots.txt refusal.

The polite fetcher reports each :class:`scraper.polite.Attempt` to an observer; this one writes
it to ``storage.log_fetches``, in short transactions of their own, so the log survives even
when the work item that caused the request later fails.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import storage
from scheduler.metrics import Metrics
from scraper.polite import Attempt
from scraper.verdicts import Verdict

logger = logging.getLogger(__name__)


class FetchRecorder:
    """An observer for :class:`scraper.polite.PoliteFetcher` that writes the fetch log.

    Attempts are buffered and written together: the worker takes them (:meth:`take`) at each
    batch claim and at the end of a pass, and writes them in the same transaction as its 304s;
    :meth:`flush` writes them on its own (at shutdown, and when the buffer fills). One
    transaction per fetch was a fifth of the cost of a 304 recheck. A crash loses at most one
    batch of log lines, never a version or an alert.
    """

    def __init__(
        self, db: storage.Database, metrics: Metrics | None = None, *, buffer: int = 200
    ) -> None:
        self._db = db
        self._metrics = metrics
        self._buffer = buffer
        self._pending: list[Attempt] = []
        # Verdicts on buffered attempts (by index), and on attempts already written.
        self._verdicts: dict[int, Verdict] = {}
        self._late: list[storage.FetchEntry] = []

    def take(self) -> list[storage.FetchEntry]:
        """Hand over the buffered attempts, for a caller that writes them in its own
        transaction (the worker, together with its 304s and its next claim)."""
        pending, self._pending = self._pending, []
        verdicts, self._verdicts = self._verdicts, {}
        late, self._late = self._late, []
        entries = []
        for index, a in enumerate(pending):
            verdict = verdicts.get(index)
            entries.append(
                storage.FetchEntry(
                    url=a.url,
                    at=a.at,
                    status=a.status,
                    bytes=a.bytes,
                    elapsed=a.elapsed,
                    error_kind=a.error_kind,
                    message=verdict.describe() if verdict is not None else a.message,
                    verdict=verdict.kind if verdict is not None else None,
                    outlet=storage.article_host(a.url),
                )
            )
        return entries + late

    def judge(self, url: str, verdict: Verdict) -> None:
        """Mark the last request for ``url`` with what its page turned out to be (a wall, a
        teaser…); written as a line of its own if that request's line is already stored."""
        for index in range(len(self._pending) - 1, -1, -1):
            attempt = self._pending[index]
            if attempt.url == url and not attempt.robots:
                self._verdicts[index] = verdict
                return
        self._late.append(
            storage.FetchEntry(
                url=url,
                at=datetime.now(UTC),
                status=None,
                bytes=0,
                elapsed=0.0,
                message=verdict.describe(),
                verdict=verdict.kind,
                outlet=storage.article_host(url),
            )
        )

    def flush(self) -> None:
        """Write every buffered attempt in one transaction."""
        entries = self.take()
        if not entries:
            return
        with self._db.transaction() as session:
            storage.log_fetches(session, entries)

    def __call__(self, attempt: Attempt) -> None:
        logger.debug(
            "fetched",
            extra={
                "event": "fetch",
                "url": attempt.url,
                "status": attempt.status,
                "bytes": attempt.bytes,
                "elapsed": round(attempt.elapsed, 4),
                "error_kind": attempt.error_kind,
            },
        )
        if self._metrics is not None:
            self._metrics.fetches.labels(str(attempt.status or ""), attempt.error_kind or "").inc()
        self._pending.append(attempt)
        if len(self._pending) >= self._buffer:
            self.flush()
