"""Who an article is credited to: metadata and the printed byline, weighed against each other.

Metadata names authors reliably but not completely: JSON-LD often lists the first of three
co-authors, and ``<meta name="author">`` is sometimes the CMS user who pressed "publish". The
byline printed under the headline is what readers see; where it lists more names, or other
ones, it wins. A story with no byline but a wire dateline ("WASHINGTON (AP) —") is the agency's;
a page crediting only the publication or a desk ("Staff Reports") has that credit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scraper.extract.authors import Credits, read_credits
from scraper.extract.dates import MONTHS
from scraper.extract.evidence import Tally

_MARKER = re.compile(
    r"(?:^|(?<=[\s|·•/—–-]))(?:(?:written|posted|published|reported|story|words|text|analysis|"
    r"publicado|publié|veröffentlicht)\s+)?(?:by|von|por|par|di|door|av|автор|автори|авторы|"
    r"текст|yazan|yazar)\s*:?\s+(?=\S)",
    re.IGNORECASE,
)
_LABELS = frozenset("by by: author: authors: von von: автор: текст: yazar:".split())
_STOP = re.compile(
    r"\d|\s[-–—|·•/]\s|[|·•@／｜・]|\s(?:updated|published|posted|on|publiziert|veröffentlicht|"
    r"am|le|el|il|publicado|geschrieben|aktualisiert)\b",
    re.IGNORECASE,
)
_HINT = re.compile(r"\b(?:by|von|por|par|di|door|av|автор\w*|текст|yazan|yazar)\b")
# "Sehernur Karsu | 05.04.2025": a name of two to four words printed before the dateline,
# with no marker: where the header block prints a date after a separator, what precedes it
# is who wrote the story (a section name is one word; a sentence does not end in a date).
_NAME_THEN_DATE = re.compile(
    r"^((?:[^\W\d_][^\W\d_'’.-]*\.?\s+){1,3}[^\W\d_][^\W\d_'’-]+)\s*[|·•—–]\s*\d"
)
_MAX_BYLINE = 120  # characters: a longer line is prose that happens to say "by"
_NAME_WITHIN = 40  # a known name this far into a line makes it a byline
# A wire agency's credit opening a story: "WASHINGTON (AP) —", "(Reuters) -", "PARIS (AFP) :".
_WIRE = re.compile(
    r"^(?:[^\W\d_][^()]{0,60}?\s)?\((AP|Reuters|AFP|PTI|IANS|ANI|dpa|EFE|ANSA|Xinhua|TASS|UPI|"
    r"Bloomberg|AA|Kyodo|Yonhap|CP|PA)\)\s*[-–—:]",
)
_WIRE_NAMES = {"AP": "Associated Press", "CP": "The Canadian Press", "PA": "PA Media"}
_MAX_LINES = 24


@dataclass(frozen=True, slots=True)
class Authors:
    """The chosen credits, their signal category, and the candidates weighed."""

    names: tuple[str, ...]
    signal: str | None
    tally: Tally


def byline_lines(lines: Sequence[str], known: Sequence[str] = ()) -> list[str]:
    """The bylines among the text lines around a headline, cut to their names.

    A byline is a line with a marker ("By", "Von", "Автор:"), the line after a lone label
    ("Author:"), a line naming an author the metadata knows, or a name set before the
    dateline ("Jane Doe | 05.04.2025").
    """
    found: list[str] = []
    folded = [k.casefold() for k in known if len(k) > 3]
    after_label = False
    for line in lines[:_MAX_LINES]:
        text = line.strip()
        if after_label:
            after_label = False
            found.append(_cut(text))
            continue
        if text.lower() in _LABELS:
            after_label = True
            continue
        if len(text) > _MAX_BYLINE:
            continue
        low = text.casefold()
        if folded and any(0 <= low.find(k) <= _NAME_WITHIN for k in folded):
            match = _MARKER.search(text)
            found.append(_cut(text[match.end() :] if match else text))
            continue
        if not _HINT.search(low):
            dated = _NAME_THEN_DATE.match(text)
            if dated and all(_starts_like_a_name(word) for word in dated.group(1).split()):
                found.append(dated.group(1))
            continue  # no "by", "von", "автор"…: not a byline, spare the full pattern
        match = _MARKER.search(text)
        if match is not None and _marks_byline(text[: match.start()]):
            found.append(_cut(text[match.end() :]))
    return [f for f in found if f and _starts_like_a_name(f)]


def _marks_byline(before: str) -> bool:
    """Is "by" where a byline starts: the line's start, after a separator or after a date?"""
    before = before.rstrip()
    return not before or before[-1] in "|·•—–-/:" or any(ch.isdigit() for ch in before)


