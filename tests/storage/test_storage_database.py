"""Opening databases: URLs, SQLite pragmas, transaction scopes, errors that say what to do."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import text

import storage
from storage import InvalidDatabaseURL, open_database


def test_sqlite_file_gets_parent_dirs_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "newswatch.db"
    with open_database(f"sqlite:///{path}") as db:
        assert path.exists()
        assert db.dialect == "sqlite"
        with db.session() as s:
            pragmas = {
                name: s.exec(text(f"PRAGMA {name}")).one()[0]
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000,
                       "synchronous": 1}  # fmt: skip


def test_in_memory_sqlite_works(now) -> None:
    with open_database("sqlite://") as db:
        with db.transaction() as s:
            storage.add_candidates(
                s, source_id=None, candidates=[storage.Candidate("https://a.example/x")], now=now
            )
        with db.session() as s:
            assert len(storage.query_articles(s, storage.ArticleQuery())) == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("not a url", "not a database URL"),
        ("mysql://user@localhost/news", "only SQLite and PostgreSQL"),
        ("mongodb://localhost/news", "only SQLite and PostgreSQL"),  # no SQLAlchemy dialect
        ("nosuchdb+driver://localhost/news", "only SQLite and PostgreSQL"),
        ("postgresql+psycopg2://localhost/news", r"use \+psycopg"),
    ],
)
def test_unusable_urls_are_refused_clearly(url: str, reason: str) -> None:
    with pytest.raises(InvalidDatabaseURL, match=reason) as info:
        open_database(url)
    assert isinstance(info.value, storage.StorageError)
    assert "sqlite:///" in str(info.value)  # says what would work


def test_unreachable_postgres_is_database_unavailable() -> None:
    with pytest.raises(storage.DatabaseUnavailable, match=r"postgresql\+psycopg://nw:\*\*\*@"):
        open_database("postgresql://nw:secret@127.0.0.1:1/newswatch")


def test_unwritable_sqlite_path_is_database_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(storage.DatabaseUnavailable):
        open_database(f"sqlite:///{blocker}/newswatch.db")


def test_a_file_that_is_not_a_database_is_database_unavailable(tmp_path: Path) -> None:
    corrupt = tmp_path / "newswatch.db"
    corrupt.write_bytes(bytes(range(256)) * 32)
    with pytest.raises(storage.DatabaseUnavailable, match="file is not a database"):
        open_database(f"sqlite:///{corrupt}")
    assert corrupt.read_bytes() == bytes(range(256)) * 32, "left as it was"


def test_repr_hides_the_password() -> None:
    db = storage.Database.__new__(storage.Database)
    db.url = "postgresql+psycopg://nw:secret@db.example/newswatch"
    assert "secret" not in repr(db)


def test_engine_facts(db: storage.Database) -> None:
    assert db.dialect in ("sqlite", "postgresql")
    assert db.engine.dialect.name == db.dialect
    reopened = open_database(db.url)  # tables already exist: opening again is harmless
    reopened.close()


def test_session_writes_are_discarded(db: storage.Database, now) -> None:
    with db.session() as s:
        storage.add_candidates(
            s, source_id=None, candidates=[storage.Candidate("https://a.example/x")], now=now
        )
    with db.session() as s:
        assert storage.query_articles(s, storage.ArticleQuery()) == []


def test_transaction_commits_and_objects_stay_readable(db: storage.Database, now) -> None:
    with db.transaction() as s:
        (article_id,) = storage.add_candidates(
            s, source_id=None, candidates=[storage.Candidate("https://a.example/x")], now=now
        )
        article = s.get(storage.Article, article_id)
    assert article is not None and article.url == "https://a.example/x"  # after commit
    with db.session() as s:
        found = storage.find_article(s, "https://a.example/x")
    assert found is not None and found.first_seen_at == now


def test_a_reader_leaves_the_file_as_it_found_it(tmp_path: Path) -> None:
    # Opening to read (create=False) switched the file to WAL: a database kept in another
    # journal mode changed on disk, and an empty file became a 4 kB SQLite database.
    path = tmp_path / "kept.db"
    open_database(f"sqlite:///{path}").close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    before = path.read_bytes()
    with open_database(f"sqlite:///{path}", create=False) as db, db.session() as s:
        assert s.exec(text("SELECT count(*) FROM articles")).one() == (0,)  # type: ignore[call-overload]
        mode = s.exec(text("PRAGMA journal_mode")).one()  # type: ignore[call-overload]
    assert mode == ("delete",) and path.read_bytes() == before
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(storage.DatabaseMissing):
        open_database(f"sqlite:///{empty}", create=False)
    assert empty.stat().st_size == 0 and not (tmp_path / "empty.db-wal").exists()
