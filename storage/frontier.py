"""The frontier: what is due, who is working on it (leases), and what was discovered.

A claim sets ``lease_owner``/``lease_until`` on the rows it returns; other daemons skip leased
rows until the lease expires, so a worker that dies only delays its rows by one lease. On
PostgreSQL claims lock rows with ``FOR UPDATE SKIP LOCKED``; on SQLite the transaction already
holds the write lock from its first statement (``BEGIN IMMEDIATE``, see ``storage.database``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from storage.exceptions import NotFound
from storage.lifecycle import ERROR_CHARS
from storage.models import Article, ArticleAlias, Source
from storage.outlets import article_host
from storage.sql import upsert_insert
from storage.statements import CLAIM_DUE_ARTICLES, LEASE_ARTICLES, RESCHEDULE, sync_loaded
from storage.types import Candidate, DueArticle, DueSource, SourceSpec
from storage.utc import as_utc

logger = logging.getLogger(__name__)

_CHUNK = 500


def sync_sources(s: Session, specs: list[SourceSpec], now: datetime) -> None:
    """Make the configured sources match the config; those it no longer lists are disabled.

    Sources added by hand (origin ``"manual"``) are left as they are, unless the config lists
    their URL: then it manages them from now on.
    """
    wanted = {spec.url: spec for spec in specs}
    # Each source's few settings as plain rows, and one UPDATE run for those that change: a
    # daemon starts here, and 10,000 sources loaded as ORM objects took it 23 MB above its
    # resident size (and kept 5 MB of it).
    s.flush()
    conn = s.connection()
    changes: list[dict[str, object]] = []
    existing: set[str] = set()
    soon = as_utc(now)
    for row in conn.execute(_SOURCE_SETTINGS):
        existing.add(row.url)
        spec = wanted.get(row.url)
        if spec is None:
            if row.origin == "config" and row.enabled:
                changes.append(_source_change(row, enabled=False))
            continue
        # A shorter interval takes effect now rather than after the old, longer wait.
        due = min(row.next_check_at, soon + timedelta(seconds=spec.every_seconds))
        settings = (spec.kind, spec.every_seconds, True, "config", due)
        if (row.kind, row.every_seconds, row.enabled, row.origin, row.next_check_at) != settings:
            changes.append(
                _source_change(row, kind=spec.kind, every=spec.every_seconds, enabled=True, due=due)
            )
    if changes:
        conn.execute(_UPDATE_SOURCE_SETTINGS, changes)
        # A Source this session already holds would show its settings as they were.
        for loaded in [o for o in s.identity_map.values() if isinstance(o, Source)]:
            s.expire(loaded)
    new = [spec for url, spec in sorted(wanted.items()) if url not in existing]
    if new:
        rows = [
            {
                "url": spec.url,
                "kind": spec.kind,
                "every_seconds": spec.every_seconds,
                "enabled": True,
                "origin": "config",
                "failures": 0,
                "next_check_at": now,
                "created_at": now,
            }
            for spec in new
        ]
        # Another daemon starting at the same moment may insert the same source.
        stmt = upsert_insert(s, Source).values(rows).on_conflict_do_nothing(index_elements=["url"])
        s.exec(stmt)
    s.flush()


_SOURCES = Source.__table__  # type: ignore[attr-defined]
_SOURCE_SETTINGS = sql_select(
    _SOURCES.c.id,
    _SOURCES.c.url,
    _SOURCES.c.kind,
    _SOURCES.c.every_seconds,
    _SOURCES.c.enabled,
    _SOURCES.c.origin,
    _SOURCES.c.next_check_at,
)
# Bound names differ from the columns': SQLAlchemy reserves those in an UPDATE's SET.
_UPDATE_SOURCE_SETTINGS = (
    update(_SOURCES)
    .where(_SOURCES.c.id == bindparam("source_id"))
    .values(
        kind=bindparam("new_kind"),
        every_seconds=bindparam("new_every"),
        enabled=bindparam("new_enabled"),
        origin=bindparam("new_origin"),
        next_check_at=bindparam("new_due", type_=_SOURCES.c.next_check_at.type),
    )
)


def _source_change(
    row: Any,
    *,
    enabled: bool,
    kind: str | None = None,
    every: int | None = None,
    due: datetime | None = None,
) -> dict[str, object]:
    """The bound values of one source's settings UPDATE; what is not given stays as stored."""
    return {
        "source_id": row.id,
        "new_kind": kind if kind is not None else row.kind,
        "new_every": every if every is not None else row.every_seconds,
        "new_enabled": enabled,
        # A source the config lists is the config's from now on; one it dropped stays its.
        "new_origin": "config",
        "new_due": due if due is not None else row.next_check_at,
    }


