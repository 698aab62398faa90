"""Recording what a fetch found: a new version (with its snapshot, classes and alert) or a touch.

Everything is written in the caller's transaction, so a version, its snapshot, its search
entry, its story placement and its alert are committed together or not at all. The article row
is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
holds the write lock), so two daemons recording the same article one after the other store one
version, not two: the second one compares against the first one's version and finds no change.

"Edited or not" compares *normalised* fields (``storage.fingerprint``), never raw HTML. The fast
path is a fingerprint match against the current version: an unchanged recheck is one UPDATE
by primary key that checks the article's copy of that fingerprint, and no text work
(:func:`record_if_unchanged`, which the daemon tries first). Only when fingerprints differ are
the fields compared afresh, so improving the normalisation never turns old versions into edits.

A new version writes the article row once: every change to it (validators, counts, current
version, story) waits in the session for one flush, and the story is created with a Core
INSERT so that its flush does not write the article early.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from storage.alerts import CoverageDetail, EditDetail, StorySize
from storage.article_core import assign, lock_article_row, write_article_row
from storage.churn import DayUse, churn_reason, day_use, start_churning, still_churning
from storage.diff import summarise_changes
from storage.digest import FieldsDigest, digest_fields
from storage.exceptions import NotFound
from storage.fingerprint import changed_fields
from storage.lifecycle import (
    locked_article,
    log_fetch,
    log_fetches,
    mark_off_topic,
    record_failure,
    record_gone,
    record_not_modified,
    record_not_modified_many,
    touch,
)
from storage.limits import VersionLimits
from storage.models import Article, Version
from storage.outbox import queue_article_alert
from storage.packing import PreparedSnapshot
from storage.searchindex import search_rows_last
from storage.similarity_rows import similarity_rows_last
from storage.snapshots import store_snapshot
from storage.statements import (
    TOUCH_IF_UNCHANGED,
    TOUCH_IF_UNCHANGED_AND_RESCHEDULE,
    CurrentState,
    current_state,
    sync_loaded,
)
from storage.syndication import Placement, place_article, story_info
from storage.types import AlertKind, ArticleFields, Outcome, OutcomeKind, StoryInfo
from storage.utc import as_utc
from storage.versions import Appended, append_version, repeats_earlier_change

logger = logging.getLogger(__name__)

__all__ = [
    "NextCheck",
    "index_rows_last",
    "log_fetch",
    "log_fetches",
    "mark_off_topic",
    "record",
    "record_failure",
    "record_gone",
    "record_if_unchanged",
    "record_not_modified",
    "record_not_modified_many",
]


def record(
    s: Session,
    *,
    article_id: int,
    fields: ArticleFields | FieldsDigest,
    snapshot: bytes | PreparedSnapshot | None,
    fetched_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    access: str = "full",
    limits: VersionLimits | None = None,
    first_version: bool = False,
    if_recorded: NextCheck | None = None,
    alert: bool = True,
) -> Outcome:
    """Record one successful fetch: a new version and alert if it changed, else a touch.

    ``etag``/``last_modified`` of ``None`` keep the stored validators. Rescheduling is left to
    the caller (the daemon tries :func:`record_if_unchanged` first, which also reschedules).
    ``access="teaser"``: the visible part of a paywalled article (the daemon records a teaser
    only while no full text was ever seen). The first full text after teasers is recorded as
    ``unlocked``, without an alert: the article did not change, the wall opened.
    With ``limits``, an article that changes on every visit stops being versioned (the
    outcome is then ``CHURNING``, see ``storage.churn``) and the day's snapshot bytes are capped.

    Two hints save a statement each: ``first_version``, the caller saw no version of the
    article (when another process has recorded one since, it is read as usual), and
    ``if_recorded``, the next check to set if a version is recorded (written with the article's
    other changes, and the lease released: the outcome then says ``rescheduled``).
    ``alert=False`` records the version without queuing its alert (a backfill of the past).
    ``fields`` may come digested (:func:`storage.digest_fields`: the daemon's extraction
    process fingerprints and signs them beside it); plain fields are digested here.
    """
    digest = fields if isinstance(fields, FieldsDigest) else digest_fields(fields)
    fields, new_fingerprint = digest.fields, digest.fingerprint
    # A new article, as the caller expected: its row, read by Core, says all current_state
    # would, and is written back by Core (storage.article_core). Otherwise the ORM path below.
    # (A churning article has versions: the ORM path handles the rare one that has none.)
    row = lock_article_row(s, article_id) if first_version else None
    fresh = row.article if row is not None else None
    if fresh is not None and fresh.current_version_id is None and fresh.churning_since is None:
        loaded: Article | None = fresh
        state: CurrentState | None = (None, None, None, None)
    else:
        row = loaded = None
        state = current_state(s, article_id)  # locks the row, as the full path needs
    if state is None:
        raise NotFound("article", article_id)
    current_id, stored, number, churning_since = state
    if current_id is not None and number is None:
        # PostgreSQL: this SELECT waited for another recording of the article to commit, and
        # re-read the locked row but not the version it joins (READ COMMITTED re-checks only
        # the locked row). The lock is ours now: a second read sees that version.
        state = current_state(s, article_id)
        assert state is not None  # the row is locked: nobody can have deleted it since
        current_id, stored, number, churning_since = state
    if limits is not None and churning_since is not None:
        churning = _check_churning(
            s, article_id, new_fingerprint, fetched_at, etag, last_modified, limits, number
        )
        if churning is not None:
            return churning
    if current_id is not None and stored == new_fingerprint:
        quick = _unchanged_quickly(s, article_id, new_fingerprint, fetched_at, etag, last_modified)
        if quick is not None:
            return quick
    article = loaded if loaded is not None else locked_article(s, article_id)
    current = None
    if current_id is not None:
        assert number is not None  # read again above until the join found the version
        if stored == new_fingerprint:
            # The article's copy of the fingerprint was missing or stale: repair it.
            article.current_fingerprint = new_fingerprint
            return _unchanged(s, article, number, fetched_at, etag, last_modified)
        current = s.get(Version, current_id)
        assert current is not None
        # Fingerprints differ: compare the fields afresh, so that an improved normalisation
        # (which changes fingerprints) never turns an old version into an edit. The article
        # then keeps the new fingerprint, so the next recheck takes the quick path again.
        if not changed_fields(current, fields):
            article.current_fingerprint = new_fingerprint
            return _unchanged(s, article, number, fetched_at, etag, last_modified)
    if limits is not None and current is not None:
        used = day_use(s, article_id=article_id, now=fetched_at)
        reason = churn_reason(article, used, limits)
        if reason is not None:
            _touch_live(article, fetched_at, etag, last_modified)
            alert_id = start_churning(
                s,
                article,
                fingerprint=new_fingerprint,
                reason=reason,
                used=used,
                fetched_at=fetched_at,
                limits=limits,
            )
            return Outcome(OutcomeKind.CHURNING, article_id, number, alert_id=alert_id)
        snapshot = _within_budget(snapshot, used, limits, article_id)

    # The rows below are written with the article's own changes left pending until the one
    # flush before the alert: the article row is UPDATEd once, not once per step.
    sha = store_snapshot(s, snapshot, now=fetched_at) if snapshot else None
    unlocked = access == "full" and current is not None and article.full_chars is None
    appended = append_version(
        s,
        article=article,
        fields=fields,
        previous=current,
        fetched_at=fetched_at,
        snapshot_sha256=sha,
        known_fingerprint=new_fingerprint,
        access=access,
        extra_classes=("unlocked",) if unlocked else (),
    )
    version = appended.version
    _note_access(article, access, fields)
    placement = None
    if article.story_id is None:
        placement = place_article(
            s,
            article=article,
            signature=digest.body_signature(),
            title=fields.title,
            now=fetched_at,
        )
    _touch_live(article, fetched_at, etag, last_modified)
    changes: dict[str, Any] = {"last_changed_at": fetched_at}
    if version.kind != "update":  # a live blog growing is not churn (storage.churn)
        changes["edit_streak"] = article.edit_streak + 1
    if if_recorded is not None:
        changes |= {"next_check_at": if_recorded.at, "lease_owner": None, "lease_until": None}
    assign(article, **changes)
    if row is not None:
        write_article_row(s, row)
    else:
        s.add(article)
    s.flush()

    kind = OutcomeKind.NEW if current is None else OutcomeKind.EDITED
    alert_id = None
    if (
        alert
        and not unlocked
        and (
            version.reverts is None
            or not repeats_earlier_change(s, article_id=article_id, version=version)
        )
    ):
        alert_id = _queue(s, article, appended, fields, placement, now=fetched_at)
    logger.debug(
        "version recorded",
        extra={
            "event": "version_recorded",
            "article_id": article_id,
            "version": version.number,
            "kind": version.kind,
            "classes": version.classes,
            "reverts": version.reverts,
            "alerted": alert_id is not None,
        },
    )
    return Outcome(
        kind,
        article_id,
        version.number,
        changed_fields=tuple(version.changed_fields),
        words_added=version.words_added,
        words_removed=version.words_removed,
        alert_id=alert_id,
        classes=tuple(version.classes),
        reverts=version.reverts,
        story_id=article.story_id,
        rescheduled=if_recorded is not None,
    )


@contextmanager
def index_rows_last(s: Session) -> Iterator[None]:
    """Hold the search and similarity index rows of the recordings in the block, and write
    them together when it ends: a batch of pages then writes them in a few statements, not a
    few per page (see ``storage.searchindex`` and ``storage.similarity_rows``). Nothing in the
    block may search what it recorded, but story placement sees the batch's own articles."""
    with search_rows_last(s), similarity_rows_last(s):
        yield


