"""History queries: listings, versions, and diffs between any two versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

import storage
from storage import ArticleFields, DiffOp


@pytest.fixture
def edited_article(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> int:
    """An article with three versions: original, Madinsky→Medinsky, then a new title."""
    article_id = make_article()
    v2 = replace(base_fields, body=base_fields.body.replace("Madinsky", "Medinsky"))
    v3 = replace(v2, title="Istanbul talks end without a ceasefire")
    for hours, fields in enumerate([base_fields, v2, v3]):
        with db.transaction() as s:
            storage.record(
                s, article_id=article_id, fields=fields, snapshot=None,
                fetched_at=now + timedelta(hours=hours),
            )  # fmt: skip
    return article_id


def test_articles_newest_first_by_outlet_and_paged(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    with db.transaction() as s:
        storage.add_candidates(
            s, source_id=None, candidates=[storage.Candidate("https://www.example.com/a")], now=now
        )
        storage.add_candidates(
            s, source_id=None,
            candidates=[storage.Candidate("https://news.example.org/b", title="Hint")],
            now=now + timedelta(minutes=1),
        )  # fmt: skip
    with db.session() as s:
        everything = storage.query_articles(s, storage.ArticleQuery())
        only = storage.query_articles(s, storage.ArticleQuery(outlet="www.example.com"))
        one = storage.query_articles(s, storage.ArticleQuery(limit=1))
        second = storage.query_articles(s, storage.ArticleQuery(limit=1, offset=1))
    assert [a.url for a in everything] == [
        "https://news.example.org/b",
        "https://www.example.com/a",
    ]
    assert everything[0].title == "Hint" and everything[0].first_seen_at.tzinfo is not None
    assert [a.outlet for a in only] == ["example.com"]
    assert [a.url for a in one + second] == [a.url for a in everything]


def test_find_article_by_url_or_id(db: storage.Database, edited_article: int) -> None:
    url = "https://www.example.com/news/istanbul-talks"
    with db.session() as s:
        by_url = storage.find_article(s, url)
        assert by_url is not None and by_url.id == edited_article
        assert storage.find_article(s, edited_article) is not None
        assert storage.find_article(s, str(edited_article)) is not None
        assert storage.find_article(s, "https://example.com/unknown") is None
        assert storage.find_article(s, 999) is None


def test_versions_of(db: storage.Database, edited_article: int, now: datetime) -> None:
    with db.session() as s:
        versions = storage.versions_of(s, edited_article)
        with pytest.raises(storage.NotFound):
            storage.versions_of(s, 999)
    assert [(v.number, v.changed_fields) for v in versions] == [
        (1, ()),
        (2, ("body",)),
        (3, ("title",)),
    ]
    assert [v.fetched_at for v in versions] == [now + timedelta(hours=h) for h in range(3)]
    assert len({v.fingerprint for v in versions}) == 3
    assert versions[1].words_added == versions[1].words_removed == 1


def test_get_version(db: storage.Database, edited_article: int) -> None:
    with db.session() as s:
        v3 = storage.get_version(s, edited_article, 3)
        assert v3 is not None and v3.title == "Istanbul talks end without a ceasefire"
        assert storage.get_version(s, edited_article, 4) is None


def test_diff_between_any_two_versions(db: storage.Database, edited_article: int) -> None:
    with db.session() as s:
        diff = storage.diff_between(s, edited_article, 1, 3)
        backwards = storage.diff_between(s, edited_article, 2, 1)
        same = storage.diff_between(s, edited_article, 2, 2)
        with pytest.raises(storage.NotFound, match=f"article {edited_article} has no version 9"):
            storage.diff_between(s, edited_article, 1, 9)
    assert diff.changed_fields == ("title", "body")
    assert [op for op in diff.fields["body"] if op.op != "equal"] == [
        DiffOp("delete", " Madinsky"),
        DiffOp("insert", " Medinsky"),
    ]
    assert "ceasefire" in "".join(op.text for op in diff.fields["title"] if op.op == "insert")
    assert [op for op in backwards.fields["body"] if op.op != "equal"] == [
        DiffOp("delete", " Medinsky"),
        DiffOp("insert", " Madinsky"),
    ]
    assert (same.changed_fields, dict(same.fields)) == ((), {})
