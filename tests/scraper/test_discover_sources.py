"""Discovery beyond one document: JSON Feed, autodiscovery, gzipped and nested sitemaps,
robots.txt sitemaps, listing rules, unsafe XML, news-search URLs, article identity."""

from __future__ import annotations

import asyncio
import gzip
import json
from datetime import UTC, datetime

import pytest

from newswatch.newsroom import Newsroom
from scraper import Page, SitemapLoop, UnsafeDocument
from scraper.discover import ListingRules, discover, feed_links, read
from scraper.explore import Explorer
from scraper.fetch import Fetcher, build_client
from scraper.polite import PoliteFetcher, Refused
from scraper.search import search_feed_urls, search_query
from scraper.throttle import Throttle, ThrottleSettings
from scraper.topic import TopicQuery
from scraper.urls import article_identity, canonicalize_url, is_amp
from tests.loopback import LOOPBACK


def page(
    body: bytes | str,
    *,
    url: str = "https://news.example/feed",
    content_type: str = "application/xml",
) -> Page:
    raw = body.encode() if isinstance(body, str) else body
    return Page(
        url=url,
        final_url=url,
        status=200,
        headers={},
        body=raw,
        content_type=content_type,
        elapsed=0.0,
    )


def published(room: Newsroom) -> set[str]:
    return {canonicalize_url(room.url_of(slug)) for slug in room.slugs()}


def explore(room: Newsroom, url: str, kind: str) -> object:
    async def go() -> object:
        async with build_client(policy=LOOPBACK) as client:
            fetcher = PoliteFetcher(
                Fetcher(client),
                throttle=Throttle(ThrottleSettings(delay=0)),
                user_agent="newswatch/0.1",
            )
            explorer = Explorer(fetcher)
            if kind == "site":
                return await explorer.read_site(url)
            first = await fetcher.fetch(url)
            assert not isinstance(first, Refused)
            return await explorer.read(first, kind)

    return asyncio.run(go())


def test_json_feed_by_content_type_and_by_sniffing() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "News",
        "items": [
            {
                "id": "1",
                "url": "/a/one-two-three?utm_source=x",
                "title": "One",
                "date_published": "2025-06-02T10:00:00Z",
                "date_modified": "2025-06-02T12:00:00+02:00",
            },
            {"id": "https://news.example/b", "title": "Two"},
            {"id": "3", "external_url": "https://other.example/c"},
            "junk",
        ],
    }
    for content_type in ("application/feed+json", "text/plain"):
        links = discover(page(json.dumps(feed), content_type=content_type), "feed")
        assert [link.url for link in links] == [
            "https://news.example/a/one-two-three",
            "https://news.example/b",
            "https://other.example/c",
        ]
        assert links[0].published == datetime(2025, 6, 2, 10, tzinfo=UTC)
        assert links[0].updated == datetime(2025, 6, 2, 10, tzinfo=UTC)


def test_feed_autodiscovery_on_a_page(newsroom: Newsroom) -> None:
    result = explore(newsroom, newsroom.base_url + "/", "page")
    assert {link.url for link in result.links} == published(newsroom)  # type: ignore[attr-defined]
    assert newsroom.requests_for("/feed.xml") and newsroom.requests_for("/atom.xml")
    html = (
        '<html><head><link rel="alternate" type="application/feed+json" href="/f.json">'
        '<link rel="stylesheet" href="/s.css"></head></html>'
    )
    assert feed_links(page(html, content_type="text/html")) == ["https://news.example/f.json"]


def test_gzipped_sitemap_is_recognised_by_its_magic_bytes() -> None:
    xml = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://news.example/2025/06/02/a-b-c-d</loc>"
        "<lastmod>2025-06-02</lastmod></url></urlset>"
    )
    [link] = discover(
        page(
            gzip.compress(xml.encode()),
            url="https://news.example/s.xml.gz",
            content_type="application/x-gzip",
        ),
        "sitemap",
    )
    assert link.url == "https://news.example/2025/06/02/a-b-c-d"
    assert link.updated == datetime(2025, 6, 2, tzinfo=UTC)


def test_nested_sitemap_indexes_are_followed_once(newsroom: Newsroom) -> None:
    result = explore(newsroom, newsroom.base_url + "/sitemap-index.xml", "sitemap")
    assert {link.url for link in result.links} == published(newsroom)  # type: ignore[attr-defined]
    assert len(newsroom.requests_for("/sitemap.xml")) == 1


