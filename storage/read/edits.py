"""Edits across articles (versions 2 and later, as fetched), newest first, and what each
changed in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select

from storage.alerts import read_row
from storage.models import Alert, Article, EditClass, Version
from storage.outlets import outlet_clause
from storage.read.languages import language_clause
from storage.read.matching import TextMatcher, matching_ids


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
    """Versions 2 and later fetched in ``[since, until)``, newest first: the quiet edits.

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
    wanted = matching_ids(
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
        classes=tuple(version.classes or ()),
        language=version.language,
        version_id=version.id,
    )


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