def claim_due_sources(
    s: Session, *, owner: str, now: datetime, limit: int, lease: timedelta
) -> list[DueSource]:
    """Lease up to ``limit`` enabled sources that are due, oldest due first."""
    stmt = (
        select(Source)
        .where(
            col(Source.enabled).is_(True),
            col(Source.next_check_at) <= now,
            or_(col(Source.lease_until).is_(None), col(Source.lease_until) <= now),
        )
        .order_by(col(Source.next_check_at), col(Source.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    sources = list(s.exec(stmt).all())
    until = as_utc(now) + lease
    for src in sources:
        src.lease_owner, src.lease_until = owner, until
        s.add(src)
    s.flush()
    return [
        DueSource(
            id=_id(src.id),
            url=src.url,
            kind=src.kind,
            every_seconds=src.every_seconds,
            etag=src.etag,
            last_modified=src.last_modified,
            failures=src.failures,
            last_checked_at=src.last_checked_at,
            next_check_at=src.next_check_at,
        )
        for src in sources
    ]


def claim_due_articles(
    s: Session, *, owner: str, now: datetime, limit: int, lease: timedelta
) -> list[DueArticle]:
    """Lease up to ``limit`` articles whose ``next_check_at`` has passed, oldest due first."""
    # Core statements, no ORM objects: every pass of every daemon claims a batch.
    s.flush()
    conn = s.connection()
    rows = conn.execute(CLAIM_DUE_ARTICLES, {"now": now, "limit": limit}).all()
    if not rows:
        return []
    until = as_utc(now) + lease
    ids = [row.id for row in rows]
    conn.execute(LEASE_ARTICLES, {"ids": ids, "owner": owner, "until": until})
    for article_id in ids:
        sync_loaded(s, article_id, {"lease_owner": owner, "lease_until": until})
    return [
        DueArticle(
            id=row.id,
            url=row.url,
            source_id=row.source_id,
            etag=row.etag,
            last_modified=row.last_modified,
            first_seen_at=row.first_seen_at,
            last_changed_at=row.last_changed_at,
            published=row.published or row.hint_published,
            version_count=row.version_count,
            full_chars=row.full_chars,
            pending_fingerprint=row.pending_fingerprint,
            churning=row.churning_since is not None,
        )
        for row in rows
    ]


def add_candidates(
    s: Session, *, source_id: int | None, candidates: list[Candidate], now: datetime
) -> list[int]:
    """Insert unseen URLs as pending articles due now; refresh the hints of known ones.

    Returns the ids of the articles this call created. Safe against another process adding
    the same URL at the same time (the unique URL decides, the loser skips the row). A URL
    that is the old address of a moved article counts as that article, never as a new one.
    """
    by_url = _resolve_aliases(s, {c.url: c for c in candidates})
    urls = sorted(by_url)  # a fixed order keeps concurrent PostgreSQL inserts deadlock-free
    created: list[int] = []
    # The rows go as parameters, not in the statement: a statement with its values in it
    # (``.values(rows)``) was compiled anew at every call, 1.2 ms of a 1.8 ms call for one link.
    # SQLAlchemy sends a list of rows as one multi-row INSERT all the same ("insertmanyvalues").
    stmt = (
        upsert_insert(s, Article)
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(Article.id, Article.url)
    )
    for chunk in _chunks(urls):
        rows = [_new_article_row(by_url[url], source_id=source_id, now=now) for url in chunk]
        inserted = {url: article_id for article_id, url in s.connection().execute(stmt, rows)}
        created.extend(inserted.values())
        known = [url for url in chunk if url not in inserted]
        if known:
            _refresh_hints(s, [by_url[url] for url in known], source_id=source_id, now=now)
    s.flush()
    if created:
        logger.debug(
            "candidates added",
            extra={"event": "candidates_added", "source_id": source_id, "new": len(created)},
        )
    return sorted(created)


def _resolve_aliases(s: Session, by_url: dict[str, Candidate]) -> dict[str, Candidate]:
    """Candidates keyed by their article's current URL where theirs is an alias."""
    moved: dict[str, str] = {}
    for chunk in _chunks(sorted(by_url)):
        stmt = (
            select(ArticleAlias.url, Article.url)
            .join(Article, col(Article.id) == col(ArticleAlias.article_id))
            .where(col(ArticleAlias.url).in_(chunk))
        )
        moved.update(dict(s.exec(stmt).all()))
    if not moved:
        return by_url
    resolved = {url: c for url, c in by_url.items() if url not in moved}
    for alias, current in moved.items():
        resolved.setdefault(current, replace(by_url[alias], url=current))
    return resolved


def _new_article_row(c: Candidate, *, source_id: int | None, now: datetime) -> dict[str, object]:
    now = c.seen_at or now
    return {
        "url": c.url,
        "outlet": article_host(c.url),
        "source_id": source_id,
        "first_seen_at": now,
        "next_check_at": now,
        "status": "pending",
        "version_count": 0,
        "failures": 0,
        "hint_title": c.title,
        "hint_published": c.published,
        "hint_updated": c.updated,
    }


def _refresh_hints(
    s: Session, candidates: list[Candidate], *, source_id: int | None, now: datetime
) -> None:
    """Keep what the source says about known articles; a newer ``updated`` makes one due now."""
    wanted = {c.url: c for c in candidates}
    # Lock in URL order, like the inserts, so concurrent refreshes cannot deadlock.
    stmt = (
        select(Article)
        .where(col(Article.url).in_(wanted))
        .order_by(col(Article.url))
        .with_for_update()
    )
    for article in s.exec(stmt).all():
        c = wanted[article.url]
        if c.title:
            article.hint_title = c.title
        if c.published:
            article.hint_published = c.published
        if article.source_id is None:
            article.source_id = source_id
        if c.updated is not None:
            updated = as_utc(c.updated)
            newer_hint = article.hint_updated is None or updated > article.hint_updated
            unseen = article.last_checked_at is None or updated > article.last_checked_at
            if newer_hint:
                article.hint_updated = updated
            later = article.next_check_at is None or article.next_check_at > as_utc(now)
            # Even an article retired from checking (next_check_at None) gets one more look,
            # unless it moved into another article, which is the one being checked now.
            if newer_hint and unseen and later and article.status != "moved":
                article.next_check_at = now
        s.add(article)


def finish_source(
    s: Session,
    *,
    source_id: int,
    now: datetime,
    next_check_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    error: str | None = None,
) -> None:
    """Record a source check and release its lease; ``None`` validators keep the stored ones.

    An ``error`` extends the run of consecutive failures; success ends it.
    """
    src = s.get(Source, source_id)
    if src is None:
        raise NotFound("source", source_id)
    src.last_checked_at, src.next_check_at = now, next_check_at
    src.lease_owner = src.lease_until = None
    # A source's problems are a stranger's words (a feed's parse error quotes the feed).
    src.last_error = error[:ERROR_CHARS] if error is not None else None
    src.failures = src.failures + 1 if error is not None else 0
    if etag is not None:
        src.etag = etag
    if last_modified is not None:
        src.last_modified = last_modified
    s.add(src)
    s.flush()


def source_failures(s: Session, *, source_id: int) -> int:
    """Consecutive failed checks of a source so far (0 after a success)."""
    failures = s.exec(select(Source.failures).where(col(Source.id) == source_id)).first()
    if failures is None:
        raise NotFound("source", source_id)
    return failures


def reschedule_article(
    s: Session, *, article_id: int, next_check_at: datetime | None, now: datetime
) -> None:
    """Release an article's lease and set its next check (``None``: never check it again).

    ``now`` is the end of the check; it is accepted for symmetry with the other calls and logs.
    """
    # One UPDATE, no ORM load: every check of every article ends here. The flush first puts
    # anything the caller changed through the ORM in the database before the raw UPDATE.
    s.flush()
    params = {"article_id": article_id, "next_check_at": next_check_at}
    if s.connection().execute(RESCHEDULE, params).rowcount == 0:
        raise NotFound("article", article_id)
    due = as_utc(next_check_at) if next_check_at is not None else None
    sync_loaded(s, article_id, {"next_check_at": due, "lease_owner": None, "lease_until": None})
    logger.debug(
        "article rescheduled",
        extra={
            "event": "article_rescheduled",
            "article_id": article_id,
            "next_check_at": next_check_at,
            "now": now,
        },
    )


def release_leases(s: Session, *, owner: str) -> int:
    """Release every source and article leased by ``owner`` (graceful shutdown); return count."""
    released = 0
    for model in (Source, Article):
        result = s.exec(
            update(model)
            .where(col(model.lease_owner) == owner)
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session="fetch")
        )
        released += result.rowcount or 0
    return released


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _id(value: int | None) -> int:
    assert value is not None, "a stored row always has an id"
    return value
