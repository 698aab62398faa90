"""Alembic migrations: fresh databases, old databases with data, pre-migration databases,
databases newer than the code, concurrent first starts, and models that match the migrations."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

import storage
import storage.migrate
from storage.migrate import alembic_config
from storage.searchindex import INDEX_TABLES


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """The URL of a database with nothing in it, on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    with scratch_postgres(request.getfixturevalue("postgres_admin_url")) as url:
        yield url


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    name = f"nw_mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def at_revision(url: str, revision: str) -> storage.Database:
    """A database migrated to ``revision`` only."""
    db = storage.open_database(url, create_tables=False)
    storage.upgrade(db.engine, revision=revision)
    return db


def fill_revision_0001(db: storage.Database) -> None:
    """Rows as the first schema stored them: an article with two versions, a snapshot, alerts."""
    when = datetime(2025, 6, 1, 12, 0)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO snapshots (sha256, data, size, created_at) "
                "VALUES ('ab', :data, 3, :when)"
            ),
            {"data": b"\x00", "when": when},
        )
        conn.execute(
            text(
                "INSERT INTO articles (id, url, outlet, first_seen_at, status, version_count, "
                "current_version_id, title, failures) VALUES (1, 'https://example.com/a', "
                "'example.com', :when, 'live', 2, 2, 'Talks resume', 0)"
            ),
            {"when": when},
        )
        for number, body in ((1, "Led by Vladimir Madinsky."), (2, "Led by Vladimir Medinsky.")):
            conn.execute(
                text(
                    "INSERT INTO versions (id, article_id, number, fetched_at, title, body, "
                    "authors, fingerprint, snapshot_sha256, changed_fields, words_added, "
                    "words_removed, diff) VALUES (:n, 1, :n, :when, 'Talks resume', :body, "
                    "'[]', :fp, 'ab', '[]', 0, 0, '{}')"
                ),
                {"n": number, "when": when, "body": body, "fp": f"{number:064d}"},
            )
            conn.execute(
                text(
                    "INSERT INTO alerts (kind, article_id, version_id, created_at, payload) "
                    "VALUES (:kind, 1, :n, :when, '{}')"
                ),
                {"kind": "new" if number == 1 else "edited", "n": number, "when": when},
            )
        if conn.dialect.name == "postgresql":
            for table in ("articles", "versions", "alerts"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )


def fill_sources_0004(db: storage.Database) -> None:
    """Sources as revision 0004 stored them, before they had an origin: one of them disabled."""
    when = datetime(2025, 6, 1, 12, 0)
    with db.engine.begin() as conn:
        for url, enabled in (
            ("https://example.com/feed", True),
            ("https://example.com/old", False),
        ):
            conn.execute(
                text(
                    "INSERT INTO sources (url, kind, every_seconds, enabled, next_check_at, "
                    "failures, created_at) VALUES (:url, 'feed', 600, :enabled, :when, 0, :when)"
                ),
                {"url": url, "enabled": enabled, "when": when},
            )


