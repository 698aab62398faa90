"""Search providers' queries and answers: the topic in each provider's syntax, the real answer
formats (tests/fixtures/live), and the wrapper table."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from newswatch.config import SearchProviderName, load_settings
from scraper.exceptions import SearchRefused
from scraper.search import (
    PROVIDERS,
    UntranslatableTopic,
    build_plan,
    parse_artlist,
    parse_decode_answer,
    provider_named,
)
from scraper.search.feed import rss_items
from scraper.topic import TopicQuery
from scraper.types import Page
from scraper.wrappers import aggregator_kind, google_news_id, unwrap
from tests.live_samples import header, sample

ISTANBUL = TopicQuery(load_settings().topic.query)
EN_WORDS = (
    "(Istanbul OR İstanbul) (Russia OR Ukrain OR Rusya OR Ukrayna) (talk OR negotiat OR "
    "delegation OR peace OR müzakere OR görüşme OR heyet)"
)
CYRILLIC = (
    "Стамбул (Росси OR Украин OR Україн OR Росі) (переговор OR делегац OR перемовин OR переговори)"
)


def page_of(
    body: bytes,
    url: str = "https://provider.example/answer",
    content_type: str = "application/rss+xml",
) -> Page:
    return Page(
        url=url,
        final_url=url,
        status=200,
        headers={},
        body=body,
        content_type=content_type,
        elapsed=0.0,
    )


@pytest.mark.parametrize(
    ("provider", "language", "query"),
    [
        ("gdelt", "en", f"{EN_WORDS} sourcelang:english"),
        ("gdelt", "ru", f"{CYRILLIC} sourcelang:russian"),
        ("gdelt", "uk", f"{CYRILLIC} sourcelang:ukrainian"),
        ("gdelt", "tr", f"{EN_WORDS} sourcelang:turkish"),
        ("google-news", "en", EN_WORDS),
        ("google-news", "ru", CYRILLIC),
        ("google-news", "uk", CYRILLIC),
        ("google-news", "tr", EN_WORDS),
        ("bing-news", "en", EN_WORDS),
        ("bing-news", "ru", CYRILLIC),
        ("bing-news", "uk", CYRILLIC),
        ("bing-news", "tr", EN_WORDS),
    ],
)
def test_the_default_topic_in_each_providers_syntax(
    provider: str, language: str, query: str
) -> None:
    plan = build_plan(provider_named(provider), ISTANBUL, language)
    assert plan.query == query
    assert plan.dropped == ()


@pytest.mark.parametrize(
    ("topic", "query", "dropped"),
    [
        # GDELT refuses keywords under three letters: left out, never sent.
        (
            "Istanbul AND (UN OR talks)",
            "Istanbul talks sourcelang:english",
            ("UN: shorter than GDELT's minimum of 3 letters",),
        ),
        ('"peace talks" -football', '"peace talks" -football sourcelang:english', ()),
        # No AND group inside OR, no NOT of a group: the alternative is left out.
        (
            "Istanbul AND ((peace talks) OR negotiat*)",
            "Istanbul negotiat sourcelang:english",
            ("peace talks: GDELT takes no group inside OR",),
        ),
        (
            "Istanbul NOT (football OR cup)",
            "Istanbul sourcelang:english",
            ("NOT (football OR cup): GDELT excludes single terms only",),
        ),
    ],
)
def test_gdelt_leaves_out_what_it_cannot_take(
    topic: str, query: str, dropped: tuple[str, ...]
) -> None:
    plan = build_plan(provider_named("gdelt"), TopicQuery(topic), "en")
    assert plan.query == query
    assert plan.dropped == dropped


def test_a_topic_gdelt_cannot_search_at_all_is_a_clear_error() -> None:
    with pytest.raises(UntranslatableTopic, match="set this source's query"):
        build_plan(provider_named("gdelt"), TopicQuery("UN OR EU"), "en")


def test_the_gdelt_request_carries_artlist_json_and_date_order() -> None:
    plan = build_plan(provider_named("gdelt"), TopicQuery("Istanbul"), "tr")
    assert plan.url.startswith(
        "https://api.gdeltproject.org/api/v2/doc/doc?query=Istanbul+"
        "sourcelang%3Aturkish&mode=ArtList&format=json&maxrecords=250"
        "&sort=DateDesc"
    )


def test_config_names_every_provider() -> None:
    from typing import get_args

    assert set(get_args(SearchProviderName)) == set(PROVIDERS)


# -- answers -------------------------------------------------------------------------------------


def test_gdelt_plain_text_error_is_recognised() -> None:
    body = sample("gdelt_error_query-parameters_2023-09.txt")
    with pytest.raises(SearchRefused, match="error with one or more of your query parameters"):
        parse_artlist(page_of(body, content_type="text/html"))


def test_gdelt_artlist_read_with_its_invalid_escapes() -> None:
    assert "FORMAT DESCRIPTION ONLY" in header("gdelt_artlist_FORMAT-ONLY.json")
    hits = parse_artlist(page_of(sample("gdelt_artlist_FORMAT-ONLY.json")))
    assert [(h.url, h.language, h.outlet) for h in hits] == [
        ("https://www.interfax.ru/world/1069280", "ru", "interfax.ru"),
        (
            "https://meduza.io/news/2026/01/23/tramp-zayavil-chto-otzyvaet-priglashenie-kanady-v-"
            "sovet-mira",
            "en",
            "meduza.io",
        ),
    ]
    assert hits[0].published == datetime(2026, 1, 24, 10, 15, tzinfo=UTC)


def test_gdelt_no_results_is_an_empty_object() -> None:
    assert parse_artlist(page_of(b"{}")) == []


def test_the_decode_answer_gives_the_url_with_its_escapes_undone() -> None:
    text = sample("google-news_batchexecute_answer_FORMAT-ONLY.txt").decode()
    assert parse_decode_answer(text) == "https://www.interfax.ru/world/1069280?utm_source=google"


def test_a_decode_answer_without_a_url_is_a_failure() -> None:
    from scraper.search.google_decode import _Undecodable

    empty = ')]}\'\n\n[["wrb.fr","Fbv4je",null,null,null,[3],"generic"],["di",10]]'
    with pytest.raises(_Undecodable, match="no URL for this id"):
        parse_decode_answer(empty)
    with pytest.raises(_Undecodable, match="protocol changed"):
        parse_decode_answer(')]}\'\n\n[["di",10]]')


def test_google_news_2020_feed_items_unwrap_without_a_request() -> None:
    [item] = rss_items(page_of(sample("google-news_rss_top-stories_fr-BE_2020-03-08.xml")))
    assert item.outlet == "RTBF" and item.site == "https://www.rtbf.be"
    assert unwrap(item.link) == (
        "https://www.rtbf.be/info/societe/detail_coronavirus-en-belgique-"
        "200-cas-detectes-au-total-la-circulation-du-virus-reste-"
        "limitee?id=10450793"
    )


def test_current_google_news_ids_need_google_to_decode() -> None:
    text = sample("google-news_links_publisher-urls_ru_2026-01.csv").decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 12
    for row in rows:
        link = row["Coded Link"]
        assert google_news_id(link) is not None and google_news_id(link).startswith("CBMi")
        assert unwrap(link) is None, "an AU_yqL token is not the URL"
        assert aggregator_kind(link) == "aggregator"
        assert aggregator_kind(row["Decoded Link"]) is None


def test_bing_links_unwrap_to_the_publisher() -> None:
    items = rss_items(page_of(sample("bing-news_rss_FORMAT-ONLY.xml")))
    assert [(unwrap(i.link), i.outlet) for i in items] == [
        ("https://www.interfax.ru/world/1069280", "Interfax"),
        (
            "https://meduza.io/news/2026/01/23/tramp-zayavil-chto-otzyvaet-priglashenie-kanady-v-"
            "sovet-mira",
            "Meduza",
        ),
    ]


@pytest.mark.parametrize(
    ("link", "target", "kind"),
    [
        (
            "https://l.facebook.com/l.php?u=https%3A%2F%2Fmeduza.io%2Fen%2Fnews&h=AT0",
            "https://meduza.io/en/news",
            "redirector",
        ),
        (
            "https://www-pravda-com-ua.cdn.ampproject.org/c/s/www.pravda.com.ua/eng/news/2025/06/02/1/",
            "https://www.pravda.com.ua/eng/news/2025/06/02/1/",
            "redirector",
        ),
        (
            "https://www.google.com/url?q=https://www.aa.com.tr/en/a&sa=U",
            "https://www.aa.com.tr/en/a",
            "redirector",
        ),
        ("https://t.co/abc123", None, "redirector"),
        ("http://feedproxy.google.com/~r/Example/~3/xyz/story.html", None, "redirector"),
        ("https://consent.google.com/ml?continue=https://news.google.com/", None, "consent"),
        ("https://guce.yahoo.com/consent?brandType=nonEu", None, "consent"),
        ("https://news.google.com/topics/CAAqJgg", None, "aggregator"),
        ("https://www.reuters.com/world/europe/talks-2025-06-02/", None, None),
    ],
)
def test_the_wrapper_table(link: str, target: str | None, kind: str | None) -> None:
    assert unwrap(link) == target
    assert aggregator_kind(link) == kind


def test_terms_a_provider_cannot_take_are_said_once_at_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from newswatch.config import Settings
    from newswatch.fetching import search_plans

    settings = Settings(
        topic={"query": "Istanbul AND (UN OR talks)"},  # type: ignore[arg-type]
        sources=[
            {
                "kind": "search",
                "provider": "gdelt",  # type: ignore[list-item]
                "languages": ["en", "tr"],
            }
        ],
    )
    with caplog.at_level("WARNING"):
        plans = search_plans(settings, warn=True)
    assert [p.query for p in plans.values()] == [
        "Istanbul talks sourcelang:english",
        "Istanbul talks sourcelang:turkish",
    ]
    dropped = [r for r in caplog.records if getattr(r, "event", "") == "search_terms_dropped"]
    assert len(dropped) == 2 and "UN" in dropped[0].dropped[0]  # type: ignore[attr-defined]
