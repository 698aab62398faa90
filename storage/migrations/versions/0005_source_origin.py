"""Who manages a source: ``sources.origin`` is ``'config'`` or ``'manual'``.

A daemon makes the sources table match its configuration when it starts. Before this revision
it disabled every source the configuration did not list, so a source added over the API (or by
``newswatch sources add`` without ``--config``) was silently dropped at the next start. Now it
disables only ``'config'`` sources; ``'manual'`` ones are left as they are.

Every existing row becomes ``'config'``: until now the configuration decided about all of them,
so that is what they were, and the next start behaves exactly as it did before the upgrade.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: the server default fills existing rows without a
    # table copy (and batch mode's copy would trip the foreign keys of articles, see 0004).
    op.add_column(
        "sources", sa.Column("origin", sa.String(), nullable=False, server_default="config")
    )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place on SQLite: 0004 already required SQLite 3.35.
    op.drop_column("sources", "origin")
