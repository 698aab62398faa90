"""The scraper's exception tree.

Every error a fetch, a discovery or an extraction raises derives from :class:`ScraperError`, and
says which URL failed and what happened. Errors about what the *caller* passed in are
``ValueError``s instead, raised before any URL is touched: :class:`scraper.urls.InvalidURL`,
:class:`scraper.topic.TopicQueryError`, :class:`scraper.charset.UndecodableError` and the search
providers' ``UnknownProvider``/``UntranslatableTopic``.

Each class has a ``kind``: a short, stable name that goes into the fetch log, ``last_error`` and
metrics, so dashboards never parse messages. Expected outcomes are *values*, not errors: a 304
is ``Page.not_modified``, a 404/410 is a ``Page`` with that status, a URL that robots.txt
disallows or a host that is paused is a :class:`scraper.polite.Refused`.

ScraperError
├── FetchError                 (getting the bytes failed)               kind
│   ├── ConnectFailed          connection refused or reset, TLS failure  connect
│   │   └── DNSFailed          the host name does not resolve            dns
│   ├── FetchTimeout           the whole exchange took too long          timeout
│   │   ├── ConnectTimeout     no TCP connection within the limit        connect_timeout
│   │   └── ReadTimeout        the server went quiet mid-response        read_timeout
│   ├── ForbiddenAddress       a destination the address policy refuses  forbidden_address
│   ├── TooManyRedirects       redirect cap reached or a loop detected   redirects
│   ├── BadRedirect            redirect to a scheme we do not fetch      bad_redirect
│   ├── BodyTooLarge           body (or its decompressed form) too big   too_large
│   ├── HTTPStatusError        a status we treat as a failure (403, 429, 5xx, ...)  http_status
│   ├── ProtocolFailed         truncated, undecodable or malformed HTTP  protocol
│   ├── UnexpectedContentType  not the media type the caller asked for   content_type
│   └── EmptyBody              a 200 with nothing in it                  empty
├── DiscoveryError             a feed or sitemap that cannot be read     discovery
│   ├── MalformedDocument      not well-formed XML / JSON, not a feed    malformed
│   ├── UnsafeDocument         XML with a DTD or entities (bomb risk)    unsafe_xml
│   ├── SitemapLoop            a sitemap index that only points back     sitemap_loop
│   └── SearchRefused          a search provider answered with an error  search_error
└── ExtractionError            a page that cannot be parsed as an article   extraction
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types.py does not import this module: no cycle at run time either way
    from scraper.types import Page


class ScraperError(Exception):
    """Base of every error the scraper raises."""

    kind = "scraper"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(f"{message} ({url})" if url else message)
        self.url = url


class FetchError(ScraperError):
    """Fetching a URL failed; ``kind`` is a short stable name for logs and metrics."""

    kind = "fetch"


class ConnectFailed(FetchError):
    kind = "connect"


class DNSFailed(ConnectFailed):
    kind = "dns"


class FetchTimeout(FetchError):
    kind = "timeout"


class ConnectTimeout(FetchTimeout):
    kind = "connect_timeout"


class ReadTimeout(FetchTimeout):
    kind = "read_timeout"


class ForbiddenAddress(FetchError):
    """Not fetched: the host, its addresses or its port are outside ``[fetch]``'s policy.

    Raised before any byte is sent (the check runs when the connection would be opened, on
    every redirect hop), so it says nothing about the host's health.
    """

    kind = "forbidden_address"


class TooManyRedirects(FetchError):
    kind = "redirects"


class BadRedirect(FetchError):
    kind = "bad_redirect"


class BodyTooLarge(FetchError):
    kind = "too_large"


class ProtocolFailed(FetchError):
    kind = "protocol"


class UnexpectedContentType(FetchError):
    kind = "content_type"

    def __init__(self, message: str, *, url: str | None = None, content_type: str) -> None:
        super().__init__(message, url=url)
        self.content_type = content_type


class EmptyBody(FetchError):
    kind = "empty"


class HTTPStatusError(FetchError):
    kind = "http_status"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        status: int,
        retry_after: float | None = None,
        page: Page | None = None,
    ) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after = retry_after
        # The error's own page when it was a small HTML one (a bot wall's 403 is one).
        self.page = page


class DiscoveryError(ScraperError):
    """A feed, sitemap or listing page could not be read."""

    kind = "discovery"


class MalformedDocument(DiscoveryError):
    kind = "malformed"


class UnsafeDocument(DiscoveryError):
    kind = "unsafe_xml"


class SitemapLoop(DiscoveryError):
    kind = "sitemap_loop"


class SearchRefused(DiscoveryError):
    """A search provider answered, but with an error instead of results (GDELT's plain-text
    answers sent with status 200, a format we no longer recognise)."""

    kind = "search_error"


class ExtractionError(ScraperError):
    """A page could not be parsed as an article (empty, not HTML, unreadable)."""

    kind = "extraction"
