"""The one place a ``scraper.Extracted`` becomes a ``storage.ArticleFields``.

``storage`` never imports ``scraper``, so the daemon and ``newswatch reextract`` both convert
here: the fields a version keeps, with the declared canonical URL made canonical (or dropped
when it is not a URL at all) and the page type (live blogs are recorded as updates).

Every field is cut to its cap here, before anything fingerprints it: a page's 2 MB headline is
stored as its first thousand characters, and, being cut the same way on every fetch, it is the
same stored headline next time (``storage.cap_fields``).
"""

from __future__ import annotations

# From storage's modules, not its package: the extraction process converts here too, without
# loading the database layer (scheduler.extraction_child).
from scraper import Extracted
from scraper.urls import InvalidURL, canonicalize_url
from storage.limits import FieldLimits, cap_fields
from storage.types import ArticleFields

_DEFAULT_LIMITS = FieldLimits()


def fields_from_extracted(found: Extracted, limits: FieldLimits = _DEFAULT_LIMITS) -> ArticleFields:
    """What storage keeps of one extraction, each field within ``limits``."""
    return cap_fields(
        ArticleFields(
            title=found.title,
            subtitle=found.subtitle,
            body=found.body,
            authors=found.authors,
            published=found.published,
            modified=found.modified,
            language=found.language,
            canonical_url=_canonical_or_none(found.canonical_url),
            site_name=found.site_name,
            section=found.section,
            page_type=found.page_type,
        ),
        limits,
    )


def _canonical_or_none(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return canonicalize_url(url)
    except InvalidURL:
        return None
