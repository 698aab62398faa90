"""Read queries behind the CLI, the API and the web page: filtered article lists, recent edits,
coverage per day, alert states, totals, and the iteration that exports feed on.

Everything here only reads. Matching a *topic query* needs ``scraper.topic``, which storage must
not import, so callers pass a predicate over the stored text (``matches``) and the filtering
runs here in batches, keeping ``limit``/``offset`` exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, and_, exists, or_
from sqlmodel import Session, col, func, select

from storage.alerts import read_row
from storage.backlog import unsettled_somewhere
from storage.columns import MAX_ID, is_row_id
from storage.discovery import ProviderStats, discovery_stats
from storage.models import (
    Alert,
    Article,
    Delivery,
    EditClass,
    FetchLog,
    Snapshot,
    Source,
    Story,
    Version,
)
from storage.outlets import outlet_clause
from storage.types import StoryInfo
from storage.walls import OutletWalls, wall_shares

TextMatcher = Callable[[str], bool]
"""Called with an article's current title, subtitle and body joined by newlines."""

_BATCH = 500
ALERT_STATES = ("pending", "sent", "failed", "skipped")


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Which articles a listing shows. Times bound ``first_seen_at`` (``until`` exclusive)."""

    since: datetime | None = None
    until: datetime | None = None
    outlet: str | None = None
    source: str | None = None  # a source URL, or its id as digits
    edited: bool = False
    gone: bool = False
    churning: bool = False  # only articles that change on every visit (storage.churn)
    edit_class: str | None = None
    language: str | None = None  # two-letter code: "en" also finds "en-GB"
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One line of an article listing, with the current version's dates."""

    id: int
    url: str
    outlet: str
    title: str | None
    status: str
    first_seen_at: datetime
    last_changed_at: datetime | None
    last_checked_at: datetime | None
    version_count: int
    published: datetime | None
    source_url: str | None
    # Set while the article changes on every visit: its versions are not recorded meanwhile.
    churning_since: datetime | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class EditRow:
    """One recorded edit (version 2 or later) of an article."""

    article_id: int
    url: str
    outlet: str
    title: str | None
    number: int
    fetched_at: datetime
    changed_fields: tuple[str, ...]
    words_added: int
    words_removed: int
    classes: tuple[str, ...]
    language: str | None = None
    version_id: int | None = None


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many articles one outlet published (or, without a date, was first seen) on a day."""

    day: date
    outlet: str
    articles: int


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """One channel's view of one alert."""

    channel: str
    status: str  # "sent" | "failed" | "skipped" | "pending" (not tried yet)
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class AlertRow:
    """An alert and where it got to: ``pending`` (no channel tried yet), ``sent`` (delivered,
    no channel failed), ``failed`` (some channel failed; ``next_attempt_at`` says if it will
    retry) or ``skipped`` (every channel's filter declined it)."""

    id: int
    kind: str
    created_at: datetime
    article_id: int
    url: str
    title: str | None
    state: str
    deliveries: tuple[DeliveryState, ...]


@dataclass(frozen=True, slots=True)
class Stats:
    """Totals for ``newswatch stats`` and ``/api/stats``."""

    articles: int
    articles_by_status: dict[str, int]
    edited_articles: int
    versions: int
    outlets: int
    sources: int
    sources_enabled: int
    sources_failing: int
    alerts: int
    alerts_by_state: dict[str, int]
    snapshots: int
    snapshot_bytes: int
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    last_fetch_at: datetime | None
    fetches: int
    # Per search provider: hits, decoded, new articles, on-topic share, errors by kind.
    discovery: tuple[ProviderStats, ...] = ()
    # Per outlet with judged fetches in the last week: its share of walls and teasers.
    walls: tuple[OutletWalls, ...] = ()


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """Everything stored about one version, for exports."""

    number: int
    fetched_at: datetime
    title: str | None
    subtitle: str | None
    body: str
    authors: tuple[str, ...]
    published: datetime | None
    modified: datetime | None
    language: str | None
    canonical_url: str | None
    fingerprint: str
    changed_fields: tuple[str, ...]
    words_added: int
    words_removed: int
    classes: tuple[str, ...]
    snapshot_sha256: str | None


