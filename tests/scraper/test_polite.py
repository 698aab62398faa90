"""Politeness: robots.txt, per-host delay and concurrency, host pauses, the fetch log.

Gaps and concurrency are measured from the newsroom's own request log (what the *server* saw);
the throttle's arithmetic is checked with a fake clock whose sleep returns at once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from newswatch.newsroom import Newsroom
from scraper import HTTPStatusError, Page, Validators
from scraper.fetch import Fetcher, FetchLimits, build_client
from scraper.polite import Attempt, PoliteFetcher, Politeness, Refused
from scraper.throttle import HostPaused, Throttle, ThrottleSettings, host_key
from tests.loopback import LOOPBACK

T = TypeVar("T")
SEED = "envoys-arrive-istanbul-second-meeting"
SECOND = "istanbul-talks-delegations-swap-rival-peace-memorandums"


def run(
    job: Callable[[PoliteFetcher], Awaitable[T]],
    *,
    attempts: list[Attempt] | None = None,
    politeness: Politeness | None = None,
    **throttle: float,
) -> T:
    async def go() -> T:
        async with build_client(policy=LOOPBACK) as client:
            fetcher = PoliteFetcher(
                Fetcher(client, limits=FetchLimits(total_timeout=10)),
                throttle=Throttle(ThrottleSettings(**{"delay": 0.0, **throttle})),  # type: ignore[arg-type]
                user_agent="newswatch/0.1 (+https://example.org/bot)",
                politeness=politeness,
                observer=attempts.append if attempts is not None else None,
            )
            return await job(fetcher)

    return asyncio.run(go())


def fetch_all(urls: list[str]) -> Callable[[PoliteFetcher], Awaitable[list[Page | Refused]]]:
    async def job(fetcher: PoliteFetcher) -> list[Page | Refused]:
        return list(await asyncio.gather(*(fetcher.fetch(url) for url in urls)))

    return job


# -- delay and concurrency, from the server's log ------------------------------------------------


def test_per_host_delay_measured_at_the_server(newsroom: Newsroom) -> None:
    delay = 0.15
    urls = [newsroom.url_of(slug) for slug in newsroom.slugs()[:6]]
    pages = run(fetch_all(urls), delay=delay, per_host=4)
    assert all(isinstance(p, Page) and p.status == 200 for p in pages)
    times = sorted(r.time for r in newsroom.requests)  # robots.txt included
    assert len(times) == len(urls) + 1
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= delay, f"gaps seen by the server: {gaps}"


def test_per_host_concurrency_cap_measured_at_the_server(newsroom: Newsroom) -> None:
    slow = 0.25
    slugs = newsroom.slugs()[:6]
    for slug in slugs:
        newsroom.misbehave(slug, "slow", seconds=slow)
    pages = run(fetch_all([newsroom.url_of(s) for s in slugs]), per_host=2)
    assert all(isinstance(p, Page) for p in pages)
    paths = {newsroom.path_of(s) for s in slugs}
    times = sorted(r.time for r in newsroom.requests if r.path in paths)
    # With at most 2 in flight, the (i+2)-th request can only start once one of the two before
    # it has been answered, i.e. no sooner than `slow` after the i-th arrived.
    assert all(b - a >= slow for a, b in zip(times, times[2:], strict=False)), times


def test_crawl_delay_from_robots_raises_the_gap(newsroom: Newsroom) -> None:
    newsroom.set_robots("User-agent: *\nCrawl-delay: 0.3\n")
    urls = [newsroom.url_of(slug) for slug in newsroom.slugs()[:3]]
    run(fetch_all(urls), delay=0.0, per_host=4)
    times = sorted(r.time for r in newsroom.requests if not r.path.endswith("robots.txt"))
    assert all(b - a >= 0.3 for a, b in zip(times, times[1:], strict=False)), times


# -- Retry-After and failing hosts ---------------------------------------------------------------


@pytest.mark.parametrize("retry_after", [120, "date"])
def test_retry_after_pauses_the_whole_host(newsroom: Newsroom, retry_after: object) -> None:
    value = datetime.now(UTC) + timedelta(seconds=120) if retry_after == "date" else retry_after
    newsroom.misbehave(SEED, "status", code=429, retry_after=value)

    async def job(fetcher: PoliteFetcher) -> tuple[Exception, Page | Refused]:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.fetch(newsroom.url_of(SEED))
        return caught.value, await fetcher.fetch(newsroom.url_of(SECOND))

    error, other = run(job, per_host=1, max_wait=5)
    assert isinstance(error, HTTPStatusError) and error.retry_after is not None
    assert 100 <= error.retry_after <= 121
    assert isinstance(other, Refused) and other.kind == "paused"
    assert 100 <= other.retry_in <= 121 and "Retry-After" in other.reason
    assert newsroom.requests_for(SECOND) == [], "the paused host was not asked again"


def test_a_failing_host_backs_off_exponentially_with_jitter() -> None:
    now = [0.0]
    throttle = Throttle(
        ThrottleSettings(backoff_base=2, backoff_cap=100, jitter=0.2, max_wait=0),
        clock=lambda: now[0],
        rng=random.Random(7),
    )
    url = "http://news.example/a"
    pauses = [throttle.failed(url, "connect") for _ in range(8)]
    for n, pause in enumerate(pauses):
        expected = min(2 * 2**n, 100)
        assert expected * 0.8 <= pause <= expected * 1.2
    assert throttle.wait_for(url) > 0
    with pytest.raises(HostPaused):
        asyncio.run(_enter(throttle, url))
    throttle.succeeded(url)
    assert 1.6 <= throttle.failed(url, "connect") <= 2.4, "a success ends the streak"


async def _enter(throttle: Throttle, url: str) -> None:
    async with throttle.slot(url):
        pass


def test_throttle_spaces_starts_with_a_fake_clock() -> None:
    now = [100.0]
    starts: list[float] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    async def one(throttle: Throttle) -> None:
        async with throttle.slot("http://a.example/x"):
            starts.append(now[0])

    async def go() -> None:
        throttle = Throttle(
            ThrottleSettings(delay=5, per_host=3), clock=lambda: now[0], sleep=sleep
        )
        await asyncio.gather(*(one(throttle) for _ in range(4)))
        # Another host is not held back by the first one's delay.
        async with throttle.slot("http://b.example/x"):
            starts.append(now[0])

    asyncio.run(go())
    assert starts[:4] == [100.0, 105.0, 110.0, 115.0]
    assert host_key("HTTP://A.example:80/x") == host_key("http://a.example/y")


def test_a_long_crawl_delay_defers_instead_of_sleeping() -> None:
    now = [0.0]
    throttle = Throttle(
        ThrottleSettings(delay=1, max_wait=10, max_crawl_delay=60), clock=lambda: now[0]
    )
    throttle.set_crawl_delay("http://a.example/", 3600)
    assert throttle.delay_of("http://a.example/x") == 60, "Crawl-delay is capped"

    async def go() -> None:
        await _enter(throttle, "http://a.example/1")
        with pytest.raises(HostPaused) as caught:
            await _enter(throttle, "http://a.example/2")
        assert caught.value.wait == pytest.approx(60)

    asyncio.run(go())


# -- robots.txt ----------------------------------------------------------------------------------


def test_robots_is_fetched_once_per_host_and_logged(newsroom: Newsroom) -> None:
    attempts: list[Attempt] = []
    urls = [newsroom.url_of(slug) for slug in newsroom.slugs()[:4]]
    run(fetch_all(urls), attempts=attempts, per_host=4)
    assert len(newsroom.requests_for("/robots.txt")) == 1
    robots = [a for a in attempts if a.robots]
    assert len(robots) == 1 and robots[0].status == 200 and robots[0].bytes > 0
    assert len([a for a in attempts if not a.robots]) == len(urls)
    assert all(a.elapsed >= 0 and a.at.tzinfo for a in attempts)


def test_robots_disallow_is_a_value_and_logged(newsroom: Newsroom) -> None:
    newsroom.set_robots("User-agent: newswatch\nDisallow: /en/\n\nUser-agent: *\nAllow: /\n")
    attempts: list[Attempt] = []
    [page] = run(fetch_all([newsroom.url_of(SEED)]), attempts=attempts)
    assert isinstance(page, Refused) and page.kind == "disallowed"
    assert page.retry_in == Politeness().disallowed_retry
    assert newsroom.requests_for(SEED) == []
    assert attempts[-1].error_kind == "disallowed" and attempts[-1].status is None


@pytest.mark.parametrize(
    ("code", "allowed"), [(404, True), (403, True), (500, False), (503, False), (429, False)]
)
def test_robots_status_rules(newsroom: Newsroom, code: int, allowed: bool) -> None:
    if code == 404:
        newsroom.misbehave("/robots.txt", "status", code=404)
    else:
        newsroom.misbehave("/robots.txt", "status", code=code)
    [page] = run(fetch_all([newsroom.url_of(SEED)]))
    if allowed:
        assert isinstance(page, Page) and page.status == 200
    else:
        assert isinstance(page, Refused) and page.kind == "robots_unavailable"
        assert newsroom.requests_for(SEED) == []


def test_robots_5xx_keeps_the_last_good_copy_and_revalidates(newsroom: Newsroom) -> None:
    now = [0.0]
    newsroom.set_robots("User-agent: *\nDisallow: /ru/\n")

    async def job(fetcher: PoliteFetcher) -> list[Page | Refused]:
        first = await fetcher.fetch(newsroom.url_of(SEED))
        now[0] += 7200  # the cached copy expires
        newsroom.misbehave("/robots.txt", "status", code=500, times=1)
        second = await fetcher.fetch(newsroom.url_of(SEED))
        now[0] += 7200
        third = await fetcher.fetch(newsroom.url_of(SEED))  # conditional: 304
        return [first, second, third]

    async def go() -> list[Page | Refused]:
        async with build_client(policy=LOOPBACK) as client:
            fetcher = PoliteFetcher(
                Fetcher(client),
                throttle=Throttle(ThrottleSettings(delay=0)),
                user_agent="newswatch/0.1",
                monotonic=lambda: now[0],
            )
            return await job(fetcher)

    results = asyncio.run(go())
    assert all(isinstance(p, Page) for p in results), "the last good copy still allows /en/"
    robots = newsroom.requests_for("/robots.txt")
    assert [r.status for r in robots] == [200, 500, 304]
    assert "if-none-match" in robots[-1].headers


def test_validators_are_sent_on_every_hop(newsroom: Newsroom) -> None:
    newsroom.misbehave(SEED, "redirect", to=newsroom.path_of(SECOND))

    async def job(fetcher: PoliteFetcher) -> Page | Refused:
        first = await fetcher.fetch(newsroom.url_of(SEED))
        assert isinstance(first, Page)
        return await fetcher.fetch(newsroom.url_of(SEED), validators=first.validators)

    again = run(job)
    assert isinstance(again, Page) and again.not_modified
    assert again.final_url.endswith(newsroom.path_of(SECOND))
    assert Validators() == Validators(None, None)
