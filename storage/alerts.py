"""The alert as a typed value, from the moment storage queues it to the moment a channel sends it.

An :class:`AlertPayload` says which article (and version) an alert is about, what every alert
says about its article, and one *detail* that depends on the kind: a new version's coverage,
a gone page's status, a move's old URL, a churning page's pace. :func:`article_alert` is the
one builder; :func:`queue_article_alert` (in :mod:`storage.outbox`) the one way to queue it.

The outbox keeps the payload as JSON (:meth:`AlertPayload.stored`) with the number of the
format it was written in (:data:`PAYLOAD_FORMAT`, key ``format``). Payloads stored before the
format had a number are read the same way (their keys are those of format 1), and a key that
is missing or of the wrong type reads as absent rather than failing a delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast, get_args

from storage.models import Alert, Article, Version
from storage.types import AlertKind

# The version of the stored JSON; a reader of a newer format than it knows still reads the
# keys it knows. Payloads without the key were written before it existed, in format 1's keys.
PAYLOAD_FORMAT = 1
ChurnReason = Literal["streak", "versions"]


@dataclass(frozen=True, slots=True)
class StorySize:
    """How many articles, from how many outlets, the story of a new article holds."""

    outlets: int
    articles: int


@dataclass(frozen=True, slots=True)
class EditDetail:
    """What an edit (version 2 on) changed, in words a person reads."""

    changes: tuple[str, ...] = ()
    words_added: int = 0
    words_removed: int = 0
    reverts: int | None = None


@dataclass(frozen=True, slots=True)
class CoverageDetail:
    """A new version (kinds ``new``, ``edited``, ``update``)."""

    site_name: str | None = None
    published: datetime | None = None
    story_role: str | None = None
    story: StorySize | None = None  # set on new coverage only
    edit: EditDetail | None = None  # set from version 2 on


@dataclass(frozen=True, slots=True)
class GoneDetail:
    """The page answered 404 or 410."""

    status: int


@dataclass(frozen=True, slots=True)
class MovedDetail:
    """The article now lives at the alert's URL; it was at ``from_url``."""

    from_url: str


@dataclass(frozen=True, slots=True)
class ChurnDetail:
    """The page changes on every visit, so its versions stop until it settles."""

    reason: ChurnReason
    versions_today: int
    streak: int
    recheck_seconds: int
    settle_seconds: int


AlertDetail = CoverageDetail | GoneDetail | MovedDetail | ChurnDetail


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertPayload:
    """One queued alert: its kind, the ids it is about, and what it says."""

    kind: AlertKind
    article_id: int
    version_id: int | None
    url: str
    outlet: str
    title: str | None
    version: int | None
    changed_fields: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    story_id: int | None = None
    detail: AlertDetail

    @property
    def coverage(self) -> CoverageDetail | None:
        """The new version's detail (``None`` for gone, moved and churning alerts)."""
        return self.detail if isinstance(self.detail, CoverageDetail) else None

    @property
    def site_name(self) -> str | None:
        return self.coverage.site_name if self.coverage else None

    @property
    def changes(self) -> tuple[str, ...]:
        """The edit's changes in words (empty for anything but an edit)."""
        edit = self.coverage.edit if self.coverage else None
        return edit.changes if edit is not None else ()

    def document(self) -> dict[str, Any]:
        """The alert's fields as JSON values: what webhooks and JSON-lines files receive."""
        shown: dict[str, Any] = {
            "url": self.url,
            "outlet": self.outlet,
            "title": self.title,
            "version": self.version,
            "changed_fields": list(self.changed_fields),
            "classes": list(self.classes),
            "story_id": self.story_id,
        }
        return shown | _detail_document(self.detail)

    def stored(self) -> dict[str, Any]:
        """What the outbox's JSON column keeps: the document and its format number."""
        return self.document() | {"format": PAYLOAD_FORMAT}


def _detail_document(detail: AlertDetail) -> dict[str, Any]:
    if isinstance(detail, GoneDetail):
        return {"status": detail.status}
    if isinstance(detail, MovedDetail):
        return {"from_url": detail.from_url}
    if isinstance(detail, ChurnDetail):
        return {
            "reason": detail.reason,
            "versions_today": detail.versions_today,
            "streak": detail.streak,
            "recheck_seconds": detail.recheck_seconds,
            "settle_seconds": detail.settle_seconds,
        }
    shown: dict[str, Any] = {
        "site_name": detail.site_name,
        "published": detail.published.isoformat() if detail.published else None,
        "story_role": detail.story_role,
    }
    if detail.story is not None:
        shown |= {"story_outlets": detail.story.outlets, "story_articles": detail.story.articles}
    if detail.edit is not None:
        shown |= {
            "changes": list(detail.edit.changes),
            "words_added": detail.edit.words_added,
            "words_removed": detail.edit.words_removed,
            "reverts": detail.edit.reverts,
        }
    return shown


