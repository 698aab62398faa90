"""Walls, teasers and drastic changes: what a fetch was judged to be, and changes on hold.

* ``fetch_log.verdict`` and ``fetch_log.outlet``: a fetch that was not the article (a bot wall,
  a consent page, a teaser, a soft 404, a page with no text) says so in its log line; the
  outlet (indexed with the time) lets ``stats`` and the web page count each outlet's share of
  such fetches without reading URLs. Existing lines keep ``NULL``: they were never judged.
* ``versions.access``: ``full``, or ``teaser`` for the visible part of a paywalled article
  (compared only with teasers). Every existing version was recorded as a full text.
* ``articles.paywalled``, ``articles.full_chars``: the site marks the article as paywalled; the
  length of its text when last seen in full, which later fetches are judged against. Filled
  here from each article's current version, so existing articles are judged from the start.
* ``articles.pending_*``: a drastic change seen once, waiting to be seen again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMNs (SQLite too): a large database upgrades without copying a table.
    op.add_column("fetch_log", sa.Column("verdict", sa.String(), nullable=True))
    op.add_column("fetch_log", sa.Column("outlet", sa.String(), nullable=True))
    op.create_index("ix_fetch_log_outlet_at", "fetch_log", ["outlet", "at"])
    op.add_column(
        "versions", sa.Column("access", sa.String(), nullable=False, server_default="full")
    )
    op.add_column(
        "articles", sa.Column("paywalled", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("articles", sa.Column("full_chars", sa.Integer(), nullable=True))
    op.add_column("articles", sa.Column("pending_fingerprint", sa.String(64), nullable=True))
    op.add_column("articles", sa.Column("pending_since", UTC, nullable=True))
    op.add_column("articles", sa.Column("pending_reason", sa.Text(), nullable=True))
    op.execute(
        "UPDATE articles SET full_chars = (SELECT length(v.body) FROM versions v "
        "WHERE v.id = articles.current_version_id) "
        "WHERE current_version_id IS NOT NULL"
    )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place on SQLite (3.35+, as 0004 already required): a
    # batch copy of articles would trip over the versions that point at it.
    for name in (
        "pending_reason",
        "pending_since",
        "pending_fingerprint",
        "full_chars",
        "paywalled",
    ):
        op.drop_column("articles", name)
    op.drop_column("versions", "access")
    op.drop_index("ix_fetch_log_outlet_at", table_name="fetch_log")
    op.drop_column("fetch_log", "outlet")
    op.drop_column("fetch_log", "verdict")
