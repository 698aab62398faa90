"""Appending a version to an article: its diff, classes, kind, revert marker and search entry.

Shared by ``record`` (what a fetch saw) and ``reextract`` (derived versions), so both store a
version the same way. Runs in the caller's transaction, on an article row it has locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from storage.article_core import assign
from storage.classify import classify, is_update
from storage.diff import count_words, field_diff, ops_to_json
from storage.drastic import drastic_classes
from storage.fingerprint import FieldsLike, changed_fields, fingerprint
from storage.models import Article, EditClass, Version
from storage.prepared import Prepared
from storage.searchindex import index_version
from storage.types import ArticleFields, DiffOp


@dataclass(frozen=True, slots=True)
class Comparison:
    """What a reading changes against the version before it: the part of appending an edit
    that needs no database, so that re-extraction can work it out in its worker processes."""

    changed: tuple[str, ...]
    diffs: dict[str, list[DiffOp]]
    classes: tuple[str, ...]
    kind: str


def compare(previous: FieldsLike, fields: ArticleFields) -> Comparison:
    """The changed fields, their diffs, the edit's classes and its kind."""
    changed = changed_fields(previous, fields)
    return Comparison(
        changed=changed,
        diffs={f: field_diff(f, getattr(previous, f), getattr(fields, f)) for f in changed},
        classes=(*classify(previous, fields), *drastic_classes(previous, fields)),
        kind=_kind(previous, fields, changed),
    )


@dataclass(frozen=True, slots=True)
class Appended:
    """A stored version with the diffs it was built from (alerts summarise them)."""

    version: Version
    diffs: dict[str, list[DiffOp]]


def append_version(
    s: Session,
    *,
    article: Article,
    fields: ArticleFields,
    previous: Version | None,
    fetched_at: datetime,
    snapshot_sha256: str | None,
    origin: str = "fetch",
    derived_from_id: int | None = None,
    current: bool = True,
    known_fingerprint: str | None = None,
    access: str = "full",
    extra_classes: tuple[str, ...] = (),
    comparison: Comparison | None = None,
) -> Appended:
    """Store ``fields`` as the article's next version (``current``: make it the one shown).

    ``known_fingerprint``: the caller's ``fingerprint(fields)``, so it is not computed twice;
    ``comparison``: the caller's ``compare(previous, fields)``, worked out elsewhere.
    The article's new values (count, current version) are left for the caller's next flush or
    commit to write, together with whatever else it changes on the row: one UPDATE, not several.
    """
    assert article.id is not None
    if previous is not None and comparison is None:
        comparison = compare(previous, fields)
    # Version 1 has nothing to be compared with: no changed fields, no diff, no classes.
    changed = comparison.changed if comparison is not None else ()
    diffs = comparison.diffs if comparison is not None else {}
    counts = [count_words(ops) for ops in diffs.values()]
    new_fingerprint = known_fingerprint or fingerprint(fields)
    values: dict[str, Any] = dict(
        article_id=article.id,
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
        page_type=fields.page_type,
        fingerprint=new_fingerprint,
        snapshot_sha256=snapshot_sha256,
        changed_fields=list(changed),
        words_added=sum(a for a, _ in counts),
        words_removed=sum(r for _, r in counts),
        diff={f: ops_to_json(ops) for f, ops in diffs.items()},
        classes=[*comparison.classes, *extra_classes] if comparison is not None else [],
        access=access,
        kind=comparison.kind if comparison is not None else "new",
        origin=origin,
        derived_from_id=derived_from_id,
        reverts=_reverted(s, article.id, new_fingerprint) if previous is not None else None,
    )
    # A Core INSERT, not an ORM flush: every new version comes here, and the unit of work
    # cost more than the insert. The object handed back is built from the same values (it is
    # not in the session; readers that need the row load it).
    inserted = _INSERT_VERSION.first(s.connection(), values)
    assert inserted is not None  # RETURNING answers the one row inserted
    version_id: int = inserted[0]
    version = Version.model_construct(id=version_id, **values)
    if version.classes:  # Core too: ORM objects here made the next query flush a unit of work
        s.connection().execute(
            _INSERT_CLASS, [{"version_id": version_id, "name": name} for name in version.classes]
        )
    index_version(
        s,
        version_id=version_id,
        article_id=article.id,
        title=fields.title,
        subtitle=fields.subtitle,
        body=fields.body,
        current=current,
        replaces=article.current_version_id is not None,
    )
    if current:
        assign(
            article,
            version_count=version.number,
            current_version_id=version_id,
            current_fingerprint=new_fingerprint,
            title=fields.title,
        )
    else:
        assign(article, version_count=version.number)
    # Not added to the session: the article is either loaded in it already or, for a new
    # article's version, an object outside it that storage.record writes with Core.
    return Appended(version, diffs)


_INSERT_VERSION = Prepared(insert(Version.__table__).returning(Version.__table__.c.id))  # type: ignore[attr-defined]
_INSERT_CLASS = insert(EditClass.__table__)  # type: ignore[attr-defined]


def repeats_earlier_change(s: Session, *, article_id: int, version: Version) -> bool:
    """Whether the same change (same fingerprint before and after) happened before.

    This is the flip-flop guard: A→B→A alerts twice (the edit, then its revert), and any
    later A→B or B→A between the same two texts is stored but not alerted again.
    """
    rows = s.exec(
        select(Version.number, Version.fingerprint)
        .where(col(Version.article_id) == article_id, col(Version.origin) == "fetch")
        .order_by(col(Version.number))
    ).all()
    fingerprints = [fp for number, fp in rows if number < version.number]
    if not fingerprints:
        return False
    transition = (fingerprints[-1], version.fingerprint)
    return transition in set(zip(fingerprints, fingerprints[1:], strict=False))


def _kind(previous: FieldsLike, fields: ArticleFields, changed: tuple[str, ...]) -> str:
    """``update`` (a live blog, or paragraphs only added above/below) or ``edit``."""
    if is_update(None, None, page_type=fields.page_type):  # the page says it is a live blog
        return "update"
    if changed == ("body",) and is_update(previous.body, fields.body, page_type=None):
        return "update"
    return "edit"


def _reverted(s: Session, article_id: int, new_fingerprint: str) -> int | None:
    """The newest earlier version with this exact fingerprint (a revert to it), if any."""
    # On the connection: versions are written by Core, so there is nothing of them for an
    # ORM autoflush to write first, and every edit comes here.
    found: int | None = (
        s.connection()
        .execute(_REVERTED, {"article_id": article_id, "fp": new_fingerprint})
        .scalar()
    )
    return found


_REVERTED = (
    sql_select(Version.__table__.c.number)  # type: ignore[attr-defined]
    .where(
        Version.__table__.c.article_id == bindparam("article_id"),  # type: ignore[attr-defined]
        Version.__table__.c.fingerprint == bindparam("fp"),  # type: ignore[attr-defined]
    )
    .order_by(Version.__table__.c.number.desc())  # type: ignore[attr-defined]
    .limit(1)
)
