"""Core statements for the hot paths (a recheck, a 304, a reschedule), built once.

Every check of every watched article runs these, so they skip the ORM: no object is loaded,
and a statement built once at import compiles once per engine (SQLAlchemy caches the compiled
form by the statement's structure), leaving one driver call each. What the ORM would have done
for free is done by hand: an ``Article`` that the session happens to hold is brought up to date
with the values written (:func:`sync_loaded`), so no caller ever reads a stale row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, func, inspect, or_, select, text, update
from sqlalchemy.orm import Mapper, attributes
from sqlmodel import Session

from storage.models import Article, Version

ARTICLES = Article.__table__  # type: ignore[attr-defined]
VERSIONS = Version.__table__  # type: ignore[attr-defined]
# Looked up once: Session.identity_key() inspects the class on every call.
_ARTICLE_MAPPER: Mapper[Article] = inspect(Article)

# The article's current fingerprint, locking the article row (PostgreSQL; on SQLite the
# transaction's BEGIN IMMEDIATE already holds the write lock). An outer join, so an article
# with no version yet still answers (with NULLs) and a missing one answers nothing.
CURRENT_STATE = (
    select(
        ARTICLES.c.current_version_id,
        VERSIONS.c.fingerprint,
        VERSIONS.c.number,
        ARTICLES.c.churning_since,
    )
    .select_from(ARTICLES.outerjoin(VERSIONS, VERSIONS.c.id == ARTICLES.c.current_version_id))
    .where(ARTICLES.c.id == bindparam("article_id"))
    .with_for_update(of=ARTICLES)
)

# A successful check that found nothing new, if the current version has this fingerprint:
# the recheck in one statement (the UPDATE takes the row lock on PostgreSQL), answering the
# current version's number, or no row when the article changed (or does not exist). Only the
# start of the versions row is read for the number: the body after it stays on disk. A
# churning article answers no row either: whether it has settled is storage.churn's to say.
_SHOWN = VERSIONS.alias("shown")
TOUCH_IF_UNCHANGED = (
    update(ARTICLES)
    .where(
        ARTICLES.c.id == bindparam("article_id"),
        ARTICLES.c.current_fingerprint == bindparam("fingerprint"),
        ARTICLES.c.churning_since.is_(None),
    )
    .values(
        last_checked_at=bindparam("now", type_=ARTICLES.c.last_checked_at.type),
        failures=0,
        edit_streak=0,
        last_error=None,
        status="live",
        gone_at=None,
        # The article is as it was: a drastic change seen once was a glitch after all.
        pending_fingerprint=None,
        pending_since=None,
        pending_reason=None,
        # NULL validators keep the stored ones.
        etag=func.coalesce(bindparam("etag", type_=ARTICLES.c.etag.type), ARTICLES.c.etag),
        last_modified=func.coalesce(
            bindparam("last_modified", type_=ARTICLES.c.last_modified.type),
            ARTICLES.c.last_modified,
        ),
    )
    .returning(
        # SQLite renders RETURNING columns unqualified: "id" then means the subquery's own
        # (innermost scope), "current_version_id" the article's (only articles has one).
        select(_SHOWN.c.number)
        .where(_SHOWN.c.id == ARTICLES.c.current_version_id)
        .scalar_subquery()
    )
)

# The same, and the article's next check set and its lease released: the worker's recheck that
# found nothing new, in one statement instead of two (every watched article takes this path).
TOUCH_IF_UNCHANGED_AND_RESCHEDULE = TOUCH_IF_UNCHANGED.values(
    next_check_at=bindparam("next_check_at", type_=ARTICLES.c.next_check_at.type),
    lease_owner=None,
    lease_until=None,
)

# A 304 Not Modified: checked and unchanged (which ends a streak of edits, see storage.churn);
# status and validators stay as they are.
TOUCH_NOT_MODIFIED = (
    update(ARTICLES)
    .where(ARTICLES.c.id == bindparam("article_id"))
    .values(
        last_checked_at=bindparam("now", type_=ARTICLES.c.last_checked_at.type),
        failures=0,
        edit_streak=0,
        last_error=None,
    )
    .returning(ARTICLES.c.version_count)
)

# Many 304s at once (an executemany): checked, unchanged, rescheduled and released. Nothing is
# returned, so a missing article (forgotten meanwhile) is simply not touched.
NOT_MODIFIED_AND_RESCHEDULE = (
    update(ARTICLES)
    .where(ARTICLES.c.id == bindparam("article_id"))
    .values(
        last_checked_at=bindparam("now", type_=ARTICLES.c.last_checked_at.type),
        failures=0,
        edit_streak=0,
        last_error=None,
        next_check_at=bindparam("next_check_at", type_=ARTICLES.c.next_check_at.type),
        lease_owner=None,
        lease_until=None,
    )
)

# The same on PostgreSQL as one statement over arrays: psycopg's executemany sends a query
# per row (pipelined), each bound, sent and planned on its own.
NOT_MODIFIED_AND_RESCHEDULE_ARRAYS = text(
    "UPDATE articles SET last_checked_at = batch.checked_at, failures = 0, last_error = NULL,"
    " edit_streak = 0, next_check_at = batch.next_check_at, lease_owner = NULL, lease_until = NULL"
    " FROM unnest(CAST(:ids AS integer[]), CAST(:checked AS timestamptz[]),"
    " CAST(:next AS timestamptz[])) AS batch(id, checked_at, next_check_at)"
    " WHERE articles.id = batch.id"
)

# Claiming due articles: the columns a check needs (no ORM object for each of the batch),
# locked on PostgreSQL with SKIP LOCKED so several daemons never claim the same row; OF
# articles because PostgreSQL cannot lock the nullable side of an outer join.
_DUE_AT = ARTICLES.c.next_check_at.type
CLAIM_DUE_ARTICLES = (
    select(
        ARTICLES.c.id,
        ARTICLES.c.url,
        ARTICLES.c.source_id,
        ARTICLES.c.etag,
        ARTICLES.c.last_modified,
        ARTICLES.c.first_seen_at,
        ARTICLES.c.last_changed_at,
        ARTICLES.c.hint_published,
        ARTICLES.c.version_count,
        ARTICLES.c.full_chars,
        ARTICLES.c.pending_fingerprint,
        ARTICLES.c.churning_since,
        VERSIONS.c.published,
    )
    .select_from(ARTICLES.outerjoin(VERSIONS, VERSIONS.c.id == ARTICLES.c.current_version_id))
    .where(
        ARTICLES.c.next_check_at.is_not(None),
        ARTICLES.c.next_check_at <= bindparam("now", type_=_DUE_AT),
        or_(
            ARTICLES.c.lease_until.is_(None),
            ARTICLES.c.lease_until <= bindparam("now", type_=_DUE_AT),
        ),
    )
    .order_by(ARTICLES.c.next_check_at, ARTICLES.c.id)
    .limit(bindparam("limit", type_=Integer))
    .with_for_update(skip_locked=True, of=ARTICLES)
)

LEASE_ARTICLES = (
    update(ARTICLES)
    .where(ARTICLES.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        lease_owner=bindparam("owner", type_=ARTICLES.c.lease_owner.type),
        lease_until=bindparam("until", type_=ARTICLES.c.lease_until.type),
    )
)

RESCHEDULE = (
    update(ARTICLES)
    .where(ARTICLES.c.id == bindparam("article_id"))
    .values(
        next_check_at=bindparam("next_check_at", type_=ARTICLES.c.next_check_at.type),
        lease_owner=None,
        lease_until=None,
    )
)


# (current_version_id, its fingerprint, its number, churning_since) of an article.
CurrentState = tuple[int | None, str | None, int | None, datetime | None]


def current_state(s: Session, article_id: int) -> CurrentState | None:
    """(current_version_id, fingerprint, number, churning_since) of a locked article;
    ``None``: no article."""
    row = s.connection().execute(CURRENT_STATE, {"article_id": article_id}).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def sync_loaded(s: Session, article_id: int, values: dict[str, Any]) -> None:
    """Give an ``Article`` this session already holds the values just written by Core SQL.

    The values become the object's committed state, so a later flush does not write them again.
    """
    if not s.identity_map:  # the batch writer's session holds no object: the usual case
        return
    loaded = s.identity_map.get(_ARTICLE_MAPPER.identity_key_from_primary_key((article_id,)))
    if loaded is None:
        return
    for name, value in values.items():
        attributes.set_committed_value(loaded, name, value)
