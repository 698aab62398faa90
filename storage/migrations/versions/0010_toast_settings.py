"""PostgreSQL stores large values more cheaply: snapshots uncompressed, text with lz4.

PostgreSQL compresses every value over about 2 kB before it moves it out of the row. By
default it uses pglz, which is slow. Each new article wrote three such values: its body, its
search document, and the search document again for the article's current text. Its snapshot
was a fourth, and that one is zstd already, so pglz only spent time finding it incompressible.

* ``snapshots.data``: ``STORAGE EXTERNAL``, stored out of line and never compressed again;
* ``versions.body``, ``versions.diff``, ``version_search.document`` and
  ``article_search.document``: compressed with lz4 where the server has it (PostgreSQL 14 and
  later, built with lz4, as Debian's and the official images are). Without lz4 they keep pglz.

Measured with ``bench/recording.py``'s pages, 600 new articles per run: the server's CPU fell
by about a tenth per article (see the README's performance section).

Both settings apply to values written from now on. Values already stored are read as they
were written, so nothing is rewritten and the upgrade is immediate. SQLite has no such
settings: there this revision changes nothing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# (table, column) of the large values that are compressed where they are stored.
LZ4_COLUMNS = (
    ("versions", "body"),
    ("versions", "diff"),
    ("version_search", "document"),
    ("article_search", "document"),
)


def upgrade() -> None:
    _store_large_values(snapshots="EXTERNAL", text="lz4")


def downgrade() -> None:
    _store_large_values(snapshots="EXTENDED", text="default")


def _store_large_values(*, snapshots: str, text: str) -> None:
    """Set the snapshots' storage mode and the text columns' compression (PostgreSQL only;
    the compression only where the server has lz4, without which both settings are pglz)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE snapshots ALTER COLUMN data SET STORAGE {snapshots}")
    if _has_lz4():
        for table, column in LZ4_COLUMNS:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {text}")


def _has_lz4() -> bool:
    """Whether the server can compress with lz4: version 14 or later, built with it."""
    choices = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        .scalar()
    )
    return choices is not None and "lz4" in choices