def columns(db: storage.Database, table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def test_a_fresh_database_is_created_at_head(empty_url: str) -> None:
    with storage.open_database(empty_url) as db:
        assert storage.current_revision(db.engine) == storage.head_revision()


def test_the_oldest_schema_with_data_upgrades_to_head(empty_url: str) -> None:
    with at_revision(empty_url, "0001") as old:
        assert storage.current_revision(old.engine) == "0001"
        fill_revision_0001(old)
    with storage.open_database(empty_url) as db:
        assert storage.current_revision(db.engine) == storage.head_revision()
        with db.session() as s:
            history = storage.versions_of(s, 1)
            assert [(v.number, v.kind, v.origin, v.classes) for v in history] == [
                (1, "new", "fetch", ()),
                (2, "edit", "fetch", ()),
            ]
            # Old text is searchable after the upgrade, current and past.
            assert [h.version_number for h in storage.search(s, "Medinsky")] == [2]
            [old_hit] = storage.search(s, "Madinsky", all_versions=True)
            assert (old_hit.version_number, old_hit.current) == (1, False)
        # And recording carries on where the old schema left off.
        with db.transaction() as s:
            outcome = storage.record(
                s,
                article_id=1,
                fields=storage.ArticleFields(title="Talks resume", body="Led by Medinsky."),
                snapshot=b"<html>3</html>",
                fetched_at=datetime(2025, 6, 2, tzinfo=UTC),
            )
        assert (outcome.kind, outcome.version_number) == (storage.OutcomeKind.EDITED, 3)


def test_sources_from_before_origins_upgrade_as_config_sources(empty_url: str) -> None:
    with at_revision(empty_url, "0004") as old:
        fill_sources_0004(old)
    with storage.open_database(empty_url) as db:
        assert storage.current_revision(db.engine) == storage.head_revision()
        with db.session() as s:
            rows = {r.url: (r.origin, r.enabled) for r in storage.list_sources(s)}
        assert rows == {
            "https://example.com/feed": ("config", True),
            "https://example.com/old": ("config", False),
        }
        # So the first start after the upgrade does what it did before: the file decides.
        with db.transaction() as s:
            storage.sync_sources(s, [], datetime(2025, 6, 2, tzinfo=UTC))
        with db.session() as s:
            assert not any(r.enabled for r in storage.list_sources(s))


def test_a_database_from_before_migrations_is_stamped_and_upgraded(empty_url: str) -> None:
    with at_revision(empty_url, "0001") as old:
        fill_revision_0001(old)
        with old.engine.begin() as conn:  # what create_all left: tables, no alembic_version
            conn.exec_driver_sql("DROP TABLE alembic_version")
        assert storage.current_revision(old.engine) is None
    with storage.open_database(empty_url) as db:
        assert storage.current_revision(db.engine) == storage.head_revision()
        with db.session() as s:
            assert len(storage.versions_of(s, 1)) == 2


def test_a_database_newer_than_the_code_is_a_clear_error(empty_url: str) -> None:
    storage.open_database(empty_url).close()
    with storage.open_database(empty_url, create_tables=False) as db, db.engine.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(storage.SchemaTooNew) as caught:
        storage.open_database(empty_url)
    assert "9999_future" in str(caught.value) and "upgrade newswatch" in str(caught.value)


def test_concurrent_first_starts_do_not_race(empty_url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        try:
            barrier.wait(timeout=30)
            storage.open_database(empty_url).close()
        except BaseException as exc:  # reported below, with the thread's own error
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with storage.open_database(empty_url, create_tables=False) as db:
        assert storage.current_revision(db.engine) == storage.head_revision()


def test_the_models_describe_exactly_what_the_migrations_build(empty_url: str) -> None:
    metadata = MetaData()
    for table in SQLModel.metadata.tables.values():  # every model storage defines
        table.to_metadata(metadata)
    with storage.open_database(empty_url) as db, db.engine.connect() as conn:
        search_tables = set(INDEX_TABLES[conn.dialect.name])

        def ours(obj: object, name: str | None, kind: str, reflected: bool, _: object) -> bool:
            if kind == "table" and name is not None:
                # FTS5 shadow tables (versions_fts_data, ...) belong to the search tables too.
                return name != "alembic_version" and not any(
                    name.startswith(t) for t in search_tables
                )
            return True

        context = MigrationContext.configure(
            conn, opts={"include_object": ours, "compare_type": True}
        )
        assert compare_metadata(context, metadata) == []


def test_the_newest_revisions_downgrade_and_upgrade_again_with_data(empty_url: str) -> None:
    with at_revision(empty_url, "0001") as old:
        fill_revision_0001(old)
    with storage.open_database(empty_url) as db:
        with db.transaction() as s:
            storage.add_source(
                s,
                storage.SourceSpec("https://example.org/rss.xml", "feed", 600),
                now=datetime(2025, 6, 2, tzinfo=UTC),
            )
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0004")
        assert "origin" not in columns(db, "sources")
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0003")
        assert "signature" in columns(db, "articles")
        with db.engine.connect() as conn:
            assert "article_signatures" not in inspect(conn).get_table_names()
        storage.upgrade(db.engine)
        assert storage.current_revision(db.engine) == storage.head_revision()
        with db.session() as s:
            [hit] = storage.search(s, "Madinsky", all_versions=True)
            assert hit.version_number == 1
            # The downgrade forgot who added it; like every source from before origins, it is
            # the configuration's again.
            assert [r.origin for r in storage.list_sources(s)] == ["config"]


def test_articles_from_before_churn_upgrade_as_normal_ones(empty_url: str) -> None:
    with at_revision(empty_url, "0006") as old:
        fill_revision_0001(old)
    with storage.open_database(empty_url) as db:
        assert storage.current_revision(db.engine) == storage.head_revision()
        with db.session() as s:
            article = s.get(storage.Article, 1)
            assert article is not None
            assert (article.edit_streak, article.churning_since) == (0, None)
            [row] = storage.query_articles(s, storage.ArticleQuery(outlet="example.com"))
            assert row.churning_since is None
        with db.engine.connect() as conn:
            indexes = {i["name"] for i in inspect(conn).get_indexes("articles")}
        assert {"ix_articles_outlet_first_seen", "ix_articles_source_first_seen"} <= indexes
        assert not {"ix_articles_outlet", "ix_articles_source_id"} & indexes
        # Recording carries on, and now counts the streak.
        with db.transaction() as s:
            storage.record(
                s,
                article_id=1,
                fields=storage.ArticleFields(title="Talks", body="Later."),
                snapshot=None,
                fetched_at=datetime(2025, 6, 2, tzinfo=UTC),
                limits=storage.VersionLimits(),
            )
        with db.session() as s:
            article = s.get(storage.Article, 1)
            assert article is not None and article.edit_streak == 1
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0006")
        assert "churning_since" not in columns(db, "articles")
        storage.upgrade(db.engine)
        assert {"edit_streak", "churning_since"} <= columns(db, "articles")


def test_leased_rows_are_found_by_a_partial_index(empty_url: str) -> None:
    with at_revision(empty_url, "0008") as old:
        fill_revision_0001(old)
    with storage.open_database(empty_url) as db:
        assert storage.current_revision(db.engine) == storage.head_revision()
        with db.engine.connect() as conn:
            for table in ("sources", "articles"):
                [index] = [
                    i for i in inspect(conn).get_indexes(table) if i["name"] == f"ix_{table}_leased"
                ]
                assert index["column_names"] == ["lease_owner"]
                where = index["dialect_options"].get(f"{conn.dialect.name}_where")
                assert "lease_owner IS NOT NULL" in str(where)
            # Giving leases back is a lookup in that index, not a read of the whole table.
            if conn.dialect.name == "sqlite":
                plan = conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN UPDATE articles SET lease_owner = NULL, "
                    "lease_until = NULL WHERE lease_owner = 'daemon-1'"
                ).all()
                assert "USING INDEX ix_articles_leased" in " ".join(str(row[-1]) for row in plan)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE articles SET lease_owner = 'daemon-1' WHERE id = 1"))
        with db.transaction() as s:
            assert storage.release_leases(s, owner="daemon-1") == 1
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0008")
        with db.engine.connect() as conn:
            names = {i["name"] for i in inspect(conn).get_indexes("articles")}
        assert "ix_articles_leased" not in names
        storage.upgrade(db.engine)
        assert storage.current_revision(db.engine) == storage.head_revision()


def test_the_head_the_code_states_is_alembics() -> None:
    assert storage.head_revision() == storage.migrate.HEAD


def test_a_database_at_head_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/at-head.db"
    storage.open_database(url).close()  # made, and migrated to head
    opened = (
        "import sys, storage\n"
        f"storage.open_database({url!r}).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", opened], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.postgres
def test_large_values_are_stored_without_pglz_on_postgresql(postgres_admin_url: str) -> None:
    with scratch_postgres(postgres_admin_url) as url:
        with at_revision(url, "0009") as old:
            fill_revision_0001(old)
        with storage.open_database(url) as db:
            with db.engine.connect() as conn:
                choices = conn.exec_driver_sql(
                    "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
                ).scalar()
            # A server built without lz4 keeps pglz (the default, ''); Debian's has lz4.
            lz4 = "l" if choices and "lz4" in choices else ""
            assert settings_of_large_values(db) == {
                ("snapshots", "data"): ("e", ""),
                ("versions", "body"): ("x", lz4),
                ("versions", "diff"): ("x", lz4),
                ("version_search", "document"): ("x", lz4),
                ("article_search", "document"): ("x", lz4),
            }
            # What was stored before reads back, and so does what is stored now: a page that zstd
            # cannot shrink (out of line, as it came) and a body long enough to be compressed.
            page, body = random.Random(10).randbytes(16_384), "Later. " * 900
            with db.transaction() as s:
                storage.record(
                    s,
                    article_id=1,
                    fields=storage.ArticleFields(title="Talks resume", body=body),
                    snapshot=page,
                    fetched_at=datetime(2025, 6, 2, tzinfo=UTC),
                    limits=storage.VersionLimits(),
                )
            with db.session() as s:
                old_version = storage.get_version(s, 1, 1)
                assert old_version is not None and old_version.body == "Led by Vladimir Madinsky."
                [hit] = storage.search(s, "Later")  # its search documents, compressed
                assert hit.version_number == 3
                version = storage.get_version(s, 1, 3)
                assert version is not None and version.body == body
                assert version.snapshot_sha256 is not None
                assert storage.load_snapshot(s, version.snapshot_sha256) == page
            with db.engine.begin() as conn:
                command.downgrade(alembic_config(conn), "0009")
            downgraded = settings_of_large_values(db)
            assert downgraded[("snapshots", "data")] == ("x", "")
            assert downgraded[("versions", "body")] == ("x", "")
            storage.upgrade(db.engine)
            assert storage.current_revision(db.engine) == storage.head_revision()


def settings_of_large_values(db: storage.Database) -> dict[tuple[str, str], tuple[str, str]]:
    """How PostgreSQL stores each column of migration 0010: its storage mode and compression."""
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT attrelid::regclass::text, attname, attstorage::text, attcompression::text"
            " FROM pg_attribute WHERE (attrelid::regclass::text, attname) IN"
            " (('snapshots', 'data'), ('versions', 'body'), ('versions', 'diff'),"
            " ('version_search', 'document'), ('article_search', 'document'))"
        ).all()
    return {(table, column): (mode, method) for table, column, mode, method in rows}


