"""One article's versions: the list, any one in full, the diff between any two, and the one
readers saw at a given moment.

"As of" means as seen by the watcher: the newest version fetched at or before that moment.
Derived versions (re-extractions) carry the fetch time of the snapshot they were derived from,
so asking for ``reextracted=True`` shows the same moment through the newer extractor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from storage.diff import count_words, field_diff
from storage.exceptions import NotFound
from storage.fingerprint import changed_fields
from storage.models import Article, Version
from storage.types import DiffOp


@dataclass(frozen=True, slots=True)
class VersionSummary:
    """One line of an article's version history.

    ``classes`` says what kind of edit it was (see ``storage.classify``); ``kind`` is ``new``,
    ``edit`` or ``update`` (live blog); ``origin`` is ``fetch`` or ``reextract`` (derived);
    ``reverts`` is the number of the earlier version this one restores, if any.
    """

    number: int
    fetched_at: datetime
    title: str | None
    changed_fields: tuple[str, ...]
    words_added: int
    words_removed: int
    fingerprint: str
    classes: tuple[str, ...] = ()
    kind: str = "edit"
    origin: str = "fetch"
    reverts: int | None = None


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """Everything stored about one version: what exports and the API's article page carry."""

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
class VersionDiff:
    """The word diff between two versions of one article, for the fields that differ."""

    article_id: int
    from_number: int
    to_number: int
    changed_fields: tuple[str, ...]
    fields: Mapping[str, tuple[DiffOp, ...]] = field(default_factory=dict)
    words_added: int = 0
    words_removed: int = 0


def version_record(v: Version) -> VersionRecord:
    """A stored version row as the frozen value readers get."""
    return VersionRecord(
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
        classes=tuple(v.classes or ()),
        snapshot_sha256=v.snapshot_sha256,
    )


def versions_of(s: Session, article_id: int) -> list[VersionSummary]:
    """Every version of an article, oldest first; :class:`NotFound` for an unknown article."""
    if s.get(Article, article_id) is None:
        raise NotFound("article", article_id)
    stmt = (
        select(Version).where(col(Version.article_id) == article_id).order_by(col(Version.number))
    )
    return [
        VersionSummary(
            number=v.number,
            fetched_at=v.fetched_at,
            title=v.title,
            changed_fields=tuple(v.changed_fields),
            words_added=v.words_added,
            words_removed=v.words_removed,
            fingerprint=v.fingerprint,
            classes=tuple(v.classes),
            kind=v.kind,
            origin=v.origin,
            reverts=v.reverts,
        )
        for v in s.exec(stmt).all()
    ]


def get_version(s: Session, article_id: int, number: int) -> Version | None:
    """Version ``number`` (1-based) of an article, or ``None``."""
    stmt = select(Version).where(
        col(Version.article_id) == article_id, col(Version.number) == number
    )
    return s.exec(stmt).first()


def version_classes(s: Session, article_id: int) -> dict[int, tuple[str, ...]]:
    """The edit classes of each version of an article, by version number."""
    stmt = select(Version.number, Version.classes).where(col(Version.article_id) == article_id)
    return {number: tuple(classes or ()) for number, classes in s.exec(stmt).all()}


def diff_between(s: Session, article_id: int, from_n: int, to_n: int) -> VersionDiff:
    """The word diff from version ``from_n`` to version ``to_n`` (either order, any distance)."""
    old, new = get_version(s, article_id, from_n), get_version(s, article_id, to_n)
    if old is None:
        raise NotFound.version(article_id, from_n)
    if new is None:
        raise NotFound.version(article_id, to_n)
    changed = changed_fields(old, new)
    fields = {f: tuple(field_diff(f, getattr(old, f), getattr(new, f))) for f in changed}
    counts = [count_words(ops) for ops in fields.values()]
    return VersionDiff(
        article_id=article_id,
        from_number=from_n,
        to_number=to_n,
        changed_fields=changed,
        fields=fields,
        words_added=sum(a for a, _ in counts),
        words_removed=sum(r for _, r in counts),
    )


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
