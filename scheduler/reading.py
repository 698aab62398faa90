"""Reading a fetched page: what it says, whether it is the article at all, the fields storage
will keep, digested, and whether a new article is on the topic.

One function for both places a page is read (:mod:`scheduler.extraction`): the extraction
process beside the daemon and, with one core or ``extract_processes = 0``, the event loop. It
imports the extractor, the verdicts and storage's pure modules only, never the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.article_fields import fields_from_extracted
from scraper import ExtractionError, Page, extract
from scraper.topic import TopicQuery
from scraper.urls import article_identity
from scraper.verdicts import Known, Verdict, judge
from storage.digest import FieldsDigest, digest_fields
from storage.limits import FieldLimits
from storage.packing import PreparedSnapshot, prepare_snapshot


@dataclass(frozen=True, slots=True)
class Request:
    """What the article step asks of one fetched page.

    ``page`` is the fetch (its text is what is read; it crosses to the extraction process as
    its bytes, :class:`scraper.Page`); ``known`` what is stored of the article, to judge the
    page against; ``limits`` the caps on what is kept; ``signed``: sign the body (an article
    with no story yet will be placed); ``topic``: the topic to match (a new article; ``None``:
    one already followed stays followed); ``packed``: pack the page for the snapshot store when
    it will be recorded (a new article's page is always kept).
    """

    page: Page
    known: Known
    limits: FieldLimits
    signed: bool = False
    topic: TopicQuery | None = None
    packed: bool = False

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


@dataclass(frozen=True, slots=True)
class Reading:
    """The verdict on one page (``None``: it is the article), the URL the article is known by
    (``identity``), what recording keeps of it (``digest``: the fields, digested; ``None`` when
    the page could not be read, ``failure`` says why; and ``snapshot``: the page packed, when
    asked for and the page will be recorded) and whether it matched the topic it was asked to.

    Not the extraction itself: the daemon records the fields, and the extraction (the text a
    second time, its HTML, the evidence) made every answer from the extraction process bigger,
    a long text's nearly twice as big and past the answer pipe's room.
    """

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
        found = extract(page.text, url=page.final_url, utf8=page.utf8)
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
    return Reading(judge(request.page, None, request.known), failure=failure)