@dataclass(frozen=True, slots=True)
class NextCheck:
    """When to check an article next (``at=None``: never again)."""

    at: datetime | None


def _note_access(article: Article, access: str, fields: ArticleFields) -> None:
    """What the new version says about the article's wall, and that nothing is on hold now."""
    wall = {"paywalled": True} if access == "teaser" else {"full_chars": len(fields.body)}
    assign(article, pending_fingerprint=None, pending_since=None, pending_reason=None, **wall)


def _within_budget(
    snapshot: bytes | PreparedSnapshot | None,
    used: DayUse,
    limits: VersionLimits,
    article_id: int,
) -> bytes | PreparedSnapshot | None:
    """The snapshot, or ``None`` when it would overrun the article's snapshot bytes for the day
    (the version is kept all the same: its text is what readers saw)."""
    size = snapshot.size if isinstance(snapshot, PreparedSnapshot) else len(snapshot or b"")
    if snapshot and used.snapshot_bytes + size > limits.snapshot_bytes_per_day:
        logger.info(
            "snapshot not kept: the article's snapshot bytes for the day are spent",
            extra={
                "event": "snapshot_over_budget",
                "article_id": article_id,
                "bytes": size,
                "bytes_today": used.snapshot_bytes,
            },
        )
        return None
    return snapshot


