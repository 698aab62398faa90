"""Questions about the past: an article as of any moment, and edits across articles.

"As of" means as seen by the watcher: the newest version fetched at or before that moment.
Derived versions (re-extractions) carry the fetch time of the snapshot they were derived from,
so asking for ``reextracted=True`` shows the same moment through the newer extractor.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.exceptions import NotFound
from storage.models import Article, EditClass, Version
from storage.types import EditSummary

MAX_LIMIT = 10_000


def version_at(
    s: Session, article_id: int, when: datetime, *, reextracted: bool = False
) -> Version | None:
    """The version of an article readers saw at ``when`` (``None``: not yet fetched then).

    With ``reextracted=True``, the newest re-extraction of that version if there is one.
    """
    if s.get(Article, article_id) is None:
        raise NotFound("article", article_id)
    seen = s.exec(
        select(Version)
        .where(
            col(Version.article_id) == article_id,
            col(Version.fetched_at) <= when,
            col(Version.origin) == "fetch",
        )
        .order_by(col(Version.fetched_at).desc(), col(Version.number).desc())
        .limit(1)
    ).first()
    if seen is None or not reextracted:
        return seen
    derived = s.exec(
        select(Version)
        .where(col(Version.derived_from_id) == seen.id)
        .order_by(col(Version.number).desc())
        .limit(1)
    ).first()
    return derived or seen


def list_edits(
    s: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    classes: Sequence[str] = (),
    outlet: str | None = None,
    limit: int = 100,
    include_updates: bool = True,
) -> list[EditSummary]:
    """Edits (versions after the first, as fetched) newest first, filtered.

    ``classes``: only edits having at least one of them; ``since``/``until``: fetched in
    ``[since, until)``; ``outlet``: one outlet's host (``www.`` ignored).
    """
    previous = aliased(Version)
    stmt = (
        select(Version, Article.url, Article.outlet, previous.title)
        .join(Article, col(Article.id) == col(Version.article_id))
        .outerjoin(
            previous,
            (col(previous.article_id) == col(Version.article_id))
            & (col(previous.number) == col(Version.number) - 1),
        )
        .where(col(Version.number) > 1, col(Version.origin) == "fetch")
        .order_by(col(Version.fetched_at).desc(), col(Version.id).desc())
        .limit(max(1, min(limit, MAX_LIMIT)))
    )
    if since is not None:
        stmt = stmt.where(col(Version.fetched_at) >= since)
    if until is not None:
        stmt = stmt.where(col(Version.fetched_at) < until)
    if outlet is not None:
        stmt = stmt.where(col(Article.outlet) == outlet.lower().removeprefix("www."))
    if classes:
        with_class = select(EditClass.version_id).where(col(EditClass.name).in_(list(classes)))
        stmt = stmt.where(col(Version.id).in_(with_class))
    if not include_updates:
        stmt = stmt.where(col(Version.kind) != "update")
    return [
        EditSummary(
            article_id=v.article_id,
            url=url,
            outlet=article_outlet,
            number=v.number,
            fetched_at=v.fetched_at,
            title=v.title,
            previous_title=previous_title,
            classes=tuple(v.classes),
            changed_fields=tuple(v.changed_fields),
            words_added=v.words_added,
            words_removed=v.words_removed,
            kind=v.kind,
            reverts=v.reverts,
        )
        for v, url, article_outlet, previous_title in s.exec(stmt).all()
    ]


def headline_changes(
    s: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    outlet: str | None = None,
    limit: int = 100,
) -> list[EditSummary]:
    """Every edit that changed a headline in the period (``previous_title`` → ``title``)."""
    return list_edits(
        s, since=since, until=until, classes=("headline",), outlet=outlet, limit=limit
    )
