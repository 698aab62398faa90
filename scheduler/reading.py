"""Reading a fetched page: what it says, whether it is the article at all, the fields storage
will keep, digested, and whether a new article is on the topic.

One function for both places a page is read (:mod:`scheduler.extraction`): the extraction
process beside the daemon and, with one core or ``extract_processes = 0``, the event loop. It
imports the extractor, the verdicts and storage's pure modules only, never the database layer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scheduler.article_fields import fields_from_extracted
from scraper import Extracted, ExtractionError, Page, extract
from scraper.charset import page_text
from scraper.topic import TopicQuery
from scraper.urls import article_identity
from scraper.verdicts import Known, Verdict, judge
from storage.digest import FieldsDigest, digest_fields
from storage.limits import FieldLimits
from storage.packing import PreparedSnapshot, prepare_snapshot


@dataclass(frozen=True, slots=True)
class Request:
    """What the article step asks of one fetched page.

    ``page`` is the fetch (its text is what is read); ``known`` what is stored of the article,
    to judge the page against; ``limits`` the caps on what is kept; ``signed``: sign the body
    (an article with no story yet will be placed); ``topic``: the topic to match (a new
    article; ``None``: one already followed stays followed); ``packed``: pack the page for the
    snapshot store when it will be recorded (a new article's page is always kept); ``utf8``:
    the text as UTF-8 bytes when they are at hand, for the parser.

    A request crosses to the extraction process as the page's bytes, not its text (see
    :meth:`__reduce__`).
    """

    page: Page
    known: Known
    limits: FieldLimits
    signed: bool = False
    topic: TopicQuery | None = None
    packed: bool = False
    utf8: bytes | None = None

    @classmethod
    def of(
        cls,
        page: Page,
        known: Known,
        limits: FieldLimits,
        *,
        signed: bool = False,
        topic: TopicQuery | None = None,
        packed: bool = False,
    ) -> Request:
        """The request for ``page``."""
        return cls(page, known, limits, signed, topic, packed)

    def __reduce__(self) -> tuple[Callable[..., Request], tuple[Any, ...]]:
        """Pickled with the page's body and without its text, which the receiving side reads
        from the body again as the fetcher did (:func:`scraper.charset.page_text`).

        A text is pickled as UTF-8 and unpickled by decoding it: a pass over the page on each
        side, where bytes are copied. The daemon's side is the one short of CPU. The receiving
        side decodes once, and mostly keeps the bytes for the parser, which reads UTF-8.
        """
        fields = (self.known, self.limits, self.signed, self.topic, self.packed)
        if not self.page.body or not self.page.text:
            return (_as_sent, (self.page, *fields, False))
        return (_as_sent, (dataclasses.replace(self.page, text=""), *fields, True))


def _as_sent(
    page: Page,
    known: Known,
    limits: FieldLimits,
    signed: bool,
    topic: TopicQuery | None,
    packed: bool,
    reread: bool,
) -> Request:
    """A request unpickled (:meth:`Request.__reduce__`): with ``reread``, its page's text read
    from its body again."""
    if not reread:
        return Request(page, known, limits, signed, topic, packed)
    text, _, utf8 = page_text(page.body, page.headers.get("content-type"))
    page = dataclasses.replace(page, text=text)
    return Request(page, known, limits, signed, topic, packed, utf8)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one page says (``found``; ``None`` when it could not be read, ``failure`` says
    why), the verdict on it (``None``: it is the article), the URL the article is known by
    (``identity``), what recording keeps of it (``digest``, and ``snapshot``: the page packed,
    when asked for and the page will be recorded) and whether it matched the topic it was
    asked to."""

    found: Extracted | None
    verdict: Verdict | None
    identity: str | None = None
    digest: FieldsDigest | None = None
    on_topic: bool = True
    failure: str | None = None
    snapshot: PreparedSnapshot | None = None


def read_page(request: Request) -> Reading:
    """Extract, judge and digest one page. A page that cannot be read is judged all the same
    (a challenge page often has no article to extract)."""
    page = request.page
    try:
        found = extract(page.text, url=page.final_url, utf8=request.utf8)
    except ExtractionError as error:
        return unread(request, str(error))
    verdict = judge(page, found, request.known)
    fields = fields_from_extracted(found, request.limits)
    topic = request.topic
    on_topic = topic is None or topic.matches(found.title, found.subtitle, found.body)
    # Packing is pure CPU on bytes this process has already; in the daemon it cost a thread
    # hand-off and the GIL back afterwards, for every new article.
    recorded = on_topic and (verdict is None or is_teaser(verdict, request.known))
    packed = request.packed and recorded and bool(page.body)
    return Reading(
        found,
        verdict,
        identity=article_identity(page.final_url, found.canonical_url),
        # An article off the topic is never recorded, so never placed in a story: not signed.
        digest=digest_fields(fields, signed=request.signed and on_topic),
        on_topic=on_topic,
        snapshot=prepare_snapshot(page.body) if packed else None,
    )


def is_teaser(verdict: Verdict, known: Known) -> bool:
    """A paywall's teaser of an article never seen in full: recorded as what there is."""
    return verdict.kind == "paywall" and known.body_chars is None


def unread(request: Request, failure: str) -> Reading:
    """The reading of a page nothing could be extracted from: only its verdict."""
    return Reading(None, judge(request.page, None, request.known), failure=failure)
