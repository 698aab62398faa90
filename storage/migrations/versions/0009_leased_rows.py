"""The rows a daemon holds leases on, indexed: ``ix_sources_leased`` and ``ix_articles_leased``.

Giving leases back at shutdown (``storage.frontier.release_leases``) looked rows up by
``lease_owner``, which no index covered: every article of the history was read, through the
SQLite page cache of the daemon that was stopping. Partial indexes (``WHERE lease_owner IS NOT
NULL``, on SQLite and PostgreSQL alike) hold only the rows leased at that moment, so claims and
reschedules keep a tiny index up to date, not one entry per article. Building them reads each
table once; no row changes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LEASED = sa.text("lease_owner IS NOT NULL")


def upgrade() -> None:
    for table in ("sources", "articles"):
        op.create_index(
            f"ix_{table}_leased",
            table,
            ["lease_owner"],
            sqlite_where=LEASED,
            postgresql_where=LEASED,
        )


def downgrade() -> None:
    for table in ("articles", "sources"):
        op.drop_index(f"ix_{table}_leased", table_name=table)
