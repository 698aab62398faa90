"""The benchmark scorer (bench/scoring.py) on tiny hand-made examples."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "bench" / "scoring.py"
_SPEC = importlib.util.spec_from_file_location("bench_scoring_under_test", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
scoring = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = scoring
_SPEC.loader.exec_module(scoring)


def test_tokens_are_unicode_word_runs() -> None:
    assert scoring.tokenize("Hello, world! Привет-мир 2025") == [
        "Hello",
        "world",
        "Привет",
        "мир",
        "2025",
    ]


def test_shingles_of_short_text_are_one() -> None:
    assert scoring.shingles("a b") == {("a", "b"): 1}
    assert scoring.shingles("") == {}
    assert scoring.shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}


def test_identical_texts_score_one() -> None:
    page = scoring.score_page("one two three four five", "one two three four five")
    assert (page.tp, page.fp, page.fn) == (1.0, 0.0, 0.0)
    assert page.precision == page.recall == 1.0


def test_extra_and_missing_text() -> None:
    # truth: 2 shingles; prediction adds one more word -> 3 shingles, 2 shared.
    page = scoring.score_page("a b c d e", "a b c d e f")
    assert page.tp == pytest.approx(2 / 3) and page.fp == pytest.approx(1 / 3) and page.fn == 0
    assert page.precision == pytest.approx(2 / 3) and page.recall == 1.0
    missing = scoring.score_page("a b c d e f", "a b c d e")
    assert missing.precision == 1.0 and missing.recall == pytest.approx(2 / 3)


def test_multiset_counts_repeats() -> None:
    page = scoring.score_page("x y z w x y z w", "x y z w")
    # truth shingles: xyzw, yzwx, zwxy, wxyz, xyzw (5); prediction: xyzw (1)
    assert page.tp == pytest.approx(1 / 5) and page.fn == pytest.approx(4 / 5)


def test_empty_prediction_and_empty_truth() -> None:
    assert scoring.score_page("a b c d", "").precision is None
    assert scoring.score_page("a b c d", "").recall == 0.0
    both = scoring.score_page("", "")
    assert both.precision == 1.0 and both.recall == 1.0


def test_summary_averages_pages_then_takes_f1() -> None:
    summary = scoring.summarize([("a b c d e", "a b c d e"), ("a b c d e f", "a b c d e")])
    assert summary.precision == pytest.approx(1.0)
    assert summary.recall == pytest.approx((1 + 2 / 3) / 2)
    assert summary.f1 == pytest.approx(
        2 * summary.precision * summary.recall / (summary.precision + summary.recall)
    )
    assert summary.accuracy == 0.5
    assert summary.pages == 2


def test_accuracy_is_exact_token_match() -> None:
    assert scoring.summarize([("Hello, world", "hello world")]).accuracy == 0.0
    assert scoring.summarize([("Hello, world", "Hello world!")]).accuracy == 1.0


def _bench_module(name: str) -> object:
    path = Path(__file__).resolve().parents[2] / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fields = _bench_module("field_scoring")


def test_titles_compare_after_folding() -> None:
    same = fields.same_title  # type: ignore[attr-defined]
    assert same("Lynn: “We needed to win this game”", 'lynn: "we needed to win this game"')
    assert same("Trump\u00a0plant  den – Ballsaal", "trump plant den - ballsaal")
    assert same(
        "Helikopter\u00adlandeplatz: ein Fortschritt\u200b", "Helikopterlandeplatz: ein Fortschritt"
    )
    assert not same("Helikopter-landeplatz", "Helikopterlandeplatz")
    assert not same("Talks resume", "Talks resume in Istanbul")
    assert not same("Talks", None)


def test_authors_compare_as_sets() -> None:
    same = fields.same_authors  # type: ignore[attr-defined]
    assert same(["Jane Doe", "John Roe"], ["JOHN ROE", "jane doe"])
    assert not same(["Jane Doe", "John Roe"], ["Jane Doe"])
    assert same([], [])


def test_language_compares_primary_subtags() -> None:
    same = fields.same_language  # type: ignore[attr-defined]
    assert same("en", "en-GB") and same("pt_BR", "pt") and not same("uk", "ru")


def test_field_score_leaves_unscored_pages_out() -> None:
    score = fields.field_score([True, False, None, True])  # type: ignore[attr-defined]
    assert (score.right, score.scored) == (2, 3)


def test_snippets_count_over_all_pages() -> None:
    page = fields.snippet_counts("alpha beta gamma", ["alpha", "delta"], ["gamma", "omega"])  # type: ignore[attr-defined]
    assert (page.tp, page.fn, page.fp, page.tn) == (1, 1, 1, 1)
    total = fields.snippet_total([page, page])  # type: ignore[attr-defined]
    assert total.tp == 2 and total.precision == 0.5 and total.recall == 0.5 and total.f1 == 0.5


LABELS = Path(__file__).resolve().parents[2] / "bench" / "labels" / "aeb-dev-metadata.json"
AEB = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "aeb-dev"


def test_hand_labels_cover_every_aeb_dev_page() -> None:
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    assert "by hand" in labels["about"]
    pages = labels["pages"]
    assert len(pages) == 85
    for key, item in pages.items():
        assert set(item) >= {"url", "title", "authors", "published", "language"}, key
        assert item["title"] and item["language"], key
        assert item["published"] is None or len(item["published"]) == 10, key
    if (AEB / "ground-truth.json").exists():  # the shared set beside the checkout
        truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
        assert set(pages) == set(truth)
        assert all(pages[key]["url"] == truth[key]["url"] for key in pages)
