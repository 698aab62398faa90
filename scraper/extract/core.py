"""``extract``: one parse, metadata first, then the body from what is left of the tree."""

from __future__ import annotations

import html as html_lib
import re

from selectolax.lexbor import LexborNode

from scraper.exceptions import ExtractionError
from scraper.extract.body import Line, choose_container, container_lines
from scraper.extract.boilerplate import Judge, clean_container
from scraper.extract.document import parse, to_input
from scraper.extract.intro import find_intro
from scraper.extract.jsonld import read_linked_data
from scraper.extract.leadbyline import take_lead_bylines
from scraper.extract.lines import clean_lines
from scraper.extract.metadata import read_headline, resolve
from scraper.extract.scan import PARAGRAPH_TAGS, Scan, scan
from scraper.extract.visible import visible_metadata
from scraper.types import Extracted

_MIN_LD_BODY = 500  # characters; shorter JSON-LD bodies are usually teasers


def extract(html: str | bytes, url: str | None = None, *, utf8: bytes | None = None) -> Extracted:
    """Title, body text and metadata of one article page.

    ``utf8``: the page's text ``html`` as UTF-8 bytes, when they are at hand (the bytes it was
    decoded from): the parser reads UTF-8, and is then spared encoding the text again.
    Raises ExtractionError (and nothing else) for input that is not a readable HTML page.
    """
    try:
        return _extract(html, url, utf8)
    except ExtractionError:
        raise
    except Exception as exc:  # the API promises one exception type for malformed input
        raise ExtractionError(f"extraction failed: {type(exc).__name__}: {exc}", url=url) from exc


def _extract(html: str | bytes, url: str | None, utf8: bytes | None) -> Extracted:
    text, raw = to_input(html, url)
    if raw is None:
        raw = utf8
    tree = parse(text, url, raw)
    found = scan(tree)
    meta = found.meta
    ld = read_linked_data(meta.jsonld)
    body = tree.body
    if body is None:
        raise ExtractionError("page has no <body> after parsing", url=url)
    nodes, forgiven = choose_container(body, found.paragraphs, Judge(), found.mains)
    md = read_headline(meta, ld, url, _article_start(found, nodes))
    bylines, datelines = visible_metadata(tree, meta, ld, md.near_headline)
    described = (
        meta.first("description", "og:description", "twitter:description"),
        ld.description if ld else None,
    )
    intro = find_intro(nodes, page_type=ld.page_type if ld else None, descriptions=described)
    cleaned_away = clean_container(nodes, forgiven)
    lead_bylines = take_lead_bylines(nodes)
    lines = container_lines(nodes)
    if intro and not (lines and lines[0].text.startswith(intro[:60])):
        lines.insert(0, Line(intro, False, 0.0))
    cleaned = clean_lines(lines, md.title or (ld.headline if ld else None) or meta.heading)

    body_lines = cleaned.lines
    body_signal = "dom"
    ld_body = ld.article_body if ld else None
    if ld_body and len(ld_body) > _MIN_LD_BODY:
        dom_chars = sum(len(line.text) for line in body_lines)
        if dom_chars < len(ld_body) * 0.3:
            body_lines = [
                Line(part.strip(), False, 0.0) for part in re.split(r"\n+", ld_body) if part.strip()
            ]
            body_signal = "json-ld"
    resolve(
        md,
        meta,
        ld,
        url,
        bylines=bylines,
        datelines=datelines + cleaned_away.datelines + cleaned.dates,
        lines=[line.text for line in body_lines[:12]],
        article_bylines=lead_bylines + cleaned_away.bylines + cleaned.bylines,
    )
    md.signals["body"] = body_signal

    body_text = "\n".join(line.text for line in body_lines)
    body_html = _to_html(body_lines, body_text)
    subtitle = md.description
    if subtitle and body_lines and body_lines[0].text.startswith(subtitle[:60]):
        subtitle = None
    if subtitle:
        md.signals["subtitle"] = md.signals.get("description", "meta")
    return Extracted(
        title=md.title,
        subtitle=subtitle,
        body=body_text,
        authors=md.authors,
        published=md.published,
        modified=md.modified,
        language=md.language,
        canonical_url=md.canonical_url,
        site_name=md.site_name,
        description=md.description,
        image=md.image,
        section=md.section,
        tags=md.tags,
        page_type=md.page_type,
        body_html=body_html,
        signals=md.signals,
        evidence=tuple(md.evidence),
    )


def _article_start(found: Scan, nodes: list[LexborNode]) -> int | None:
    """Scan position of the article text's first paragraph (the headline comes before it)."""
    if not nodes:
        return None
    first: LexborNode | None = nodes[0]
    if first is not None and first.tag not in PARAGRAPH_TAGS:
        first = first.css_first("p, pre, blockquote, br")
    return found.position_of(first) if first is not None else None


def _to_html(lines: list[Line], text: str) -> str | None:
    """Cleaned display HTML of the body (``text``): one escaped <p> or <h2> per line."""
    if not lines:
        return None
    escaped = html_lib.escape(text, quote=False)
    if not any(line.heading for line in lines):
        return "<p>" + escaped.replace("\n", "</p><p>") + "</p>"  # one C call for all lines
    return "".join(
        f"<h2>{piece}</h2>" if line.heading else f"<p>{piece}</p>"
        for line, piece in zip(lines, escaped.split("\n"), strict=True)
    )
