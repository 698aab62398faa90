"""The recording's statements, compiled once and run straight on the driver's cursor.

Recording a new article runs about eight statements. Through ``Connection.execute`` each one
cost 40–60 µs of SQLAlchemy's Python on top of the driver's own work (its execution context,
parameter processing and result object: as much as SQLite's whole work for most of them,
and the cache makes no difference, since compiling was never the cost). A :class:`Prepared`
statement is compiled once per dialect and set of parameter names, keeps the bind processors
of its parameters' types, so a value is stored exactly as ``execute`` would have stored it,
and runs on the connection's DBAPI cursor, inside the connection's transaction. Driver errors
are raised as SQLAlchemy's exceptions (``OperationalError``, ``IntegrityError``…), as
``execute`` raises them, and a lost connection is invalidated.

Rows are handed back as the driver gives them (ids, numbers and bytes need nothing more),
except by :meth:`Prepared.mapping`, which converts each column as its type does (a datetime
read from SQLite's text, a boolean from its integer), as a result row would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    # The parameter names in the order the driver takes them (``None``: by name, as a dict).
    positions: tuple[str, ...] | None
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]
    defaults: Mapping[str, Any]
    # A SELECT's column names, and the conversion of each (``None``: none needed).
    columns: tuple[str, ...]
    results: tuple[Callable[[Any], Any] | None, ...]


class Prepared:
    """A Core statement run on the DBAPI cursor (module docstring); build it once, at import."""

    def __init__(self, statement: ClauseElement) -> None:
        self._statement = statement
        # By dialect and driver (their SQL and parameter style differ) and parameter names.
        self._compiled: dict[tuple[str, str, tuple[str, ...]], _Compiled] = {}

    @property
    def statement(self) -> ClauseElement:
        """The statement this runs."""
        return self._statement

    def run(self, conn: Connection, params: Mapping[str, Any]) -> None:
        """Execute with ``params``; nothing is read back."""
        self._execute(conn, params, fetch=False)

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[Any] | None:
        """Execute with ``params``; the first row, or ``None``."""
        rows = self._execute(conn, params, fetch=True)
        return rows[0] if rows else None

    def all(self, conn: Connection, params: Mapping[str, Any]) -> list[Sequence[Any]]:
        """Execute with ``params``; every row."""
        return self._execute(conn, params, fetch=True)

    def mapping(self, conn: Connection, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """Execute a SELECT with ``params``; its first row by column name, each value converted
        as its column's type converts it, or ``None``."""
        rows = self._execute(conn, params, fetch=True)
        if not rows:
            return None
        compiled = self._compiled_for(conn.dialect, params)
        return {
            name: value if convert is None or value is None else convert(value)
            for name, convert, value in zip(
                compiled.columns, compiled.results, rows[0], strict=True
            )
        }

    def _compiled_for(self, dialect: Dialect, params: Mapping[str, Any]) -> _Compiled:
        key = (dialect.name, dialect.driver, tuple(params))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _compile(self._statement, dialect, key[2])
        return compiled

    def _execute(
        self, conn: Connection, params: Mapping[str, Any], *, fetch: bool
    ) -> list[Sequence[Any]]:
        dialect = conn.dialect
        compiled = self._compiled_for(dialect, params)
        values = {**compiled.defaults, **params} if compiled.defaults else dict(params)
        for name, process in compiled.processors:
            values[name] = process(values[name])
        bound: Any = (
            values
            if compiled.positions is None
            else tuple(values[name] for name in compiled.positions)
        )
        fairy = conn.connection
        cursor = fairy.cursor()
        try:
            cursor.execute(compiled.sql, bound)
            return list(cursor.fetchall()) if fetch else []
        except dialect.loaded_dbapi.Error as error:
            invalidated = dialect.is_disconnect(error, fairy.dbapi_connection, cursor)
            if invalidated:
                conn.invalidate(error)
            raise DBAPIError.instance(
                compiled.sql,
                bound,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=invalidated,
                dialect=dialect,
            ) from error
        finally:
            cursor.close()


def _compile(statement: ClauseElement, dialect: Dialect, names: tuple[str, ...]) -> _Compiled:
    # column_keys: an INSERT names the columns given, as execute() compiles it.
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=list(names)))
    processors = []
    defaults = {}
    for name, bind in compiled.binds.items():
        if name not in names:
            # A value fixed in the statement itself (a literal, ``.values(failures=0)``).
            defaults[name] = bind.effective_value
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors.append((name, process))
    columns = getattr(statement, "selected_columns", ())
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    positions = compiled.positiontup
    return _Compiled(
        compiled.string,
        tuple(positions) if positions is not None else None,
        tuple(processors),
        defaults,
        tuple(column.key for column in columns),
        results,
    )
