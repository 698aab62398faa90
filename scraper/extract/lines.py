"""Cleaning body lines: bylines, datelines, credits, link lists and stray words are not prose."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scraper.extract.body import Line
from scraper.extract.dates import parse_date

_BOILER = re.compile(
    r"^(?:advertisements?|advertisement\W+scroll to continue.*|sponsored(?: content)?|"
    r"anzeige(?:,.{0,60})?|werbung|publicidad|publicité|pubblicità|"
    r"share(?: this)?(?: article| story| post| page)?|share (?:on|via) \w+|tweet|e-?mail|print|"
    r"read more|read next|read also|see also|more from .{0,40}|"
    r"related(?: articles| stories| posts| news)?|"
    r"recommended(?: for you)?|you may also like|you might also like|don'?t miss|trending now|"
    r"click here .*|sign up .*|subscribe(?: now| today)?|follow us .*|follow .{0,30} on \w+|"
    r"\d* ?comments?|leave a (?:comment|reply)|loading\W*|image|photo|photos|video|watch|"
    r"continue reading.*|skip to .*|listen to (?:this )?article.*|play|close|menu|"
    r"getty images|ap photo.*|copyright\b.{0,80}|© .{0,80}|all rights reserved.*|"
    r"published by|posted by|written by|by|tags?:?|topics?:?|filed under:?.*|"
    r"reklam|реклама|читайте также.*|подписывайтесь.*|читайте нас.*|поделиться|"
    # The same labels in the other languages we watch: "read also", "more on this",
    # "recommended", "contents", "about the author", "sources".
    r"lesen sie auch.{0,80}|mehr zum thema.{0,60}|(?:zum )?weiterlesen|mehr themen|"
    r"weiterführende(?:r)? links?|empfohlene beiträge|auch interessant.{0,40}|"
    r"das könnte (?:dich|sie) auch interessieren|inhaltsverzeichnis|table of contents|"
    r"über (?:den|die) autor(?:in)?|about the author|quellen(?:angaben)?|sources?|"
    r"(?:à )?lire aussi.{0,80}|voir aussi|le(?:e|er) también.{0,80}|czytaj (?:też|także).{0,80}|"
    r"leggi anche.{0,80})\W*$",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^\(?(?:photo|image|picture|pictured|credit|foto|фото|fotoğraf|ap photo|"
    r"file photo|illustration)s?\b.{0,150}$|"
    r"^\(?sources?\s*:.{0,150}$",  # "Source: Reuters", not "Sources close to the talks said"
    re.IGNORECASE,
)
# A figure's caption set in the text: "Abbildung 4: …", "Fig. 2 - …", "Titelbild: …". It may
# run longer than the short lines the other patterns test.
_CAPTION_WORDS = ("abbildung", "abb.", "figure", "fig.", "titelbild", "grafik", "rysunek", "ryc.")
_CAPTION = re.compile(
    r"^(?:abbildung|abb\.|figure|fig\.|titelbild|grafik|rysunek|ryc\.)\s*\d*\s*[:.\-–]\s.{0,400}$",
    re.IGNORECASE,
)
# Credits that end a caption ("… (Getty Images)", "… /AFP."). Tested with endswith: as a
# regex ("^.{0,160}(?:getty images|…)$") this one check cost more than all the others.
_CREDIT_ENDS = (
    "getty images",
    "/ap",
    "/afp",
    "/reuters",
    "shutterstock",
    "istock",
    "via reuters",
    "ap photo",
    "afp photo",
    "epa",
)
_BYLINE = re.compile(
    r"^(?:(?:written|posted|published|reported|story|words)\s+)?by\s+(?P<by>.{2,80})$|"
    r"^(?:автор|автори|yazar|yazan|von|por|par)\s*:?\s+(?P<by2>.{2,80})$",
    re.IGNORECASE,
)
# One alternation, so that each short line costs one regex call.
_NOISE = re.compile(
    f"(?:{_BOILER.pattern})|(?:{_CREDIT.pattern})|(?:{_BYLINE.pattern})", re.IGNORECASE
)
_DATE_LEAD = re.compile(
    r"^(?:published|updated|posted|last updated|first published|modified|date|"
    r"опубликовано|обновлено|опубліковано|оновлено|yayınlanma|güncelleme|veröffentlicht|"
    r"aktualisiert)\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"[.!?…:;\"”»'’)。！？」』）]$")


@dataclass(slots=True)
class Cleaned:
    """Body lines kept, and the bylines and dates found in what was thrown away."""

    lines: list[Line] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)


def _credit_end(text: str) -> bool:
    """Does the line end with an agency or stock-photo credit, maybe in brackets?"""
    low = text.lower()
    if low.endswith("."):
        low = low[:-1]
    if low.endswith(")"):
        low = low[:-1]
    return low.endswith(_CREDIT_ENDS)


def byline_name(text: str) -> str | None:
    """The name part of a "By Jane Doe" / "Автор: …" / "Von …" line, if it is one."""
    match = _BYLINE.match(text)
    return (match.group("by") or match.group("by2")) if match else None


def _has_digit(text: str) -> bool:
    # The regex is the quick test; str.isdigit() also knows digits \d does not ("²").
    return _DIGIT.search(text) is not None or (
        not text.isascii() and any(ch.isdigit() for ch in text)
    )


_MIN_SENTENCE_WORDS = 8


def _linked_sentence(text: str) -> bool:
    """A sentence some of whose words link elsewhere (a source, a person's page), not a
    link with a label ("Read also: …"): long enough, and it ends as sentences do."""
    return len(text.split()) >= _MIN_SENTENCE_WORDS and _SENTENCE_END.search(text) is not None


def is_dateline(text: str) -> bool:
    """A short line that states a date ("Published 2 June 2025", "2. Juni 2025, 09:12")."""
    if len(text) > 90 or not _has_digit(text):
        return False
    if _DATE_LEAD.match(text):
        return True
    # A line that is a date and little else ("June 2, 2025 10:30 a.m.").
    words = text.split()
    return len(words) <= 8 and parse_date(text) is not None and not _SENTENCE_END.search(text)


def clean_lines(lines: list[Line], title: str | None = None) -> Cleaned:
    """Drop non-prose lines; remember bylines and dates met on the way."""
    out = Cleaned()
    title_key = (title or "").strip().lower()
    for index, line in enumerate(lines):
        text = line.text
        if not (text[:1].isalnum() or any(ch.isalnum() for ch in text)):
            continue
        if line.link_share > 0.5 and (
            line.link_share > 0.8 or (len(text) < 200 and not _linked_sentence(text))
        ):
            continue
        if text[:9].lower().startswith(_CAPTION_WORDS) and _CAPTION.match(text):
            continue
        if len(text) < 120:
            if text.lower() == title_key:
                continue
            noise = _NOISE.match(text)
            if noise:
                byline = noise.group("by") or noise.group("by2")
                if byline and not _credit_end(text):  # "By Jane Doe/AFP" is a photo credit
                    out.bylines.append(byline)
                continue
            if _credit_end(text):
                continue
            if (index < 8 or index >= len(lines) - 3) and is_dateline(text):
                out.dates.append(text)
                continue
        out.lines.append(line)
    _trim_tail(out.lines)
    return out


def _trim_tail(lines: list[Line]) -> None:
    # Pages end with tags, "tracking" pixels' alt text, and headings of the next section.
    while len(lines) > 1:
        last = lines[-1]
        short = (
            len(last.text) < 20
            and len(last.text.split()) < 3
            and not _SENTENCE_END.search(last.text)
        )
        if last.heading or short:
            lines.pop()
        else:
            break
