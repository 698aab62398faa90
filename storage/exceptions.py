"""The storage package's exception tree.

Every error raised by ``storage`` derives from :class:`StorageError`. Expected outcomes are
*values*, not errors: an unchanged article is ``Outcome(kind=UNCHANGED)``, a duplicate URL is
silently skipped by ``add_candidates``, a missing history row is ``None`` where the API says so.

StorageError
├── InvalidDatabaseURL     the URL cannot be parsed or names a database we do not support
├── DatabaseUnavailable    the database does not answer (server down, file not writable)
├── DatabaseMissing        no newswatch database where the URL points (and none was to be made)
├── SchemaTooNew           the database was migrated by a newer newswatch than this one
├── NotFound               an article, version or snapshot the caller named does not exist
├── SnapshotCorrupt        stored snapshot bytes do not match their sha256
└── SearchQueryError       a full-text query the user typed cannot be understood
"""

from __future__ import annotations

import re


class StorageError(Exception):
    """Base of every error the storage package raises."""


class InvalidDatabaseURL(StorageError):
    """The database URL is malformed or names an engine newswatch does not support."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"cannot use database URL {hide_password(url)!r}: {reason}. Use "
            "sqlite:///path/to/newswatch.db or postgresql+psycopg://user:password@host:5432/dbname"
        )
        self.url = url


def hide_password(url: str) -> str:
    """``url`` with the password after ``user:`` shown as ``***``, even when it does not parse
    as a URL (which is when it gets printed in an error)."""
    return _PASSWORD.sub(r"\1***\3", url)


# ``scheme://user:password@``: the password runs to the last ``@`` before the host, since an
# unescaped ``@`` or ``/`` inside a password is the usual reason a URL fails to parse.
_PASSWORD = re.compile(r"^([^:/?#]+://[^:/?#@]*:)(.*)(@[^@]*)$", re.S)


class DatabaseUnavailable(StorageError):
    """Connecting to (or creating) the database failed."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"database {url} is unavailable: {reason}")
        self.url = url


class DatabaseMissing(StorageError):
    """There is no newswatch database at the URL, and the caller asked not to create one."""

    def __init__(self, url: str, where: str) -> None:
        super().__init__(
            f"no newswatch database at {where} ({url}): start the daemon (`newswatch run`) or "
            "`newswatch db upgrade` to create it, or point [database] url (or "
            "NEWSWATCH_DATABASE_URL) at the database the daemon uses"
        )
        self.url = url
        self.where = where


class NotFound(StorageError):
    """A row the caller asked for by id, URL or number does not exist."""

    def __init__(self, what: str, key: object, message: str | None = None) -> None:
        super().__init__(message or f"{what} {key!r} not found")
        self.what = what
        self.key = key

    @classmethod
    def version(cls, article_id: int, number: int) -> NotFound:
        """Version ``number`` of an article that has no such version."""
        return cls("version", number, f"article {article_id} has no version {number}")


class SnapshotCorrupt(StorageError):
    """A stored snapshot decompressed to bytes whose sha256 differs from its key."""

    def __init__(self, sha256: str) -> None:
        super().__init__(f"snapshot {sha256} is corrupt: its bytes no longer match their sha256")
        self.sha256 = sha256


class SchemaTooNew(StorageError):
    """The database's schema revision is unknown to this code: a newer newswatch migrated it."""

    def __init__(self, url: str, revision: str, head: str) -> None:
        super().__init__(
            f"database {url} has schema revision {revision!r}, newer than this newswatch "
            f"knows (its latest is {head!r}): upgrade newswatch, or point it at another database"
        )
        self.url = url
        self.revision = revision
        self.head = head


class SearchQueryError(StorageError):
    """A search query is malformed (unbalanced quotes, a dangling OR, only negated words...)."""

    def __init__(self, query: str, reason: str) -> None:
        super().__init__(
            f'cannot search for {query!r}: {reason}. Write words, "exact phrases", prefix*, '
            "OR between alternatives, and NOT word or -word to exclude"
        )
        self.query = query
        self.reason = reason
