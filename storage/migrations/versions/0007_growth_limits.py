"""Caps on runaway growth: an article's churn state, and new articles per host (source) a day.

``articles.edit_streak`` counts the consecutive checks that each recorded a new version; when
it (or the versions of the last 24 hours) reaches its cap the article is *churning*
(``churning_since``): its versions stop until its text, as last seen (``churn_fingerprint``),
has stayed the same since ``churn_stable_since`` for long enough (see ``storage.churn``).
Existing articles start with no streak and not churning.

``ix_articles_outlet_first_seen`` replaces ``ix_articles_outlet`` (and
``ix_articles_source_first_seen`` ``ix_articles_source_id``): the daily caps of new articles per
host and per source count one outlet's (source's) articles first seen in the last day, which
the old indexes could only answer by reading all of that outlet's (source's) rows; every lookup
by outlet (source) alone uses the new index's first column just as well.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copy of the column type: a migration must not change when the models do.
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ADD COLUMNs on both engines: the server default fills existing rows in place.
    op.add_column(
        "articles", sa.Column("edit_streak", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("articles", sa.Column("churning_since", UTC, nullable=True))
    op.add_column("articles", sa.Column("churn_fingerprint", sa.String(64), nullable=True))
    op.add_column("articles", sa.Column("churn_stable_since", UTC, nullable=True))
    op.create_index("ix_articles_outlet_first_seen", "articles", ["outlet", "first_seen_at"])
    op.drop_index("ix_articles_outlet", table_name="articles")
    op.create_index("ix_articles_source_first_seen", "articles", ["source_id", "first_seen_at"])
    op.drop_index("ix_articles_source_id", table_name="articles")


def downgrade() -> None:
    # Only the churn bookkeeping goes: every version, snapshot and alert stays.
    op.create_index("ix_articles_outlet", "articles", ["outlet"])
    op.drop_index("ix_articles_outlet_first_seen", table_name="articles")
    op.create_index("ix_articles_source_id", "articles", ["source_id"])
    op.drop_index("ix_articles_source_first_seen", table_name="articles")
    for column in ("churn_stable_since", "churn_fingerprint", "churning_since", "edit_streak"):
        op.drop_column("articles", column)
