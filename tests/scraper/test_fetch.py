"""The fetcher against the newsroom: pages, validators, and failures as typed values."""

import asyncio
import gzip

import httpx
import pytest

from newswatch.newsroom import Newsroom
from scraper import (
    BadRedirect,
    BodyTooLarge,
    ConnectFailed,
    FetchTimeout,
    HTTPStatusError,
    ProtocolFailed,
    TooManyRedirects,
    Validators,
)
from scraper.fetch import Fetcher, FetchLimits, build_client, parse_retry_after
from tests.loopback import LOOPBACK

SLUG = "envoys-arrive-istanbul-second-meeting"


def fetch(url: str, *, validators: Validators | None = None, limits: FetchLimits | None = None):
    async def go():
        async with build_client(limits=limits, policy=LOOPBACK) as client:
            return await Fetcher(client, limits=limits).fetch(url, validators=validators)

    return asyncio.run(go())


def test_an_article_page_with_its_validators(newsroom: Newsroom) -> None:
    page = fetch(newsroom.url_of(SLUG))
    assert page.status == 200 and page.is_html and not page.not_modified
    assert "Madinsky" in page.text
    assert page.validators.etag and page.validators.last_modified
    assert page.encoding == "utf-8"


def test_conditional_get_gets_a_304_and_the_server_saw_the_validators(newsroom: Newsroom) -> None:
    first = fetch(newsroom.url_of(SLUG))
    newsroom.clear_requests()
    again = fetch(newsroom.url_of(SLUG), validators=first.validators)
    assert again.not_modified and again.status == 304 and again.body == b""
    [request] = newsroom.requests_for(SLUG)
    assert request.headers["if-none-match"] == first.validators.etag
    assert request.headers["if-modified-since"] == first.validators.last_modified
    assert request.status == 304


def test_304s_and_redirects_keep_the_connection_for_the_next_request(
    newsroom: Newsroom,
) -> None:
    # An unread 304 or redirect would close its connection: every recheck would pay for a new
    # TCP (and TLS) handshake. Read, they leave it in the pool.
    first = fetch(newsroom.url_of(SLUG))
    newsroom.misbehave("/moved.html", "redirect", to=newsroom.path_of(SLUG))
    newsroom.clear_requests()

    async def go() -> None:
        async with build_client(policy=LOOPBACK) as client:
            fetcher = Fetcher(client)
            for _ in range(3):
                page = await fetcher.fetch(newsroom.url_of(SLUG), validators=first.validators)
                assert page.not_modified
            moved = await fetcher.fetch(newsroom.base_url + "/moved.html")  # redirect, then 200
            assert moved.status == 200 and moved.final_url == newsroom.url_of(SLUG)
            assert (await fetcher.fetch(newsroom.url_of(SLUG))).status == 200

    asyncio.run(go())
    requests = newsroom.requests
    statuses = [r.status for r in requests]
    assert statuses[:3] == [304, 304, 304] and statuses[4:] == [200, 200]
    assert 300 <= statuses[3] < 400
    assert len({r.peer for r in requests}) == 1, [r.peer for r in requests]


def test_an_edit_changes_the_etag_so_the_page_comes_back(newsroom: Newsroom) -> None:
    first = fetch(newsroom.url_of(SLUG))
    newsroom.edit(SLUG, "Madinsky", "Medinsky")
    again = fetch(newsroom.url_of(SLUG), validators=first.validators)
    assert again.status == 200 and "Medinsky" in again.text


def test_gone_articles_are_pages_not_errors(newsroom: Newsroom) -> None:
    newsroom.delete(SLUG, status=410)
    assert fetch(newsroom.url_of(SLUG)).is_gone
    assert fetch(newsroom.base_url + "/no/such/page.html").status == 404


def test_redirects_are_followed_and_the_final_url_kept(newsroom: Newsroom) -> None:
    newsroom.misbehave(SLUG, "redirect_chain", hops=3)
    page = fetch(newsroom.url_of(SLUG))
    assert page.status == 200
    assert page.final_url != page.url and "_hop=3" in page.final_url


