"""SQLite searches current text through the versions' index: ``articles_fts`` is dropped.

``versions_fts`` indexes every version in place (external content over ``versions``), and
``articles_fts`` held each article's current text a second time: a copy of the text and a
second index of it. Every new article was tokenized and indexed twice, and an edit three times
(the new version, the old current text taken out, the new one put in). From this revision a
current-text search reads ``versions_fts`` and keeps the hits that are their article's current
version (``storage.read.fulltext``); a recording indexes each version once.

The downgrade builds ``articles_fts`` again from each article's current version. PostgreSQL is
unchanged (migration 0011 already keeps each document once there).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS articles_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, subtitle, body, tokenize='unicode61')"
    )
    op.execute(
        "INSERT INTO articles_fts(rowid, title, subtitle, body) "
        "SELECT a.id, v.title, v.subtitle, v.body FROM articles a "
        "JOIN versions v ON v.id = a.current_version_id"
    )