@pytest.mark.postgres
def test_each_search_document_is_kept_once_on_postgresql(postgres_admin_url: str) -> None:
    with scratch_postgres(postgres_admin_url) as url:
        with at_revision(url, "0001") as old:
            fill_revision_0001(old)  # article 1: version 1 (Madinsky), 2 (Medinsky) current
            storage.upgrade(old.engine, revision="0010")  # 0002 and 0004 index them
            assert search_rows(old) == ({1, 2}, {1: None})
        with storage.open_database(url) as db:
            # The current version's second document is gone; the article's row names it.
            assert search_rows(db) == ({1}, {1: 2})
            searches_find_version_2_only_as_current(db)
            record_version_3(db)
            # The edit moved the text it replaced to the earlier versions, as it was.
            assert search_rows(db) == ({1, 2}, {1: 3})
            with db.session() as s:
                assert [h.version_number for h in storage.search(s, "Istanbul")] == [3]
                hits = storage.search(s, "Medinsky", all_versions=True)
                assert [(h.version_number, h.current) for h in hits] == [(3, True), (2, False)]
            with db.engine.begin() as conn:
                command.downgrade(alembic_config(conn), "0010")
            assert search_rows(db) == ({1, 2, 3}, {1: None})
            storage.upgrade(db.engine)
            assert search_rows(db) == ({1, 2}, {1: 3})


