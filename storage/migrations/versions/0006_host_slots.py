"""Hosts' turns shared by daemons: ``host_slots``, one row per host (``scheme://host:port``).

Until now each daemon kept its politeness (the per-host delay, Crawl-delay, Retry-After pauses)
in memory, so N daemons on one database asked a site N times as often, and a 429 seen by one
did not stop the others. The row says who holds the host, when the next request may start and
until when the host is paused (see ``storage.hosts``). A new table and nothing else: existing
rows are untouched, and a host gets its row at its first request.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen copy of the column type: a migration must not change when the models do.
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "host_slots",
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("next_start", UTC, nullable=False),
        sa.Column("holder", sa.String(), nullable=True),
        sa.Column("held_until", UTC, nullable=True),
        sa.Column("paused_until", UTC, nullable=True),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("host"),
    )


def downgrade() -> None:
    # Only turns and pauses, all of them minutes long: nothing of the history is lost.
    op.drop_table("host_slots")
