"""Search providers against the newsroom's GDELT, Google News and Bing endpoints: publishers'
URLs, Google's decode step (success, failure with fallback, endpoint down), GDELT's errors,
paging and pace, and the decode POST going through the polite fetcher like every request."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from newswatch.config import load_settings
from newswatch.newsroom import Newsroom
from newswatch.newsroom.engines import DECODE_PATH, GDELT_PATH
from scraper.exceptions import SearchRefused
from scraper.fetch import Fetcher, FetchLimits, build_client
from scraper.polite import Attempt, PoliteFetcher, Refused
from scraper.search import Gdelt, GoogleNews, Poll, SearchPlan, build_plan, provider_named
from scraper.throttle import Throttle, ThrottleSettings
from scraper.topic import TopicQuery
from tests.live_samples import sample
from tests.loopback import LOOPBACK

T = TypeVar("T")
ISTANBUL = TopicQuery(load_settings().topic.query)
ENDPOINTS = {"gdelt": GDELT_PATH, "google-news": "/rss/search", "bing-news": "/news/search"}


class FakeTime:
    """Monotonic and wall time that only sleeping moves."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)

    def wall(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.t)


def run(
    job: Callable[[PoliteFetcher], Awaitable[T]],
    *,
    attempts: list[Attempt] | None = None,
    time: FakeTime | None = None,
) -> T:
    async def go() -> T:
        async with build_client(policy=LOOPBACK) as client:
            throttle = Throttle(
                ThrottleSettings(delay=0.0, max_wait=60.0),
                **({"clock": time, "sleep": time.sleep} if time else {}),
            )
            fetcher = PoliteFetcher(
                Fetcher(client, limits=FetchLimits(total_timeout=10), policy=LOOPBACK),
                throttle=throttle,
                user_agent="newswatch/0.1 (+https://example.org/bot)",
                observer=attempts.append if attempts is not None else None,
                **({"clock": time.wall, "monotonic": time} if time else {}),
            )
            return await job(fetcher)

    return asyncio.run(go())


def plan_for(room: Newsroom, provider: str, language: str, **options: object) -> SearchPlan:
    return build_plan(
        provider_named(provider),
        ISTANBUL,
        language,
        endpoint=room.base_url + ENDPOINTS[provider],
        pace=0.0,
        **options,
    )  # type: ignore[arg-type]


def poll(
    provider: object,
    plan: SearchPlan,
    *,
    now: datetime | None = None,
    since: datetime | None = None,
) -> Callable[[PoliteFetcher], Awaitable[Poll | Refused]]:
    async def job(fetcher: PoliteFetcher) -> Poll | Refused:
        return await provider.poll(
            fetcher,
            plan,
            since=since,  # type: ignore[attr-defined]
            now=now or datetime.now(UTC),
        )

    return job


def on_topic_urls(room: Newsroom, language: str) -> set[str]:
    return {
        room.url_of(slug)
        for slug, story in room.stories.items()
        if story.lang == language
        and ISTANBUL.matches(story.title, story.subtitle, "\n".join(story.body))
    }


@pytest.mark.parametrize("provider", ["gdelt", "google-news", "bing-news"])
@pytest.mark.parametrize("language", ["en", "ru", "uk", "tr"])
def test_every_provider_yields_the_publishers_urls(
    newsroom: Newsroom, provider: str, language: str
) -> None:
    found = run(poll(provider_named(provider), plan_for(newsroom, provider, language)))
    assert isinstance(found, Poll)
    urls = {hit.url for hit in found.hits}
    assert urls >= on_topic_urls(newsroom, language) and urls
    assert all(url and url.startswith(newsroom.base_url + "/") for url in urls)
    assert not any("/rss/articles/" in u or "apiclick" in u for u in urls if u)
    assert found.query == plan_for(newsroom, provider, language).query


def test_google_links_are_decoded_once_and_remembered(newsroom: Newsroom) -> None:
    provider = GoogleNews()
    plan = plan_for(newsroom, "google-news", "en")
    first = run(poll(provider, plan))
    assert isinstance(first, Poll)
    assert {h.resolution for h in first.hits} == {"decoded"}
    decodes = len(newsroom.requests_for(DECODE_PATH))
    assert decodes == len(first.hits) and all(
        r.method == "POST" for r in newsroom.requests_for(DECODE_PATH)
    )
    again = run(poll(provider, plan))
    assert isinstance(again, Poll) and {h.resolution for h in again.hits} == {"cached"}
    assert len(newsroom.requests_for(DECODE_PATH)) == decodes, "no second decode"


