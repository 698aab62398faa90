"""The past on demand: an article as of any moment; edits by class, outlet and period."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

import storage


@pytest.fixture
def history(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: storage.ArticleFields,
    now: datetime,
) -> dict[str, int]:
    """example.com: v1, a name fix at +1h, a new headline at +2h; other.org: a number at +3h."""
    first = make_article("https://example.com/a")
    second = make_article("https://other.org/b")
    named = dataclasses.replace(base_fields, body=base_fields.body.replace("Madinsky", "Medinsky"))
    retitled = dataclasses.replace(named, title="Talks end without a deal")
    numbered = storage.ArticleFields(title="Swap", body="The sides exchanged 390 prisoners.")
    with db.transaction() as s:
        for article_id, fields, hours in (
            (first, base_fields, 0),
            (first, named, 1),
            (first, retitled, 2),
            (second, numbered, 0),
            (second, dataclasses.replace(numbered, body=numbered.body.replace("390", "1000")), 3),
        ):
            storage.record(
                s,
                article_id=article_id,
                fields=fields,
                snapshot=None,
                fetched_at=now + timedelta(hours=hours),
            )
    return {"first": first, "second": second}


def test_the_text_as_of_any_moment(
    db: storage.Database, history: dict[str, int], now: datetime
) -> None:
    with db.session() as s:
        at = lambda delta: storage.version_at(s, history["first"], now + delta)  # noqa: E731
        assert at(timedelta(minutes=-1)) is None
        assert at(timedelta(0)).number == 1  # type: ignore[union-attr]
        assert "Madinsky" in at(timedelta(minutes=59)).body  # type: ignore[union-attr]
        assert at(timedelta(hours=1, minutes=30)).number == 2  # type: ignore[union-attr]
        assert at(timedelta(days=30)).title == "Talks end without a deal"  # type: ignore[union-attr]
        with pytest.raises(storage.NotFound):
            storage.version_at(s, 999_999, now)


def test_edits_by_class_outlet_and_period(
    db: storage.Database, history: dict[str, int], now: datetime
) -> None:
    with db.session() as s:
        every = storage.recent_edits(s)
        assert [(e.article_id, e.number) for e in every] == [
            (history["second"], 2),
            (history["first"], 3),
            (history["first"], 2),
        ]
        assert [e.number for e in storage.recent_edits(s, edit_class="name")] == [2]
        assert [e.article_id for e in storage.recent_edits(s, edit_class="number")] == [
            history["second"]
        ]
        assert [e.number for e in storage.recent_edits(s, outlet="www.example.com")] == [3, 2]
        window = storage.recent_edits(
            s, since=now + timedelta(hours=1), until=now + timedelta(hours=2)
        )
        assert [(e.article_id, e.number) for e in window] == [(history["first"], 2)]
        assert storage.recent_edits(s, limit=1)[0].number == 2
        assert [e.number for e in storage.recent_edits(s, limit=1, offset=1)] == [3]
        [headline] = storage.recent_edits(
            s, edit_class="headline", since=now, until=now + timedelta(days=1)
        )
        before = storage.get_version(s, headline.article_id, headline.number - 1)
        assert before is not None
        assert (before.title, headline.title) == (
            "Russia and Ukraine hold first direct talks in three years",
            "Talks end without a deal",
        )
        assert headline.classes == ("headline",)


def test_version_summaries_carry_the_classes(db: storage.Database, history: dict[str, int]) -> None:
    with db.session() as s:
        rows = storage.versions_of(s, history["first"])
    assert [r.classes for r in rows] == [(), ("minor", "name"), ("headline",)]