@dataclass(frozen=True, slots=True)
class ExportItem:
    """One version of one article, with the article it belongs to."""

    article: ArticleRow
    version: VersionRecord


def _classes(version: Version) -> tuple[str, ...]:
    return tuple(version.classes or ())


def _article_select() -> Any:
    return (
        select(Article, Version.published, Source.url, Version.language)
        .outerjoin(Version, col(Version.id) == col(Article.current_version_id))
        .outerjoin(Source, col(Source.id) == col(Article.source_id))
    )


def language_clause(column: Any, language: str) -> Any:
    """``column`` holds ``language`` or one of its regional forms (``en`` finds ``en-GB``)."""
    code = language.strip().lower()
    return or_(func.lower(column) == code, func.lower(column).like(f"{code}-%"))


def _row(
    article: Article,
    published: datetime | None,
    source_url: str | None,
    language: str | None = None,
) -> ArticleRow:
    return ArticleRow(
        id=article.id or 0,
        url=article.url,
        outlet=article.outlet,
        title=article.title or article.hint_title,
        status=article.status,
        first_seen_at=article.first_seen_at,
        last_changed_at=article.last_changed_at,
        last_checked_at=article.last_checked_at,
        version_count=article.version_count,
        published=published or article.hint_published,
        source_url=source_url,
        churning_since=article.churning_since,
        language=language,
    )


def _where(stmt: Any, q: ArticleQuery) -> Any:
    if q.since is not None:
        stmt = stmt.where(col(Article.first_seen_at) >= q.since)
    if q.until is not None:
        stmt = stmt.where(col(Article.first_seen_at) < q.until)
    if q.outlet:
        stmt = stmt.where(outlet_clause(q.outlet))
    if q.source:
        if is_row_id(q.source):
            source_id = int(q.source) if int(q.source) <= MAX_ID else -1  # -1: no source
            stmt = stmt.where(col(Article.source_id) == source_id)
        else:
            stmt = stmt.where(col(Source.url) == q.source)
    if q.edited:
        stmt = stmt.where(col(Article.version_count) > 1)
    if q.gone:
        stmt = stmt.where(col(Article.status) == "gone")
    if q.churning:
        stmt = stmt.where(col(Article.churning_since).is_not(None))
    if q.edit_class:
        classified = (
            select(EditClass.version_id)
            .join(Version, col(Version.id) == EditClass.version_id)
            .where(col(Version.article_id) == col(Article.id), EditClass.name == q.edit_class)
        )
        stmt = stmt.where(exists(classified))
    if q.language:
        stmt = stmt.where(
            exists(
                select(Version.id).where(
                    col(Version.id) == col(Article.current_version_id),
                    language_clause(Version.language, q.language),
                )
            )
        )
    # An article retired into another (it moved to a URL that already had a history) is
    # listed under the article that continues.
    stmt = stmt.where(col(Article.moved_to_id).is_(None))
    return stmt


def query_articles(
    s: Session, q: ArticleQuery, *, matches: TextMatcher | None = None, scan: int | None = None
) -> list[ArticleRow]:
    """Articles matching ``q``, most recently discovered first; ``matches`` filters on text,
    looking at no more than the newest ``scan`` articles that pass the other filters (``None``:
    all of them)."""
    order = (col(Article.first_seen_at).desc(), col(Article.id).desc())
    if matches is not None:
        return _filtered(s, _where(_article_select(), q).order_by(*order), q, matches, scan)
    # Two steps: pick the page's ids from the narrow table first, then load just those rows
    # with their joins; sorting whole joined rows costs about four times as much.
    ids = list(
        s.exec(
            _where(
                select(Article.id).outerjoin(Source, col(Source.id) == col(Article.source_id)), q
            )
            .order_by(*order)
            .offset(q.offset)
            .limit(q.limit)
        ).all()
    )
    if not ids:
        return []
    found = {
        a.id: (a, p, u, lang)
        for a, p, u, lang in s.exec(_article_select().where(col(Article.id).in_(ids))).all()
    }
    return [_row(*found[i]) for i in ids]


