"""New recheck tiers reach the articles already queued under the old ones.

Each article's next check was worked out when it was last checked, under the tiers of the
daemon that checked it. At start, a daemon works each watched article's check out again under
its own tiers and moves the ones that now come sooner (faster tiers, or a tier added past
the old last one); one that would come later is left: it is checked once more at the old
time, and from then on follows the new tiers.
"""

from __future__ import annotations

import logging
from datetime import datetime

import storage
from scheduler.policy import RecheckPolicy

logger = logging.getLogger(__name__)


def sooner_checks(rows: list[storage.QueuedCheck], policy: RecheckPolicy) -> dict[int, datetime]:
    """The articles whose check ``policy`` puts sooner than queued, with the new time."""
    moves: dict[int, datetime] = {}
    for row in rows:
        born = min(row.born, row.last_checked_at)  # a future date must not make it young
        due = policy.next_check(
            now=row.last_checked_at, born=born, last_changed=row.last_changed_at
        )
        if due is not None and (row.next_check_at is None or due < row.next_check_at):
            moves[row.article_id] = due
    return moves


# Articles read and moved at a time: a starting daemon holds one batch of a large history.
BATCH = 2_000


def reschedule_for_tiers(db: storage.Database, policy: RecheckPolicy, *, batch: int = BATCH) -> int:
    """Move the queued checks that ``policy`` puts sooner; return how many moved."""
    moved, after = 0, 0
    while True:
        with db.session() as session:
            rows = storage.queued_checks(session, after=after, limit=batch)
        moves = sooner_checks(rows, policy)
        if moves:
            with db.transaction() as session:
                moved += storage.move_checks(session, moves)
        if len(rows) < batch:
            break
        after = rows[-1].article_id
    if moved:
        logger.info(
            "recheck tiers moved checks sooner",
            extra={"event": "rechecks_rescheduled", "articles": moved},
        )
    return moved
