"""The address guard: every connection the fetcher opens is checked where it is opened.

:class:`GuardedBackend` is an httpcore network backend. httpcore asks it for a TCP connection to
a host and port; it resolves the host once, asks the :class:`~scraper.addresses.AddressPolicy`
about every address the name resolved to, and connects to the checked address itself, never to
the name. There is no second lookup between the check and the connect, so a name that answers
with a public address to the check and a private one to the connect (DNS rebinding) gets
nowhere. TLS still verifies the certificate against the host name: httpcore passes the name to
``start_tls`` as ``server_hostname``. Each redirect hop is a new request, and a new origin a new
connection, so every hop passes here too; a kept-alive connection is reused only for the origin
it was checked for.

Through a proxy the proxy connects, so the guard cannot pin the address: the destination is
resolved and checked before the request is handed to the proxy (the proxy may resolve the name
again; an operator who proxies should make the proxy refuse internal destinations as well).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable, Sequence

import httpcore
import httpx

from scraper.addresses import AddressPolicy, IPAddress, Refusal, normalise_host
from scraper.streams import SocketOnce

Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]


class AddressRefused(Exception):  # noqa: N818 - raised through httpx, turned into ForbiddenAddress
    """A connection the policy refused; :class:`scraper.fetch.Fetcher` names the URL."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` resolves to, in the resolver's order, each once."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


async def resolve(
    host: str, port: int, resolver: Resolver, timeout: float | None
) -> list[IPAddress]:
    """``host``'s addresses (a literal is its own); DNS failures as httpcore's errors."""
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        async with asyncio.timeout(timeout):
            found = list(await resolver(host, port))
    except TimeoutError as error:
        raise httpcore.ConnectTimeout(f"resolving {host} took too long") from error
    except (OSError, UnicodeError) as error:  # socket.gaierror is an OSError
        raise httpcore.ConnectError(str(error)) from error
    if not found:
        raise httpcore.ConnectError(f"{host} resolves to no address") from socket.gaierror(
            socket.EAI_NONAME, "no address"
        )
    return found


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks and connects to the checked address (see the module docstring)."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self._resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port, self._resolver, timeout)
        refusal = self.policy.check(host, port, addresses)
        if refusal is not None:
            raise AddressRefused(refusal)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
                return SocketOnce(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error  # the next address of the same name may answer
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(Refusal(path, 0, "unix sockets are never fetched"))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def shared_tls_context(*, http2: bool) -> ssl.SSLContext:
    """One verifying TLS context for every client of the process that speaks ``http2`` or not.

    Each context loads the CA bundle again (0.8 MB), and a daemon has three clients (pages,
    confirming fetches, alert webhooks); a transport built its context twice. One per value
    of ``http2``, because httpcore sets a context's ALPN protocols from it at each connection.
    """
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connections opened by :class:`GuardedBackend`."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = system_resolver,
        limits: httpx.Limits,
        http2: bool = False,
        proxy: str | None = None,
    ) -> None:
        tls = shared_tls_context(http2=http2)
        super().__init__(verify=tls, limits=limits, http2=http2, proxy=proxy, trust_env=False)
        self.policy = policy
        self._resolver = resolver
        self._proxied = proxy is not None
        if not self._proxied:
            # httpx builds its pool with httpcore's default backend and has no parameter for
            # another one, so the pool is built again, as httpx does, with ours.
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=tls,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                http1=True,
                http2=http2,
                network_backend=GuardedBackend(policy, resolver=resolver),
            )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._proxied:
            host, port = request.url.host, request.url.port or _default_port(request.url)
            try:
                addresses = await resolve(host, port, self._resolver, timeout=None)
            except httpcore.ConnectError as error:
                raise httpx.ConnectError(str(error), request=request) from error
            refusal = self.policy.check(host, port, addresses)
            if refusal is not None:
                raise AddressRefused(refusal)
        return await super().handle_async_request(request)


def _default_port(url: httpx.URL) -> int:
    return 443 if url.scheme == "https" else 80


def _literal(host: str) -> IPAddress | None:
    normal = normalise_host(host)
    try:
        return ipaddress.ip_address(normal)
    except ValueError:
        return None
