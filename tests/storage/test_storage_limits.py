"""Field caps: over-long values are cut after a whole word, the same way on every fetch."""

from __future__ import annotations

import storage
from storage import ArticleFields, FieldLimits, cap_fields, cut
from storage.fingerprint import fingerprint
from storage.limits import ELLIPSIS


def test_a_short_value_is_left_alone() -> None:
    assert cut("Talks resume in Istanbul", 100) == "Talks resume in Istanbul"


def test_a_long_value_is_cut_after_a_whole_word_and_marked() -> None:
    text = "Delegations from Russia and Ukraine met in Istanbul on Friday"
    cut_text = cut(text, 30)
    assert cut_text == "Delegations from Russia and" + ELLIPSIS
    assert len(cut_text) <= 30


def test_a_cut_that_falls_between_words_keeps_the_last_word() -> None:
    assert cut("one two three four", 9) == "one two" + ELLIPSIS  # "one two t" → the space
    assert cut("one two three four", 8) == "one two" + ELLIPSIS  # the cut lands on the space


def test_one_giant_word_is_cut_hard() -> None:
    assert cut("x" * 50, 10) == "x" * 9 + ELLIPSIS


def test_what_lies_past_the_cap_never_changes_the_cut() -> None:
    words = "Istanbul talks resume as delegations trade memorandums " * 40_000  # ~2 MB
    first, second = cut(words + "visit 1", 1000), cut(words + "visit 2", 1000)
    assert first == second and len(first) <= 1000
    last_word = first.removesuffix(ELLIPSIS).rsplit(" ", 1)[1]
    assert last_word in words.split()  # a whole word, not a piece of one


def test_every_field_is_capped() -> None:
    limits = FieldLimits(title=20, subtitle=20, body=1024, authors=2, name=10, url=40)
    fields = ArticleFields(
        title="Talks resume in Istanbul after three years",
        subtitle="A short standfirst",
        body="Paragraph one.\n" + "word " * 1000,
        authors=("Anna Petrova", "John Smith", "A Third Person"),
        canonical_url="https://example.com/" + "a" * 100,
        site_name="The Example Herald",
        section="World news today",
        language="x" * 100,
        page_type="T" * 100,
    )
    capped = cap_fields(fields, limits)
    assert capped.title == "Talks resume in" + ELLIPSIS
    assert capped.subtitle == "A short standfirst"  # it fits
    assert len(capped.body) <= 1024 and capped.body.startswith("Paragraph one.\nword word")
    assert capped.body.endswith("word" + ELLIPSIS)
    assert capped.authors == ("Anna" + ELLIPSIS, "John Smith")
    assert capped.site_name == "The Examp" + ELLIPSIS  # no word boundary in its second half
    assert capped.section == "World" + ELLIPSIS
    # A URL, language tag or page type cut short would be a wrong one: they are dropped.
    assert (capped.canonical_url, capped.language, capped.page_type) == (None, None, None)


def test_fields_within_their_caps_are_the_same_value() -> None:
    fields = ArticleFields(title="Talks", body="Text.", authors=("Anna",))
    assert cap_fields(fields, FieldLimits()) is fields


def test_a_capped_headline_fingerprints_the_same_on_every_fetch() -> None:
    huge = "Istanbul talks " * 200_000
    one = cap_fields(ArticleFields(title=huge + "1", body="b"), storage.FieldLimits())
    two = cap_fields(ArticleFields(title=huge + "2", body="b"), storage.FieldLimits())
    assert fingerprint(one) == fingerprint(two)