def test_decode_budget_defers_the_rest_to_the_next_poll(newsroom: Newsroom) -> None:
    found = run(poll(GoogleNews(), plan_for(newsroom, "google-news", "en", decode_limit=2)))
    assert isinstance(found, Poll)
    assert len(found.decoded) == 2
    waiting = [h for h in found.hits if h.url is None]
    assert waiting and all(h.waits and h.error_kind == "decode_deferred" for h in waiting)
    assert found.validators.etag is None, "a feed with waiting items is fetched whole next time"


def test_decode_endpoint_down_the_poll_goes_on_and_the_items_wait(newsroom: Newsroom) -> None:
    newsroom.misbehave(DECODE_PATH, "status", code=503)
    found = run(poll(GoogleNews(), plan_for(newsroom, "google-news", "en")))
    assert isinstance(found, Poll) and found.hits
    assert all(
        h.url is None and h.waits and h.error_kind == "decode_unavailable" for h in found.hits
    )
    assert len(newsroom.requests_for(DECODE_PATH)) == 1, "one failure: the rest are not tried"
    assert "decode endpoint" in found.problems[0] and "503" in found.problems[0]
    assert found.errors() == {"decode_unavailable": len(found.hits)}


def test_undecodable_items_are_looked_for_on_the_outlets_site_by_title(newsroom: Newsroom) -> None:
    no_url = ')]}\'\n\n[["wrb.fr","Fbv4je",null,null,null,[3],"generic"],["di",10]]'
    newsroom.misbehave(
        DECODE_PATH, "answer", body=no_url, content_type="application/json; charset=utf-8"
    )
    found = run(poll(GoogleNews(), plan_for(newsroom, "google-news", "en")))
    assert isinstance(found, Poll) and found.hits
    assert {h.resolution for h in found.hits} == {"by_title"}
    assert {h.url for h in found.hits} >= on_topic_urls(newsroom, "en")


def test_undecodable_and_not_on_the_site_says_why(newsroom: Newsroom) -> None:
    no_url = ')]}\'\n\n[["wrb.fr","Fbv4je",null,null,null,[3],"generic"]]'
    newsroom.misbehave(DECODE_PATH, "answer", body=no_url)
    newsroom.misbehave("/", "status", code=404)
    newsroom.misbehave("/feed.xml", "status", code=404)
    found = run(poll(GoogleNews(), plan_for(newsroom, "google-news", "ru")))
    assert isinstance(found, Poll)
    [hit] = found.hits
    assert hit.url is None and not hit.waits and hit.error_kind == "decode_failed"
    assert "no URL for this id" in (hit.reason or "") and "not found by title" in (hit.reason or "")


def test_decode_respects_robots_txt(newsroom: Newsroom) -> None:
    newsroom.set_robots(f"User-agent: *\nDisallow: {DECODE_PATH}\n")
    attempts: list[Attempt] = []
    found = run(poll(GoogleNews(), plan_for(newsroom, "google-news", "ru")), attempts=attempts)
    assert isinstance(found, Poll)
    assert newsroom.requests_for(DECODE_PATH) == [], "robots.txt said no: nothing posted"
    refused = [a for a in attempts if a.error_kind == "disallowed"]
    assert refused and refused[0].url.endswith(DECODE_PATH)


def test_the_decode_post_passes_the_address_guard() -> None:
    async def job(fetcher: PoliteFetcher) -> Poll | Refused:
        plan = build_plan(GoogleNews(), ISTANBUL, "en", endpoint="http://10.1.2.3/rss/search")
        return await GoogleNews().poll(fetcher, plan)

    from scraper.exceptions import ForbiddenAddress

    with pytest.raises(ForbiddenAddress):
        run(job)


# -- GDELT ---------------------------------------------------------------------------------------


def test_gdelt_text_errors_are_errors_in_gdelts_words(newsroom: Newsroom) -> None:
    text = sample("gdelt_error_query-parameters_2023-09.txt").decode()
    newsroom.misbehave(GDELT_PATH, "answer", body=text)
    with pytest.raises(SearchRefused, match="Make sure you don't have any spaces"):
        run(poll(Gdelt(), plan_for(newsroom, "gdelt", "en")))


def test_gdelt_refuses_what_our_translation_leaves_out(newsroom: Newsroom) -> None:
    # Sent as the user wrote it (a source's own query is not translated): GDELT says no.
    plan = build_plan(
        Gdelt(),
        ISTANBUL,
        "en",
        endpoint=newsroom.base_url + GDELT_PATH,
        query="Istanbul OR UN",
        pace=0.0,
    )
    with pytest.raises(SearchRefused, match="OR'd terms must be surrounded"):
        run(poll(Gdelt(), plan))


