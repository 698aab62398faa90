"""Search every version from a table on PostgreSQL; MinHash signatures in their own table.

PostgreSQL: ``version_search`` holds each version's ``tsvector`` with a GIN index, as
``article_search`` does for the current text, and replaces the GIN expression index of 0002.
With only the expression, a search sorted newest first could walk the versions backwards
computing ``to_tsvector`` on every row: 10–20 s over half a million versions. Existing
versions are indexed here. SQLite keeps its FTS5 ``versions_fts``: nothing changes there.

``article_signatures``: the 512-byte signature leaves the ``articles`` row, which every
recheck updates and every listing reads. The stored signatures are dropped, not copied, and
so are the LSH band rows: this revision's code hashes words differently (CRC-32 instead of
SHA-1, see ``storage.syndication``), and an old signature compared with a new one would
measure nothing. No article leaves its story; older articles only stop being candidates for
new ones to join. The downgrade drops them again for the same reason.

Revision ID: 0004
Revises: 0003
Create Date: 2025-07-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen copy of the document of 0002 (and of storage.searchindex): a version's title, subtitle
# and body, no stemming.
PG_DOCUMENT = (
    "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(subtitle, '') || ' ' || body)"
)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.dbapi if bind.dialect.name == "sqlite" else None
    if sqlite is not None and sqlite.sqlite_version_info < (3, 35):
        # DROP COLUMN below came with SQLite 3.35; say so instead of a bare syntax error.
        raise RuntimeError(
            f"this upgrade needs SQLite 3.35 or newer, but Python uses SQLite "
            f"{sqlite.sqlite_version}: use a newer Python build (python.org and "
            "Debian 12 builds are new enough) or PostgreSQL"
        )
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.execute("DELETE FROM minhash_bands")
    # Not batch mode: on SQLite (>= 3.35) this is ALTER TABLE ... DROP COLUMN, done in place.
    # Batch mode copies articles into a new table and drops the old one, which the foreign keys
    # of versions, alerts and the rest refuse ("FOREIGN KEY constraint failed") once there is
    # data, and they cannot be switched off inside the migration's transaction.
    op.drop_column("articles", "signature")
    if op.get_bind().dialect.name == "postgresql":
        _postgres_version_search()


def _postgres_version_search() -> None:
    op.create_table(
        "version_search",
        sa.Column("version_id", sa.Integer(), nullable=False),
        # A copy of versions.article_id: filtering matches by outlet then needs no versions row.
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"]),
        sa.PrimaryKeyConstraint("version_id"),
    )
    # Fill first, index after: one GIN build is far cheaper than an insert per row, and its
    # time "is very sensitive to maintenance_work_mem" (PostgreSQL docs, GIN tips; default 64 MB).
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    op.execute(
        "INSERT INTO version_search (version_id, article_id, document) "
        f"SELECT id, article_id, {PG_DOCUMENT} FROM versions"
    )
    op.execute("CREATE INDEX ix_version_search_document ON version_search USING gin (document)")
    op.execute("DROP INDEX ix_versions_search")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_versions_search ON versions USING gin ({PG_DOCUMENT})")
        op.drop_table("version_search")
    op.add_column("articles", sa.Column("signature", sa.LargeBinary(), nullable=True))
    op.execute("DELETE FROM minhash_bands")
    op.drop_table("article_signatures")
