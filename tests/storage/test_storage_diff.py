"""Word diffs and the change summaries that alerts carry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage import DiffOp, word_diff
from storage.diff import (
    count_words,
    field_diff,
    ops_from_json,
    ops_to_json,
    summarise_changes,
    tokenise,
)


def _rebuild(ops: list[DiffOp], keep: str) -> str:
    return "".join(op.text for op in ops if op.op in ("equal", keep))


def test_one_word_replacement() -> None:
    ops = word_diff("Talks with Madinsky, the aide.", "Talks with Medinsky, the aide.")
    assert ops == [
        DiffOp("equal", "Talks with"),
        DiffOp("delete", " Madinsky"),
        DiffOp("insert", " Medinsky"),
        DiffOp("equal", ", the aide."),
    ]
    assert count_words(ops) == (1, 1)
    assert summarise_changes({"body": ops}) == ["Madinsky \u2192 Medinsky"]


def test_runs_rebuild_both_texts() -> None:
    old = "The talks lasted two hours.\nNo ceasefire was agreed."
    new = "The talks lasted under two hours.\nA prisoner swap was agreed."
    ops = word_diff(old, new)
    assert _rebuild(ops, "delete") == old
    assert _rebuild(ops, "insert") == new
    assert summarise_changes({"body": ops}) == ["+ under", "No ceasefire \u2192 A prisoner swap"]
    assert count_words(ops) == (4, 2)


def test_whitespace_and_typography_are_not_differences() -> None:
    ops = word_diff("It\u2019s  over \u2014 for now", "It's over\n- for now")
    assert [op.op for op in ops] == ["equal"]


def test_pure_deletion_and_punctuation_only_changes() -> None:
    ops = word_diff("Talks ended abruptly on Friday", "Talks ended on Friday")
    assert summarise_changes({"body": ops}) == ["\u2212 abruptly"]
    assert count_words(word_diff("Talks ended.", "Talks ended!")) == (0, 0)


def test_empty_sides() -> None:
    assert word_diff(None, "New subtitle") == [DiffOp("insert", "New subtitle")]
    assert word_diff("Old subtitle", "") == [DiffOp("delete", "Old subtitle")]
    assert word_diff("", None) == []


def test_summary_is_capped() -> None:
    old = " ".join(f"w{i}" for i in range(0, 40, 2))
    new = " ".join(f"x{i}" if i % 4 == 0 else f"w{i}" for i in range(0, 40, 2))
    lines = summarise_changes({"body": word_diff(old, new)}, limit=3)
    assert len(lines) == 4
    assert lines[-1] == "\u2026 and 7 more changes"
    (long,) = summarise_changes({"body": word_diff("a", "b " * 100)}, width=20)
    before, after = long.split(" \u2192 ")
    assert before == "a"
    assert len(after) <= 20 and after.endswith("\u2026")


def test_field_diffs_for_authors_and_published() -> None:
    authors = field_diff("authors", ["John Smith", "Anna Petrova"], ["Anna Petrova", "Li Wei"])
    assert authors == [
        DiffOp("equal", "Anna Petrova"),
        DiffOp("delete", "John Smith"),
        DiffOp("insert", "Li Wei"),
    ]
    published = field_diff(
        "published",
        datetime(2025, 5, 16, 9, 30, tzinfo=UTC),
        datetime(2025, 5, 16, 9, 45, 9, tzinfo=UTC),
    )
    assert published == [
        DiffOp("delete", "2025-05-16 09:30 UTC"),
        DiffOp("insert", "2025-05-16 09:45 UTC"),
    ]
    assert field_diff("published", None, datetime(2025, 5, 16, tzinfo=UTC)) == [
        DiffOp("insert", "2025-05-16 00:00 UTC")
    ]


def test_json_round_trip() -> None:
    ops = word_diff("a b c", "a x c")
    assert ops_from_json(ops_to_json(ops)) == ops
    assert ops_to_json(ops)[1] == ["delete", " b"]


def test_a_stored_diff_keeps_the_changes_and_only_a_little_of_what_stayed() -> None:
    words = [f"w{i}" for i in range(300)]
    old = " ".join(words)
    new = " ".join(["Medinsky" if i == 100 else w for i, w in enumerate(words)][:250]) + " END"
    ops = word_diff(old, new)
    stored = ops_to_json(ops, context=3)
    assert stored == [
        ["skip", 97],
        ["equal", " w97 w98 w99"],
        ["delete", " w100"],
        ["insert", " Medinsky"],
        ["equal", " w101 w102 w103"],
        ["skip", 143],
        ["equal", " w247 w248 w249"],
        ["delete", "".join(f" w{i}" for i in range(250, 300))],
        ["insert", " END"],
    ]
    # Nothing changed is lost from the count: kept and skipped tokens add up to the text.
    kept = sum(len(tokenise(str(text))) if op == "equal" else 0 for op, text in stored)
    skipped = sum(int(text) for op, text in stored if op == "skip")
    assert kept + skipped == sum(len(tokenise(o.text)) for o in ops if o.op == "equal")
    # Whole runs when asked; a cut diff is not passed off as whole.
    assert ops_from_json(ops_to_json(ops, context=None)) == ops
    with pytest.raises(ValueError, match="diff_between"):
        ops_from_json(stored)


def test_long_texts_with_a_small_edit_are_fast_and_exact() -> None:
    body = " ".join(["the talks went on"] * 5000)
    ops = word_diff(body + " end.", body.replace("went", "ran", 1) + " end.")
    assert [op for op in ops if op.op != "equal"] == [
        DiffOp("delete", " went"),
        DiffOp("insert", " ran"),
    ]
