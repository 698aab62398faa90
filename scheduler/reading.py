"""Reading a fetched page: what it says, the fields storage will keep, digested, and whether a
new article is on the topic.

One function for both places a page is read (:mod:`scheduler.extraction`): the extraction
process beside the daemon and, with one core or ``extract_processes = 0``, the event loop. It
imports the extractor and storage's pure modules only, never the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.article_fields import fields_from_extracted
from scraper import Extracted, extract
from scraper.topic import TopicQuery
from storage.digest import FieldsDigest, digest_fields
from storage.limits import FieldLimits


@dataclass(frozen=True, slots=True)
class Request:
    """What the article step asks of one page: its HTML, its address, the caps on what is
    kept, whether to sign the body (an article with no story yet will be placed) and the
    topic to match it against (a new article; ``None``: one already followed stays so)."""

    html: str
    url: str | None
    limits: FieldLimits
    signed: bool = False
    topic: TopicQuery | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """What one page says (``found``), what recording keeps of it (``digest``) and whether
    it matched the topic it was asked to."""

    found: Extracted
    digest: FieldsDigest
    on_topic: bool = True


def read_page(request: Request) -> Reading:
    """Extract the page and digest its fields; raises ``scraper.ExtractionError``."""
    found = extract(request.html, url=request.url)
    fields = fields_from_extracted(found, request.limits)
    topic = request.topic
    on_topic = topic is None or topic.matches(found.title, found.subtitle, found.body)
    return Reading(found, digest_fields(fields, signed=request.signed), on_topic)
