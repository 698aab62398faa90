"""What the CLI says when a command fails: one place turns an error into a message and an
exit code (2: the input or the configuration is wrong; 1: not found, or a bug).

Commands still catch what they can explain better in place (a bad ``--since``, an unknown
state); whatever escapes them ends here instead of in a Python traceback.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

import storage
from newswatch.config import ConfigError
from scheduler.exceptions import SchedulerError
from scraper import ScraperError

USAGE = 2
NOT_FOUND = 1


@dataclass(frozen=True, slots=True)
class Failure:
    """How to report one error: a short label, the message, the exit code."""

    label: str
    message: str
    code: int


def explain(error: BaseException) -> Failure:
    """The report for ``error``: what was wrong and, where we know it, what to do."""
    if isinstance(error, ConfigError):
        return Failure("configuration error", str(error), USAGE)
    if isinstance(error, storage.NotFound):
        return Failure("not found", str(error), NOT_FOUND)
    if isinstance(error, storage.StorageError):
        return Failure("database error", str(error), USAGE)
    if isinstance(error, SQLAlchemyError):
        return Failure(
            "database error",
            f"{_database_reason(error)}; check [database] url "
            "(or NEWSWATCH_DATABASE_URL), then `newswatch doctor`",
            USAGE,
        )
    if isinstance(error, OverflowError):
        return Failure("number out of range", f"{error}: use a smaller number", USAGE)
    if isinstance(error, OSError):
        return Failure("cannot use a file", _os_reason(error), USAGE)
    if isinstance(error, ScraperError | SchedulerError | ValueError):
        return Failure("error", str(error) or type(error).__name__, USAGE)
    return Failure(
        "unexpected error",
        f"{type(error).__name__}: {error}. This is a bug in "
        "newswatch: please report it with the command you ran",
        NOT_FOUND,
    )


def _database_reason(error: SQLAlchemyError) -> str:
    reason = error.orig if isinstance(error, DBAPIError) and error.orig else error
    return str(reason).strip().splitlines()[0] if str(reason).strip() else type(error).__name__


def _os_reason(error: OSError) -> str:
    where = error.filename if error.filename is not None else ""
    reason = error.strerror or str(error)
    if error.errno in (errno.EACCES, errno.EPERM):
        reason += " (check its permissions)"
    elif error.errno == errno.ENOENT:
        reason += " (check the path; the folder must exist)"
    return f"{where}: {reason}" if where else reason


def is_typers_own(error: BaseException) -> bool:
    """Exits, aborts and usage errors that typer reports itself."""
    return type(error).__module__.startswith(("typer.", "click."))
