"""Drastic changes (confirmed before they are recorded) and their classes."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from storage.drastic import drastic_change, drastic_classes
from storage.types import ArticleFields

STORY = " ".join(
    f"Delegations met in Istanbul on day {i} and agreed to swap prisoners." for i in range(12)
)
BASE = ArticleFields(
    title="Talks resume",
    body=STORY,
    authors=("Ana Petrova",),
    published=datetime(2025, 6, 2, tzinfo=UTC),
)


def with_(**changes: object) -> ArticleFields:
    return dataclasses.replace(BASE, **changes)  # type: ignore[arg-type]


def test_ordinary_edits_are_not_drastic() -> None:
    assert drastic_change(BASE, with_(body=STORY.replace("day 3", "day three"))) is None
    assert drastic_change(BASE, with_(body=STORY + " A further round is planned.")) is None
    assert drastic_change(BASE, with_(title="Talks resume in Istanbul")) is None


def test_losing_most_of_the_body_or_a_field_is_drastic() -> None:
    first_sentence = STORY.split(".")[0] + "."
    assert "words removed" in (drastic_change(BASE, with_(body=first_sentence)) or "")
    assert drastic_change(BASE, with_(authors=())) == "the authors is gone"
    assert drastic_change(BASE, with_(title=None)) == "the title is gone"
    other = " ".join(
        f"Markets rose sharply in Tokyo on day {i} as exporters gained ground." for i in range(12)
    )
    assert "words replaced" in (drastic_change(BASE, with_(body=other)) or "")


def test_a_confirmed_drastic_change_is_a_retraction_or_a_rewrite() -> None:
    note = "Editor's note: this article has been removed pending a review of its sources."
    assert drastic_classes(BASE, with_(body=note)) == ["retraction"]
    other = " ".join(
        f"Markets rose sharply in Tokyo on day {i} as exporters gained ground." for i in range(12)
    )
    assert drastic_classes(BASE, with_(body=other)) == ["rewrite"]
    assert drastic_classes(BASE, with_(body=STORY + " More.")) == []


def test_short_articles_are_never_judged_by_shares() -> None:
    short = ArticleFields(title="Brief", body="Talks resumed on Monday in Istanbul.")
    assert drastic_change(short, ArticleFields(title="Brief", body="Talks ended.")) is None
