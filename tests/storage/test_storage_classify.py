"""Edit classes from pairs of texts (pure functions; the newsroom versions are in
test_storage_newsroom_edits.py)."""

from __future__ import annotations

import pytest

from storage import ArticleFields
from storage.classify import classify, correction_added, is_correction_note, is_update

BODY = (
    "Delegations from Russia and Ukraine met in Istanbul on Friday.\n"
    "The Russian side was led by Vladimir Madinsky, an aide to the president.\n"
    'A Ukrainian official said the talks were "a first step, nothing more".\n'
    "Turkey's foreign minister opened the talks at 10 am at the Dolmabahce palace."
)
BASE = ArticleFields(title="Russia and Ukraine meet in Istanbul", body=BODY, authors=("A",))


def edited(**changes: object) -> ArticleFields:
    fields = {f: getattr(BASE, f) for f in ("title", "subtitle", "body", "authors", "published")}
    fields.update(changes)
    return ArticleFields(**fields)  # type: ignore[arg-type]


def body_with(old: str, new: str) -> ArticleFields:
    assert old in BODY
    return edited(body=BODY.replace(old, new))


def test_nothing_visible_changed_is_cosmetic() -> None:
    curly = BODY.replace('"a first step, nothing more"', "\u201ca first step, nothing more\u201d")
    assert classify(BASE, edited(body=curly.replace(" ", "  "))) == ("cosmetic",)


def test_a_spelling_fix_in_a_name_is_minor_and_name() -> None:
    assert classify(BASE, body_with("Madinsky", "Medinsky")) == ("minor", "name")


def test_a_typo_in_an_ordinary_word_is_only_minor() -> None:
    assert classify(BASE, body_with("Delegations", "Delgations")) == ("minor",)


def test_a_changed_number_is_minor_and_number() -> None:
    assert classify(BASE, body_with("10 am", "11 am")) == ("minor", "number")


def test_a_changed_quotation() -> None:
    changed = body_with("a first step, nothing more", "a first step, and an important one")
    assert "quotation" in classify(BASE, changed)


def test_a_new_sentence_is_substantive() -> None:
    changed = body_with("on Friday.", "on Friday. The meeting lasted less than two hours.")
    assert classify(BASE, changed) == ("substantive",)


def test_a_removed_paragraph_is_substantive() -> None:
    changed = edited(body="\n".join(BODY.splitlines()[:2]))
    assert "substantive" in classify(BASE, changed)


def test_a_rewritten_sentence_is_substantive() -> None:
    changed = body_with(
        "Turkey's foreign minister opened the talks at 10 am at the Dolmabahce palace.",
        "The Turkish hosts kept the opening ceremony short and closed to the press.",
    )
    assert "substantive" in classify(BASE, changed)


def test_a_new_headline_is_headline_only() -> None:
    assert classify(BASE, edited(title="Russia and Ukraine talk in Istanbul")) == ("headline",)


def test_a_headline_naming_someone_else_is_headline_and_name() -> None:
    changed = edited(title="Russia and Ukraine meet in Ankara")
    assert classify(BASE, changed) == ("headline", "name")


def test_a_new_byline_alone_is_minor() -> None:
    assert classify(BASE, edited(authors=("A", "B"))) == ("minor",)


@pytest.mark.parametrize(
    "note",
    [
        "Correction: an earlier version of this article misspelled Vladimir Medinsky's name.",
        "Update (June 2, 14:00): the delegations agreed to meet again.",
        "Updated: adds the Kremlin's comment.",
        "Editor's note: this story has been updated with a statement from Kyiv.",
        "Clarification: the ceasefire proposal covers 30 days, not 60.",
        "This article has been corrected to show that the talks began on Friday.",
        "Поправка: в предыдущей версии статьи была неверно указана фамилия.",
        "Уточнение (2 июня): делегации договорились встретиться снова.",
        "Оновлено: додано коментар Кремля.",
        "Düzeltme: haberin önceki versiyonunda isim yanlış yazılmıştı.",
        "Korrektur: In einer früheren Version stand ein falscher Name.",
    ],
)
def test_a_correction_note_in_any_of_five_languages(note: str) -> None:
    assert is_correction_note(note)
    changed = edited(body=BODY + "\n" + note)
    assert "correction" in classify(BASE, changed)
    assert "name" not in classify(BASE, changed), "a new paragraph is not a changed name"


@pytest.mark.parametrize(
    "paragraph",
    [
        "Updates to the schedule were not discussed.",
        "The correction of the front line was on the agenda.",
        "Обновлённый план предусматривает прекращение огня.",
    ],
)
def test_ordinary_sentences_with_those_words_are_not_corrections(paragraph: str) -> None:
    assert not is_correction_note(paragraph)
    assert not correction_added(BODY, BODY + "\n" + paragraph)


def test_an_existing_correction_note_is_not_new() -> None:
    note = "Correction: the talks began on Friday."
    assert not correction_added(BODY + "\n" + note, BODY + "\n" + note + "\nMore text.")


def test_paragraphs_added_at_the_top_or_bottom_are_an_update() -> None:
    assert is_update(BODY, "14:05 The delegations left.\n" + BODY, page_type=None)
    assert is_update(BODY, BODY + "\n14:05 The delegations left.", page_type=None)
    assert not is_update(BODY, BODY.replace("Friday", "Monday") + "\nMore.", page_type=None)
    assert not is_update(BODY, BODY, page_type=None)


def test_a_live_blog_page_is_always_an_update() -> None:
    assert is_update(BODY, BODY.replace("Friday", "Monday"), page_type="LiveBlogPosting")