def _filtered(
    s: Session, stmt: Any, q: ArticleQuery, matches: TextMatcher, scan: int | None
) -> list[ArticleRow]:
    """Walk the listing in batches, keeping rows whose current text ``matches``."""
    kept: list[ArticleRow] = []
    skipped, start = 0, 0
    while len(kept) < q.limit and (scan is None or start < scan):
        size = _BATCH if scan is None else min(_BATCH, scan - start)
        batch = s.exec(stmt.offset(start).limit(size)).all()
        if not batch:
            break
        start += len(batch)
        texts = _current_texts(s, [a.current_version_id for a, _, _, _ in batch])
        for article, published, source_url, language in batch:
            text = texts.get(article.current_version_id or 0) or article.hint_title or ""
            if not matches(text):
                continue
            if skipped < q.offset:
                skipped += 1
                continue
            kept.append(_row(article, published, source_url, language))
            if len(kept) == q.limit:
                break
    return kept


def _current_texts(s: Session, version_ids: Sequence[int | None]) -> dict[int, str]:
    ids = [i for i in version_ids if i]
    if not ids:
        return {}
    stmt = select(Version.id, Version.title, Version.subtitle, Version.body).where(
        col(Version.id).in_(ids)
    )
    return {
        vid: "\n".join(part for part in (title, subtitle, body) if part)
        for vid, title, subtitle, body in s.exec(stmt).all()
        if vid is not None
    }


def count_articles(s: Session, q: ArticleQuery) -> int:
    """How many articles match ``q`` (ignoring ``limit``/``offset``); no text predicate."""
    stmt = _where(
        select(func.count(col(Article.id)))
        .select_from(Article)
        .outerjoin(Source, col(Source.id) == col(Article.source_id)),
        q,
    )
    return int(s.exec(stmt).one())


def recent_edits(
    s: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    outlet: str | None = None,
    since: datetime | None = None,
    edit_class: str | None = None,
    matches: TextMatcher | None = None,
    scan: int | None = None,
    language: str | None = None,
    until: datetime | None = None,
) -> list[EditRow]:
    """Versions 2 and later, newest first: the quiet edits.

    With ``matches``, the text of each edit is tested here in Python, so ``scan`` bounds the
    work: only the newest ``scan`` edits (after the other filters) are looked at, reading just
    their text; whole rows are loaded for the ones that match. ``None`` looks at every edit.
    """

    def edits(*columns: Any) -> Any:
        stmt = (
            select(*columns)
            .join(Article, col(Article.id) == col(Version.article_id))
            .where(col(Version.number) > 1)
            # A re-extraction is newswatch reading an old page better, not the outlet editing.
            .where(col(Version.origin) == "fetch")
            .order_by(col(Version.fetched_at).desc(), col(Version.id).desc())
        )
        if outlet:
            stmt = stmt.where(outlet_clause(outlet))
        if since is not None:
            stmt = stmt.where(col(Version.fetched_at) >= since)
        if until is not None:
            stmt = stmt.where(col(Version.fetched_at) < until)
        if language:
            stmt = stmt.where(language_clause(Version.language, language))
        if edit_class:
            stmt = stmt.where(
                exists(
                    select(EditClass.version_id).where(
                        EditClass.version_id == col(Version.id), EditClass.name == edit_class
                    )
                )
            )
        return stmt

    if matches is None:
        found = s.exec(
            edits(Version, Article.url, Article.outlet, Article.title).offset(offset).limit(limit)
        ).all()
        return [_edit_row(v, u, o, t) for v, u, o, t in found]
    wanted = _matching_ids(
        s,
        edits(Version.id, Version.title, Version.subtitle, Version.body),
        matches,
        need=offset + limit,
        scan=scan,
    )[offset:]
    if not wanted:
        return []
    found = s.exec(
        select(Version, Article.url, Article.outlet, Article.title)
        .join(Article, col(Article.id) == col(Version.article_id))
        .where(col(Version.id).in_(wanted))
    ).all()
    by_id = {v.id: _edit_row(v, u, o, t) for v, u, o, t in found}
    return [by_id[i] for i in wanted if i in by_id]


