"""Bringing a database's schema to the code's: Alembic migrations, run programmatically.

Every schema change is a migration in ``storage/migrations/versions``, from the first table on.
:func:`upgrade` runs in one transaction that first takes a lock, so two daemons starting at
once on a fresh database cannot both migrate it: on PostgreSQL a transaction-scoped advisory
lock, on SQLite the write lock of ``BEGIN IMMEDIATE`` (see ``storage.database``). The second
daemon then finds the schema at head and does nothing. DDL is transactional on both engines,
so a crash mid-migration leaves the previous revision intact.

A database made before migrations existed (by ``create_all``) has the tables of revision
``0001`` but no ``alembic_version`` table: it is stamped ``0001`` and upgraded from there.
A database whose revision this code does not know was migrated by a newer newswatch:
:class:`~storage.exceptions.SchemaTooNew`, never a guess.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import OperationalError

from storage.exceptions import DatabaseUnavailable, SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
# The newest migration's revision, known without reading the migration scripts: a database
# already at it opens without importing Alembic (and Mako), which took 11 MB of every daemon's
# memory for good. tests/storage/test_storage_migrations.py checks that it is Alembic's head.
HEAD = "0012"
# Any constant works; this one spells "nwsm" so it is recognisable in pg_locks.
ADVISORY_LOCK_KEY = 0x6E77736D
_BASELINE_TABLES = {"sources", "articles", "versions", "snapshots", "alerts", "fetch_log"}


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for our migrations, without any alembic.ini."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision this code knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "storage/migrations/versions holds no migration"
    return head


def known_revisions() -> frozenset[str]:
    """Every revision this code knows (a database at another one was migrated by a newer
    newswatch)."""
    from alembic.script import ScriptDirectory

    return frozenset(
        rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    )


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None``: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:  # str(engine.url) hides the password
        raise DatabaseUnavailable(str(engine.url), str(exc.orig)) from exc


def upgrade(engine: Engine, *, revision: str = "head", safe_url: str = "") -> str | None:
    """Migrate the database to ``revision`` (default: head); return the revision it was at.

    Raises DatabaseUnavailable when the database does not answer.
    """
    try:
        if revision == "head" and _at_head(engine):
            return HEAD
        return _upgrade(engine, revision=revision, safe_url=safe_url)
    except OperationalError as exc:
        raise DatabaseUnavailable(safe_url or str(engine.url), str(exc.orig)) from exc


def _at_head(engine: Engine) -> bool:
    """Whether the database is at :data:`HEAD` already, asked without Alembic.

    No lock is needed: no daemon moves a database at the newest revision anywhere else.
    """
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        versions = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
        return list(versions) == [HEAD]


def _upgrade(engine: Engine, *, revision: str, safe_url: str) -> str | None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Released at commit: concurrent first starts queue here instead of racing.
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})")
        config.attributes["connection"] = conn
        before = MigrationContext.configure(conn).get_current_revision()
        if before is not None and before not in known:
            raise SchemaTooNew(safe_url or str(engine.url), before, head_revision())
        if before is None and _has_baseline_tables(conn):
            logger.info(
                "legacy schema stamped", extra={"event": "schema_stamped", "revision": BASELINE}
            )
            command.stamp(config, BASELINE)
        command.upgrade(config, revision)
        after = MigrationContext.configure(conn).get_current_revision()
    if after != before:
        logger.info(
            "schema upgraded", extra={"event": "schema_upgraded", "from": before, "to": after}
        )
    return before


def _has_baseline_tables(conn: Connection) -> bool:
    """Whether the tables of the first revision already exist (a pre-migrations database)."""
    return set(inspect(conn).get_table_names()) >= _BASELINE_TABLES
