"""Discovery against the newsroom's feeds, sitemaps and index page, and bad input."""

import asyncio

import pytest

from newswatch.newsroom import Newsroom
from scraper import DiscoveryError, Page
from scraper.discover import discover, sitemap_children
from scraper.fetch import Fetcher, build_client
from scraper.urls import canonicalize_url
from tests.loopback import LOOPBACK


def fetch(url: str) -> Page:
    async def go() -> Page:
        async with build_client(policy=LOOPBACK) as client:
            return await Fetcher(client).fetch(url)

    return asyncio.run(go())


def published_urls(room: Newsroom) -> set[str]:
    return {canonicalize_url(room.url_of(slug)) for slug in room.slugs()}


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/feed.xml", "feed"),
        ("/atom.xml", "feed"),
        ("/sitemap.xml", "sitemap"),
        ("/sitemap-news.xml", "sitemap"),
        ("/", "page"),
    ],
)
def test_every_source_kind_finds_every_published_article(
    newsroom: Newsroom, path: str, kind: str
) -> None:
    links = discover(fetch(newsroom.base_url + path), kind)
    assert {link.url for link in links} == published_urls(newsroom)


def test_feed_entries_carry_titles_and_dates(newsroom: Newsroom) -> None:
    links = discover(fetch(newsroom.base_url + "/feed.xml"), "feed")
    assert all(link.title and link.published and link.published.tzinfo for link in links)


def test_news_sitemap_carries_title_and_publication_date(newsroom: Newsroom) -> None:
    links = discover(fetch(newsroom.base_url + "/sitemap-news.xml"), "sitemap")
    assert all(link.title and link.published for link in links)


def test_sitemap_index_lists_children_but_not_itself(newsroom: Newsroom) -> None:
    index = fetch(newsroom.base_url + "/sitemap-index.xml")
    children = sitemap_children(index)
    assert children and canonicalize_url(index.final_url) not in children
    newsroom.misbehave("/sitemap-index.xml", "sitemap_self_index")
    assert sitemap_children(fetch(newsroom.base_url + "/sitemap-index.xml")) == []


def test_a_cut_off_feed_yields_the_entries_that_could_be_read(newsroom: Newsroom) -> None:
    newsroom.misbehave("/feed.xml", "malformed_xml")
    links = discover(fetch(newsroom.base_url + "/feed.xml"), "feed")
    assert links, "the well-formed head of the feed is still used"
    assert {link.url for link in links} < published_urls(newsroom)


@pytest.mark.parametrize(
    ("mode", "kind"), [("garbage", "feed"), ("malformed_xml", "sitemap"), ("xml_bomb", "sitemap")]
)
def test_broken_feeds_and_sitemaps_raise_discovery_error(
    newsroom: Newsroom, mode: str, kind: str
) -> None:
    path = "/feed.xml" if kind == "feed" else "/sitemap.xml"
    newsroom.misbehave(path, mode)
    with pytest.raises(DiscoveryError) as caught:
        discover(fetch(newsroom.base_url + path), kind)
    assert caught.value.url


def test_xml_bomb_in_a_feed_does_not_expand(newsroom: Newsroom) -> None:
    newsroom.misbehave("/feed.xml", "xml_bomb")
    try:
        links = discover(fetch(newsroom.base_url + "/feed.xml"), "feed")
    except DiscoveryError:
        return
    assert all(len(link.title or "") < 10_000 for link in links)


def test_unknown_kind_is_a_clear_error(newsroom: Newsroom) -> None:
    with pytest.raises(DiscoveryError, match="allowed: article, feed, page, search, site, sitemap"):
        discover(fetch(newsroom.base_url + "/feed.xml"), "rss")
