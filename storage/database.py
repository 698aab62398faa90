"""Opening a database: URL checks, engine setup per dialect, and transaction scopes.

SQLite is set up for several processes sharing one file: WAL (readers never block the writer),
a 30 s busy timeout (writers queue instead of failing), foreign keys on, ``synchronous=NORMAL``
(safe with WAL, much faster than FULL), a larger page cache and memory-mapped reads.
Transactions from :meth:`Database.transaction` start with ``BEGIN IMMEDIATE`` so the write lock
is taken before the first read: a claim's SELECT and its UPDATE then cannot interleave with
another process's claim. That lock is held until commit, so keep write transactions short
(never fetch over the network inside one).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.exc import DatabaseError as _NotADatabase
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

from storage.exceptions import DatabaseMissing, DatabaseUnavailable, InvalidDatabaseURL
from storage.migrate import current_revision, upgrade
from storage.models import (
    Alert,
    Article,
    ArticleAlias,
    ArticleSignature,
    Delivery,
    EditClass,
    FetchLog,
    HostSlot,
    MinhashBand,
    Snapshot,
    Source,
    Story,
    Version,
)
from storage.writehealth import WriteHealth, WriteRecord

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Both count in a long-running daemon's resident memory: the page cache per pooled connection
# and every mapped page of the file it has read. 32 MiB per connection and a 256 MiB map took
# one daemon from 123 MB to 225 MB after 1,280 new articles; these sizes keep it near 170 MB,
# and bench/storage.py reads as fast at 20,000 × 10 (history p50 0.49 ms either way): the OS
# page cache holds the file regardless. No map at all: a scan of the articles table (the
# recheck tiers at start, giving leases back at shutdown) mapped its full 32 MiB into the
# daemon, +28 MB after opening and at the peak of bench/pipeline.py --only-rss, while reads
# through the bounded page cache measured no slower (history p50 1.60 → 1.17 ms, search p50
# 0.73 → 0.73 ms, 3 alternated runs each on a 5,000 × 10 history, a loaded machine).
SQLITE_CACHE_KIB = 8 * 1024  # per connection
SQLITE_MMAP_BYTES = 0  # no memory-mapped reads: see above
_BEGIN_OPTION = "newswatch_sqlite_begin"
TABLES = [
    SQLModel.metadata.tables[model.__tablename__]
    for model in (
        Source,
        Story,
        Article,
        ArticleAlias,
        MinhashBand,
        ArticleSignature,
        Snapshot,
        Version,
        EditClass,
        Alert,
        Delivery,
        FetchLog,
        HostSlot,
    )
]


class Database:
    """An engine plus the two ways to use it: a write transaction or a read-only session."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        # Reads on SQLite begin DEFERRED so they do not queue behind (or block) writers.
        self._reader = engine.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
        self._writes = WriteRecord()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @property
    def in_memory(self) -> bool:
        """An in-memory SQLite database: one connection, and no other process can open it."""
        return isinstance(self.engine.pool, StaticPool)

    def write_health(self) -> WriteHealth:
        """Whether this process's writes succeed (a write failed within the last minute?)."""
        return self._writes.health()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one write transaction: commits on success, rolls back on any exception."""
        try:
            with Session(self.engine, expire_on_commit=False) as s, s.begin():
                yield s
        except OperationalError as exc:
            self._writes.failed(str(exc.orig))
            raise DatabaseUnavailable(self.safe_url, str(exc.orig)) from exc
        self._writes.succeeded()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection in one write transaction, for hot paths that load no ORM object.

        A third cheaper than :meth:`transaction` (no session to set up and tear down), which
        matters on the path every unchanged recheck takes.
        """
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            self._writes.failed(str(exc.orig))
            raise DatabaseUnavailable(self.safe_url, str(exc.orig)) from exc
        self._writes.succeeded()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading; anything written in it is rolled back at exit.

        Objects loaded here stay readable after the block (closing does not expire them).
        """
        try:
            with Session(self._reader, expire_on_commit=False) as s:
                yield s
        except OperationalError as exc:
            raise DatabaseUnavailable(self.safe_url, str(exc.orig)) from exc

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for logs and error messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({self.safe_url!r})"


def open_database(
    url: str, *, create_tables: bool = True, create: bool = True, echo: bool = False
) -> Database:
    """Open the database at ``url`` and (by default) migrate its schema to the code's.

    Accepts ``sqlite:///path``, ``sqlite://`` (in memory), and ``postgresql+psycopg://…``
    (``postgresql://`` and ``postgres://`` are taken to mean psycopg 3). A fresh database is
    created at head, an older one upgraded (see ``storage.migrate``); one migrated by a newer
    newswatch raises :class:`~storage.exceptions.SchemaTooNew`. ``create_tables=False`` skips
    migrating, for callers that know the schema is current. ``create=False`` is for readers:
    where there is no newswatch database yet (no SQLite file, or no tables) it raises
    :class:`~storage.exceptions.DatabaseMissing` and makes nothing, not even a folder.
    """
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, echo=echo, create=create)
    else:
        engine = create_engine(
            parsed, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": 10}
        )
    db = Database(engine, parsed.render_as_string(hide_password=False))
    if not create:
        _require_schema(db)
    if create_tables:
        try:
            upgrade(engine, safe_url=db.safe_url)
        except (OperationalError, _NotADatabase) as exc:  # _NotADatabase: a corrupt file
            engine.dispose()
            raise DatabaseUnavailable(db.safe_url, str(exc.orig)) from exc
        except BaseException:
            engine.dispose()
            raise
    logger.info(
        "database opened",
        extra={"event": "database_opened", "url": db.safe_url, "dialect": db.dialect},
    )
    return db


def _require_schema(db: Database) -> None:
    """Raise :class:`DatabaseMissing` unless the database holds newswatch's tables."""
    try:
        revision = current_revision(db.engine)
    except _NotADatabase as exc:  # a file that is not SQLite, or corrupt
        db.close()
        raise DatabaseUnavailable(db.safe_url, str(exc.orig)) from exc
    except BaseException:
        db.close()
        raise
    if revision is None:
        db.close()
        raise DatabaseMissing(db.safe_url, "this database (it has no newswatch tables)")


def sqlite_path(url: str) -> Path | None:
    """The file a ``sqlite:///`` URL names, or ``None`` (in memory, a ``file:`` URI, or not
    SQLite)."""
    parsed = _parse(url)
    path = parsed.database or ""
    if (
        parsed.get_backend_name() != "sqlite"
        or path in ("", ":memory:")
        or path.startswith("file:")
        or parsed.query.get("mode") == "memory"
    ):
        return None
    return Path(path).expanduser()


def _parse(url: str) -> URL:
    """Parse and check ``url``; pin PostgreSQL to psycopg 3, the only driver we ship."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise InvalidDatabaseURL(url, "it is not a database URL") from exc
    backend = parsed.get_backend_name()
    if backend not in ("postgres", "postgresql", "sqlite"):
        # Checked before get_driver_name(), which loads the dialect: an unknown one raises.
        raise InvalidDatabaseURL(url, f"{backend!r} is not supported (only SQLite and PostgreSQL)")
    driver = parsed.get_driver_name()
    if backend in ("postgres", "postgresql"):
        if "+" in parsed.drivername and driver != "psycopg":
            raise InvalidDatabaseURL(url, f"driver {driver!r} is not installed; use +psycopg")
        return parsed.set(drivername="postgresql+psycopg")
    if driver != "pysqlite":
        raise InvalidDatabaseURL(url, f"SQLite driver {driver!r} is not supported")
    return parsed


def _sqlite_engine(url: URL, *, echo: bool, create: bool = True) -> Engine:
    path = url.database or ""
    in_memory = path in ("", ":memory:") or url.query.get("mode") == "memory"
    kwargs: dict[str, Any] = {"echo": echo}
    if in_memory:
        # One shared connection, or every checkout would see a different empty database.
        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if not create and not path.startswith("file:") and not Path(path).expanduser().is_file():
            # Connecting would make an empty file: a reader with a mistyped path or in
            # another folder would then answer "nothing matched" about the wrong database.
            where = Path(path).expanduser().absolute()
            raise DatabaseMissing(url.render_as_string(), f"{where} (no such file)")
        if create and not path.startswith("file:"):
            try:
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(url.render_as_string(), str(exc)) from exc
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    engine = create_engine(url, **kwargs)
    # Only who starts a history sets its journal mode (WAL, which the file keeps): a reader
    # leaves the file as it found it, a database kept in another mode and an empty file alike.
    _install_sqlite_hooks(engine, wal=create and not in_memory)
    return engine


def _switch_to_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode = WAL``, retried while another connection holds the file.

    Switching a new file to WAL needs it to itself, and SQLite answers "database is locked" at
    once instead of waiting the busy timeout: daemons starting together on a new database
    would otherwise fail their first start.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _install_sqlite_hooks(engine: Engine, *, wal: bool) -> None:
    """Pragmas on every new connection; SQLAlchemy (not sqlite3) emits BEGIN.

    This is SQLAlchemy's documented pysqlite recipe: sqlite3's legacy mode would begin
    transactions lazily at the first write, letting two claimers both read the same due rows.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            if wal:
                _switch_to_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            # The default page cache (2 MiB) is too small for the indexes of a large history;
            # these are upper bounds, allocated only as pages are read.
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
            cursor.execute("PRAGMA temp_store = MEMORY")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")
        # Straight to the driver: every transaction begins here, and the full execute path
        # costs a fifth of a short recheck. Errors are translated as execute would.
        statement = f"BEGIN {mode}"
        try:
            conn.connection.driver_connection.execute(statement)
        except sqlite3.Error as exc:
            error = OperationalError if isinstance(exc, sqlite3.OperationalError) else DBAPIError
            raise error(statement, None, exc) from exc