def test_a_site_source_starts_from_the_sitemaps_in_robots_txt(newsroom: Newsroom) -> None:
    result = explore(newsroom, newsroom.base_url + "/", "site")
    links = result.links  # type: ignore[attr-defined]
    assert {link.url for link in links} == published(newsroom)
    assert any(link.title for link in links), "news sitemap titles travel with the links"
    assert newsroom.requests_for("/sitemap-news.xml")


def test_sitemap_index_pointing_only_to_itself_is_a_loop() -> None:
    xml = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://news.example/feed</loc></sitemap></sitemapindex>"
    )
    with pytest.raises(SitemapLoop):
        read(page(xml), "sitemap")


def test_feeds_with_entity_declarations_are_refused_unexpanded(newsroom: Newsroom) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<rss><channel><item><title>&b;</title><link>https://x.example/1</link></item>"
        "</channel></rss>"
    )
    with pytest.raises(UnsafeDocument):
        discover(page(bomb), "feed")
    rss091 = (
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS '
        '0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
        '<rss version="0.91"><channel><title>T</title><item><title>One</title>'
        "<link>https://news.example/one-two-three-four</link></item></channel></rss>"
    )
    assert [link.url for link in discover(page(rss091), "feed")] == [
        "https://news.example/one-two-three-four"
    ]


def test_listing_rules_match_and_select() -> None:
    html = """<html><body>
      <nav><a href="/world/2025/06/02/nav-link-to-an-article">nav</a></nav>
      <main><h3><a href="/world/2025/06/02/talks-resume-in-istanbul">Talks</a></h3>
            <h3><a href="/opinion/short">Opinion</a></h3>
            <a href="/tag/istanbul-talks-peace-process">tag</a></main>
      <a href="https://elsewhere.example/2025/06/02/a-b-c-d">other site</a>
      <a href="/about">about</a></body></html>"""
    listing = page(html, url="https://news.example/world", content_type="text/html")
    default = {link.url for link in discover(listing, "page")}
    assert default == {
        "https://news.example/world/2025/06/02/nav-link-to-an-article",
        "https://news.example/world/2025/06/02/talks-resume-in-istanbul",
    }
    selected = discover(listing, "page", ListingRules(select="main h3"))
    assert [link.url for link in selected] == [
        "https://news.example/world/2025/06/02/talks-resume-in-istanbul",
        "https://news.example/opinion/short",
    ]
    matched = discover(listing, "page", ListingRules(match=r"/opinion/|elsewhere"))
    assert {link.url for link in matched} == {
        "https://news.example/opinion/short",
        "https://elsewhere.example/2025/06/02/a-b-c-d",
    }


def test_search_query_from_the_topic_per_language() -> None:
    topic = TopicQuery('(Istanbul* OR Стамбул*) AND ("peace talks" OR переговор*) -football')
    assert search_query(topic) == '(Istanbul OR Стамбул) ("peace talks" OR переговор) -football'
    assert search_query(topic, "en") == 'Istanbul "peace talks" -football'
    assert search_query(topic, "ru") == "Стамбул переговор -football"
    assert search_query(TopicQuery("")) == ""
    [url] = search_feed_urls("https://news.google.com/rss/search", topic, ["uk"])
    assert url.startswith("https://news.google.com/rss/search?q=") and url.endswith(
        "&hl=uk&gl=UA&ceid=UA%3Auk"
    )


def test_article_identity_and_amp() -> None:
    assert (
        article_identity(
            "https://amp.news.example/amp/a-b?utm_source=x", "https://news.example/a-b"
        )
        == "https://news.example/a-b"
    )
    assert (
        article_identity("https://news.example/a", "https://wire.example/a")
        == "https://news.example/a"
    ), "a canonical on another site is a syndication partner"
    assert (
        article_identity(
            "https://news-example.cdn.ampproject.org/c/s/news.example/a", "https://news.example/a"
        )
        == "https://news.example/a"
    )
    assert article_identity("https://news.example/a?fbclid=1", None) == "https://news.example/a"
    assert is_amp("https://news.example/world/story.amp.html")
    assert is_amp("https://m.news.example/story") and not is_amp("https://news.example/story")
