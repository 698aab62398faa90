"""Checking now, and moving queued checks when the recheck tiers change.

``newswatch recheck`` and ``POST /api/recheck`` make chosen articles (one, an outlet's, all)
and, with ``everything``, every enabled source due at once; the daemon's next pass takes them.
When a daemon starts with other tiers, :func:`queued_checks` gives the scheduler what it
needs to work out each watched article's check under them, and :func:`move_checks` writes
the ones that come sooner (a check put later would only come once more at the old time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col

from storage.models import Article, Source, Version
from storage.outlets import outlet_clause
from storage.statements import ARTICLES


@dataclass(frozen=True, slots=True)
class RecheckTarget:
    """What to make due: one article (by id), an outlet's articles, or everything."""

    article_id: int | None = None
    outlet: str | None = None
    everything: bool = False


@dataclass(frozen=True, slots=True)
class RecheckResult:
    """How many articles and sources were made due."""

    articles: int
    sources: int


@dataclass(frozen=True, slots=True)
class QueuedCheck:
    """A watched article's scheduling facts: when it was born (published, else first seen),
    last changed and last checked, and when its next check is queued (``None``: never)."""

    article_id: int
    born: datetime
    last_changed_at: datetime | None
    last_checked_at: datetime
    next_check_at: datetime | None


def make_due(s: Session, target: RecheckTarget, *, now: datetime) -> RecheckResult:
    """Make the target's articles due at ``now`` (moved articles excepted: their history goes
    on at the URL they moved to); ``everything`` makes every enabled source due too."""
    stmt = update(Article).where(col(Article.moved_to_id).is_(None))
    if target.article_id is not None:
        stmt = stmt.where(col(Article.id) == target.article_id)
    elif target.outlet is not None:
        stmt = stmt.where(outlet_clause(target.outlet))
    elif not target.everything:
        return RecheckResult(articles=0, sources=0)
    articles = s.execute(stmt.values(next_check_at=now)).rowcount  # type: ignore[attr-defined]
    sources = 0
    if target.everything:
        sources = s.execute(
            update(Source)
            .where(col(Source.enabled))  # type: ignore[attr-defined]
            .values(next_check_at=now)
        ).rowcount
    return RecheckResult(articles=int(articles or 0), sources=int(sources or 0))


def queued_checks(s: Session, *, after: int = 0, limit: int | None = None) -> list[QueuedCheck]:
    """Every live article that has been checked, is not failing, and no daemon holds, in id
    order: those with an id above ``after``, at most ``limit`` of them.

    Churning articles are left out: their pace is the churn rule's (a day apart), not the tiers'.
    A large history is read a batch at a time (``after`` the last id of the one before): all
    at once, 100,000 watched articles took a starting daemon 77 MB above its resident size.
    """
    stmt = (
        sql_select(
            col(Article.id),
            col(Article.first_seen_at),
            col(Article.hint_published),
            col(Version.published),
            col(Article.last_changed_at),
            col(Article.last_checked_at),
            col(Article.next_check_at),
        )
        .outerjoin(Version, col(Version.id) == col(Article.current_version_id))
        .where(
            col(Article.status) == "live",
            col(Article.failures) == 0,
            col(Article.lease_owner).is_(None),
            col(Article.last_checked_at).is_not(None),
            col(Article.moved_to_id).is_(None),
            col(Article.churning_since).is_(None),
            col(Article.id) > after,
        )
        .order_by(col(Article.id))
        .limit(limit)
    )
    return [
        QueuedCheck(
            article_id=int(i),
            born=published or hinted or seen,
            last_changed_at=changed,
            last_checked_at=checked,
            next_check_at=due,
        )
        for i, seen, hinted, published, changed, checked, due in s.execute(stmt).all()
    ]


_MOVE_CHECK = (
    update(ARTICLES)
    .where(ARTICLES.c.id == bindparam("article_id"), ARTICLES.c.lease_owner.is_(None))
    .values(next_check_at=bindparam("when", type_=ARTICLES.c.next_check_at.type))
)


def move_checks(s: Session, moves: Mapping[int, datetime]) -> int:
    """Queue each article's next check at the given time, unless a daemon holds it now."""
    if moves:
        # One statement run for every article (executemany), not one compiled per article.
        s.flush()
        params = [{"article_id": i, "when": when} for i, when in moves.items()]
        s.connection().execute(_MOVE_CHECK, params)
    return len(moves)
