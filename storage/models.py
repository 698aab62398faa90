"""The tables: sources, articles and their versions, raw snapshots, alerts and their deliveries.

Every timestamp column is :class:`~storage.columns.UTCDateTime` (aware UTC in and out) and every
JSON column is :class:`~storage.columns.PortableJSON`. Rows are never deleted: history is the
product, so sources that leave the config are disabled and gone articles keep their versions.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import PortableJSON, UTCDateTime


class Source(SQLModel, table=True):
    """A feed, sitemap or listing page that is polled for article links."""

    __tablename__ = "sources"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    kind: str
    every_seconds: int
    enabled: bool = True
    next_check_at: datetime = Field(sa_type=UTCDateTime, index=True)
    lease_owner: str | None = None
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    etag: str | None = None
    last_modified: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)


class Article(SQLModel, table=True):
    """One canonical URL and the state of watching it.

    ``next_check_at`` is ``None`` when the article is never to be checked again.
    ``current_version_id`` has no foreign key on purpose: versions already point at their
    article, and a cycle of foreign keys would make table creation order ambiguous.
    """

    __tablename__ = "articles"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    outlet: str = Field(index=True)
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True)
    first_seen_at: datetime = Field(sa_type=UTCDateTime)
    last_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    lease_owner: str | None = None
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = "pending"
    gone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    etag: str | None = None
    last_modified: str | None = None
    version_count: int = 0
    current_version_id: int | None = None
    title: str | None = Field(default=None, sa_type=Text)
    last_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    hint_title: str | None = Field(default=None, sa_type=Text)
    hint_published: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hint_updated: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Version(SQLModel, table=True):
    """What a reader saw at one point in time; a new row only when the fingerprint changes."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_versions_article_number"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="articles.id")
    number: int
    fetched_at: datetime = Field(sa_type=UTCDateTime)
    title: str | None = Field(default=None, sa_type=Text)
    subtitle: str | None = Field(default=None, sa_type=Text)
    body: str = Field(default="", sa_type=Text)
    authors: list[str] = Field(default_factory=list, sa_type=PortableJSON)
    published: datetime | None = Field(default=None, sa_type=UTCDateTime)
    modified: datetime | None = Field(default=None, sa_type=UTCDateTime)
    language: str | None = None
    canonical_url: str | None = None
    fingerprint: str = Field(sa_type=String(64), index=True)
    snapshot_sha256: str | None = Field(
        default=None, sa_type=String(64), foreign_key="snapshots.sha256"
    )
    changed_fields: list[str] = Field(default_factory=list, sa_type=PortableJSON)
    words_added: int = 0
    words_removed: int = 0
    diff: dict[str, Any] = Field(default_factory=dict, sa_type=PortableJSON)


class Snapshot(SQLModel, table=True):
    """Raw page bytes, zstd-compressed and addressed by the sha256 of the raw bytes."""

    __tablename__ = "snapshots"

    sha256: str = Field(sa_type=String(64), primary_key=True)
    data: bytes = Field(sa_type=LargeBinary)
    size: int
    created_at: datetime = Field(sa_type=UTCDateTime)


class Alert(SQLModel, table=True):
    """A notification owed to every configured channel (the outbox)."""

    __tablename__ = "alerts"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    article_id: int = Field(foreign_key="articles.id", index=True)
    version_id: int | None = Field(default=None, foreign_key="versions.id")
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=PortableJSON)


class Delivery(SQLModel, table=True):
    """The state of one alert on one channel; absent means not tried yet."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", name="uq_deliveries_alert_channel"),
        Index("ix_deliveries_channel_status", "channel", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="alerts.id")
    channel: str
    status: str
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FetchLog(SQLModel, table=True):
    """One line per HTTP fetch, for `newswatch` diagnostics and politeness audits."""

    __tablename__ = "fetch_log"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: int | None = None
    bytes: int = 0
    elapsed: float = 0.0
    error_kind: str | None = None
    message: str | None = Field(default=None, sa_type=Text)
