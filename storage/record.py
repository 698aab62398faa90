"""Recording what a fetch found: new versions, unchanged checks, gone pages, failures.

Everything is written in the caller's transaction, so a version, its snapshot and its alert are
committed together or not at all. The decision "edited or not" compares the *normalised* fields
of the current version with the new ones (``storage.fingerprint``), never raw HTML, and it is
made afresh each time, so improving the normalisation never turns old versions into edits.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from storage.diff import count_words, field_diff, ops_to_json, summarise_changes
from storage.exceptions import NotFound
from storage.fingerprint import FIELDS, changed_fields, fingerprint
from storage.models import Article, FetchLog, Version
from storage.outbox import queue_alert
from storage.snapshots import store_snapshot
from storage.types import ArticleFields, DiffOp, Outcome, OutcomeKind

logger = logging.getLogger(__name__)

_ERROR_CHARS = 2000


def record(
    s: Session,
    *,
    article_id: int,
    fields: ArticleFields,
    snapshot: bytes | None,
    fetched_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Outcome:
    """Record one successful fetch: a new version and alert if it changed, else a touch.

    ``etag``/``last_modified`` of ``None`` keep the stored validators.
    """
    article = _locked_article(s, article_id)
    fields = _without_nul(fields)
    current = s.get(Version, article.current_version_id) if article.current_version_id else None
    _touch(article, now=fetched_at, etag=etag, last_modified=last_modified)
    article.status, article.gone_at = "live", None

    changed = changed_fields(current, fields) if current is not None else FIELDS
    if current is not None and not changed:
        s.add(article)
        s.flush()
        return Outcome(OutcomeKind.UNCHANGED, article_id, current.number)

    diffs: dict[str, list[DiffOp]] = {}
    if current is not None:
        diffs = {f: field_diff(f, getattr(current, f), getattr(fields, f)) for f in changed}
    added = sum(count_words(ops)[0] for ops in diffs.values())
    removed = sum(count_words(ops)[1] for ops in diffs.values())
    version = Version(
        article_id=article_id,
        number=article.version_count + 1,
        fetched_at=fetched_at,
        title=fields.title,
        subtitle=fields.subtitle,
        body=fields.body,
        authors=list(fields.authors),
        published=fields.published,
        modified=fields.modified,
        language=fields.language,
        canonical_url=fields.canonical_url,
        fingerprint=fingerprint(fields),
        snapshot_sha256=store_snapshot(s, snapshot, now=fetched_at) if snapshot else None,
        # Version 1 has nothing to be compared with: no changed fields, no diff.
        changed_fields=list(changed) if current is not None else [],
        words_added=added,
        words_removed=removed,
        diff={f: ops_to_json(ops) for f, ops in diffs.items()},
    )
    s.add(version)
    s.flush()
    assert version.id is not None
    article.version_count = version.number
    article.current_version_id = version.id
    article.title = fields.title
    article.last_changed_at = fetched_at
    s.add(article)

    kind = OutcomeKind.NEW if current is None else OutcomeKind.EDITED
    payload = _payload(article, version) | {
        "site_name": fields.site_name,
        "published": fields.published.isoformat() if fields.published else None,
    }
    if kind is OutcomeKind.EDITED:
        payload |= {
            "changes": summarise_changes(diffs),
            "words_added": added,
            "words_removed": removed,
        }
    alert_id = queue_alert(
        s,
        kind="new" if kind is OutcomeKind.NEW else "edited",
        article_id=article_id,
        version_id=version.id,
        payload=payload,
        now=fetched_at,
    )
    logger.info(
        "record.version",
        extra={"article_id": article_id, "version": version.number, "kind": str(kind)},
    )
    return Outcome(
        kind,
        article_id,
        version.number,
        changed_fields=tuple(version.changed_fields),
        words_added=added,
        words_removed=removed,
        alert_id=alert_id,
    )


def record_not_modified(s: Session, *, article_id: int, now: datetime) -> Outcome:
    """Record a 304 Not Modified: the article was checked and is unchanged."""
    article = _locked_article(s, article_id)
    _touch(article, now=now)
    s.add(article)
    s.flush()
    return Outcome(OutcomeKind.UNCHANGED, article_id, article.version_count or None)


def record_gone(s: Session, *, article_id: int, status: int, now: datetime) -> Outcome:
    """Record a 404/410. The first time a published article goes, queue a "gone" alert.

    An article that never had a version (a dead link from a feed) goes quietly: the user was
    never told about it, so its disappearance is not news. A gone article that comes back is
    made live again by :func:`record`, and may then go (and alert) again.
    """
    article = _locked_article(s, article_id)
    _touch(article, now=now)
    already_gone = article.status == "gone"
    article.status = "gone"
    if not already_gone:
        article.gone_at = now
    s.add(article)
    s.flush()
    alert_id = None
    if not already_gone and article.version_count > 0:
        payload = _payload(article, None) | {"status": status}
        alert_id = queue_alert(
            s,
            kind="gone",
            article_id=article_id,
            version_id=article.current_version_id,
            payload=payload,
            now=now,
        )
    return Outcome(OutcomeKind.GONE, article_id, article.version_count or None, alert_id=alert_id)


def record_failure(
    s: Session, *, article_id: int, error_kind: str, message: str, now: datetime
) -> int:
    """Count a failed check (network error, 5xx, unparseable page); return the failure streak.

    The streak (1 for the first failure in a row) is what back-off policies need.
    """
    article = _locked_article(s, article_id)
    article.failures += 1
    article.last_error = f"{error_kind}: {message}"[:_ERROR_CHARS]
    article.last_checked_at = now
    if article.status == "pending":
        # Never fetched successfully: say so; a live article stays live through outages.
        article.status = "failed"
    s.add(article)
    s.flush()
    return article.failures


def mark_off_topic(s: Session, *, article_id: int, now: datetime) -> None:
    """Mark an article whose content does not match the story's topic."""
    article = _locked_article(s, article_id)
    _touch(article, now=now)
    article.status = "off_topic"
    s.add(article)
    s.flush()


