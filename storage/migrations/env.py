"""Alembic environment: always run on the connection ``storage.migrate`` hands over.

``storage.migrate`` opens the transaction (and takes the migration lock) before calling Alembic,
so every migration and the version stamp commit together or not at all.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable by running alembic by hand
    raise RuntimeError("run migrations through storage.migrate.upgrade(), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=None,
    # SQLite cannot ALTER most things: batch mode copies the table when a migration needs it.
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
