"""The tables: sources, articles and their versions, raw snapshots, alerts and their deliveries,
URL aliases, stories (syndication clusters), their signatures and LSH band hashes, edit
classes, and the hosts' turns that daemons sharing the database take.

Every timestamp column is :class:`~storage.columns.UTCDateTime` (aware UTC in and out) and every
JSON column is :class:`~storage.columns.PortableJSON`. Rows are never deleted: history is the
product, so configured sources that leave the config are disabled and gone articles keep
their versions (only an explicit ``storage.forget_article`` removes one, see
``storage.retention``).

The schema is owned by the Alembic migrations in ``storage/migrations``; these classes must
describe the same tables (a test compares them). The full-text tables (FTS5 on SQLite, a
``tsvector`` table on PostgreSQL) are engine-specific and exist only in the migrations.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from storage.columns import PortableJSON, UTCDateTime

# The rows a daemon holds leases on, found without reading the table: giving them back at
# shutdown (storage.frontier.release_leases) scanned every article. Partial, so the index holds
# only the few rows leased at any moment (a claim's batch), not one entry per article.
LEASED: dict[str, Any] = {
    "sqlite_where": text("lease_owner IS NOT NULL"),
    "postgresql_where": text("lease_owner IS NOT NULL"),
}


class Source(SQLModel, table=True):
    """A feed, sitemap or listing page that is polled for article links."""

    __tablename__ = "sources"
    __table_args__ = (Index("ix_sources_leased", "lease_owner", **LEASED),)

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
    # "config" or "manual" (storage.types.SourceOrigin): a daemon's start disables only the
    # config sources its configuration no longer lists, so sources added by hand survive it.
    origin: str = Field(default="config", sa_column_kwargs={"server_default": "config"})


class Article(SQLModel, table=True):
    """One canonical URL and the state of watching it.

    ``next_check_at`` is ``None`` when the article is never to be checked again.
    ``current_version_id`` has no foreign key on purpose: versions already point at their
    article, and a cycle of foreign keys would make table creation order ambiguous.
    """

    __tablename__ = "articles"
    # Outlet (source) first: every lookup by outlet (source), and the count of one outlet's
    # (source's) articles first seen in the last day (the daily caps, see storage.admission).
    __table_args__ = (
        Index("ix_articles_outlet_first_seen", "outlet", "first_seen_at"),
        Index("ix_articles_source_first_seen", "source_id", "first_seen_at"),
        Index("ix_articles_leased", "lease_owner", **LEASED),
    )

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    outlet: str
    source_id: int | None = Field(default=None, foreign_key="sources.id")
    # Indexed: article listings (CLI, API, web) sort on it, newest first.
    first_seen_at: datetime = Field(sa_type=UTCDateTime, index=True)
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
    # The current version's fingerprint under the normalisation that last compared it: an
    # unchanged recheck matches it on this row alone (see storage.record). A copy, kept here
    # because the versions row keeps it after the body, which large histories read from disk.
    current_fingerprint: str | None = Field(default=None, sa_type=String(64))
    title: str | None = Field(default=None, sa_type=Text)
    last_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failures: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    hint_title: str | None = Field(default=None, sa_type=Text)
    hint_published: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hint_updated: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The syndication cluster this article belongs to, and how: "first", "copy" or "coverage".
    # No foreign key, like current_version_id: SQLite cannot add one to an existing table
    # without copying it, and the upgrade of a large database must stay a quick ADD COLUMN.
    story_id: int | None = Field(default=None, index=True)
    story_role: str | None = None
    # Set when this article moved to a URL that another article with its own history already
    # had: this one is retired (never checked again) and points at the one that continues.
    moved_to_id: int | None = None
    # Walls and teasers (scraper.verdicts): the site marks the article as paywalled; the length
    # of its text when last seen in full (None: never seen in full, only teasers or nothing),
    # which a later fetch is judged against.
    paywalled: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    full_chars: int | None = None
    # A drastic change seen once and waiting to be seen again before it is recorded.
    pending_fingerprint: str | None = Field(default=None, sa_type=String(64))
    pending_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pending_reason: str | None = Field(default=None, sa_type=Text)
    # Churn (see storage.churn): the consecutive checks that each recorded a new version; and
    # while churning_since is set, no versions are recorded, only whether the text as last seen
    # (churn_fingerprint) has stayed the same since churn_stable_since.
    edit_streak: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    churning_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    churn_fingerprint: str | None = Field(default=None, sa_type=String(64))
    churn_stable_since: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Version(SQLModel, table=True):
    """What a reader saw at one point in time; a new row only when the fingerprint changes.

    ``origin`` is ``"fetch"`` for what was seen, ``"reextract"`` for a *derived* version made by
    running a newer extractor over the snapshot of ``derived_from_id`` (same ``fetched_at``).
    ``kind`` is ``"new"`` (first version), ``"edit"`` or ``"update"`` (a live blog growing).
    ``reverts`` is the number of an earlier version whose fingerprint this one has again.
    """

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("article_id", "number", name="uq_versions_article_number"),
        Index("ix_versions_article_fetched", "article_id", "fetched_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="articles.id")
    number: int
    fetched_at: datetime = Field(sa_type=UTCDateTime, index=True)
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
    # field -> the changes and a little context ([op, text], ["skip", n]); see ops_to_json
    diff: dict[str, Any] = Field(default_factory=dict, sa_type=PortableJSON)
    classes: list[str] = Field(default_factory=list, sa_type=PortableJSON)
    kind: str = "edit"
    origin: str = "fetch"
    reverts: int | None = None
    page_type: str | None = None
    derived_from_id: int | None = None
    # "full", or "teaser": the visible part of a paywalled article, compared only with teasers.
    access: str = Field(default="full", sa_column_kwargs={"server_default": "full"})


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
    __table_args__ = (Index("ix_fetch_log_outlet_at", "outlet", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(index=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: int | None = None
    bytes: int = 0
    elapsed: float = 0.0
    error_kind: str | None = None
    message: str | None = Field(default=None, sa_type=Text)
    # What the page turned out to be when it was not the article (scraper.verdicts), and the
    # outlet the URL belongs to: the per-outlet share of walls and teasers is counted here.
    verdict: str | None = None
    outlet: str | None = None


class ArticleAlias(SQLModel, table=True):
    """A URL an article used to have (before a redirect or a canonical change)."""

    __tablename__ = "article_aliases"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    article_id: int = Field(foreign_key="articles.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Story(SQLModel, table=True):
    """One event's coverage: wire copies and the outlets' own articles about it."""

    __tablename__ = "stories"

    id: int | None = Field(default=None, primary_key=True)
    title: str | None = Field(default=None, sa_type=Text)
    first_article_id: int | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)


class MinhashBand(SQLModel, table=True):
    """One LSH band hash of an article's MinHash: equal (scheme, band, hash) means a candidate.

    A table rather than an in-memory index, so every daemon sharing the database sees the same
    index and nothing has to be rebuilt at start.
    """

    __tablename__ = "minhash_bands"
    __table_args__ = (Index("ix_minhash_bands_lookup", "scheme", "band", "hash"),)

    article_id: int = Field(foreign_key="articles.id", primary_key=True)
    scheme: int = Field(sa_type=SmallInteger, primary_key=True)
    band: int = Field(sa_type=SmallInteger, primary_key=True)
    hash: int = Field(sa_type=BigInteger)


class ArticleSignature(SQLModel, table=True):
    """An article's MinHash signatures (uint32 values, little-endian), to verify LSH hits.

    Apart from ``articles`` because only story placement reads it: on the article row, its
    512 bytes made every recheck UPDATE and every article read handle rows 2.5 times bigger.
    """

    __tablename__ = "article_signatures"

    article_id: int = Field(foreign_key="articles.id", primary_key=True)
    signature: bytes = Field(sa_type=LargeBinary)


class EditClass(SQLModel, table=True):
    """One class of one version (``headline``, ``number``...), so edits can be filtered by class."""

    __tablename__ = "edit_classes"
    __table_args__ = (Index("ix_edit_classes_name", "name", "version_id"),)

    version_id: int = Field(foreign_key="versions.id", primary_key=True)
    name: str = Field(sa_type=String(20), primary_key=True)


class HostSlot(SQLModel, table=True):
    """One host's turn, shared by every daemon on the database (see ``storage.hosts``).

    ``host`` is ``scheme://host:port``, the throttle's politeness unit. While ``holder`` holds
    the host (until its request ends, or ``held_until`` at the latest) nobody else starts one;
    no request starts before ``next_start`` or ``paused_until``.
    """

    __tablename__ = "host_slots"

    host: str = Field(primary_key=True)
    next_start: datetime = Field(sa_type=UTCDateTime)
    holder: str | None = None
    held_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pause_reason: str | None = Field(default=None, sa_type=Text)
