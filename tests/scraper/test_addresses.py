"""The address policy and the guard: which destinations a fetch may connect to.

Refusals are judged on the forms an attacker would use (encoded IPv4, IPv4 inside IPv6,
metadata names and addresses, private ranges) and on what names resolve to. Names are resolved
by a resolver the test hands in, so no test needs a DNS server; the connections that do happen
go to the newsroom and to a stand-in internal service on loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import Sequence

import pytest

from newswatch.newsroom import Newsroom
from scraper import ForbiddenAddress, Page
from scraper.addresses import AddressPolicy, IPAddress, PolicyError, normalise_host, parse_allow
from scraper.fetch import Fetcher, build_client
from tests.internal_service import InternalService

STRICT = AddressPolicy()
SEED = "envoys-arrive-istanbul-second-meeting"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://0x7f000001/", "127.0.0.1 is a loopback address"),
        ("http://2130706433/", "127.0.0.1 is a loopback address"),
        ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://127.1/", "127.0.0.1 is a loopback address"),
        ("http://0x7f.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is a loopback address"),
        ("http://[::ffff:7f00:1]/", "::ffff:7f00:1 is a loopback address"),
        ("http://[64:ff9b::a00:1]/", "64:ff9b::a00:1 is a private address"),
        ("http://[2002:c0a8:101::]/", "2002:c0a8:101:: is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"),
        ("http://100.100.100.200/", "100.100.100.200 is a cloud metadata address"),
        ("http://metadata.google.internal/computeMetadata/v1/", "a cloud metadata host name"),
        ("http://METADATA.google.internal./", "a cloud metadata host name"),
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://172.16.5.4/", "172.16.5.4 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT address"),
        ("http://169.254.1.1/", "169.254.1.1 is a link-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[fd00::1]/", "fd00::1 is a unique-local address"),
        ("http://0.0.0.0/", "0.0.0.0 is the unspecified address"),
        ("http://0/", "0.0.0.0 is the unspecified address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
        ("http://example.com:25/", "port 25 is not one of the allowed ports"),
        ("http://93.184.216.34:6379/", "port 6379 is not one of the allowed ports"),
        ("ftp://example.com/", "only http and https are fetched"),
        ("file:///etc/passwd", "only http and https are fetched"),
    ],
)
def test_forbidden_forms_are_refused_with_the_reason(url: str, why: str) -> None:
    refusal = STRICT.check_url(url)
    assert refusal is not None and why in str(refusal), refusal


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.216.34/",
        "https://example.com/news",
        "http://example.com:8080/x",
        "https://[2606:4700::6810:84e5]/",
        "http://1.1.1.1:8443/",
    ],
)
def test_public_destinations_pass(url: str) -> None:
    assert STRICT.check_url(url) is None


@pytest.mark.parametrize(
    ("host", "normal"),
    [
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("[::FFFF:127.0.0.1]", "::ffff:7f00:1"),
        ("Example.COM.", "example.com"),
        ("4294967296", "4294967296"),
        ("1.2.3.256", "1.2.3.256"),
    ],
)
def test_hosts_are_normalised_as_a_browser_would(host: str, normal: str) -> None:
    assert normalise_host(host) == normal


def test_allow_entries_admit_what_they_name_and_nothing_else() -> None:
    policy = AddressPolicy.build(
        allow=[
            "127.0.0.1:8765",
            "10.1.0.0/16",
            "[::1]:8080",
            "intranet.example",
            "*.corp.example:8000",
        ]
    )
    assert policy.check_url("http://127.0.0.1:8765/a") is None
    assert policy.check_url("http://0x7f000001:8765/a") is None, "the same address, encoded"
    assert policy.check_url("http://127.0.0.1:8766/a") is not None, "another port"
    assert policy.check_url("http://127.0.0.2:8765/a") is not None, "another address"
    assert policy.check_url("http://10.1.2.3:9999/") is None, "a network on every port"
    assert policy.check_url("http://10.2.0.1/") is not None
    assert policy.check_url("http://[::1]:8080/") is None
    assert policy.check_url("http://[::1]:8081/") is not None
    assert policy.check("intranet.example", 1234, [ipaddress.ip_address("10.9.9.9")]) is None
    assert policy.check("news.corp.example", 8000, [ipaddress.ip_address("10.9.9.9")]) is None
    assert policy.check("news.corp.example", 80, [ipaddress.ip_address("10.9.9.9")]) is not None
    assert policy.check("corp.example", 8000, [ipaddress.ip_address("10.9.9.9")]) is not None


def test_allow_private_opens_an_intranet_but_not_the_metadata_service() -> None:
    policy = AddressPolicy.build(allow_private=True)
    assert policy.check_url("http://10.0.0.1/") is None
    assert policy.check_url("http://[fd00::1]/") is None
    assert policy.check_url("http://127.0.0.1/") is None
    assert policy.check_url("http://169.254.169.254/") is not None
    assert policy.check_url("http://metadata.google.internal/") is not None
    assert policy.check_url("http://0.0.0.0/") is not None
    assert policy.check_url("http://10.0.0.1:22/") is not None, "ports still apply"
    named = AddressPolicy.build(allow_private=True, allow=["169.254.169.254"])
    assert named.check_url("http://169.254.169.254/") is None, "only when named"


@pytest.mark.parametrize(
    "entry",
    ["", "10.0.0.0/33", "host:99999", "[::1", "a b", "*x.example", "*.*.example", "host:port"],
)
def test_bad_allow_entries_are_errors(entry: str) -> None:
    with pytest.raises(PolicyError):
        parse_allow(entry)


def test_a_name_with_one_private_address_is_refused_whole() -> None:
    addresses = [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.1")]
    refusal = STRICT.check("mixed.example", 80, addresses)
    assert refusal is not None and "10.0.0.1 is a private address" in str(refusal)


# -- through the client: resolution, pinning, redirects, proxies --------------------------------


class Resolver:
    """A DNS stand-in: each name's answers in turn (the last one repeats)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[IPAddress]:
        self.calls.append(host)
        turns = self.answers[host]
        answer = turns[min(self.calls.count(host), len(turns)) - 1]
        return [ipaddress.ip_address(a) for a in answer]