def _starts_like_a_name(text: str) -> bool:
    first = text[0]
    return first.isupper() or (first.isalpha() and not first.islower())


def _cut(text: str) -> str:
    """The names at the start of a byline line, before its date, handle or other fields."""
    stop = _STOP.search(text)
    text = (text[: stop.start()] if stop else text).strip(" ,;:-–—")
    words = text.split()
    while len(words) > 1 and words[-1].lower().rstrip(".,") in MONTHS:
        words.pop()  # "Regan September 15, 2014" was cut at the digit
    return " ".join(words)


def wire_credit(first_lines: Sequence[str]) -> str | None:
    """The agency a story's opening dateline credits ("SANTA FE, N.M. (AP) —" gives AP)."""
    for line in first_lines[:2]:
        match = _WIRE.match(line)
        if match:
            return _WIRE_NAMES.get(match.group(1), match.group(1))
    return None


def _fold(names: Sequence[str]) -> set[str]:
    return {n.casefold() for n in names}


def choose_authors(
    stated: Sequence[tuple[str, str, Sequence[str]]],
    printed: Sequence[tuple[str, Sequence[str]]],
    first_lines: Sequence[str],
    sites: list[str],
) -> Authors:
    """The article's credits.

    ``stated`` are ``(source, signal, values)`` from metadata, strongest first; ``printed`` are
    ``(source, bylines)`` read on the page, the byline under the headline first; ``first_lines``
    open the article text (for a wire dateline).
    """
    tally = Tally("authors")
    desks: list[tuple[int, str, Credits]] = []
    meta: tuple[int, str, Credits] | None = None
    for source, signal, values in stated:
        credits = read_credits(values, sites, listed=True)
        row = _offer(tally, source, values, credits)
        if credits.names and meta is None:
            meta = (row, signal, credits)
        elif credits.desks:
            desks.append((row, signal, credits))
    shown: tuple[int, str, Credits] | None = None
    for source, values in printed:
        if not values:
            continue
        credits = read_credits(values, sites)
        row = _offer(tally, source, values, credits)
        if credits.names and shown is None:
            shown = (row, "dom", credits)
        elif credits.desks:
            desks.append((row, "dom", credits))
    chosen = _weigh(tally, meta, shown)
    if chosen is not None:
        tally.settle("a weaker source")
        return Authors(chosen[0], chosen[1], tally)
    agency = wire_credit(first_lines)
    if agency is not None:
        tally.elect_value("wire dateline", agency, "no byline: the story's dateline credits it")
        tally.settle("no person credited")
        return Authors((agency,), "text", tally)
    if desks:
        row, signal, credits = desks[0]
        tally.elect(row, "no person credited: the publication or a desk is")
        tally.settle("a weaker source")
        return Authors(credits.desks[:1], signal, tally)
    tally.settle("no credit")
    return Authors((), None, tally)


def _offer(tally: Tally, source: str, values: Sequence[str], credits: Credits) -> int:
    row = tally.offer(source, " / ".join(v for v in values if v))
    if not credits.names:
        why = credits.dropped[0][1] if credits.dropped else "no name"
        tally.reject(row, f"{why}" if not credits.desks else "names the publication or a desk")
    return row


def _weigh(
    tally: Tally, meta: tuple[int, str, Credits] | None, shown: tuple[int, str, Credits] | None
) -> tuple[tuple[str, ...], str] | None:
    if meta is None and shown is None:
        return None
    if shown is None:
        assert meta is not None
        tally.elect(meta[0], "the strongest source")
        return meta[2].names, meta[1]
    if meta is None:
        tally.elect(shown[0], "printed on the page; the metadata names no one")
        return shown[2].names, shown[1]
    stated, printed = _fold(meta[2].names), _fold(shown[2].names)
    if stated < printed:
        tally.elect(shown[0], "the printed byline lists more names")
        tally.reject(meta[0], "leaves out co-authors the byline lists")
        return shown[2].names, shown[1]
    if stated & printed or not shown[2].names:
        tally.elect(meta[0], "the strongest source; the byline agrees")
        tally.reject(shown[0], "agrees")
        return meta[2].names, meta[1]
    tally.elect(shown[0], "the printed byline names someone else")
    tally.reject(meta[0], "not the byline readers see (a CMS user?)")
    return shown[2].names, shown[1]
