"""Page bytes to text for the extractor, through the scraper's one decoder."""

from __future__ import annotations

from scraper.charset import UndecodableError, decode
from scraper.exceptions import ExtractionError


def decode_html(data: bytes, url: str | None = None) -> str:
    """Decode page bytes, raising ExtractionError when they are not text at all."""
    try:
        return decode(data)[0]
    except UndecodableError as error:
        raise ExtractionError(f"page {error}", url=url) from None
