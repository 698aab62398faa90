"""The one place a ``scraper.Extracted`` becomes a ``storage.ArticleFields``.

``storage`` never imports ``scraper``, so the daemon and ``newswatch reextract`` both convert
here: the fields a version keeps, with the declared canonical URL made canonical (or dropped
when it is not a URL at all) and the page type (live blogs are recorded as updates).
"""

from __future__ import annotations

import storage
from scraper import Extracted
from scraper.urls import InvalidURL, canonicalize_url


def fields_from_extracted(found: Extracted) -> storage.ArticleFields:
    """What storage keeps of one extraction."""
    return storage.ArticleFields(
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
    )


def _canonical_or_none(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return canonicalize_url(url)
    except InvalidURL:
        return None
