"""Article extraction: body text and metadata from one HTML page."""

from scraper.extract.core import extract

__all__ = ["extract"]