def _matching_ids(
    s: Session, stmt: Any, matches: TextMatcher, *, need: int, scan: int | None
) -> list[int]:
    """Ids (first column of ``stmt``'s rows: id, title, subtitle, body) whose joined text
    ``matches``, in ``stmt``'s order, until ``need`` are found or ``scan`` rows were read."""
    kept: list[int] = []
    start = 0
    while len(kept) < need and (scan is None or start < scan):
        size = _BATCH if scan is None else min(_BATCH, scan - start)
        batch = s.exec(stmt.offset(start).limit(size)).all()
        if not batch:
            break
        start += len(batch)
        for ident, title, subtitle, body in batch:
            if matches("\n".join(p for p in (title, subtitle, body) if p)):
                kept.append(ident)
                if len(kept) == need:
                    break
    return kept


def _edit_row(version: Version, url: str, outlet: str, title: str | None) -> EditRow:
    return EditRow(
        article_id=version.article_id,
        url=url,
        outlet=outlet,
        title=title or version.title,
        number=version.number,
        fetched_at=version.fetched_at,
        changed_fields=tuple(version.changed_fields),
        words_added=version.words_added,
        words_removed=version.words_removed,
        classes=_classes(version),
        language=version.language,
        version_id=version.id,
    )


def coverage_by_day(
    s: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
    language: str | None = None,
) -> list[DayCount]:
    """Articles per outlet per day, oldest day first; the day is the publication date when the
    page gave one (that is when the coverage appeared), else the day newswatch first saw it."""
    when = func.coalesce(Version.published, Article.hint_published, Article.first_seen_at)
    day = func.date(when)
    stmt = (
        select(day, Article.outlet, func.count(col(Article.id)))
        .select_from(Article)
        .outerjoin(Version, col(Version.id) == col(Article.current_version_id))
        .where(col(Article.version_count) > 0)
        .group_by(day, Article.outlet)
        .order_by(day, Article.outlet)
    )
    if since is not None:
        stmt = stmt.where(when >= since)
    if until is not None:
        stmt = stmt.where(when < until)
    if outlet:
        stmt = stmt.where(outlet_clause(outlet))
    if language:
        stmt = stmt.where(language_clause(Version.language, language))
    return [
        DayCount(
            day=d if isinstance(d, date) else date.fromisoformat(str(d)), outlet=o, articles=int(n)
        )
        for d, o, n in s.exec(stmt).all()
        if d is not None
    ]


def list_alerts(
    s: Session,
    *,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
    channels: Sequence[str] = (),
) -> list[AlertRow]:
    """Alerts newest first, optionally only those ``pending``, ``sent`` or ``failed``.

    ``channels`` (the configured channels' keys) makes each alert show every one of them:
    a channel that has not tried it yet is ``pending`` there, and the alert is pending until
    every channel settled it (see ``storage.backlog``).
    """
    if state not in (None, *ALERT_STATES):
        raise ValueError(f"unknown alert state {state!r}: use {', '.join(ALERT_STATES)}")
    stmt = (
        select(Alert, Article.url, Article.title)
        .join(Article, col(Article.id) == col(Alert.article_id))
        .order_by(col(Alert.created_at).desc(), col(Alert.id).desc())
    )
    stmt = _alert_state_filter(stmt, state, channels)
    found = s.exec(stmt.offset(offset).limit(limit)).all()
    ids = [alert.id for alert, _, _ in found]
    by_alert: dict[int, list[DeliveryState]] = {}
    if ids:
        for d in s.exec(select(Delivery).where(col(Delivery.alert_id).in_(ids))).all():
            by_alert.setdefault(d.alert_id, []).append(
                DeliveryState(
                    channel=d.channel,
                    status=d.status,
                    attempts=d.attempts,
                    last_error=d.last_error,
                    sent_at=d.sent_at,
                    next_attempt_at=d.next_attempt_at,
                )
            )
    rows = []
    for alert, url, title in found:
        tried = by_alert.get(alert.id or 0, [])
        untried = [
            DeliveryState(
                channel=c,
                status="pending",
                attempts=0,
                last_error=None,
                sent_at=None,
                next_attempt_at=None,
            )
            for c in channels
            if c not in {d.channel for d in tried}
        ]
        deliveries = tuple(sorted(tried + untried, key=lambda d: d.channel))
        rows.append(
            AlertRow(
                id=alert.id or 0,
                kind=alert.kind,
                created_at=alert.created_at,
                article_id=alert.article_id,
                url=url,
                title=title or read_row(alert).title,
                state=_state(deliveries),
                deliveries=deliveries,
            )
        )
    return rows