def _check_churning(
    s: Session,
    article_id: int,
    new_fingerprint: str,
    fetched_at: datetime,
    etag: str | None,
    last_modified: str | None,
    limits: VersionLimits,
    number: int | None,
) -> Outcome | None:
    """A check of a churning article: ``CHURNING`` (checked, nothing recorded), or ``None``
    when its text has settled and this fetch is to be recorded as usual."""
    article = locked_article(s, article_id)
    churning = still_churning(
        article, fingerprint=new_fingerprint, fetched_at=fetched_at, limits=limits
    )
    if churning:
        _touch_live(article, fetched_at, etag, last_modified)
    s.add(article)
    # Settled: the row must say so before the quick path's UPDATE (which skips churning rows).
    s.flush()
    return Outcome(OutcomeKind.CHURNING, article_id, number) if churning else None


def record_if_unchanged(
    conn: Connection,
    *,
    article_id: int,
    fields: ArticleFields | FieldsDigest,
    fetched_at: datetime,
    next_check_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Outcome | None:
    """The recheck that found the article as it was: touch, reschedule and release it.

    One UPDATE on a Core connection (:meth:`storage.Database.write_connection`), no session:
    most checks of a watched article end here. ``None`` when the article changed (or is new,
    or gone from the database): then :func:`record` must decide, in a transaction of its own.
    """
    digest = fields if isinstance(fields, FieldsDigest) else digest_fields(fields)
    params = _touch_params(article_id, digest.fingerprint, fetched_at, etag, last_modified)
    params["next_check_at"] = next_check_at
    number = conn.execute(TOUCH_IF_UNCHANGED_AND_RESCHEDULE, params).scalar_one_or_none()
    if number is None:
        return None
    return Outcome(OutcomeKind.UNCHANGED, article_id, number, rescheduled=True)


def _touch_params(
    article_id: int,
    new_fingerprint: str,
    fetched_at: datetime,
    etag: str | None,
    last_modified: str | None,
) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "fingerprint": new_fingerprint,
        "now": fetched_at,
        "etag": etag,
        "last_modified": last_modified,
    }


