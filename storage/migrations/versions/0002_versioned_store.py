"""The versioned store at production grade: aliases, stories, LSH bands, edit classes, search.

Adds the columns that classify versions (classes, kind, origin, reverts, page type, derived
from), the syndication columns of articles, and full-text search: FTS5 tables on SQLite, a
``tsvector`` table plus a GIN expression index on PostgreSQL. Existing text is indexed here, so
an upgraded database searches its old history too.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


# The PostgreSQL document of a version; storage.searchindex repeats this expression so the planner
# uses the index. 'simple': no stemming, the same for every language (like FTS5's unicode61).
def pg_document(prefix: str = "") -> str:
    """The tsvector expression over a version's text (``prefix``: a table alias and a dot)."""
    return (
        f"to_tsvector('simple', coalesce({prefix}title, '') || ' ' || "
        f"coalesce({prefix}subtitle, '') || ' ' || {prefix}body)"
    )


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("first_article_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "article_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_index("ix_article_aliases_article_id", "article_aliases", ["article_id"])
    op.create_table(
        "minhash_bands",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.SmallInteger(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.PrimaryKeyConstraint("article_id", "scheme", "band"),
    )
    op.create_index("ix_minhash_bands_lookup", "minhash_bands", ["scheme", "band", "hash"])
    op.create_table(
        "edit_classes",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"]),
        sa.PrimaryKeyConstraint("version_id", "name"),
    )
    op.create_index("ix_edit_classes_name", "edit_classes", ["name", "version_id"])

    # Plain ADD COLUMN on both engines: no table copies, so upgrading a big database is quick.
    op.add_column("articles", sa.Column("story_id", sa.Integer(), nullable=True))
    op.add_column("articles", sa.Column("story_role", sa.String(), nullable=True))
    op.add_column("articles", sa.Column("signature", sa.LargeBinary(), nullable=True))
    op.add_column("articles", sa.Column("moved_to_id", sa.Integer(), nullable=True))
    op.create_index("ix_articles_story_id", "articles", ["story_id"])

    op.add_column(
        "versions",
        sa.Column("classes", JSON, nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column("versions", sa.Column("kind", sa.String(), nullable=False, server_default="edit"))
    op.add_column(
        "versions", sa.Column("origin", sa.String(), nullable=False, server_default="fetch")
    )
    op.add_column("versions", sa.Column("reverts", sa.Integer(), nullable=True))
    op.add_column("versions", sa.Column("page_type", sa.String(), nullable=True))
    op.add_column("versions", sa.Column("derived_from_id", sa.Integer(), nullable=True))
    op.execute("UPDATE versions SET kind = 'new' WHERE number = 1")
    op.create_index("ix_versions_fetched_at", "versions", ["fetched_at"])
    op.create_index("ix_versions_article_fetched", "versions", ["article_id", "fetched_at"])

    if op.get_bind().dialect.name == "sqlite":
        _sqlite_search()
    else:
        _postgres_search()


def _sqlite_search() -> None:
    # versions_fts reads its text from the versions table (external content: no second copy);
    # articles_fts holds the current text of each article, keyed by article id.
    op.execute(
        "CREATE VIRTUAL TABLE versions_fts USING fts5(title, subtitle, body, "
        "content='versions', content_rowid='id', tokenize='unicode61')"
    )
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, subtitle, body, tokenize='unicode61')"
    )
    op.execute("INSERT INTO versions_fts(versions_fts) VALUES ('rebuild')")
    op.execute(
        "INSERT INTO articles_fts(rowid, title, subtitle, body) "
        "SELECT a.id, v.title, v.subtitle, v.body FROM articles a "
        "JOIN versions v ON v.id = a.current_version_id"
    )


def _postgres_search() -> None:
    op.execute(f"CREATE INDEX ix_versions_search ON versions USING gin ({pg_document()})")
    op.create_table(
        "article_search",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.execute("CREATE INDEX ix_article_search_document ON article_search USING gin (document)")
    op.execute(
        "INSERT INTO article_search (article_id, document) "
        f"SELECT a.id, {pg_document('v.')} FROM articles a "
        "JOIN versions v ON v.id = a.current_version_id"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE articles_fts")
        op.execute("DROP TABLE versions_fts")
    else:
        op.drop_table("article_search")
        op.execute("DROP INDEX ix_versions_search")
    op.drop_index("ix_versions_article_fetched", table_name="versions")
    op.drop_index("ix_versions_fetched_at", table_name="versions")
    for column in ("derived_from_id", "page_type", "reverts", "origin", "kind", "classes"):
        op.drop_column("versions", column)
    op.drop_index("ix_articles_story_id", table_name="articles")
    for column in ("moved_to_id", "signature", "story_role", "story_id"):
        op.drop_column("articles", column)
    for table in ("edit_classes", "minhash_bands", "article_aliases", "stories"):
        op.drop_table(table)
