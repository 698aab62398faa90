"""The scraper's exception tree.

Every error raised by ``scraper`` derives from :class:`ScraperError`, and says which URL failed
and what happened. Expected outcomes are *values*, not errors: a 304 is ``Page.not_modified``,
a 404/410 is a ``Page`` with that status.

ScraperError
├── FetchError                 (getting the bytes failed; ``kind`` names the failure)
│   ├── ConnectFailed          connection refused, DNS failure, TLS failure
│   ├── FetchTimeout           connect, read or total timeout
│   ├── TooManyRedirects       redirect cap reached or a loop detected
│   ├── BadRedirect            redirect to a scheme we do not fetch
│   ├── BodyTooLarge           body (or its decompressed form) over the size cap
│   ├── HTTPStatusError        a status we treat as a failure (403, 429, 5xx, ...)
│   └── ProtocolFailed         truncated or malformed HTTP response
├── DiscoveryError             a feed or sitemap that cannot be read
└── ExtractionError            a page that cannot be parsed as an article
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base of every error the scraper raises."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(f"{message} ({url})" if url else message)
        self.url = url


class FetchError(ScraperError):
    """Fetching a URL failed; ``kind`` is a short stable name for logs and metrics."""

    kind = "fetch"


class ConnectFailed(FetchError):
    kind = "connect"


class FetchTimeout(FetchError):
    kind = "timeout"


class TooManyRedirects(FetchError):
    kind = "redirects"


class BadRedirect(FetchError):
    kind = "bad_redirect"


class BodyTooLarge(FetchError):
    kind = "too_large"


class ProtocolFailed(FetchError):
    kind = "protocol"


class HTTPStatusError(FetchError):
    kind = "http_status"

    def __init__(self, message: str, *, url: str | None = None, status: int,
                 retry_after: float | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after = retry_after


class DiscoveryError(ScraperError):
    """A feed, sitemap or listing page could not be read."""


class ExtractionError(ScraperError):
    """A page could not be parsed as an article (empty, not HTML, unreadable)."""
