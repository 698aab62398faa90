"""Every edit class, from real pages: the newsroom edits an article, the test fetches it over
HTTP, extracts it with the scraper, and records it; the stored version says what kind of edit
it was (and so does its alert)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import httpx
import pytest

import storage
from newswatch.newsroom import Newsroom
from scheduler.article_fields import fields_from_extracted
from scraper import extract

SLUG = "envoys-arrive-istanbul-second-meeting"


@pytest.fixture(scope="module")
def room() -> Iterator[Newsroom]:
    room = Newsroom.with_articles().start()
    try:
        yield room
    finally:
        room.stop()


@dataclasses.dataclass
class Watcher:
    """Fetch, extract, record: the daemon's article path without the scheduling."""

    room: Newsroom
    db: storage.Database
    article_id: int
    now: datetime

    def check(self) -> storage.Outcome:
        url = self.room.url_of(SLUG)
        response = httpx.get(url, timeout=10)
        response.raise_for_status()
        fields = fields_from_extracted(extract(response.content, url=url))
        self.now += timedelta(minutes=15)
        with self.db.transaction() as s:
            return storage.record(
                s,
                article_id=self.article_id,
                fields=fields,
                snapshot=response.content,
                fetched_at=self.now,
            )

    def alert_classes(self, outcome: storage.Outcome) -> list[str]:
        with self.db.session() as s:
            alert = s.get(storage.Alert, outcome.alert_id)
            assert alert is not None
            return list(alert.payload["classes"])


@pytest.fixture
def watcher(
    room: Newsroom, db: storage.Database, make_article: Callable[..., int], now: datetime
) -> Iterator[Watcher]:
    original = room.story(SLUG)
    room.publish(original)
    watch = Watcher(room, db, make_article(room.url_of(SLUG)), now)
    assert watch.check().kind is storage.OutcomeKind.NEW
    try:
        yield watch
    finally:
        room.publish(original)  # the next test starts from the built-in text


def check_edit(watcher: Watcher) -> tuple[str, ...]:
    outcome = watcher.check()
    assert outcome.kind is storage.OutcomeKind.EDITED
    assert list(outcome.classes) == watcher.alert_classes(outcome), "the alert carries them"
    with watcher.db.session() as s:
        [*_, last] = storage.versions_of(s, watcher.article_id)
    assert last.classes == outcome.classes, "and so does the version summary"
    return outcome.classes


def test_cosmetic_changes_are_never_a_version(room: Newsroom, watcher: Watcher) -> None:
    room.touch(SLUG)
    assert watcher.check().kind is storage.OutcomeKind.UNCHANGED


def test_a_corrected_name_is_minor_and_name(room: Newsroom, watcher: Watcher) -> None:
    room.edit(SLUG, "Vladimir Madinsky told", "Vladimir Medinsky told")
    assert check_edit(watcher) == ("minor", "name")


def test_a_changed_number(room: Newsroom, watcher: Watcher) -> None:
    room.edit(SLUG, "up to 6,000 soldiers", "up to 7,000 soldiers")
    assert check_edit(watcher) == ("minor", "number")


def test_a_changed_quotation(room: Newsroom, watcher: Watcher) -> None:
    room.edit(SLUG, '"not a failure"', '"not a complete failure"')
    assert check_edit(watcher) == ("minor", "quotation")


def test_a_new_headline(room: Newsroom, watcher: Watcher) -> None:
    room.retitle(SLUG, "Istanbul talks end after an hour with a prisoner swap agreed")
    assert check_edit(watcher) == ("headline",)


def test_an_added_sentence_is_substantive(room: Newsroom, watcher: Watcher) -> None:
    room.edit(
        SLUG,
        "told reporters in Vilnius.",
        "told reporters in Vilnius. He did not say when the release would happen.",
    )
    assert check_edit(watcher) == ("substantive",)


def test_a_correction_note(room: Newsroom, watcher: Watcher) -> None:
    story = room.story(SLUG)
    note = (
        "Correction: An earlier version of this article misspelled the name of the "
        "Russian negotiator."
    )
    room.publish(dataclasses.replace(story, body=(*story.body, note)))
    classes = check_edit(watcher)
    assert "correction" in classes and "substantive" in classes


def test_a_russian_correction_note(room: Newsroom, watcher: Watcher) -> None:
    story = room.story(SLUG)
    room.publish(
        dataclasses.replace(
            story,
            body=(
                story.body[0],
                "Поправка: в предыдущей версии была неверно указана дата.",
                *story.body[1:],
            ),
        )
    )
    assert "correction" in check_edit(watcher)
