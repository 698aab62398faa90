"""What recording one article page writes, as values and a function of them.

The article step decides what a page is (fetched, read, judged, on the topic or not); what is
then written — a move to the page's own address, the version, its snapshot, a drastic change
held for a second look, the next check — is :func:`write_page`, given a :class:`PageWrite`
and the :class:`RecordingRules`, in the batch writer's transaction. Both are plain, picklable
values and the function is module-level: the write needs nothing of the article step (its
fetcher, its extraction), so it can be read, tested and run wherever a session is, on the
writer's thread today. (A recording process of its own was measured and was slower on two
cores: see the README's performance section.)
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

import storage
from scheduler.growth import churning_next_check
from scheduler.outcomes import ArticleOutcome, ArticleResult
from scheduler.policy import RecheckPolicy
from scraper import Validators

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecordingRules:
    """The rules a recording needs: when to look again, and how a drastic change is held."""

    policy: RecheckPolicy
    confirm_after: timedelta
    versions: storage.VersionLimits


@dataclass(frozen=True, slots=True, kw_only=True)
class PageWrite:
    """What recording one page writes, handed to the batch writer."""

    due: storage.DueArticle
    digest: storage.FieldsDigest  # the fields as stored, fingerprinted (scheduler.reading)
    snapshot: bytes | storage.PreparedSnapshot
    validators: Validators
    published: datetime | None
    now: datetime
    access: str
    move_to: str | None
    off_topic: bool


@dataclass(frozen=True, slots=True)
class Written:
    """A page recorded: storage's outcome, at the article's URL (a move's new one)."""

    url: str
    outcome: storage.Outcome


def write_page(
    rules: RecordingRules, write: PageWrite, session: Session
) -> ArticleOutcome | Written:
    """The recording's writes, in the batch writer's transaction (wherever that runs)."""
    due, now = write.due, write.now
    if write.move_to is not None:
        moved = _moved(session, due, write.move_to, now)
        if moved is None:
            return ArticleOutcome(ArticleResult.MOVED)
        due = moved
    if write.off_topic:
        mark_off_topic(session, due, now)
        return ArticleOutcome(ArticleResult.OFF_TOPIC)
    if _hold_if_drastic(rules, session, due, write.digest, now):
        return ArticleOutcome(ArticleResult.UNCONFIRMED)
    outcome = storage.record(
        session,
        article_id=due.id,
        fields=write.digest,
        snapshot=write.snapshot,
        fetched_at=now,
        etag=write.validators.etag,
        last_modified=write.validators.last_modified,
        access=write.access,
        limits=rules.versions,
        first_version=due.version_count == 0,
        # A new version makes the article young again: this is when to look next.
        if_recorded=storage.NextCheck(
            next_check(
                rules,
                dataclasses.replace(due, churning=False),
                now,
                last_changed=now,
                published=write.published,
            )
        ),
    )
    if not outcome.rescheduled:
        churning = outcome.kind == storage.OutcomeKind.CHURNING
        storage.reschedule_article(
            session,
            article_id=due.id,
            now=now,
            next_check_at=next_check(
                rules,
                dataclasses.replace(due, churning=churning),
                now,
                last_changed=due.last_changed_at,
                published=write.published,
            ),
        )
    return Written(due.url, outcome)


def next_check(
    rules: RecordingRules,
    due: storage.DueArticle,
    now: datetime,
    *,
    last_changed: datetime | None,
    published: datetime | None = None,
) -> datetime | None:
    """When to check the article again (``None``: never, it has aged out of every tier)."""
    born = published or due.published or due.first_seen_at
    # A future or absurd published date must not make an article "young" forever.
    born = min(born, now)
    when = rules.policy.next_check(now=now, born=born, last_changed=last_changed)
    if due.churning:
        return churning_next_check(when, now=now, limits=rules.versions)
    return when


def mark_off_topic(session: Session, due: storage.DueArticle, now: datetime) -> None:
    """A new article whose page is not on the topic: kept as such, and never checked again."""
    storage.mark_off_topic(session, article_id=due.id, now=now)
    storage.reschedule_article(session, article_id=due.id, next_check_at=None, now=now)


def _hold_if_drastic(
    rules: RecordingRules,
    session: Session,
    due: storage.DueArticle,
    digest: storage.FieldsDigest,
    now: datetime,
) -> bool:
    """Hold a drastic change seen for the first time; ``True`` if it was held."""
    if not due.version_count or rules.confirm_after <= timedelta(0):
        return False
    reason = storage.drastic_against_current(session, article_id=due.id, fields=digest.fields)
    if reason is None:
        return False
    new = digest.fingerprint
    if due.pending_fingerprint == new:
        logger.info(
            "drastic change confirmed",
            extra={"event": "change_confirmed", "url": due.url, "reason": reason},
        )
        return False
    storage.hold_change(session, article_id=due.id, fingerprint=new, reason=reason, now=now)
    storage.reschedule_article(
        session, article_id=due.id, now=now, next_check_at=now + rules.confirm_after
    )
    logger.info(
        "drastic change held until seen again",
        extra={
            "event": "change_held",
            "url": due.url,
            "reason": reason,
            "again_in": rules.confirm_after.total_seconds(),
        },
    )
    return True


def _moved(
    session: Session, due: storage.DueArticle, identity: str, now: datetime
) -> storage.DueArticle | None:
    """The page lives at ``identity`` (a redirect, a same-site canonical, an AMP page).

    Returns the article to record this page into, or ``None`` when another article with
    its own history already owns that URL (it keeps its own schedule).
    """
    outcome = storage.record_moved(session, article_id=due.id, new_url=identity, now=now)
    logger.info(
        "article moved",
        extra={"event": "moved", "url": due.url, "to": identity, "article_id": outcome.article_id},
    )
    if outcome.article_id != due.id:
        return None
    return dataclasses.replace(due, url=identity)