def log_fetch(
    s: Session,
    *,
    url: str,
    at: datetime,
    status: int | None,
    bytes: int,
    elapsed: float,
    error_kind: str | None = None,
    message: str | None = None,
) -> None:
    """Append one line to the fetch log."""
    s.add(
        FetchLog(
            url=url,
            at=at,
            status=status,
            bytes=bytes,
            elapsed=elapsed,
            error_kind=error_kind,
            message=message[:_ERROR_CHARS] if message else None,
        )
    )
    s.flush()


def _locked_article(s: Session, article_id: int) -> Article:
    """Load the article for update (a row lock on PostgreSQL; SQLite already holds the lock)."""
    stmt = (
        select(Article)
        .where(Article.id == article_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    article = s.exec(stmt).first()
    if article is None:
        raise NotFound("article", article_id)
    return article


def _touch(
    article: Article,
    *,
    now: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A successful check: clear the failure streak and keep fresher validators."""
    article.last_checked_at = now
    article.failures, article.last_error = 0, None
    if etag is not None:
        article.etag = etag
    if last_modified is not None:
        article.last_modified = last_modified


def _payload(article: Article, version: Version | None) -> dict[str, Any]:
    """What every alert says about its article (channels format it, storage does not)."""
    return {
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title or article.hint_title,
        "version": version.number if version else article.version_count or None,
        "changed_fields": list(version.changed_fields) if version else [],
    }


def _without_nul(fields: ArticleFields) -> ArticleFields:
    """Drop NUL characters, which PostgreSQL text columns reject and no reader can see."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(fields):
        value = getattr(fields, f.name)
        if isinstance(value, str) and "\x00" in value:
            changes[f.name] = value.replace("\x00", "")
    if any("\x00" in a for a in fields.authors):
        changes["authors"] = tuple(a.replace("\x00", "") for a in fields.authors)
    return dataclasses.replace(fields, **changes) if changes else fields