@pytest.fixture
def timed_room() -> Iterator[tuple[Newsroom, list[datetime]]]:
    """A newsroom whose English stories went out ten minutes apart, an hour ago."""
    base = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    clock = [base]
    room = Newsroom(clock=lambda: clock[0])
    for slug, story in room.stories.items():
        if story.lang == "en":
            room.publish(slug)
            clock[0] += timedelta(minutes=10)
    clock[0] = base + timedelta(hours=2)
    with room.start():
        yield room, clock


def test_gdelt_pages_by_time_window_when_a_page_is_full(
    timed_room: tuple[Newsroom, list[datetime]],
) -> None:
    room, clock = timed_room
    topic = TopicQuery("Istanbul OR football OR energy OR talks")
    whole = build_plan(Gdelt(), topic, "en", endpoint=room.base_url + GDELT_PATH, pace=0.0)
    everything = run(poll(Gdelt(), whole, now=clock[0], since=clock[0] - timedelta(hours=3)))
    assert isinstance(everything, Poll) and len(everything.hits) >= 5
    plan = build_plan(
        Gdelt(page_size=2), topic, "en", endpoint=room.base_url + GDELT_PATH, pace=0.0
    )
    paged = run(
        poll(
            Gdelt(page_size=2, max_pages=10),
            plan,
            now=clock[0],
            since=clock[0] - timedelta(hours=3),
        )
    )
    assert isinstance(paged, Poll)
    assert {h.url for h in paged.hits} == {h.url for h in everything.hits}
    assert len(paged.requests) >= 3
    assert "timespan=" in paged.requests[0]
    assert all("startdatetime=" in r and "enddatetime=" in r for r in paged.requests[1:])


def test_gdelt_window_starts_at_the_last_good_poll(
    timed_room: tuple[Newsroom, list[datetime]],
) -> None:
    room, clock = timed_room
    plan = build_plan(
        Gdelt(),
        TopicQuery("Istanbul OR football OR energy OR talks"),
        "en",
        endpoint=room.base_url + GDELT_PATH,
        pace=0.0,
    )
    found = run(poll(Gdelt(), plan, now=clock[0], since=clock[0] - timedelta(minutes=30)))
    assert isinstance(found, Poll)
    assert found.requests[0].endswith("&timespan=45min"), "30 min since, 15 min overlap"


def test_gdelt_pace_is_one_request_every_five_seconds(
    timed_room: tuple[Newsroom, list[datetime]],
) -> None:
    room, clock = timed_room
    time = FakeTime()
    attempts: list[Attempt] = []
    plan = build_plan(
        Gdelt(page_size=2),
        TopicQuery("Istanbul OR football OR energy OR talks"),
        "en",
        endpoint=room.base_url + GDELT_PATH,
    )  # the provider's own pace
    assert plan.pace is None

    async def two_polls(fetcher: PoliteFetcher) -> None:
        gdelt = Gdelt(page_size=2, max_pages=3)
        await gdelt.poll(fetcher, plan, since=None, now=clock[0])
        await gdelt.poll(fetcher, plan, since=None, now=clock[0])

    run(two_polls, attempts=attempts, time=time)
    starts = [a.at for a in attempts if GDELT_PATH in a.url and not a.robots]
    assert len(starts) >= 4
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 5.0, gaps


def test_feed_links_wrapped_by_a_known_redirector_are_unwrapped() -> None:
    from scraper.explore import Explorer
    from scraper.types import Link

    async def job(fetcher: PoliteFetcher) -> list[str]:
        read = Explorer(fetcher).admit(
            "https://feeds.example/rss",
            [
                Link(
                    url="https://l.facebook.com/l.php?u=https%3A%2F%2Fmeduza.io%2Fen%2Fnews%2Fa&h=x"
                ),
                Link(
                    url="http://www.bing.com/news/apiclick.aspx?ref=FexRss&url=https%3a%2f%2f"
                    "www.aa.com.tr%2fen%2fworld%2fb&c=1"
                ),
                Link(url="https://t.co/abc"),  # the target is not in the link: resolved on fetch
            ],
            [],
        )
        return [link.url for link in read.links]

    assert run(job) == [
        "https://meduza.io/en/news/a",
        "https://www.aa.com.tr/en/world/b",
        "https://t.co/abc",
    ]
