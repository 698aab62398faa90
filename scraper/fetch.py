"""Fetching one URL: redirects with a cap, a size cap while streaming, conditional GET.

The fetcher takes an ``httpx.AsyncClient`` from its caller (one shared client per daemon: pooling,
and tests can hand in another transport). Failures become :mod:`scraper.exceptions` values with a
``kind``; 304, 404 and 410 are ordinary pages because the caller expects them.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from scraper import exceptions as exc
from scraper.charset import UndecodableError, charset_from_content_type, decode
from scraper.types import Page, Validators

DEFAULT_USER_AGENT = "newswatch/0.1 (news change tracker; polite, obeys robots.txt)"
_PAGE_STATUSES = frozenset({404, 410})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchLimits:
    """How much one fetch may cost."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_redirects: int = 10
    max_bytes: int = 10 * 1024 * 1024


def build_client(*, user_agent: str = DEFAULT_USER_AGENT, limits: FetchLimits | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The daemon's one shared HTTP client: honest User-Agent, no cookies kept, our timeouts."""
    limits = limits or FetchLimits()
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout),
        follow_redirects=False,
        transport=transport,
        cookies=None,
        trust_env=False,
    )


class Fetcher:
    """Fetches pages through a caller-owned client, enforcing :class:`FetchLimits`."""

    def __init__(self, client: httpx.AsyncClient, *, limits: FetchLimits | None = None) -> None:
        self._client = client
        self._limits = limits or FetchLimits()

    async def fetch(self, url: str, *, validators: Validators | None = None) -> Page:
        """GET ``url`` (conditionally, when validators are given) and return the final page."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._limits.total_timeout):
                return await self._follow(url, validators, started)
        except TimeoutError as error:
            raise exc.FetchTimeout(
                f"gave up after {self._limits.total_timeout:.0f}s in total", url=url
            ) from error

    async def _follow(self, url: str, validators: Validators | None, started: float) -> Page:
        seen: set[str] = set()
        current = url
        for _ in range(self._limits.max_redirects + 1):
            if current in seen:
                raise exc.TooManyRedirects("redirect loop", url=current)
            seen.add(current)
            response, body = await self._get(current, validators)
            if response.status_code in _REDIRECT_STATUSES:
                current = _redirect_target(current, response)
                continue
            return _page(url, current, response, body, time.monotonic() - started)
        raise exc.TooManyRedirects(
            f"more than {self._limits.max_redirects} redirects", url=url
        )

    async def _get(self, url: str, validators: Validators | None) -> tuple[httpx.Response, bytes]:
        headers = _conditional_headers(validators)
        try:
            async with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code in _REDIRECT_STATUSES or response.status_code == 304:
                    return response, b""
                return response, await self._read_capped(url, response)
        except httpx.TimeoutException as error:
            raise exc.FetchTimeout(f"timed out ({type(error).__name__})", url=url) from error
        except (httpx.ConnectError, httpx.NetworkError) as error:
            raise exc.ConnectFailed(f"cannot connect: {error}", url=url) from error
        except httpx.DecodingError as error:
            raise exc.ProtocolFailed(f"cannot decompress the body: {error}", url=url) from error
        except (httpx.RemoteProtocolError, httpx.LocalProtocolError) as error:
            raise exc.ProtocolFailed(f"broken HTTP response: {error}", url=url) from error
        except httpx.UnsupportedProtocol as error:
            raise exc.BadRedirect(f"unsupported URL scheme: {error}", url=url) from error

    async def _read_capped(self, url: str, response: httpx.Response) -> bytes:
        cap = self._limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise exc.BodyTooLarge(f"declared {int(declared):,} bytes, cap is {cap:,}", url=url)
        chunks: list[bytes] = []
        size = 0
        # aiter_bytes yields *decompressed* bytes, so a gzip bomb is cut off here too.
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise exc.BodyTooLarge(f"body over the cap of {cap:,} bytes", url=url)
            chunks.append(chunk)
        return b"".join(chunks)


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _redirect_target(current: str, response: httpx.Response) -> str:
    location = response.headers.get("location")
    if not location:
        raise exc.ProtocolFailed(f"{response.status_code} without a Location header", url=current)
    target = urljoin(current, location.strip())
    if urlsplit(target).scheme not in ("http", "https"):
        raise exc.BadRedirect(f"redirect to a non-http URL: {target}", url=current)
    return target


def _page(url: str, final_url: str, response: httpx.Response, body: bytes,
          elapsed: float) -> Page:
    status = response.status_code
    if status >= 400 and status not in _PAGE_STATUSES:
        raise exc.HTTPStatusError(
            f"HTTP {status}", url=final_url, status=status,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    content_type_header = response.headers.get("content-type", "")
    media_type = content_type_header.split(";")[0].strip().lower()
    try:
        text, encoding = decode(body, declared=charset_from_content_type(content_type_header))
    except UndecodableError:
        # Not text at all (an image, a PDF): keep the bytes; callers check ``is_html``.
        text, encoding = body.decode("utf-8", errors="replace"), None
    return Page(
        url=url,
        final_url=final_url,
        status=status,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=body,
        text=text,
        content_type=media_type,
        encoding=encoding if body else None,
        elapsed=elapsed,
        not_modified=status == 304,
        validators=Validators(
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        ),
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date), if readable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
