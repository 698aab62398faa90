"""Fetching one URL: one request, its size cap, its timeouts, its errors as typed values.

This is the single-request layer. The fetcher takes an ``httpx.AsyncClient`` from its caller
(one shared client per daemon: pooling, and tests can hand in another transport). Politeness
(robots.txt, per-host delays, pauses) lives in :mod:`scraper.polite`, which calls
:meth:`Fetcher.get` once per hop. Failures become :mod:`scraper.exceptions` values with a
``kind``; 304, 404 and 410 are ordinary pages because the caller expects them.
"""

from __future__ import annotations

import asyncio
import email.utils
import http.cookiejar
import socket
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from scraper import exceptions as exc
from scraper.addresses import AddressPolicy
from scraper.decompression import DecodeFailed, brotli_available, decoder_for
from scraper.guard import AddressRefused, GuardedTransport, Resolver, system_resolver
from scraper.redirects import REDIRECT_STATUSES, follow
from scraper.types import Page, Validators

DEFAULT_USER_AGENT = (
    "newswatch/0.1 (news change tracker; obeys robots.txt; operator contact not set: "
    "put your URL or e-mail in [fetch] user_agent)"
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
_PAGE_STATUSES = frozenset({404, 410})
# An error answer's page is read up to this size (a challenge page is 1-30 KB).
ERROR_PAGE_BYTES = 256 * 1024
MAX_RETRY_AFTER = 6 * 3600.0
WallClock = Callable[[], datetime]


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchLimits:
    """How much one request may cost."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_redirects: int = 10
    max_bytes: int = 10 * 1024 * 1024
    # A server's Retry-After is believed up to this: one header must not stop a host for years.
    max_retry_after: float = MAX_RETRY_AFTER


def build_client(
    *,
    user_agent: str = DEFAULT_USER_AGENT,
    limits: FetchLimits | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    http2: bool = False,
    proxy: str | None = None,
    cookies: bool = False,
    max_connections: int = 100,
    policy: AddressPolicy | None = None,
    resolver: Resolver = system_resolver,
    keepalive: bool = True,
) -> httpx.AsyncClient:
    """The daemon's one shared HTTP client: honest User-Agent, our timeouts, no cookies kept.

    Redirects are not followed by httpx: :func:`scraper.redirects.follow` does it hop by hop so
    every hop is capped, loop-checked and (in the polite fetcher) checked against robots.txt.
    Every connection passes the address guard (:mod:`scraper.guard`) with ``policy``, by
    default the strict one: no loopback, private or metadata address, ports 80, 443, 8080 and
    8443. A ``transport`` given by the caller (tests) replaces the guarded one. Without
    ``keepalive`` every request opens a connection of its own (a second look at a page that
    changed drastically must not ride the connection that brought the first).
    """
    limits = limits or FetchLimits()
    pool = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections if keepalive else 0,
    )
    if http2:
        try:
            import h2  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401
        except ImportError:
            raise ValueError(
                "fetch.http2 = true needs the h2 package: pip install 'httpx[http2]'"
            ) from None
    encodings = "gzip, deflate, br" if brotli_available() else "gzip, deflate"
    if transport is None:
        transport = GuardedTransport(
            policy or AddressPolicy(), resolver=resolver, limits=pool, http2=http2, proxy=proxy
        )
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent, "Accept-Encoding": encodings},
        timeout=httpx.Timeout(limits.read_timeout, connect=limits.connect_timeout),
        limits=pool,
        follow_redirects=False,
        transport=transport,
        cookies=None if cookies else _no_cookies(),
        trust_env=False,  # the proxy comes from our config, never from a stray env variable
    )


def _no_cookies() -> http.cookiejar.CookieJar:
    # httpx always keeps a jar; a policy that accepts no domain makes it drop every cookie, so
    # one site's session can never follow us to the next request. The jar itself, not an
    # httpx.Cookies around it: the client copies a Cookies' cookies into a jar of its own,
    # with the default policy, which keeps them all.
    return http.cookiejar.CookieJar(policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


class Fetcher:
    """Fetches pages through a caller-owned client, enforcing :class:`FetchLimits`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        limits: FetchLimits | None = None,
        clock: WallClock | None = None,
        policy: AddressPolicy | None = None,
    ) -> None:
        self._client = client
        self.limits = limits or FetchLimits()
        # Checked before each request (what the URL alone tells); the client's guard checks
        # the resolved address when it connects. None: only the client's guard.
        self.policy = policy
        self._clock = clock or (lambda: datetime.now(UTC))

    async def fetch(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        accept: Collection[str] | None = None,
    ) -> Page:
        """GET ``url`` and follow redirects (no politeness: for one-off checks and tests)."""
        return await follow(
            lambda hop: self.get(hop, validators=validators, accept=accept),
            url,
            max_redirects=self.limits.max_redirects,
        )

    async def get(
        self,
        url: str,
        *,
        validators: Validators | None = None,
        accept: Collection[str] | None = None,
    ) -> Page:
        """One GET (conditional when validators are given); a 3xx comes back as a page.

        ``accept`` lists the media types the caller can use (``""`` = no Content-Type); any
        other type fails before the body is downloaded.
        """
        return await self._send(_Request("GET", url, _conditional(validators)), accept)

    async def post(
        self, url: str, *, data: bytes, content_type: str, accept: Collection[str] | None = None
    ) -> Page:
        """One POST of ``data`` (an API call, such as a search provider's decode step): the
        same limits, address policy and typed errors as :meth:`get`; a 3xx comes back as a
        page, never followed (a redirected POST is not ours to replay)."""
        headers = {"Content-Type": content_type}
        return await self._send(_Request("POST", url, headers, data), accept)

    async def _send(self, request: _Request, accept: Collection[str] | None) -> Page:
        started = time.monotonic()
        url = request.url
        refusal = self.policy.check_url(url) if self.policy is not None else None
        if refusal is not None:
            raise exc.ForbiddenAddress(str(refusal), url=url)
        try:
            async with asyncio.timeout(self.limits.total_timeout):
                return await self._exchange(request, accept, started)
        except AddressRefused as error:
            raise exc.ForbiddenAddress(str(error), url=url) from None
        except TimeoutError as error:
            raise exc.FetchTimeout(
                f"gave up after {self.limits.total_timeout:g}s in total", url=url
            ) from error
        except httpx.ConnectTimeout as error:
            raise exc.ConnectTimeout(
                f"no connection within {self.limits.connect_timeout:g}s", url=url
            ) from error
        except httpx.ReadTimeout as error:
            raise exc.ReadTimeout(
                f"the server sent nothing for {self.limits.read_timeout:g}s", url=url
            ) from error
        except httpx.TimeoutException as error:
            raise exc.FetchTimeout(f"timed out ({type(error).__name__})", url=url) from error
        except httpx.ConnectError as error:
            if _caused_by(error, socket.gaierror):
                raise exc.DNSFailed(f"host name does not resolve: {error}", url=url) from error
            raise exc.ConnectFailed(f"cannot connect: {error}", url=url) from error
        except httpx.UnsupportedProtocol as error:
            raise exc.BadRedirect(f"unsupported URL scheme: {error}", url=url) from error
        except (httpx.RemoteProtocolError, httpx.LocalProtocolError) as error:
            raise exc.ProtocolFailed(f"broken HTTP response: {error}", url=url) from error
        except (httpx.NetworkError, httpx.ProxyError) as error:
            raise exc.ConnectFailed(f"connection failed: {error}", url=url) from error
        except httpx.HTTPError as error:  # anything else httpx may add: still typed
            raise exc.FetchError(f"{type(error).__name__}: {error}", url=url) from error

    async def _exchange(
        self, request: _Request, accept: Collection[str] | None, started: float
    ) -> Page:
        url = request.url
        async with self._client.stream(
            request.method, url, headers=request.headers, content=request.content
        ) as response:
            status = response.status_code
            media_type = _media_type(response.headers.get("content-type", ""))
            if status in REDIRECT_STATUSES or status == 304:
                await _drain(response)
                return _page(url, response, b"", time.monotonic() - started)
            if status >= 400 and status not in _PAGE_STATUSES:
                raise exc.HTTPStatusError(
                    f"HTTP {status}",
                    url=url,
                    status=status,
                    retry_after=parse_retry_after(
                        response.headers.get("retry-after"),
                        now=self._clock(),
                        cap=self.limits.max_retry_after,
                    ),
                    page=await self._error_page(url, response, started),
                )
            if accept is not None and status < 300 and media_type not in accept:
                wanted = (
                    "an HTML page"
                    if set(accept) <= HTML_TYPES
                    else " or ".join(sorted(t for t in accept if t))
                )
                raise exc.UnexpectedContentType(
                    f"not {wanted} ({media_type or 'no Content-Type'})",
                    url=url,
                    content_type=media_type,
                )
            body = await self._read_capped(url, response)
        if 200 <= status < 300 and not body:
            raise exc.EmptyBody(f"HTTP {status} with an empty body", url=url)
        return _page(url, response, body, time.monotonic() - started)

    async def _error_page(self, url: str, response: httpx.Response, started: float) -> Page | None:
        """The body of an error answer, if it is a small HTML page: bot walls come as 403,
        429 or 503 with a page that says which wall (``scraper.verdicts``)."""
        declared = response.headers.get("content-length", "")
        small = not declared.isdigit() or int(declared) <= ERROR_PAGE_BYTES
        if _media_type(response.headers.get("content-type", "")) not in HTML_TYPES or not small:
            return None
        try:
            body = await self._read_capped(url, response, cap=ERROR_PAGE_BYTES)
        except exc.FetchError:
            return None  # too big or broken: the status alone will have to do
        return _page(url, response, body, time.monotonic() - started)

    async def _read_capped(
        self, url: str, response: httpx.Response, *, cap: int | None = None
    ) -> bytes:
        cap = cap or self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise exc.BodyTooLarge(f"declared {int(declared):,} bytes, cap is {cap:,}", url=url)
        if response.is_stream_consumed:
            # Built in memory (a MockTransport in tests): httpx has read and decoded it already.
            if len(response.content) > cap:
                raise exc.BodyTooLarge(f"body over the cap of {cap:,} bytes", url=url)
            return response.content
        chunks: list[bytes] = []
        size = 0
        try:
            decoder = decoder_for(response.headers.get("content-encoding", ""))
            # Raw bytes through our bounded decoders: the cap counts *decompressed* bytes and
            # no single step can balloon past it (gzip and brotli bombs are cut off early).
            async for raw in response.aiter_raw():
                for chunk in decoder.feed(raw):
                    size += len(chunk)
                    if size > cap:
                        raise exc.BodyTooLarge(
                            f"body over the cap of {cap:,} bytes (after decompression)", url=url
                        )
                    chunks.append(chunk)
            chunks.extend(decoder.finish())
        except DecodeFailed as error:
            raise exc.ProtocolFailed(f"cannot decompress the body: {error}", url=url) from error
        return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None = None


async def _drain(response: httpx.Response) -> None:
    """Read the (empty or small) body of a 304 or a redirect, so its connection is reused.

    A response left unread is closed with its connection: every 304 would then pay for a new
    TCP connection. A redirect announcing a big body is not worth reading: it is dropped.
    """
    declared = response.headers.get("content-length", "")
    if response.status_code == 304 or (declared.isdigit() and int(declared) <= _DRAIN_LIMIT):
        await response.aread()


_DRAIN_LIMIT = 64 * 1024


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _conditional(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _page(url: str, response: httpx.Response, body: bytes, elapsed: float) -> Page:
    content_type = response.headers.get("content-type", "")
    return Page(
        url=url,
        final_url=url,
        status=response.status_code,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=body,
        content_type=_media_type(content_type),
        elapsed=elapsed,
        not_modified=response.status_code == 304,
        validators=Validators(
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        ),
    )


def parse_retry_after(
    value: str | None, *, now: datetime | None = None, cap: float = MAX_RETRY_AFTER
) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date), if readable,
    never more than ``cap``: the value is the server's, and so is any absurdity in it."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        # Compared as text first: float() of a 400-digit number is inf, int() of it is slow.
        return cap if len(value) > 15 else min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(0.0, seconds), cap)