def _unchanged_quickly(
    s: Session,
    article_id: int,
    new_fingerprint: str,
    fetched_at: datetime,
    etag: str | None,
    last_modified: str | None,
) -> Outcome | None:
    """The recheck that found nothing new: one UPDATE by primary key, no ORM object.

    Most checks of a watched article find it unchanged, so this path is what bounds how many
    articles one daemon can watch. ``None``: the article changed (or is new, or missing).
    """
    params = _touch_params(article_id, new_fingerprint, fetched_at, etag, last_modified)
    number = s.connection().execute(TOUCH_IF_UNCHANGED, params).scalar_one_or_none()
    if number is None:
        return None
    values: dict[str, Any] = {
        "last_checked_at": as_utc(fetched_at),
        "failures": 0,
        "edit_streak": 0,
        "last_error": None,
        "status": "live",
        "gone_at": None,
    }
    if etag is not None:
        values["etag"] = etag
    if last_modified is not None:
        values["last_modified"] = last_modified
    sync_loaded(s, article_id, values)
    return Outcome(OutcomeKind.UNCHANGED, article_id, number)


def _touch_live(
    article: Article, fetched_at: datetime, etag: str | None, last_modified: str | None
) -> None:
    touch(article, now=fetched_at, etag=etag, last_modified=last_modified)
    assign(article, status="live", gone_at=None)


def _unchanged(
    s: Session,
    article: Article,
    number: int,
    fetched_at: datetime,
    etag: str | None,
    last_modified: str | None,
) -> Outcome:
    _touch_live(article, fetched_at, etag, last_modified)
    article.edit_streak = 0
    s.add(article)
    s.flush()
    assert article.id is not None
    return Outcome(OutcomeKind.UNCHANGED, article.id, number)


def _queue(
    s: Session,
    article: Article,
    appended: Appended,
    fields: ArticleFields,
    placement: Placement | None,
    *,
    now: datetime,
) -> int:
    """Queue the alert for a new version: ``new``, ``edited`` or ``update`` (live blogs)."""
    assert article.id is not None
    version = appended.version
    # New coverage is where the story's size matters; an edit's alert names the story only.
    info = None
    if placement is not None and placement.role == "first":
        # A story this transaction just opened: its one article is this one (nobody else can
        # see it before the commit), so there is nothing to count.
        info = StoryInfo(id=placement.story_id, title=fields.title, articles=1, outlets=1)
    elif article.story_id and version.number == 1:
        info = story_info(s, article.story_id)
    edit = None
    if version.number > 1:
        edit = EditDetail(
            changes=tuple(summarise_changes(appended.diffs)),
            words_added=version.words_added,
            words_removed=version.words_removed,
            reverts=version.reverts,
        )
    detail = CoverageDetail(
        site_name=fields.site_name,
        published=fields.published,
        story_role=article.story_role,
        story=StorySize(outlets=info.outlets, articles=info.articles) if info else None,
        edit=edit,
    )
    kind: AlertKind = (
        "new" if version.number == 1 else ("update" if version.kind == "update" else "edited")
    )
    return queue_article_alert(
        s, kind=kind, article=article, version=version, detail=detail, now=now
    )
