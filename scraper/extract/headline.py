"""The headline a reader sees: the article's ``<h1>``, found with the metadata titles as evidence.

og:title and JSON-LD ``headline`` are often SEO titles, worded differently from the headline on
the page; ``<title>`` adds the site's name. They serve to recognise the article's ``<h1>``
among the page's others (the logo, teaser boxes, "Comments"), and stand in for it only when the
page shows none. A headline edit is an edit of what readers see, so what they see is stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scraper.extract.body import squash
from scraper.extract.evidence import Tally
from scraper.extract.title import clean_title, matches_site

_WORD = re.compile(r"\w+")
_INVISIBLE = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
_SPACES = re.compile(r"\s+")
_CONFIRMED = 0.5  # Dice overlap of words with a metadata title that marks the article's h1
_MIN_CHARS = 12  # a shorter h1 is a label ("Guides", "기사 상세"), not a headline
_MAX_CHARS = 400
_CONTENT_WORD = 4  # letters a word needs to count as shared content, not a function word


@dataclass(frozen=True, slots=True)
class Headline:
    """The chosen title, the signal category it came from, and the candidates weighed."""

    title: str | None
    signal: str | None
    tally: Tally
    heading: int | None = None  # index of the chosen <h1> in the headings given


def visible_text(text: str) -> str:
    """Text as a reader sees it: no soft hyphens or zero-width characters, spaces closed up."""
    if not text.isascii():
        for char in _INVISIBLE:
            if char in text:
                text = text.replace(char, "")
    return squash(text)


# A kicker set in its own element ("<span>Police catch two:</span>Stolen gold found") ends in
# a colon that the template glues to the headline's first letter; the page's CSS spaces them.
_GLUED_KICKER = re.compile(r"(?<=\S):(?=[^\W\d_])")


def heading_text(raw: str) -> str:
    """An ``<h1>``'s text as a reader sees it, a kicker's colon spaced from the headline."""
    text = visible_text(raw)
    if ":" in text:
        text = _GLUED_KICKER.sub(": ", text)
    return text


def _clean(value: str, sites: list[str]) -> str | None:
    title = clean_title(value, sites)
    return visible_text(title) if title else None


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def choose_headline(
    headings: Sequence[tuple[str, int, object]],
    titles: Sequence[tuple[str, str, str]],
    sites: list[str],
    article_start: int | None,
) -> Headline:
    """The article's headline.

    ``headings`` are the page's ``<h1>`` texts with their place in the document; ``titles``
    are ``(source, signal, value)`` metadata titles, strongest first; ``article_start`` is the
    place of the article text's first paragraph, which the headline precedes.
    """
    tally = Tally("title")
    quick = _h1_as_stated(headings, titles, tally)
    if quick is not None:
        return quick
    cleaned = []
    done: dict[str, str | None] = {}  # og:title, twitter:title and JSON-LD often agree
    for source, signal, value in titles:
        if value in done:
            title = done[value]
        else:
            title = done[value] = _clean(value, sites)
        if title:
            cleaned.append((tally.offer(source, title), signal, title))
    found = _confirmed_h1(headings, cleaned, sites, article_start, tally)
    if found is not None:
        index, text, how, number = found
        tally.elect(index, how)
        for row, _, title in cleaned:
            same = title.casefold() == text.casefold()
            tally.reject(row, "same as the h1" if same else "not the headline the page shows")
        tally.settle("not the article's headline")
        return Headline(text, "dom", tally, number)
    if cleaned:
        row, signal, title = cleaned[0]
        tally.elect(row, "no h1 on the page reads as this article's headline")
        tally.settle("a weaker source")
        return Headline(title, signal, tally)
    return Headline(None, None, tally)


def _h1_as_stated(
    headings: Sequence[tuple[str, int, object]],
    titles: Sequence[tuple[str, str, str]],
    tally: Tally,
) -> Headline | None:
    """The usual page: its first ``<h1>`` says word for word what a metadata title says.

    Nothing then needs cleaning or comparing word by word; the other candidates are still
    recorded, as the page states them.
    """
    texts = ((index, heading_text(raw)) for index, (raw, _, _) in enumerate(headings))
    first = next(((index, text) for index, text in texts if text), None)
    if first is None:
        return None
    index, text = first
    folded = text.casefold()
    stated = [(source, visible_text(value)) for source, _, value in titles]
    if not any(value.casefold() == folded for _, value in stated):
        return None
    row = tally.offer("h1" if index == 0 else f"h1 #{index + 1}", text)
    tally.elect(row, "matches the metadata title")
    for source, value in stated:
        same = value.casefold() == folded
        why = "same as the h1" if same else "not the headline the page shows"
        tally.reject(tally.offer(source, value), why)
    return Headline(text, "dom", tally, index)


def _confirmed_h1(
    headings: Sequence[tuple[str, int, object]],
    cleaned: list[tuple[int, str, str]],
    sites: list[str],
    article_start: int | None,
    tally: Tally,
) -> tuple[int, str, str, int] | None:
    """(tally row, text, why, index in headings) of the article's h1, or None."""
    offered: list[tuple[int, str, int, int]] = []  # row, text, position, index
    titles = {title.casefold() for _, _, title in cleaned}
    exact: tuple[int, str, str, int] | None = None
    for index, (raw, position, _) in enumerate(headings):
        text = heading_text(raw)
        if not text:
            continue
        row = tally.offer("h1" if index == 0 else f"h1 #{index + 1}", text)
        if len(text) > _MAX_CHARS:
            tally.reject(row, "too long for a headline")
        elif matches_site(text, sites):
            tally.reject(row, "the site's name")
        elif exact is None and text.casefold() in titles:
            exact = (row, text, "matches the metadata title", index)
        else:
            offered.append((row, text, position, index))
    if exact is not None:
        return exact
    # No h1 says what the metadata says word for word: compare words.
    title_words = [_words(title) for _, _, title in cleaned]
    best: tuple[float, int, str, int] | None = None
    plausible: list[tuple[int, int, str, int]] = []
    for row, text, position, index in offered:
        words = _words(text)
        score = max((_dice(words, other) for other in title_words), default=0.0)
        if score >= _CONFIRMED and (best is None or score > best[0]):
            best = (score, row, text, index)
        if len(text) < _MIN_CHARS:
            tally.reject(row, "too short for a headline")
        elif article_start is not None and position > article_start:
            tally.reject(row, "comes after the article text")
        elif title_words and not _shares_content(words, title_words):
            tally.reject(row, "no word in common with the page's titles")
        else:
            plausible.append((position, row, text, index))
    if best is not None:
        _, row, text, index = best
        return row, text, "shares most of its words with the metadata titles", index
    if plausible:
        # The headline sits just above the article text: the last h1 before it.
        _, row, text, index = max(plausible)
        return row, text, "the h1 just above the article text", index
    return None


def _shares_content(words: set[str], title_words: list[set[str]]) -> bool:
    content = {w for w in words if len(w) >= _CONTENT_WORD or not w.isascii()}
    return any(content & other for other in title_words)