def fetch(
    url: str,
    *,
    policy: AddressPolicy = STRICT,
    resolver: Resolver | None = None,
    proxy: str | None = None,
) -> Page:
    async def go() -> Page:
        kwargs = {"resolver": resolver} if resolver is not None else {}
        async with build_client(policy=policy, proxy=proxy, **kwargs) as client:  # type: ignore[arg-type]
            return await Fetcher(client).fetch(url)

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("host", "answer", "why"),
    [
        ("metadata.google.internal", "169.254.169.254", "cloud metadata host name"),
        ("instance.example", "169.254.169.254", "cloud metadata address"),
        ("intranet.example", "10.0.0.5", "private address"),
        ("office.example", "192.168.1.20", "private address"),
        ("v6.example", "fd00::1", "unique-local address"),
        ("mapped.example", "::ffff:10.0.0.1", "private address"),
        ("localhost.example", "127.0.0.1", "loopback address"),
    ],
)
def test_names_are_judged_by_what_they_resolve_to(host: str, answer: str, why: str) -> None:
    # Were the guard to let these through, the fetch would try to connect and fail in another
    # way (no such network here): only the guard gives forbidden_address.
    resolver = Resolver({host: [[answer]]})
    with pytest.raises(ForbiddenAddress) as refused:
        fetch(f"http://{host}/latest", resolver=resolver)
    assert refused.value.kind == "forbidden_address" and why in str(refused.value)


def test_the_address_checked_is_the_address_connected_to(newsroom: Newsroom) -> None:
    """DNS rebinding: the name's second answer is an internal address on the same port.

    ``news.test`` does not exist in real DNS, so the first fetch succeeding shows that the
    connection went to the address the guard checked, never to a fresh lookup of the name.
    The second connection asks again, gets 127.0.0.2 and is refused: the service listening
    there never hears a thing.
    """
    port = int(newsroom.address.rsplit(":", 1)[1])
    with InternalService("127.0.0.2", port) as internal:
        resolver = Resolver({"news.test": [["127.0.0.1"], ["127.0.0.2"]]})
        policy = AddressPolicy.build(allow=[newsroom.address])
        url = f"http://news.test:{port}{newsroom.path_of(SEED)}"
        page = fetch(url, policy=policy, resolver=resolver)
        assert page.status == 200 and "Istanbul" in page.text
        with pytest.raises(ForbiddenAddress, match="127.0.0.2 is a loopback address"):
            fetch(url, policy=policy, resolver=resolver)
        assert resolver.calls == ["news.test", "news.test"], "one lookup per connection"
        assert internal.requests == []


def test_every_redirect_hop_is_checked(newsroom: Newsroom) -> None:
    with InternalService() as internal:
        policy = AddressPolicy.build(allow=[newsroom.address])
        for target in (internal.url(), f"http://localhost:{internal.port}/admin"):
            newsroom.misbehave(SEED, "redirect", to=target, code=302)
            with pytest.raises(ForbiddenAddress):
                fetch(newsroom.url_of(SEED), policy=policy)
        assert internal.requests == []
        assert len(newsroom.requests_for(SEED)) == 2, "the first hop was fetched, each time"


def test_through_a_proxy_the_destination_is_checked_before_the_proxy_is_asked() -> None:
    # Nothing listens on the proxy's port: reaching it would be a connect error, not a refusal.
    with pytest.raises(ForbiddenAddress, match="10.0.0.1 is a private address"):
        fetch("http://10.0.0.1/admin", proxy="http://127.0.0.1:9")
    resolver = Resolver({"intranet.example": [["10.0.0.7"]]})
    with pytest.raises(ForbiddenAddress, match="10.0.0.7 is a private address"):
        fetch("http://intranet.example/", proxy="http://127.0.0.1:9", resolver=resolver)


def test_the_default_client_refuses_loopback(newsroom: Newsroom) -> None:
    with pytest.raises(ForbiddenAddress, match="loopback"):
        fetch(newsroom.url_of(SEED))
    assert newsroom.requests_for(SEED) == []


def test_clients_share_one_tls_context_per_http2_choice() -> None:
    from scraper.guard import shared_tls_context

    assert shared_tls_context(http2=False) is shared_tls_context(http2=False)
    # httpcore sets a context's ALPN protocols from the pool's http2 at each connection.
    assert shared_tls_context(http2=True) is not shared_tls_context(http2=False)
    assert shared_tls_context(http2=False).verify_mode == ssl.CERT_REQUIRED
