"""Where the fetcher may connect: the address policy that stands between third parties' links
and our network.

Every URL newswatch fetches was chosen by someone else: a feed's author, a sitemap, a redirect,
a page's canonical link. Left alone, such a link can point the daemon at ``127.0.0.1``, the
cloud's metadata service at ``169.254.169.254``, or a printer on the office network, and the
page it gets back is stored and served by our API. :class:`AddressPolicy` decides, for a host,
a port and the addresses the host resolved to, whether we may connect; :mod:`scraper.guard`
asks it at connect time, for every connection, with the address it is about to use.

What is refused unless allowed: loopback, private (RFC 1918), carrier-grade NAT, link-local,
unique-local, multicast, reserved and every other not-globally-routable range, IPv4 hidden
inside IPv6 (mapped, NAT64, 6to4, Teredo), and ports outside ``ports``. ``allow_private``
lifts the range rule for an intranet; ``allow`` names networks or hosts (optionally with a
port) that are trusted on every port, or on the one given. Cloud metadata addresses, the
unspecified address and multicast stay refused unless an ``allow`` entry names them.

Host names are judged by what they resolve to, never by how they look, but some forms are
normalised first so that a literal is recognised before any lookup: the WHATWG URL standard's
IPv4 forms (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``) and a trailing dot.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_PORTS = (80, 443, 8080, 8443)
_SCHEMES = {"http": 80, "https": 443}

# Instance metadata services answer credentials to whoever asks from inside the cloud.
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (legacy)
    )
)
_METADATA_NAMES = frozenset(
    {
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_HOST_LABEL = re.compile(r"^[a-z0-9_*](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


class PolicyError(ValueError):
    """An ``allow`` entry or port list that cannot be understood."""


@dataclass(frozen=True, slots=True)
class AllowEntry:
    """One ``allow`` item: a network or a host name (``*.`` for its subdomains), maybe a port."""

    text: str
    network: IPNetwork | None = None
    host: str | None = None
    port: int | None = None

    def admits(self, host: str, port: int, address: IPAddress | None) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            return address is not None and _unmapped(address) in self.network
        assert self.host is not None
        if self.host.startswith("*."):
            return host.endswith(self.host[1:])
        return host == self.host


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a destination is refused: short ``reason`` for logs, ``advice`` for the user."""

    host: str
    port: int
    reason: str
    address: str | None = None
    advice: str = ""

    def __str__(self) -> str:
        where = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        if self.address is not None and self.address != self.host:
            where += f" ({self.address})"
        return f"refused to connect to {where}: {self.reason}" + (
            f"; {self.advice}" if self.advice else ""
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressPolicy:
    """Which destinations the fetcher may connect to (see the module docstring)."""

    allow_private: bool = False
    allow: tuple[AllowEntry, ...] = ()
    ports: frozenset[int] = field(default_factory=lambda: frozenset(DEFAULT_PORTS))

    @classmethod
    def build(
        cls,
        *,
        allow_private: bool = False,
        allow: Iterable[str] = (),
        ports: Iterable[int] = DEFAULT_PORTS,
    ) -> AddressPolicy:
        """A policy from configuration values; :class:`PolicyError` names a bad entry."""
        port_set = frozenset(ports)
        for port in port_set:
            if not 0 < port < 65536:
                raise PolicyError(f"{port} is not a TCP port (1-65535)")
        return cls(
            allow_private=allow_private, allow=tuple(parse_allow(e) for e in allow), ports=port_set
        )

    def check_url(self, url: str) -> Refusal | None:
        """What can be told from the URL alone (scheme, port, a literal address, a
        metadata name); names are judged again once resolved, at connect time."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = normalise_host(parts.hostname or "")
        try:
            port = parts.port or _SCHEMES.get(scheme, 0)
        except ValueError:
            return Refusal(host, 0, "the URL's port is not a number")
        if scheme not in _SCHEMES:
            return Refusal(host, port, f"{scheme or 'no'} scheme: only http and https are fetched")
        if not host:
            return Refusal(host, port, "the URL has no host")
        return self.check(host, port, ())

    def check(self, host: str, port: int, addresses: Iterable[IPAddress]) -> Refusal | None:
        """``None`` if ``host``:``port`` may be reached at every one of ``addresses`` (none
        given: what can be told before the name is resolved).

        One refused address refuses them all: a name that answers with a public and a
        private address is either misconfigured or an attack, and either way not ours.
        """
        host = normalise_host(host)
        if any(entry.host is not None and entry.admits(host, port, None) for entry in self.allow):
            return None
        if host in _METADATA_NAMES:
            return Refusal(
                host, port, "a cloud metadata host name", advice=_ALLOW_ADVICE.format(entry=host)
            )
        found = list(addresses)
        literal = _literal(host)
        if not found and literal is None:
            # Not resolved yet: only the port can be judged, unless an allowed network
            # (which the name may resolve into) admits every port or this one.
            if port not in self.ports and not any(
                entry.network is not None and entry.port in (None, port) for entry in self.allow
            ):
                return self._port_refusal(host, port, None)
            return None
        for address in found or ([literal] if literal is not None else []):
            refusal = self._check_address(host, port, address)
            if refusal is not None:
                return refusal
        return None

    def _check_address(self, host: str, port: int, address: IPAddress) -> Refusal | None:
        if any(entry.admits(host, port, address) for entry in self.allow):
            return None
        kind = address_kind(address)
        if kind is not None and not (self.allow_private and kind in _PRIVATE_KINDS):
            return Refusal(
                host,
                port,
                f"{address} is {kind}",
                str(address),
                advice=_ALLOW_ADVICE.format(entry=address),
            )
        if port not in self.ports:
            return self._port_refusal(host, port, str(address))
        return None

    def _port_refusal(self, host: str, port: int, address: str | None) -> Refusal:
        allowed = ", ".join(str(p) for p in sorted(self.ports))
        return Refusal(
            host,
            port,
            f"port {port} is not one of the allowed ports ({allowed})",
            address,
            advice="add it to [fetch] ports, or the host to [fetch] allow",
        )


_ALLOW_ADVICE = 'to watch it anyway, add "{entry}" to [fetch] allow'
# What ``allow_private`` lifts; metadata, unspecified and multicast need an explicit entry.
_PRIVATE_KINDS = frozenset(
    {
        "a loopback address",
        "a private address",
        "a link-local address",
        "a unique-local address",
        "a carrier-grade NAT address",
        "not globally routable",
    }
)


def address_kind(address: IPAddress) -> str | None:
    """What kind of non-public address this is (``"a loopback address"``…), ``None`` if public."""
    if address in _METADATA:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            # Judged as the IPv4 host it reaches; the refusal shows the IPv6 form.
            return address_kind(embedded)
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_link_local:
        return "a link-local address"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "a carrier-grade NAT address"
    if isinstance(address, ipaddress.IPv6Address) and address in ipaddress.ip_network("fc00::/7"):
        return "a unique-local address"
    if address.is_reserved:  # before is_private, whose list includes 240.0.0.0/4
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not globally routable"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    # IPv4-compatible (::a.b.c.d, deprecated) still routes to the IPv4 host on some stacks.
    if int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address))
    return None


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def normalise_host(host: str) -> str:
    """Lower case, no trailing dot, no IPv6 brackets, WHATWG IPv4 forms as dotted quads."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    ipv4 = parse_ipv4(host)
    if ipv4 is not None:
        return str(ipv4)
    literal = _literal(host)
    return str(literal) if literal is not None else host


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The WHATWG URL standard's IPv4 parser: 1-4 parts, each decimal, ``0x`` hex or ``0`` octal;
    the last part fills the remaining bytes (``127.1`` is ``127.0.0.1``). ``None`` if not one."""
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _ipv4_number(part: str) -> int | None:
    if not part:
        return None
    try:
        if part[:2] in ("0x", "0X"):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part[1:], 8)
        return int(part, 10) if part.isdigit() else None
    except ValueError:
        return None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 zone is not an address
    except ValueError:
        return parse_ipv4(host)


def parse_allow(text: str) -> AllowEntry:
    """``10.0.0.0/8``, ``127.0.0.1:8765``, ``[::1]:8080``, ``::1``, ``intranet.example``,
    ``*.corp.example:8000``: a network or host name, optionally with a port."""
    entry = text.strip()
    if not entry:
        raise PolicyError("an empty [fetch] allow entry")
    body, port = _split_port(entry)
    try:
        network = ipaddress.ip_network(body, strict=False)
    except ValueError:
        network = None
    if network is None:
        literal = parse_ipv4(body)
        if literal is not None:
            network = ipaddress.ip_network(literal)
    if network is not None:
        return AllowEntry(text=entry, network=network, port=port)
    host = body.lower().rstrip(".")
    if not all(_HOST_LABEL.match(label) for label in host.split(".")) or (
        "*" in host and not (host.startswith("*.") and "*" not in host[1:])
    ):
        raise PolicyError(
            f"[fetch] allow entry {text!r} is neither a network (10.0.0.0/8), an "
            "address (127.0.0.1, [::1]:8080) nor a host name (intranet.example, "
            "*.corp.example), optionally with :port"
        )
    return AllowEntry(text=entry, host=host, port=port)


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("["):
        close = entry.find("]")
        if close < 0:
            raise PolicyError(f"[fetch] allow entry {entry!r}: unclosed [")
        body, rest = entry[1:close], entry[close + 1 :]
        if not rest:
            return body, None
        if not rest.startswith(":"):
            raise PolicyError(f"[fetch] allow entry {entry!r}: expected :port after ]")
        return body, _port(rest[1:], entry)
    if entry.count(":") == 1:  # host:port or a.b.c.d:port (several colons: bare IPv6)
        body, _, port = entry.partition(":")
        return body, _port(port, entry)
    return entry, None


def _port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise PolicyError(f"[fetch] allow entry {entry!r}: {text!r} is not a port (1-65535)")
    return int(text)
