"""Article extraction: body text and metadata from one HTML page."""

from scraper.exceptions import ExtractionError
from scraper.types import Extracted


def extract(html: str | bytes, url: str | None = None) -> Extracted:
    """Placeholder until the extractor lands (issue 3)."""
    raise ExtractionError("extractor not built yet", url=url)


__all__ = ["extract"]
