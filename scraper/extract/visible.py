"""Bylines and dates printed on the page, for pages whose metadata does not state them."""

from __future__ import annotations

from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.authors import read_credits
from scraper.extract.credits import byline_lines
from scraper.extract.jsonld import LinkedData
from scraper.extract.lines import is_dateline
from scraper.extract.metadata import PUBLISHED_META, stated_authors
from scraper.extract.metatags import PageMeta

_BYLINE_SELECTOR = '[class*="byline"], [class*="author"], [rel~="author"], address'
_DATELINE_SELECTOR = '[class*="date"], [class*="time"], [class*="publish"]'
_MAX_FOUND = 20
_AROUND_HEADING = 60  # lines looked at around the headline


def _short_lines(tree: LexborHTMLParser, heading: str | None) -> list[str]:
    """Short text lines next to the headline (or at the top when there is none)."""
    body = tree.body
    if body is None:
        return []
    text = body.text(separator="\n")
    start = _line_start(text, heading) if heading else 0
    # Bylines and datelines sit next to the headline, not in menus or teasers: a few lines
    # above it and more below. str.find/rfind do the walking, in C.
    for _ in range(_AROUND_HEADING // 4):
        if start <= 0:
            break
        start = text.rfind("\n", 0, start - 1) + 1
    end = start
    for _ in range(_AROUND_HEADING):
        end = text.find("\n", end + 1)
        if end < 0:
            end = len(text)
            break
    window = text[start:end].split("\n")
    return [line for line in (raw.strip() for raw in window) if 3 < len(line) < 90]


def _line_start(text: str, heading: str) -> int:
    """Where the line that is exactly ``heading`` starts in ``text`` (0 if none is)."""
    at = text.find(heading)
    while at >= 0:
        begin = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        if text[begin:end].strip() == heading:
            return begin
        at = text.find(heading, at + 1)
    return 0


def visible_metadata(
    tree: LexborHTMLParser, meta: PageMeta, ld: LinkedData | None, near: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """Raw bylines and datelines, looked for only when the metadata lacks authors or a date.

    Elements named like bylines/dates come first, then short text lines that read as one
    ("By Jane Doe", "Автор: Иван Петров", "2 Haziran 2025"). Both searches walk the whole
    page: they are skipped when the lines around the headline (``near``) already show a
    byline or a date.
    """
    # Bylines are looked for when the metadata credits no one: no name at all, or only
    # user names and acronyms ("admin", "PMJS - Coordenadoria de TI").
    want_authors = not any(read_credits(v).names for _, _, v in stated_authors(meta, ld))
    want_date = not (ld and ld.published) and not meta.first(*PUBLISHED_META)
    want_date = want_date and not meta.times and not meta.microdata.get("datePublished")
    if want_authors and any(read_credits([n]).names for n in byline_lines(near)):
        want_authors = False
    if want_date and any(is_dateline(line) for line in near):
        want_date = False
    bylines: list[str] = []
    datelines: list[str] = []
    body = tree.body  # bylines and dates are printed in the body: <head> is not searched
    if body is None:
        return bylines, datelines
    if want_authors:
        for node in body.css(_BYLINE_SELECTOR)[:_MAX_FOUND]:
            text = node.text().strip()
            if 0 < len(text) < 120:
                bylines.append(text)
    if want_date:
        for node in body.css(_DATELINE_SELECTOR)[:_MAX_FOUND]:
            text = node.text().strip()
            if 0 < len(text) < 120:
                datelines.append(text)
    if (want_authors and not bylines) or (want_date and not datelines):
        # Without an <h1>, the headline is another element showing the metadata title.
        anchor = meta.heading or (ld.headline if ld else None) or meta.first("og:title")
        for line in _short_lines(tree, anchor):
            if want_authors and len(bylines) < 3:
                names = byline_lines([line])
                if names:
                    bylines.extend(names)
                    continue
            if want_date and not datelines and is_dateline(line):
                datelines.append(line)
    return bylines, datelines
