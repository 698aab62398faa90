"""Article-body scoring of the article-extraction-benchmark (AEB), as pure functions.

Tokens are ``\\w+`` runs; each page is compared as multisets of 4-token shingles, and its
TP/FP/FN are normalised to sum to 1 so that long pages weigh no more than short ones.
Precision and recall are averaged over pages, and F1 is taken from those two averages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def tokenize(text: str | None) -> list[str]:
    """The ``\\w+`` tokens of ``text`` (Unicode, case kept)."""
    return _TOKEN.findall(text or "")


def shingles(text: str | None, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of ``n``-token shingles; a text shorter than ``n`` tokens is one shingle."""
    tokens = tokenize(text)
    out: Counter[tuple[str, ...]] = Counter()
    for i in range(max(1, len(tokens) - n + 1)):
        shingle = tuple(tokens[i : i + n])
        if shingle:
            out[shingle] += 1
    return out


@dataclass(frozen=True, slots=True)
class PageScore:
    """Normalised true positives, false positives and false negatives of one page."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        """None when the page has nothing predicted and nothing matched (not averaged)."""
        if self.fp == 0 and self.fn == 0:
            return 1.0
        if self.tp + self.fp == 0:
            return None
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        if self.tp + self.fn == 0:
            return None
        return self.tp / (self.tp + self.fn)


def score_page(truth: str, prediction: str) -> PageScore:
    """Compare one predicted body with the true one."""
    true_sh = shingles(truth)
    pred_sh = shingles(prediction)
    tp = fp = fn = 0
    for key in true_sh.keys() | pred_sh.keys():
        t = true_sh.get(key, 0)
        p = pred_sh.get(key, 0)
        tp += min(t, p)
        fp += max(0, p - t)
        fn += max(0, t - p)
    total = tp + fp + fn
    if total == 0:
        return PageScore(0.0, 0.0, 0.0)
    return PageScore(tp / total, fp / total, fn / total)


@dataclass(frozen=True, slots=True)
class Summary:
    """Scores over a set of pages."""

    f1: float
    precision: float
    recall: float
    accuracy: float
    pages: int


def _mean(values: Iterable[float | None]) -> float:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else 0.0


def summarize(pairs: Iterable[tuple[str, str]]) -> Summary:
    """Score ``(truth, prediction)`` pairs the way the benchmark does."""
    scores: list[PageScore] = []
    exact = 0
    for truth, prediction in pairs:
        scores.append(score_page(truth, prediction))
        exact += tokenize(truth) == tokenize(prediction)
    precision = _mean(s.precision for s in scores)
    recall = _mean(s.recall for s in scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(scores)
    return Summary(f1, precision, recall, exact / n if n else 0.0, n)