@pytest.mark.parametrize(
    ("mode", "opts", "error"),
    [
        ("redirect_loop", {}, TooManyRedirects),
        ("redirect_chain", {"hops": 30}, TooManyRedirects),
        ("redirect_scheme", {}, BadRedirect),
        ("huge", {"size": 3 * 1024 * 1024}, BodyTooLarge),
        ("huge", {"size": 3 * 1024 * 1024, "length": False}, BodyTooLarge),
        ("gzip_bomb", {"size": 64 * 1024 * 1024}, BodyTooLarge),
        ("truncated", {}, ProtocolFailed),
    ],
)
def test_misbehaving_server_gives_typed_errors(
    newsroom: Newsroom, mode: str, opts: dict, error: type[Exception]
) -> None:
    newsroom.misbehave(SLUG, mode, **opts)
    with pytest.raises(error) as caught:
        fetch(newsroom.url_of(SLUG), limits=FetchLimits(max_bytes=1024 * 1024))
    assert caught.value.url  # every error names the URL


def test_http_errors_carry_status_and_retry_after(newsroom: Newsroom) -> None:
    newsroom.misbehave(SLUG, "status", code=503, retry_after=120)
    with pytest.raises(HTTPStatusError) as caught:
        fetch(newsroom.url_of(SLUG))
    assert caught.value.status == 503 and caught.value.retry_after == 120
    assert caught.value.kind == "http_status"


def test_timeouts_and_refused_connections(newsroom: Newsroom) -> None:
    newsroom.misbehave(SLUG, "slow", seconds=2)
    with pytest.raises(FetchTimeout):
        fetch(newsroom.url_of(SLUG), limits=FetchLimits(read_timeout=0.3, total_timeout=5))
    newsroom.behave()
    newsroom.misbehave(SLUG, "drip", chunk=8, interval=0.05)
    with pytest.raises(FetchTimeout):
        fetch(newsroom.url_of(SLUG), limits=FetchLimits(total_timeout=0.5))
    with pytest.raises(ConnectFailed):
        fetch("http://127.0.0.1:9/")  # the discard port: nothing listens there


def test_wrong_declared_charset_still_decodes(newsroom: Newsroom) -> None:
    newsroom.misbehave("vtoroy-raund-peregovorov-v-stambule", "wrong_charset")
    page = fetch(newsroom.url_of("vtoroy-raund-peregovorov-v-stambule"))
    assert "Стамбул" in page.text


def test_a_gzip_body_within_the_cap_is_decompressed() -> None:
    body = "<html><body><p>Стамбул</p></body></html>".encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=gzip.compress(body),
            headers={"content-encoding": "gzip", "content-type": "text/html; charset=utf-8"},
        )

    async def go():
        async with build_client(transport=httpx.MockTransport(handler)) as client:
            return await Fetcher(client).fetch("http://127.0.0.1/x")

    page = asyncio.run(go())
    assert page.body == body and "Стамбул" in page.text


def test_retry_after_as_seconds_and_http_date() -> None:
    assert parse_retry_after("30") == 30
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("soon") is None


@pytest.mark.parametrize("keep", [False, True])
def test_a_cookie_a_wall_sets_rides_on_the_next_request_only_when_cookies_are_kept(
    newsroom: Newsroom, keep: bool
) -> None:
    # DataDome's block sets its session cookie (newswatch.newsroom.walls); with [fetch]
    # cookies = false (the default) no site's cookie may ride on a later request.
    other = "istanbul-talks-delegations-swap-rival-peace-memorandums"
    newsroom.misbehave(SLUG, "challenge", vendor="datadome")

    async def go() -> None:
        async with build_client(policy=LOOPBACK, cookies=keep) as client:
            fetcher = Fetcher(client)
            with pytest.raises(HTTPStatusError) as blocked:
                await fetcher.fetch(newsroom.url_of(SLUG))
            wall = blocked.value.page
            assert wall is not None and "datadome=" in wall.headers["set-cookie"]
            await fetcher.fetch(newsroom.url_of(other))

    asyncio.run(go())
    [request] = newsroom.requests_for(other)
    sent = request.headers.get("cookie")
    assert (sent is not None and sent.startswith("datadome=")) if keep else sent is None
