"""The current fingerprint on the article row, and an index for article listings.

``articles.current_fingerprint`` lets an unchanged recheck be one UPDATE of the article row:
before, it read the current version's fingerprint, which sits after the body in the versions
row, so on a large history every recheck read the body's overflow pages from disk. It is
filled here from each article's current version.

``ix_articles_first_seen_at``: listings (CLI, API, web) sort on ``first_seen_at``, newest
first; without it every page sorts the whole articles table.

Revision ID: 0003
Revises: 0002
Create Date: 2025-06-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table copy on SQLite), then one pass to fill it.
    op.add_column("articles", sa.Column("current_fingerprint", sa.String(64), nullable=True))
    op.execute(
        "UPDATE articles SET current_fingerprint = (SELECT v.fingerprint FROM versions v "
        "WHERE v.id = articles.current_version_id) WHERE current_version_id IS NOT NULL"
    )
    op.create_index("ix_articles_first_seen_at", "articles", ["first_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_articles_first_seen_at", table_name="articles")
    op.drop_column("articles", "current_fingerprint")
