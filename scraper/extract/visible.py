"""Bylines and dates printed on the page, for pages whose metadata does not state them."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.jsonld import LinkedData
from scraper.extract.lines import byline_name, is_dateline
from scraper.extract.meta import PageMeta
from scraper.extract.metadata import AUTHOR_META, PUBLISHED_META

_BYLINE_SELECTOR = '[class*="byline"], [class*="author"], [rel~="author"], address'
_DATELINE_SELECTOR = '[class*="date"], [class*="time"], [class*="publish"]'
_MAX_LINES = 1500  # text lines looked at, from the top: bylines sit near it
_MAX_FOUND = 20
_AROUND_HEADING = 60  # lines looked at around the headline


def _short_lines(tree: LexborHTMLParser, heading: str | None) -> list[str]:
    """Short text lines next to the headline (or at the top when there is none)."""
    body = tree.body
    if body is None:
        return []
    lines = body.text(separator="\n").split("\n", _MAX_LINES)
    start = 0
    if heading:
        # Bylines and datelines sit next to the headline, not in menus or teasers. The
        # substring test spares stripping the hundreds of lines that cannot be it.
        for index, line in enumerate(lines[:_MAX_LINES]):
            if heading in line and line.strip() == heading:
                start = max(0, index - _AROUND_HEADING // 4)
                break
    window = lines[start : start + _AROUND_HEADING]
    return [line for line in (raw.strip() for raw in window) if 3 < len(line) < 90]


def visible_metadata(
    tree: LexborHTMLParser, meta: PageMeta, ld: LinkedData | None
) -> tuple[list[str], list[str]]:
    """Raw bylines and datelines, looked for only when the metadata lacks authors or a date.

    Elements named like bylines/dates come first, then short text lines that read as one
    ("By Jane Doe", "Автор: Иван Петров", "2 Haziran 2025").
    """
    want_authors = not (ld and ld.authors) and not meta.all(*AUTHOR_META)
    want_authors = want_authors and not meta.microdata.get("author")
    want_date = not (ld and ld.published) and not meta.first(*PUBLISHED_META)
    want_date = want_date and not meta.times and not meta.microdata.get("datePublished")
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
        for line in _short_lines(tree, meta.heading):
            if want_authors and len(bylines) < 3:
                name = byline_name(line)
                if name:
                    bylines.append(name)
                    continue
            if want_date and not datelines and is_dateline(line):
                datelines.append(line)
    return bylines, datelines
