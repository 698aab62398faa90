"""Alembic migrations of the newswatch schema, run by ``storage.migrate`` (no alembic.ini)."""