def _state(deliveries: Sequence[DeliveryState]) -> str:
    statuses = {d.status for d in deliveries}
    if not statuses or "pending" in statuses and "failed" not in statuses:
        return "pending"
    if "failed" in statuses:
        return "failed"
    # A channel whose filter did not want the alert marks it "skipped": settled, never sent.
    return "sent" if "sent" in statuses else "skipped"


def _alert_state_filter(stmt: Any, state: str | None, channels: Sequence[str] = ()) -> Any:
    def having(status: str) -> Any:
        return exists().where(
            and_(col(Delivery.alert_id) == col(Alert.id), col(Delivery.status) == status)
        )

    any_delivery = exists().where(col(Delivery.alert_id) == col(Alert.id))
    # Untried on a configured channel: pending, even where another channel sent it.
    waiting = unsettled_somewhere(channels) if channels else ~any_delivery
    if state == "pending":
        return stmt.where(waiting, ~having("failed"))
    if state == "failed":
        return stmt.where(having("failed"))
    if state == "sent":
        return stmt.where(having("sent"), ~having("failed"), ~waiting)
    if state == "skipped":
        return stmt.where(any_delivery, ~having("sent"), ~having("failed"), ~waiting)
    return stmt


def stats(s: Session) -> Stats:
    """Totals over the whole database, a handful of aggregate queries."""
    by_status = dict(s.exec(select(Article.status, func.count()).group_by(Article.status)).all())
    articles = sum(by_status.values())
    seen = s.exec(select(func.min(Article.first_seen_at), func.max(Article.first_seen_at))).one()
    src_total, src_enabled, src_failing = s.exec(
        select(
            func.count(),
            func.coalesce(func.sum(func.cast(col(Source.enabled), Integer())), 0),
            func.coalesce(func.sum(func.cast(col(Source.failures) > 0, Integer())), 0),
        ).select_from(Source)
    ).one()
    snapshots, snapshot_bytes = s.exec(
        select(func.count(), func.coalesce(func.sum(Snapshot.size), 0)).select_from(Snapshot)
    ).one()
    # A search poll's line in the fetch log is discovery's record, not a request.
    last_fetch, fetches = s.exec(
        select(func.max(FetchLog.at), func.count(col(FetchLog.id))).where(
            or_(col(FetchLog.error_kind).is_(None), col(FetchLog.error_kind) != "discovery")
        )
    ).one()
    alerts = int(s.exec(select(func.count(col(Alert.id)))).one())
    by_state = {
        name: int(s.exec(_alert_state_filter(select(func.count(col(Alert.id))), name)).one())
        for name in ALERT_STATES
    }
    return Stats(
        articles=articles,
        articles_by_status={str(k): int(v) for k, v in sorted(by_status.items())},
        edited_articles=int(
            s.exec(select(func.count()).where(col(Article.version_count) > 1)).one()
        ),
        versions=int(s.exec(select(func.count(col(Version.id)))).one()),
        outlets=int(s.exec(select(func.count(func.distinct(Article.outlet)))).one()),
        sources=int(src_total),
        sources_enabled=int(src_enabled),
        sources_failing=int(src_failing),
        alerts=alerts,
        alerts_by_state=by_state,
        snapshots=int(snapshots),
        snapshot_bytes=int(snapshot_bytes),
        first_seen_at=seen[0],
        last_seen_at=seen[1],
        last_fetch_at=last_fetch,
        fetches=int(fetches),
        discovery=tuple(discovery_stats(s)),
        walls=tuple(wall_shares(s)),
    )