def searches_find_version_2_only_as_current(db: storage.Database) -> None:
    """The searches of :func:`fill_revision_0001`'s article: "Madinsky" is only in version 1,
    which is no longer current; "Medinsky" is in version 2, the current one."""
    with db.session() as s:
        assert [h.version_number for h in storage.search(s, "Medinsky")] == [2]
        assert storage.search(s, "Madinsky") == []
        hits = storage.search(s, "Madinsky OR Medinsky", all_versions=True)
        assert [(h.version_number, h.current) for h in hits] == [(2, True), (1, False)]


def record_version_3(db: storage.Database) -> None:
    """An edit of that article: version 3 adds "Istanbul"."""
    with db.transaction() as s:
        storage.record(
            s,
            article_id=1,
            fields=storage.ArticleFields(
                title="Talks resume", body="Led by Vladimir Medinsky in Istanbul."
            ),
            snapshot=b"<p>page</p>",
            fetched_at=datetime(2025, 6, 2, tzinfo=UTC),
        )


def search_rows(db: storage.Database) -> tuple[set[int], dict[int, int | None]]:
    """PostgreSQL's search rows: the versions in ``version_search``, and each article's row in
    ``article_search`` with the version it names (``None`` before revision 0011)."""
    with db.engine.connect() as conn:
        versions = set(conn.exec_driver_sql("SELECT version_id FROM version_search").scalars())
        named = "version_id" in columns(db, "article_search")
        rows = conn.exec_driver_sql(
            "SELECT article_id, " + ("version_id" if named else "NULL") + " FROM article_search"
        ).all()
    return versions, {article: version for article, version in rows}


def test_sqlite_searches_current_text_through_the_one_index_of_versions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fts.db"
    with at_revision(url, "0001") as old:
        fill_revision_0001(old)  # article 1: version 1 (Madinsky), 2 (Medinsky) current
        storage.upgrade(old.engine, revision="0011")
        assert fts_tables(old) == {"articles_fts", "versions_fts"}
    with storage.open_database(url) as db:
        assert fts_tables(db) == {"versions_fts"}  # the copy of the current text is gone
        searches_find_version_2_only_as_current(db)
        record_version_3(db)
        with db.session() as s:
            assert [h.version_number for h in storage.search(s, "Istanbul")] == [3]
            assert [h.version_number for h in storage.search(s, "Medinsky")] == [3]
        with db.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0011")
            # Rebuilt from each article's current version, as revision 0011 kept it.
            rows = conn.exec_driver_sql("SELECT rowid, body FROM articles_fts").all()
            assert rows == [(1, "Led by Vladimir Medinsky in Istanbul.")]
            conn.exec_driver_sql(
                "INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')"
            )
        storage.upgrade(db.engine)
        assert fts_tables(db) == {"versions_fts"}
        with db.session() as s:
            assert [h.version_number for h in storage.search(s, "Istanbul")] == [3]


def fts_tables(db: storage.Database) -> set[str]:
    """The FTS5 tables of a SQLite database (their shadow tables left out)."""
    with db.engine.connect() as conn:
        return set(
            conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
            ).scalars()
        )
