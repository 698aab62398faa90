"""Normalisation and fingerprints: cosmetic differences vanish, real ones do not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage import ArticleFields
from storage.fingerprint import (
    changed_fields,
    fingerprint,
    normalise,
    normalise_authors,
    normalise_published,
)

BASE = ArticleFields(
    title="Talks in Istanbul",
    body="Delegations met on Friday.\nThe aide said: 'no ceasefire yet'.",
    authors=("Anna Petrova", "John Smith"),
    published=datetime(2025, 5, 16, 9, 30, tzinfo=UTC),
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Talks\u00a0in\u2009Istanbul \n", "Talks in Istanbul"),
        ("\u201cNo deal\u201d, he said \u2014 twice", '"No deal", he said - twice'),
        ("Zelensky\u2019s aide", "Zelensky's aide"),
        ("pre\u2010war \u2013 post\u2212war", "pre-war - post-war"),
        ("\u00abquoted\u00bb", '"quoted"'),
        ("ﬁnal…", "final..."),
        ("soft\u00adhyphen\u200b", "softhyphen"),
        (None, ""),
        ("", ""),
    ],
)
def test_normalise(raw: str | None, expected: str) -> None:
    assert normalise(raw) == expected


def test_authors_are_sorted_normalised_and_deduplicated() -> None:
    assert normalise_authors(["John  Smith", "Anna Petrova", "John Smith", " "]) == [
        "Anna Petrova",
        "John Smith",
    ]


def test_published_compares_at_minute_precision_in_utc() -> None:
    local = datetime(2025, 5, 16, 12, 30, 45, tzinfo=timezone(timedelta(hours=3)))
    assert normalise_published(local) == "2025-05-16T09:30Z"
    assert normalise_published(None) == ""


@pytest.mark.parametrize(
    "cosmetic",
    [
        {"title": " Talks\u00a0in  Istanbul"},
        {"body": "Delegations  met on Friday.\n\nThe aide said: \u2018no ceasefire yet\u2019."},
        {"authors": ("John Smith", "Anna Petrova")},
        {"published": datetime(2025, 5, 16, 9, 30, 59, tzinfo=UTC)},
        {"modified": datetime(2025, 5, 17, tzinfo=UTC), "language": "en", "section": "World"},
        {"subtitle": ""},
    ],
)
def test_cosmetic_changes_keep_the_fingerprint(cosmetic: dict) -> None:
    other = replace(BASE, **cosmetic)
    assert fingerprint(other) == fingerprint(BASE)
    assert changed_fields(BASE, other) == ()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "Talks in Ankara"}, "title"),
        ({"subtitle": "A first meeting"}, "subtitle"),
        ({"body": "Delegations met on Saturday.\nThe aide said: 'no ceasefire yet'."}, "body"),
        ({"authors": ("Anna Petrova",)}, "authors"),
        ({"published": datetime(2025, 5, 16, 9, 31, tzinfo=UTC)}, "published"),
    ],
)
def test_real_changes_change_the_fingerprint(change: dict, field: str) -> None:
    other = replace(BASE, **change)
    assert fingerprint(other) != fingerprint(BASE)
    assert changed_fields(BASE, other) == (field,)


def test_fingerprint_is_sha256_hex() -> None:
    value = fingerprint(BASE)
    assert len(value) == 64 and int(value, 16) >= 0