def iter_export(
    s: Session,
    q: ArticleQuery,
    *,
    all_versions: bool = True,
    matches: TextMatcher | None = None,
) -> Iterator[ExportItem]:
    """Every version (or only the current one) of the articles matching ``q``, article by
    article, oldest version first. Reads in batches so a large export keeps memory flat."""
    if matches is not None:
        # One pass over the listing (the predicate runs in Python); versions still come in pages.
        rows = query_articles(s, q, matches=matches)
        for at in range(0, len(rows), _BATCH):
            yield from _versions_for(s, rows[at : at + _BATCH], all_versions=all_versions)
        return
    done = 0
    while done < q.limit:
        page = query_articles(
            s, replace(q, offset=q.offset + done, limit=min(_BATCH, q.limit - done))
        )
        if not page:
            return
        yield from _versions_for(s, page, all_versions=all_versions)
        done += len(page)


def _versions_for(
    s: Session, page: Sequence[ArticleRow], *, all_versions: bool
) -> Iterator[ExportItem]:
    by_id = {row.id: row for row in page}
    stmt = select(Version).where(col(Version.article_id).in_(list(by_id)))
    if not all_versions:
        stmt = stmt.join(Article, col(Article.current_version_id) == col(Version.id))
    order = {article_id: i for i, article_id in enumerate(by_id)}
    versions = sorted(s.exec(stmt).all(), key=lambda v: (order[v.article_id], v.number))
    for v in versions:
        yield ExportItem(
            article=by_id[v.article_id],
            version=VersionRecord(
                number=v.number,
                fetched_at=v.fetched_at,
                title=v.title,
                subtitle=v.subtitle,
                body=v.body,
                authors=tuple(v.authors),
                published=v.published,
                modified=v.modified,
                language=v.language,
                canonical_url=v.canonical_url,
                fingerprint=v.fingerprint,
                changed_fields=tuple(v.changed_fields),
                words_added=v.words_added,
                words_removed=v.words_removed,
                classes=_classes(v),
                snapshot_sha256=v.snapshot_sha256,
            ),
        )


def version_classes(s: Session, article_id: int) -> dict[int, tuple[str, ...]]:
    """The edit classes of each version of an article, by version number."""
    stmt = select(Version).where(col(Version.article_id) == article_id)
    return {v.number: _classes(v) for v in s.exec(stmt).all()}


def list_stories(s: Session, *, limit: int = 50, offset: int = 0) -> list[StoryInfo]:
    """Stories (syndication clusters, grouped by ``storage.syndication``) with more than one
    article, largest first, then newest."""
    articles = func.count(col(Article.id))
    stmt = (
        select(Story.id, Story.title, articles, func.count(func.distinct(Article.outlet)))
        .join(Article, col(Article.story_id) == Story.id)
        .group_by(col(Story.id), col(Story.title))
        .having(articles > 1)
        .order_by(articles.desc(), Story.id.desc())  # type: ignore[union-attr]
        .offset(offset)
        .limit(limit)
    )
    return [
        StoryInfo(id=i, title=title, articles=int(n), outlets=int(o))
        for i, title, n, o in s.exec(stmt).all()
        if i is not None
    ]


def story_articles(s: Session, story_id: int) -> list[ArticleRow]:
    """The articles of one story, first published first."""
    stmt = (
        _article_select()
        .where(col(Article.story_id) == story_id)
        .order_by(col(Article.first_seen_at), col(Article.id))
    )
    return [_row(*found) for found in s.exec(stmt).all()]


def outlets(s: Session) -> list[tuple[str, int]]:
    """Every outlet with its number of articles, largest first."""
    stmt = (
        select(Article.outlet, func.count())
        .where(col(Article.version_count) > 0)
        .group_by(Article.outlet)
        .order_by(func.count().desc(), Article.outlet)
    )
    return [(o, int(n)) for o, n in s.exec(stmt).all()]


__all__ = [
    "ALERT_STATES",
    "AlertRow",
    "ArticleQuery",
    "ArticleRow",
    "DayCount",
    "DeliveryState",
    "EditRow",
    "ExportItem",
    "Stats",
    "TextMatcher",
    "VersionRecord",
    "count_articles",
    "coverage_by_day",
    "iter_export",
    "list_alerts",
    "list_stories",
    "outlets",
    "query_articles",
    "recent_edits",
    "stats",
    "story_articles",
    "version_classes",
]