def article_alert(
    kind: AlertKind, article: Article, version: Version | None, detail: AlertDetail
) -> AlertPayload:
    """The one builder: what an alert of ``kind`` about ``article`` (at ``version``) says."""
    assert article.id is not None
    return AlertPayload(
        kind=kind,
        article_id=article.id,
        version_id=version.id if version is not None else article.current_version_id,
        url=article.url,
        outlet=article.outlet,
        title=article.title or article.hint_title,
        version=version.number if version else article.version_count or None,
        changed_fields=tuple(version.changed_fields) if version else (),
        classes=tuple(version.classes) if version else (),
        story_id=article.story_id,
        detail=detail,
    )


def read_alert(
    *, kind: str, article_id: int, version_id: int | None, stored: Mapping[str, Any]
) -> AlertPayload:
    """The typed alert an outbox row holds, whatever format its JSON was written in."""
    known = _alert_kind(kind)
    return AlertPayload(
        kind=known,
        article_id=article_id,
        version_id=version_id,
        url=_text(stored, "url") or "",
        outlet=_text(stored, "outlet") or "",
        title=_text(stored, "title"),
        version=_number(stored, "version"),
        changed_fields=_texts(stored, "changed_fields"),
        classes=_texts(stored, "classes"),
        story_id=_number(stored, "story_id"),
        detail=_read_detail(known, stored),
    )


def read_row(row: Alert) -> AlertPayload:
    """The typed alert an outbox row (a ``storage.models.Alert``) holds."""
    return read_alert(
        kind=row.kind, article_id=row.article_id, version_id=row.version_id, stored=row.payload
    )


def stored_site_name(stored: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The host and the page's own site name a stored payload names, without reading the rest
    (outlet naming reads tens of thousands of them; this module alone knows their keys)."""
    return _text(stored, "outlet"), _text(stored, "site_name")


_KINDS = frozenset(get_args(AlertKind))


def _alert_kind(kind: str) -> AlertKind:
    # A kind this code does not know (written by a newer daemon) is delivered as new coverage.
    return cast(AlertKind, kind) if kind in _KINDS else "new"


def _read_detail(kind: AlertKind, stored: Mapping[str, Any]) -> AlertDetail:
    if kind == "gone":
        return GoneDetail(status=_number(stored, "status") or 0)
    if kind == "moved":
        return MovedDetail(from_url=_text(stored, "from_url") or "")
    if kind == "churning":
        return ChurnDetail(
            reason="versions" if stored.get("reason") == "versions" else "streak",
            versions_today=_number(stored, "versions_today") or 0,
            streak=_number(stored, "streak") or 0,
            recheck_seconds=_number(stored, "recheck_seconds") or 0,
            settle_seconds=_number(stored, "settle_seconds") or 0,
        )
    story = None
    outlets, articles = _number(stored, "story_outlets"), _number(stored, "story_articles")
    if outlets is not None:
        story = StorySize(outlets=outlets, articles=articles or 0)
    edit = None
    if "changes" in stored:
        edit = EditDetail(
            changes=_texts(stored, "changes"),
            words_added=_number(stored, "words_added") or 0,
            words_removed=_number(stored, "words_removed") or 0,
            reverts=_number(stored, "reverts"),
        )
    return CoverageDetail(
        site_name=_text(stored, "site_name"),
        published=_moment(stored, "published"),
        story_role=_text(stored, "story_role"),
        story=story,
        edit=edit,
    )


def _text(stored: Mapping[str, Any], key: str) -> str | None:
    value = stored.get(key)
    return value if isinstance(value, str) else None


def _number(stored: Mapping[str, Any], key: str) -> int | None:
    value = stored.get(key)
    # bool is an int to Python, never a count here
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _texts(stored: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = stored.get(key)
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(item) for item in value)


def _moment(stored: Mapping[str, Any], key: str) -> datetime | None:
    value = _text(stored, key)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
