"""PostgreSQL keeps each search document once: the current text in ``article_search`` only.

Until now every version had its ``tsvector`` in ``version_search``, and the current version's
was written a second time into ``article_search``, which keeps current-text searches from
matching every version first. A new article therefore paid for two documents and two GIN
insertions, the largest part of the server's work for it. From this revision
``version_search`` holds the versions that are no longer current, and ``article_search`` the
current one, now with its ``version_id``. A search over every version reads both tables; an
edit moves the text it replaces from the one to the other without building it again.

Existing rows: ``article_search`` gets each article's current version, and the current
versions' second documents leave ``version_search``. The GIN index of ``article_search`` is
dropped for the update and built again afterwards (one build costs far less than re-inserting
every row's entries). A row whose article has no current version was never shown by any
search (they join the current version) and is dropped. SQLite is unchanged: ``versions_fts``
indexes the versions table in place and costs no second copy.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.add_column("article_search", sa.Column("version_id", sa.Integer(), nullable=True))
    op.execute("DROP INDEX ix_article_search_document")
    op.execute(
        "UPDATE article_search s SET version_id = a.current_version_id "
        "FROM articles a WHERE a.id = s.article_id"
    )
    op.execute("DELETE FROM article_search WHERE version_id IS NULL")
    op.alter_column("article_search", "version_id", nullable=False)
    op.create_foreign_key(
        "article_search_version_id_fkey", "article_search", "versions", ["version_id"], ["id"]
    )
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    op.execute("CREATE INDEX ix_article_search_document ON article_search USING gin (document)")
    op.execute(
        "DELETE FROM version_search v USING article_search s WHERE v.version_id = s.version_id"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "INSERT INTO version_search (version_id, article_id, document) "
        "SELECT version_id, article_id, document FROM article_search "
        "ON CONFLICT (version_id) DO NOTHING"
    )
    op.drop_constraint("article_search_version_id_fkey", "article_search", type_="foreignkey")
    op.drop_column("article_search", "version_id")
