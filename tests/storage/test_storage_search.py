"""Full-text search on both engines: current text, every version, the query language."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

import storage
from storage.searchquery import parse, to_fts5, to_tsquery


@pytest.fixture
def stored(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> dict[str, int]:
    """Two articles; the first had a sentence that a later version deleted."""
    first = make_article("https://example.com/a")
    second = make_article("https://other.org/b")
    with db.transaction() as s:
        storage.record(s, article_id=first, fields=base_fields, snapshot=None, fetched_at=now)
        storage.record(
            s,
            article_id=second,
            fields=storage.ArticleFields(
                title="Prisoner exchange agreed", body="The sides agreed a prisoner swap."
            ),
            snapshot=None,
            fetched_at=now,
        )
        edited = dataclasses.replace(
            base_fields, body=base_fields.body.replace("Madinsky", "Medinsky")
        )
        storage.record(
            s, article_id=first, fields=edited, snapshot=None, fetched_at=now + timedelta(hours=1)
        )
    return {"first": first, "second": second}


def search(db: storage.Database, query: str, **kwargs: object) -> list[storage.SearchHit]:
    with db.session() as s:
        return storage.search(s, query, **kwargs)  # type: ignore[arg-type]


def test_current_text_finds_what_the_article_says_now(
    db: storage.Database, stored: dict[str, int]
) -> None:
    [hit] = search(db, "Medinsky")
    assert (hit.article_id, hit.version_number, hit.current) == (stored["first"], 2, True)
    assert "[Medinsky]" in hit.snippet
    assert hit.url == "https://example.com/a" and hit.outlet == "example.com"
    assert search(db, "Madinsky") == [], "the old spelling is gone from the current text"


def test_all_versions_finds_who_printed_it_and_that_it_was_removed(
    db: storage.Database, stored: dict[str, int]
) -> None:
    [hit] = search(db, "Madinsky", all_versions=True)
    assert (hit.article_id, hit.version_number, hit.current) == (stored["first"], 1, False)
    both = search(db, "Vladimir", all_versions=True)
    assert [(h.version_number, h.current) for h in both] == [(2, True), (1, False)]


def test_phrases_prefixes_or_and_not(db: storage.Database, stored: dict[str, int]) -> None:
    ids = lambda q: sorted(h.article_id for h in search(db, q))  # noqa: E731
    first, second = stored["first"], stored["second"]
    assert ids('"prisoner swap"') == [second]
    assert ids('"swap prisoner"') == []
    assert ids("prison*") == [second]
    assert ids("Istanbul OR swap") == sorted([first, second])
    assert ids("agreed NOT Istanbul") == [second]
    assert ids("agreed -swap") == []
    assert ids("(Istanbul OR swap) -Medinsky") == [second]
    assert ids("ISTANBUL delegations") == [first], "case does not matter"
    assert ids("Dolmabahçe") == [first]


def test_outlet_filter_and_limit(db: storage.Database, stored: dict[str, int]) -> None:
    assert [h.article_id for h in search(db, "Istanbul OR swap", outlet="www.other.org")] == [
        stored["second"]
    ]
    assert len(search(db, "Istanbul OR swap", limit=1)) == 1
    every = search(db, "Istanbul OR swap", all_versions=True, outlet="example.com")
    assert [(h.article_id, h.version_number) for h in every] == [
        (stored["first"], 2),
        (stored["first"], 1),
    ]
    assert len(search(db, "Istanbul OR swap", all_versions=True, limit=1)) == 1


def test_current_text_lists_the_most_recently_changed_first(
    db: storage.Database, stored: dict[str, int]
) -> None:
    """By the version that matched: the first article's edit came after the second article
    was found, so it comes first; its earlier version, which also matches, is passed over."""
    first, second = stored["first"], stored["second"]
    assert [h.article_id for h in search(db, "Istanbul OR swap")] == [first, second]
    assert [h.article_id for h in search(db, "Istanbul OR swap", limit=1)] == [first]
    assert [h.article_id for h in search(db, "Istanbul OR swap", limit=1, offset=1)] == [second]
    assert search(db, "Istanbul OR swap", limit=1, offset=2) == []


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed phrase',
        "",
        "   ",
        "OR swap",
        "swap OR",
        "NOT swap",
        "-swap",
        "(swap",
        "swap)",
        "swap AND",
        "AND swap",
        "NOT",
        '""',
        "( )",
        "-( swap )",
        "(" * 330 + "swap" + ")" * 330,
        "swap " + "NOT " * 40 + "other",
    ],
)
def test_malformed_queries_are_a_clear_error(
    db: storage.Database, stored: dict[str, int], query: str
) -> None:
    with pytest.raises(storage.SearchQueryError) as caught:
        search(db, query)
    assert "cannot search for" in str(caught.value)


@pytest.mark.parametrize(
    "query",
    [
        "a' OR 1=1 --",
        'x"; DROP TABLE versions; --',
        "title:swap",
        "swap^2",
        "NEAR(a b)",
        "{title} : swap",
        "'':*",
        "a & b | !c",
        "a:* <-> b",
        "swap_prisoner",
        "U.S.-led",
    ],
)
def test_engine_syntax_in_a_query_is_only_text(
    db: storage.Database, stored: dict[str, int], query: str
) -> None:
    try:
        hits = search(db, query)
    except storage.SearchQueryError:
        return  # a clear refusal is fine; an SQL error is not
    assert isinstance(hits, list)
    with db.session() as s:  # the database is intact
        assert storage.find_article(s, stored["second"]) is not None


def test_the_index_follows_the_transaction(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article("https://example.com/rolled-back")
    with pytest.raises(RuntimeError), db.transaction() as s:
        storage.record(
            s,
            article_id=article_id,
            fields=storage.ArticleFields(title="Zanzibar", body="Zanzibar ceasefire"),
            snapshot=None,
            fetched_at=now,
        )
        raise RuntimeError("crash before commit")
    assert search(db, "Zanzibar") == []
    assert search(db, "Zanzibar", all_versions=True) == []


def test_query_translation_quotes_every_term() -> None:
    node = parse('Istanbul "prisoner swap" talk* OR -football NOT "x y" U.S.')
    assert to_fts5(node) == (
        '(("istanbul" AND "prisoner swap" AND "talk"*) OR ((("u s") NOT "football") NOT "x y"))'
    )
    assert to_tsquery(node) == (
        "((('istanbul') & ('prisoner' <-> 'swap') & ('talk':*)) | "
        "(!('football') & !('x' <-> 'y') & ('u' <-> 's')))"
    )


def test_pages_are_cut_in_the_database(db: storage.Database, stored: dict[str, int]) -> None:
    """``offset`` skips hits in SQL (no snippet is made for them), in the same order."""
    every = search(db, "Vladimir OR swap", all_versions=True)
    assert len(every) == 3
    pages = [search(db, "Vladimir OR swap", all_versions=True, limit=1, offset=n) for n in range(4)]
    assert [p[0] for p in pages[:3]] == every and pages[3] == []
    assert search(db, "Vladimir OR swap", limit=1, offset=1) == search(db, "Vladimir OR swap")[1:]


def test_a_batch_writes_its_full_text_rows_in_one_statement_per_kind(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> None:
    """Held to the end of a batch (storage.index_rows_last), the rows make one statement per
    kind however the pages interleave, and a search finds what each article says last."""
    first = make_article("https://example.com/a")
    second = make_article("https://other.org/b")
    third = make_article("https://third.net/c")
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "_fts" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.transaction() as s, storage.index_rows_last(s):
            for article_id, fields in (
                (first, base_fields),
                (second, storage.ArticleFields(title="Prisoner exchange", body="A swap.")),
                (
                    first,
                    dataclasses.replace(
                        base_fields, body=base_fields.body.replace("Madinsky", "Medinsky")
                    ),
                ),
                (third, storage.ArticleFields(title="Grain corridor", body="Ships sail.")),
            ):
                storage.record(
                    s, article_id=article_id, fields=fields, snapshot=None, fetched_at=now
                )
                now += timedelta(minutes=1)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    if db.dialect == "sqlite":
        # One INSERT of the four versions: the articles' current text is not indexed again.
        assert statements == [
            "INSERT INTO versions_fts(rowid, title, subtitle, body) VALUES (?, ?, ?, ?)"
        ], statements
    else:
        # Each version's document is kept once: the current ones as their article's text.
        with db.engine.connect() as conn:
            earlier = conn.exec_driver_sql("SELECT version_id FROM version_search").scalars().all()
            shown = conn.exec_driver_sql("SELECT version_id FROM article_search").all()
            versions = conn.exec_driver_sql(
                "SELECT v.id, a.current_version_id = v.id FROM versions v"
                " JOIN articles a ON a.id = v.article_id"
            ).all()
        assert sorted(earlier) == sorted(v for v, current in versions if not current)
        assert sorted(v for (v,) in shown) == sorted(v for v, current in versions if current)
    [hit] = search(db, "Medinsky")
    assert (hit.article_id, hit.version_number, hit.current) == (first, 2, True)
    assert search(db, "Madinsky") == []
    assert {hit.version_number for hit in search(db, "Madinsky", all_versions=True)} == {1}
    assert [hit.article_id for hit in search(db, "corridor")] == [third]
    assert [hit.article_id for hit in search(db, "swap")] == [second]
