"""The story at a glance: clusters with their first and latest coverage, one story's timeline
of coverage and edits, the languages stored, and what each edit changed.

Read-only queries for the web page and the feeds; the clusters themselves are made by
``storage.syndication`` as articles are recorded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sql_select
from sqlmodel import Session, col, func, select

from storage.alerts import read_row
from storage.models import Alert, Article, Story, Version
from storage.outlets import outlet_clause
from storage.reports import language_clause


@dataclass(frozen=True, slots=True)
class StoryGlance:
    """One story: how many articles and outlets, in which languages, first and latest seen."""

    id: int
    title: str | None
    articles: int
    outlets: int
    first_at: datetime
    latest_at: datetime
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One moment of a story: an article published (``new``), edited, or taken down."""

    at: datetime
    kind: str  # "new" | "edited" | "gone"
    article_id: int
    outlet: str
    title: str | None
    language: str | None
    number: int
    changed_fields: tuple[str, ...]
    classes: tuple[str, ...]
    changes: tuple[str, ...]


def language_code(value: str | None) -> str | None:
    """``en-GB`` → ``en``; what listings group and filter languages by."""
    return value.strip().lower().split("-", 1)[0].split("_", 1)[0] or None if value else None


def language_counts(s: Session) -> list[tuple[str, int]]:
    """Each language of the stored articles' current versions with its number of articles,
    most first."""
    stmt = (
        select(Version.language, func.count())
        .join(Article, col(Article.current_version_id) == col(Version.id))
        .group_by(Version.language)
    )
    counts: Counter[str] = Counter()
    for language, n in s.exec(stmt).all():
        code = language_code(language)
        if code:
            counts[code] += int(n)
    return counts.most_common()


def stories_at_a_glance(
    s: Session, *, limit: int = 10, outlet: str | None = None, language: str | None = None
) -> list[StoryGlance]:
    """Stories with more than one article, the most outlets first, then the latest."""
    when = func.coalesce(Version.published, Article.hint_published, Article.first_seen_at)
    outlets = func.count(func.distinct(Article.outlet))
    stmt = (
        sql_select(
            col(Story.id),
            col(Story.title),
            func.count(col(Article.id)),
            outlets,
            func.min(when),
            func.max(when),
        )
        .join(Article, col(Article.story_id) == col(Story.id))
        .outerjoin(Version, col(Version.id) == col(Article.current_version_id))
        .group_by(col(Story.id), col(Story.title))
        .having(func.count(col(Article.id)) > 1)
        .order_by(outlets.desc(), func.max(when).desc())
        .limit(limit)
    )
    if outlet:
        stmt = stmt.where(outlet_clause(outlet))
    if language:
        stmt = stmt.where(language_clause(Version.language, language))
    rows = s.execute(stmt).all()
    languages = _story_languages(s, [int(r[0]) for r in rows])
    return [
        StoryGlance(
            id=int(i),
            title=t,
            articles=int(n),
            outlets=int(o),
            first_at=first,
            latest_at=latest,
            languages=languages.get(int(i), ()),
        )
        for i, t, n, o, first, latest in rows
    ]


def _story_languages(s: Session, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    stmt = (
        select(Article.story_id, Version.language)
        .join(Version, col(Version.id) == col(Article.current_version_id))
        .where(col(Article.story_id).in_(ids))
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for story_id, language in s.exec(stmt).all():
        code = language_code(language)
        if story_id is not None and code:
            found.setdefault(int(story_id), set()).add(code)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def story_timeline(s: Session, story_id: int) -> list[TimelineEvent]:
    """Every article of the story appearing, every edit of one, and every take-down, in
    time order (an article appears at its publication time when known)."""
    versions = s.exec(
        select(Version, Article.outlet, Article.title, Article.hint_published)
        .join(Article, col(Article.id) == col(Version.article_id))
        .where(col(Article.story_id) == story_id, col(Version.origin) == "fetch")
        .order_by(col(Version.fetched_at))
    ).all()
    changes = edit_changes(s, [v.id for v, _, _, _ in versions if v.id and v.number > 1])
    events = []
    for version, outlet, title, hinted in versions:
        first = version.number == 1
        events.append(
            TimelineEvent(
                at=(version.published or hinted or version.fetched_at)
                if first
                else version.fetched_at,
                kind="new" if first else "edited",
                article_id=version.article_id,
                outlet=outlet,
                title=version.title or title,
                language=language_code(version.language),
                number=version.number,
                changed_fields=tuple(version.changed_fields),
                classes=tuple(version.classes or ()),
                changes=changes.get(version.id or 0, ()),
            )
        )
    gone = s.exec(
        select(Article).where(col(Article.story_id) == story_id, col(Article.gone_at).is_not(None))
    ).all()
    events += [
        TimelineEvent(
            at=a.gone_at,
            kind="gone",
            article_id=a.id or 0,
            outlet=a.outlet,
            title=a.title,
            language=None,
            number=a.version_count,
            changed_fields=(),
            classes=(),
            changes=(),
        )
        for a in gone
        if a.gone_at is not None
    ]
    return sorted(events, key=lambda e: (e.at, e.article_id, e.number))


def edit_changes(s: Session, version_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """What each edit changed, in words (``"Madinsky → Medinsky"``, ``"− words"``), by
    version id: the summary its alert carries."""
    if not version_ids:
        return {}
    stmt = select(Alert).where(col(Alert.version_id).in_(version_ids))
    found: dict[int, tuple[str, ...]] = {}
    for row in s.exec(stmt).all():
        alert = read_row(row)
        # Only an edit's alert says what changed (a later "gone" may name the same version).
        edit = alert.coverage.edit if alert.coverage else None
        if alert.version_id is not None and edit is not None:
            found[alert.version_id] = edit.changes
    return found
