"""Scoring metadata fields and trafilatura's snippet test, as pure functions.

Titles and author names are compared after the same folding (fundus-dev's README): Unicode
NFKC, typographic quotes and dashes to their ASCII forms, runs of whitespace to one space,
case folded. Characters a reader never sees (soft hyphens, zero-width spaces and joiners:
Unicode's format characters) are dropped too: fundus keeps the one a CMS left at the end of
a headline, and the headline reads the same without it. Authors are compared as exact sets;
the day as a calendar date; the language by its primary subtag (``en-GB`` and ``en`` agree).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """The comparable form of a title or a name."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if not text.isascii():
        text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return _SPACES.sub(" ", text).strip().casefold()


def same_title(truth: str | None, predicted: str | None) -> bool:
    return fold(truth) == fold(predicted)


def same_authors(truth: Iterable[str], predicted: Iterable[str]) -> bool:
    return {fold(a) for a in truth if fold(a)} == {fold(a) for a in predicted if fold(a)}


def same_language(truth: str | None, predicted: str | None) -> bool:
    def primary(tag: str | None) -> str:
        return (tag or "").replace("_", "-").split("-")[0].strip().lower()

    return primary(truth) == primary(predicted)


@dataclass(frozen=True, slots=True)
class FieldScore:
    """Share of pages where one field was right (``None``: not scored on this set)."""

    right: int
    scored: int

    @property
    def share(self) -> float:
        return self.right / self.scored if self.scored else 0.0


def field_score(outcomes: Iterable[bool | None]) -> FieldScore:
    """``None`` outcomes are pages the field is not scored on."""
    kept = [o for o in outcomes if o is not None]
    return FieldScore(sum(kept), len(kept))


def same_day(truth: date | None, predicted: date | None) -> bool:
    return truth == predicted


@dataclass(frozen=True, slots=True)
class SnippetScore:
    """trafilatura's evaluation: snippets that must / must not be in the extracted body."""

    tp: int
    fn: int
    fp: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def snippet_counts(body: str, with_: Sequence[str], without: Sequence[str]) -> SnippetScore:
    """One page: each ``with_`` snippet must be a substring of ``body``, no ``without`` one."""
    found = sum(1 for s in with_ if s in body)
    leaked = sum(1 for s in without if s in body)
    return SnippetScore(found, len(with_) - found, leaked, len(without) - leaked)


def snippet_total(pages: Iterable[SnippetScore]) -> SnippetScore:
    """Counts summed over all snippets of all pages (not averaged by page)."""
    tp = fn = fp = tn = 0
    for page in pages:
        tp, fn, fp, tn = tp + page.tp, fn + page.fn, fp + page.fp, tn + page.tn
    return SnippetScore(tp, fn, fp, tn)
