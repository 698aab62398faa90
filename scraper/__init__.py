"""Getting and understanding web pages: fetch, discover, canonicalise, extract, match the topic."""

from scraper.exceptions import (
    BadRedirect,
    BodyTooLarge,
    ConnectFailed,
    DiscoveryError,
    ExtractionError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ProtocolFailed,
    ScraperError,
    TooManyRedirects,
)
from scraper.extract import extract
from scraper.types import Extracted, Link, Page, Validators

__all__ = [
    "BadRedirect",
    "BodyTooLarge",
    "ConnectFailed",
    "DiscoveryError",
    "Extracted",
    "ExtractionError",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "Link",
    "Page",
    "ProtocolFailed",
    "ScraperError",
    "TooManyRedirects",
    "Validators",
    "extract",
]
