"""The newsroom itself: routes, feeds, validators, edits, misbehaviour, control and the log."""

from __future__ import annotations

import gzip
import html
import json
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib import robotparser

import feedparser
import httpx
import pytest

from newswatch.newsroom import Newsroom, RequestRecord, Story
from newswatch.newsroom.cosmetic import variant, visible
from newswatch.newsroom.faults import MODES
from newswatch.newsroom.stories import builtin_stories, heading_text, is_subheading

SEED = "envoys-arrive-istanbul-second-meeting"
RU = "vtoroy-raund-peregovorov-v-stambule"
HERALD = "istanbul-talks-delegations-swap-rival-peace-memorandums"
FOOTBALL = "harbourside-rovers-win-cup-on-penalties"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

_BODY = re.compile(
    r'<div class="(?:article-body|post-content|material__text)">(.*?)</div>', re.DOTALL
)
_BLOCK = re.compile(r"<(p|h2|h3)>(.*?)</\1>", re.DOTALL)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def client(newsroom: Newsroom) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=newsroom.base_url, timeout=5) as c:
        yield c


def blocks(page: str) -> list[str]:
    """The raw HTML of the article body's paragraphs and subheadings."""
    match = _BODY.search(page)
    assert match, "no article body found"
    return [m.group(2) for m in _BLOCK.finditer(match.group(1))]


def visible_blocks(page: str) -> list[str]:
    return [visible(html.unescape(b)) for b in blocks(page)]


def expected_blocks(story: Story) -> list[str]:
    return [visible(heading_text(e) if is_subheading(e) else e) for e in story.body]


def json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert match
    return json.loads(match.group(1))


def meta(page: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', page)
    return html.unescape(match.group(1)) if match else None


def raw_get(room: Newsroom, path: str, *, close: bool = True) -> tuple[bytes, bytes, int]:
    """GET over a bare socket: (head, body, number of recv calls that returned data)."""
    port = int(room.base_url.rsplit(":", 1)[1])
    connection = "close" if close else "keep-alive"
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {connection}\r\n\r\n"
    pieces = []
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request.encode())
        while data := sock.recv(65536):
            pieces.append(data)
    head, _, body = b"".join(pieces).partition(b"\r\n\r\n")
    return head, body, len(pieces)


def header(head: bytes, name: str) -> str | None:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.lower() == name.lower():
            return value.strip()
    return None


# --- the stories ---------------------------------------------------------------------------


def test_builtin_stories_cover_the_languages_and_shapes_we_need() -> None:
    stories = list(builtin_stories().values())
    by_lang: dict[str, list[Story]] = {}
    for s in stories:
        by_lang.setdefault(s.lang, []).append(s)
        assert 6 <= len(s.body) <= 15, s.slug
        assert s.published.tzinfo is not None
    assert len(stories) >= 8
    assert len(by_lang["en"]) >= 5 and by_lang["ru"] and by_lang["uk"] and by_lang["tr"]
    turkish = " ".join(by_lang["tr"][0].body)
    assert "İ" in turkish and "ı" in turkish
    assert "Istanbul" not in " ".join(builtin_stories()[FOOTBALL].body)
    seed = builtin_stories()[SEED]
    assert sum("Madinsky" in p for p in seed.body) == 1
    assert len(seed.paragraphs) >= 12 and any(is_subheading(p) for p in seed.body)
    assert seed.authors == () and seed.credit == "AFP"
    assert seed.path == f"/en/world/250602/25255/{SEED}.html"
    paths = {s.path for s in stories}
    assert len(paths) == len(stories)
    assert any(p.startswith("/ru/politics/") for p in paths)
    assert any(re.match(r"^/tr/dunya/[a-z-]+-\d{6}$", p) for p in paths)


def test_story_rejects_naive_dates_and_bad_slugs() -> None:
    good = builtin_stories()[HERALD]
    with pytest.raises(ValueError, match="aware"):
        Story(**{**good.__dict__, "published": datetime(2025, 6, 2)})
    with pytest.raises(ValueError, match="slug"):
        Story(**{**good.__dict__, "slug": "Not A Slug"})


# --- routes ----------------------------------------------------------------------------------


def test_index_links_published_articles_newest_first(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    page = client.get("/").text
    links = re.findall(r'<li lang="\w+"><a href="([^"]+)"', page)
    stories = sorted(builtin_stories().values(), key=lambda s: s.published, reverse=True)
    assert links == [s.path for s in stories]


def test_unpublished_newsroom_serves_nothing_until_publish() -> None:
    with Newsroom().start() as room, httpx.Client(base_url=room.base_url) as c:
        assert c.get(room.path_of(HERALD)).status_code == 404
        assert feedparser.parse(c.get("/feed.xml").content).entries == []
        assert room.publish(HERALD) == HERALD
        assert c.get(room.url_of(HERALD)).status_code == 200
        assert len(feedparser.parse(c.get("/feed.xml").content).entries) == 1


def test_rss_and_atom_parse_and_list_live_articles(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    rss = feedparser.parse(client.get("/feed.xml").content)
    atom = feedparser.parse(client.get("/atom.xml").content)
    assert not rss.bozo and not atom.bozo
    assert rss.version == "rss20" and atom.version == "atom10"
    story = builtin_stories()[HERALD]
    for feed in (rss, atom):
        assert len(feed.entries) == len(builtin_stories())
        entry = next(e for e in feed.entries if e.link == newsroom.url_of(HERALD))
        assert entry.title == story.title
        assert entry.summary == story.subtitle
        assert [a.name for a in entry.authors] == list(story.authors)
    rss_entry = next(e for e in rss.entries if e.link == newsroom.url_of(HERALD))
    assert rss_entry.id == newsroom.url_of(HERALD)
    assert parsedate_to_datetime(rss_entry.published) == story.published
    assert all("updated" in e for e in atom.entries)


def test_sitemaps_and_robots(newsroom: Newsroom, client: httpx.Client) -> None:
    urlset = ET.fromstring(client.get("/sitemap.xml").content)
    locs = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in urlset}
    assert set(locs) == {newsroom.url_of(s) for s in builtin_stories()}
    assert all(datetime.fromisoformat(v) for v in locs.values())

    news = ET.fromstring(client.get("/sitemap-news.xml").content)
    ns = "{http://www.google.com/schemas/sitemap-news/0.9}"
    titles = {u.findtext(f"{SM}loc"): u.findtext(f"{ns}news/{ns}title") for u in news}
    assert titles[newsroom.url_of(RU)] == builtin_stories()[RU].title
    assert all(u.findtext(f"{ns}news/{ns}publication_date") for u in news)

    index = ET.fromstring(client.get("/sitemap-index.xml").content)
    assert index.tag == f"{SM}sitemapindex"

    robots = client.get("/robots.txt")
    assert robots.headers["content-type"].startswith("text/plain")
    parser = robotparser.RobotFileParser()
    parser.parse(robots.text.splitlines())
    assert parser.can_fetch("newswatch", newsroom.url_of(SEED))
    assert parser.site_maps() == [
        f"{newsroom.base_url}/sitemap.xml",
        f"{newsroom.base_url}/sitemap-news.xml",
    ]
    newsroom.set_robots("User-agent: *\nDisallow: /ru/\n")
    assert "Disallow: /ru/" in client.get("/robots.txt").text


def test_unknown_path_is_404_and_images_are_served(client: httpx.Client) -> None:
    assert client.get("/nowhere.html").status_code == 404
    image = client.get("/media/2025/06/delegations-arrive-istanbul.png")
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


# --- article pages -------------------------------------------------------------------------


@pytest.mark.parametrize("slug", list(builtin_stories()))
def test_article_page_is_built_like_a_news_page(
    newsroom: Newsroom, client: httpx.Client, slug: str
) -> None:
    story = builtin_stories()[slug]
    response = client.get(newsroom.path_of(slug))
    page = response.text
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert f'<html lang="{story.lang}">' in page
    assert re.search(rf"<title>{re.escape(html.escape(story.title, False))} \| .+</title>", page)
    assert f'<link rel="canonical" href="{newsroom.url_of(slug)}">' in page
    assert meta(page, "og:title") == story.title
    assert meta(page, "og:description") == story.subtitle
    assert meta(page, "og:image") == newsroom.base_url + story.image
    assert meta(page, "og:site_name")
    assert meta(page, "article:published_time") == story.published.isoformat()
    assert meta(page, "article:section") == story.section
    assert meta(page, "author") == (", ".join(story.authors) or None)
    data = json_ld(page)
    assert data["@type"] == "NewsArticle" and data["headline"] == story.title
    assert data["datePublished"] == story.published.isoformat()
    assert [a["name"] for a in data.get("author", [])] == list(story.authors)
    assert data["publisher"]["name"] == meta(page, "og:site_name")
    assert "<h1" in page and html.escape(story.title, False) in page
    assert f'<time datetime="{story.published.isoformat()}">' in page
    assert "<figure" in page and "<figcaption>" in page and story.credit in page
    assert "Facebook" in page and "Telegram" in page and 'class="cookie-banner"' in page
    assert 'class="newsletter"' in page and 'class="related"' in page
    assert visible_blocks(page) == expected_blocks(story)


def test_english_boilerplate_and_byline(newsroom: Newsroom, client: httpx.Client) -> None:
    page = client.get(newsroom.path_of(HERALD)).text
    for words in ("Share this article", "Sign up for our newsletter", "We use cookies", "Accept"):
        assert words in page
    assert "By Eleanor Whitcombe and Tomasz Rybak" in page
    assert re.search(r"Updated \d+ (minute|hour|day)s? ago", page)


def test_seed_shaped_page_has_the_voz_quirks(newsroom: Newsroom, client: httpx.Client) -> None:
    story = builtin_stories()[SEED]
    page = client.get(newsroom.path_of(SEED)).text
    text = re.sub(r"<[^>]+>", "", page.split("<body", 1)[1])
    assert "Voza media US Voza.us" in text
    assert text.count(story.caption) >= 2
    assert story.caption + "AFP" in text  # the credit glued to the caption
    assert re.search(r"Published by\s*\n", text)
    assert text.rstrip().endswith("tracking")
    assert "author" not in json_ld(page)
    assert sum("Madinsky" in b for b in blocks(page)) == 1


def test_page_noise_changes_on_every_request_but_etag_does_not(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    first, second = (client.get(newsroom.path_of(HERALD)) for _ in range(2))
    assert first.content != second.content
    assert first.headers["etag"] == second.headers["etag"]
    updated = re.compile(r'<p class="updated">(.*?)</p>')
    assert updated.search(first.text).group(1) != updated.search(second.text).group(1)
    related = re.compile(r'<aside class="related">(.*?)</aside>', re.DOTALL)
    links_1 = re.findall(r'href="([^"]+)"', related.search(first.text).group(1))
    links_2 = re.findall(r'href="([^"]+)"', related.search(second.text).group(1))
    assert links_1 != links_2 and sorted(links_1) == sorted(links_2)
    assert blocks(first.text) == blocks(second.text)


def test_updated_line_follows_the_clock() -> None:
    clock = FakeClock(datetime(2025, 6, 2, 18, 0, tzinfo=UTC))
    with Newsroom.with_articles(clock=clock).start() as room, httpx.Client() as c:
        assert "Updated 35 minutes ago" in c.get(room.url_of(SEED)).text
        room.edit(SEED, "Madinsky", "Medinsky")
        assert "Updated just now" in c.get(room.url_of(SEED)).text
        clock.now += timedelta(minutes=6)
        assert "Updated 5 minutes ago" in c.get(room.url_of(SEED)).text
        clock.now += timedelta(hours=3)
        assert "Updated 3 hours ago" in c.get(room.url_of(SEED)).text
        assert "Обновлено 541" not in c.get(room.url_of(RU)).text  # the fake clock, not today


# --- validators ----------------------------------------------------------------------------


def test_etag_and_last_modified_give_304(newsroom: Newsroom, client: httpx.Client) -> None:
    path = newsroom.path_of(HERALD)
    first = client.get(path)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    by_etag = client.get(path, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag.headers["etag"] == etag
    by_date = client.get(path, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    for listing in ("/feed.xml", "/atom.xml", "/sitemap.xml", "/sitemap-news.xml", "/"):
        tag = client.get(listing).headers["etag"]
        assert client.get(listing, headers={"If-None-Match": tag}).status_code == 304


def test_validators_can_be_switched_off(newsroom: Newsroom, client: httpx.Client) -> None:
    etag = client.get(newsroom.path_of(HERALD)).headers["etag"]
    newsroom.set_validators(False)
    response = client.get(newsroom.path_of(HERALD), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "etag" not in response.headers and "last-modified" not in response.headers
    assert "etag" not in client.get("/feed.xml").headers


def test_edit_changes_text_etag_and_modified_time(newsroom: Newsroom, client: httpx.Client) -> None:
    path = newsroom.path_of(SEED)
    before = client.get(path)
    feed_tag = client.get("/atom.xml").headers["etag"]
    newsroom.edit(SEED, "Madinsky", "Medinsky")
    after = client.get(path, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert "Madinsky" not in after.text and "Vladimir Medinsky told journalists" in after.text
    assert newsroom.article(SEED).revision == 2
    assert newsroom.story(SEED).body != builtin_stories()[SEED].body
    modified = datetime.fromisoformat(json_ld(after.text)["dateModified"])
    assert modified > builtin_stories()[SEED].published
    assert meta(after.text, "article:modified_time") == modified.isoformat()
    ims = client.get(path, headers={"If-Modified-Since": before.headers["last-modified"]})
    assert ims.status_code == 200
    assert client.get("/atom.xml", headers={"If-None-Match": feed_tag}).status_code == 200
    with pytest.raises(ValueError, match="does not occur"):
        newsroom.edit(SEED, "Madinsky", "Medinsky")


def test_two_edits_in_one_second_still_defeat_if_modified_since() -> None:
    clock = FakeClock(datetime(2025, 6, 3, 12, 0, tzinfo=UTC))  # frozen: no time passes
    with Newsroom.with_articles(clock=clock).start() as room, httpx.Client() as c:
        room.edit(HERALD, "Monday", "Monday afternoon")
        seen = c.get(room.url_of(HERALD)).headers["last-modified"]
        room.edit(HERALD, "afternoon", "evening")
        response = c.get(room.url_of(HERALD), headers={"If-Modified-Since": seen})
        assert response.status_code == 200 and "Monday evening" in response.text


def test_retitle_changes_title_everywhere(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.retitle(HERALD, "Istanbul talks end with rival memorandums and a prisoner deal")
    page = client.get(newsroom.path_of(HERALD)).text
    assert "<title>Istanbul talks end with rival memorandums and a prisoner deal |" in page
    assert json_ld(page)["headline"].startswith("Istanbul talks end")
    feed = feedparser.parse(client.get("/feed.xml").content)
    assert any(e.title.startswith("Istanbul talks end") for e in feed.entries)


def test_touch_changes_bytes_not_visible_text(newsroom: Newsroom, client: httpx.Client) -> None:
    path = newsroom.path_of(SEED)
    before = client.get(path)
    modified = json_ld(before.text)["dateModified"]
    seen = {tuple(blocks(before.text))}
    for _ in range(3):
        newsroom.touch(SEED)
        after = client.get(path, headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
        assert visible_blocks(after.text) == visible_blocks(before.text)
        assert json_ld(after.text)["dateModified"] == modified
        seen.add(tuple(blocks(after.text)))
    assert len(seen) == 4  # every touch gave different paragraph bytes
    assert any("\u00a0" in b or "\u201c" in b for b in blocks(after.text))


def test_delete_answers_410_or_404_and_leaves_listings(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    newsroom.delete(HERALD)
    newsroom.delete(RU, status=404)
    assert client.get(newsroom.path_of(HERALD)).status_code == 410
    assert client.get(newsroom.path_of(RU)).status_code == 404
    links = {e.link for e in feedparser.parse(client.get("/feed.xml").content).entries}
    assert newsroom.url_of(HERALD) not in links and newsroom.url_of(SEED) in links
    assert newsroom.url_of(RU) not in client.get("/sitemap.xml").text
    assert newsroom.path_of(HERALD) not in client.get("/").text
    with pytest.raises(ValueError):
        newsroom.delete(SEED, status=500)
    newsroom.publish(HERALD)
    assert client.get(newsroom.path_of(HERALD)).status_code == 200


def test_publish_a_custom_story(newsroom: Newsroom, client: httpx.Client) -> None:
    story = Story(
        slug="custom-story",
        lang="en",
        section="World",
        title="A custom story",
        subtitle="Written by a test.",
        authors=("Test Writer",),
        published=datetime(2025, 6, 4, 10, 0, tzinfo=UTC),
        body=("First paragraph.", "## A heading", "Second paragraph."),
        path_style="/custom/{yymmdd}/{slug}",
    )
    assert newsroom.publish(story) == "custom-story"
    assert newsroom.url_of("custom-story").endswith("/custom/250604/custom-story")
    page = client.get(newsroom.path_of("custom-story")).text
    assert visible_blocks(page) == ["First paragraph.", "A heading", "Second paragraph."]
    assert story.body_text == "First paragraph.\nA heading\nSecond paragraph."


# --- misbehaviour --------------------------------------------------------------------------


def test_registry_has_every_mode_and_rejects_unknown_ones(newsroom: Newsroom) -> None:
    required = {
        "status", "slow", "drip", "redirect_loop", "redirect_chain", "redirect_scheme", "huge",
        "gzip_bomb", "wrong_charset", "invalid_utf8", "truncated", "octet_stream", "empty",
        "garbage", "not_html", "malformed_xml", "xml_bomb", "sitemap_self_index", "churn",
        "flood", "long_title",
    }  # fmt: skip
    assert required <= set(MODES)
    with pytest.raises(ValueError, match="allowed: .*status"):
        newsroom.misbehave("/feed.xml", "explode")
    with pytest.raises(ValueError, match="options are: code, retry_after"):
        newsroom.misbehave("/feed.xml", "status", colour="red")
    with pytest.raises(KeyError):
        newsroom.misbehave("no-such-slug", "empty")


@pytest.mark.parametrize("code", [403, 429, 500, 502, 503])
def test_status_codes(newsroom: Newsroom, client: httpx.Client, code: int) -> None:
    newsroom.misbehave(HERALD, "status", code=code)
    assert client.get(newsroom.path_of(HERALD)).status_code == code


def test_status_with_retry_after_seconds_and_date(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave("/feed.xml", "status", code=429, retry_after=120)
    response = client.get("/feed.xml")
    assert response.status_code == 429 and response.headers["retry-after"] == "120"
    when = datetime(2025, 6, 2, 18, 0, tzinfo=UTC)
    newsroom.misbehave("/feed.xml", "status", code=503, retry_after=when)
    response = client.get("/feed.xml")
    assert parsedate_to_datetime(response.headers["retry-after"]) == when


def test_times_limits_and_behave_restores(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave("/feed.xml", "status", times=2)
    assert [client.get("/feed.xml").status_code for _ in range(3)] == [503, 503, 200]
    newsroom.misbehave(SEED, "empty")
    newsroom.misbehave("/atom.xml", "empty")
    assert newsroom.misbehaviours() == {newsroom.path_of(SEED): "empty", "/atom.xml": "empty"}
    newsroom.behave(SEED)
    assert client.get(newsroom.path_of(SEED)).content != b""
    newsroom.behave()
    assert client.get("/atom.xml").content != b""


def test_slow_delays_the_headers(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave("/robots.txt", "slow", seconds=30)  # stop() wakes it up
    with pytest.raises(httpx.ReadTimeout):
        client.get("/robots.txt", timeout=httpx.Timeout(5, read=0.2))


def test_drip_sends_the_body_in_pieces(newsroom: Newsroom, client: httpx.Client) -> None:
    whole = client.get("/robots.txt").content
    newsroom.misbehave("/robots.txt", "drip", chunk=20, interval=0.03)
    head, body, pieces = raw_get(newsroom, "/robots.txt")
    assert body == whole
    assert pieces >= 3
    assert client.get("/robots.txt").content == whole


def test_redirect_loop(newsroom: Newsroom, client: httpx.Client) -> None:
    path = newsroom.path_of(HERALD)
    newsroom.misbehave(HERALD, "redirect_loop")
    first = client.get(path)
    assert first.status_code == 302 and first.headers["location"].endswith(f"{path}?_loop=1")
    second = client.get(first.headers["location"])
    assert second.headers["location"] == newsroom.url_of(HERALD)
    with pytest.raises(httpx.TooManyRedirects):
        client.get(path, follow_redirects=True)


def test_redirect_chain_and_single_redirect(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave(HERALD, "redirect_chain", hops=3)
    response = client.get(newsroom.path_of(HERALD), follow_redirects=True)
    assert response.status_code == 200 and len(response.history) == 3
    assert builtin_stories()[HERALD].title in html.unescape(response.text)
    newsroom.misbehave(HERALD, "redirect", to=newsroom.path_of(SEED))
    moved = client.get(newsroom.path_of(HERALD))
    assert moved.status_code == 301 and moved.headers["location"] == newsroom.url_of(SEED)


def test_redirect_scheme(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave(HERALD, "redirect_scheme")
    response = client.get(newsroom.path_of(HERALD))
    assert response.is_redirect and response.headers["location"].startswith("ftp://127.0.0.1")


def test_huge_with_and_without_length(newsroom: Newsroom, client: httpx.Client) -> None:
    size = 2 * 1024 * 1024
    newsroom.misbehave("/big", "huge", size=size)
    response = client.get("/big")
    assert int(response.headers["content-length"]) == size and len(response.content) == size
    newsroom.misbehave("/big", "huge", size=size, length=False)
    response = client.get("/big")
    assert "content-length" not in response.headers and len(response.content) == size


def test_gzip_bomb_is_small_on_the_wire(newsroom: Newsroom, client: httpx.Client) -> None:
    size = 8 * 1024 * 1024
    newsroom.misbehave(SEED, "gzip_bomb", size=size)
    with client.stream("GET", newsroom.path_of(SEED)) as response:
        assert response.headers["content-encoding"] == "gzip"
        wire = b"".join(response.iter_raw())
    assert len(wire) < 64 * 1024
    assert len(gzip.decompress(wire)) == size


@pytest.mark.skipif("brotli_bomb" not in MODES, reason="the brotli module is not installed")
def test_brotli_bomb(newsroom: Newsroom, client: httpx.Client) -> None:  # pragma: no cover
    newsroom.misbehave(SEED, "brotli_bomb", size=1024 * 1024)
    with client.stream("GET", newsroom.path_of(SEED)) as response:
        assert response.headers["content-encoding"] == "br"
        assert len(b"".join(response.iter_raw())) < 16 * 1024


def test_wrong_charset(newsroom: Newsroom, client: httpx.Client) -> None:
    title = builtin_stories()[RU].title
    newsroom.misbehave(RU, "wrong_charset")
    response = client.get(newsroom.path_of(RU))
    assert response.headers["content-type"] == "text/html; charset=ISO-8859-1"
    assert title in response.content.decode("utf-8")
    assert title not in response.text  # decoded as declared: mojibake
    assert '<meta charset="utf-8">' in response.content.decode("utf-8")
    newsroom.misbehave(RU, "wrong_charset", meta=True)
    assert b'<meta charset="ISO-8859-1">' in client.get(newsroom.path_of(RU)).content
    newsroom.misbehave(RU, "wrong_charset", charset="hex", meta=True, encode_as="cp1251")
    response = client.get(newsroom.path_of(RU))
    assert response.headers["content-type"] == "text/html; charset=hex"
    assert b'<meta charset="hex">' in response.content
    assert title in response.content.decode("cp1251")
    newsroom.misbehave("/feed.xml", "wrong_charset", charset="rot13", meta=True)
    response = client.get("/feed.xml")
    assert response.headers["content-type"] == "application/rss+xml; charset=rot13"
    assert response.content.startswith(b'<?xml version="1.0" encoding="rot13"?>')


def test_invalid_utf8(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave(RU, "invalid_utf8")
    body = client.get(newsroom.path_of(RU)).content
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_truncated_closes_before_content_length(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave(HERALD, "truncated")
    head, body, _ = raw_get(newsroom, newsroom.path_of(HERALD), close=False)
    declared = int(header(head, "Content-Length") or 0)
    assert 0 < len(body) < declared  # and recv() saw EOF: the server closed early
    with pytest.raises(httpx.RemoteProtocolError):
        client.get(newsroom.path_of(HERALD))


def test_octet_stream_empty_and_garbage(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave(HERALD, "octet_stream")
    response = client.get(newsroom.path_of(HERALD))
    assert response.headers["content-type"] == "application/octet-stream"
    assert b"<!DOCTYPE html>" in response.content
    newsroom.misbehave(HERALD, "empty")
    response = client.get(newsroom.path_of(HERALD))
    assert response.status_code == 200 and response.content == b""
    newsroom.misbehave(HERALD, "garbage", size=1000, seed=7)
    first, second = (client.get(newsroom.path_of(HERALD)) for _ in range(2))
    assert first.headers["content-type"].startswith("text/html")
    assert len(first.content) == 1000 and first.content == second.content
    assert b"<html" not in first.content


def test_not_html(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave(HERALD, "not_html")
    response = client.get(newsroom.path_of(HERALD))
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    newsroom.misbehave(HERALD, "not_html", kind="png", content_type="text/html")
    response = client.get(newsroom.path_of(HERALD))
    assert response.headers["content-type"] == "text/html"
    assert response.content.startswith(b"\x89PNG")


def test_malformed_xml(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave("/feed.xml", "malformed_xml")
    assert feedparser.parse(client.get("/feed.xml").content).bozo
    newsroom.misbehave("/sitemap.xml", "malformed_xml")
    with pytest.raises(ET.ParseError):
        ET.fromstring(client.get("/sitemap.xml").content)


def test_xml_bomb(newsroom: Newsroom, client: httpx.Client) -> None:
    # Never parsed here: the point is that a careless parser would expand it to gigabytes.
    newsroom.misbehave("/feed.xml", "xml_bomb")
    newsroom.misbehave("/sitemap.xml", "xml_bomb", depth=5)
    feed, sitemap = client.get("/feed.xml"), client.get("/sitemap.xml")
    assert "<!ENTITY lol9" in feed.text and "<title>&lol9;</title>" in feed.text
    assert len(feed.content) < 4096
    assert "<!DOCTYPE urlset" in sitemap.text and "&lol4;" in sitemap.text


def test_sitemap_self_index(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave("/sitemap.xml", "sitemap_self_index")
    root = ET.fromstring(client.get("/sitemap.xml").content)
    assert root.tag == f"{SM}sitemapindex"
    assert [e.text for e in root.iter(f"{SM}loc")] == [f"{newsroom.base_url}/sitemap.xml"]


def test_churn_changes_the_text_on_every_visit_and_never_answers_304(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    etag = client.get(newsroom.path_of(SEED)).headers["etag"]
    newsroom.misbehave(SEED, "churn")
    first = client.get(newsroom.path_of(SEED), headers={"If-None-Match": etag})
    second = client.get(newsroom.path_of(SEED), headers={"If-None-Match": etag})
    assert (first.status_code, second.status_code) == (200, 200)
    assert "etag" not in first.headers and "last-modified" not in first.headers
    one, two = visible_blocks(first.text), visible_blocks(second.text)
    assert one != two and one[1:] == two[1:] == expected_blocks(newsroom.story(SEED))
    assert "running count" in one[0]


def test_flood_names_fresh_links_on_every_fetch(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave("/feed.xml", "flood", links=2000)
    newsroom.misbehave("/", "flood", links=1500, hosts=300)
    first = [e.link for e in feedparser.parse(client.get("/feed.xml").content).entries]
    second = [e.link for e in feedparser.parse(client.get("/feed.xml").content).entries]
    assert len(first) == len(set(first)) == 2000 and set(first).isdisjoint(second)
    assert all(url.startswith(newsroom.base_url + "/news/") for url in first)
    listing = client.get("/").text
    hosts = set(re.findall(r'href="http://(h\d+\.invalid)/', listing))
    assert len(hosts) == 300 and listing.count("<a href=") == 1500


def test_long_title_is_megabytes_long_and_ends_differently_each_visit(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    newsroom.misbehave(SEED, "long_title", size=100_000)
    first, second = client.get(newsroom.path_of(SEED)).text, client.get(newsroom.path_of(SEED)).text
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", first, re.S)
    assert h1 is not None and len(h1.group(1)) == 100_000
    assert json_ld(first)["headline"] == h1.group(1) == meta(first, "og:title")
    assert h1.group(1).endswith(" visit 1") and " visit 2</h1>" in second
    assert visible_blocks(first) == expected_blocks(newsroom.story(SEED))


# --- control interface ---------------------------------------------------------------------


def test_control_interface_mirrors_the_api(newsroom: Newsroom, client: httpx.Client) -> None:
    def post(action: str, **payload: object) -> httpx.Response:
        return client.post(f"/_control/{action}", json=payload)

    edited = post("edit", slug=SEED, old="Madinsky", new="Medinsky")
    assert edited.status_code == 200 and edited.json()["revision"] == 2
    assert "Madinsky" not in client.get(newsroom.path_of(SEED)).text
    assert post("retitle", slug=HERALD, title="New headline").json()["title"] == "New headline"
    assert post("touch", slug=HERALD).json()["revision"] == 3
    assert post("delete", slug=RU, status=404).json()["gone"] == 404
    assert client.get(newsroom.path_of(RU)).status_code == 404
    assert post("publish", slug=RU).json()["urls"] == [newsroom.url_of(RU)]
    assert client.get(newsroom.path_of(RU)).status_code == 200

    misbehaving = post("misbehave", target="/feed.xml", mode="status", opts={"code": 502})
    assert misbehaving.json()["misbehaving"] == {"/feed.xml": "status"}
    assert client.get("/feed.xml").status_code == 502
    assert post("behave", target="/feed.xml").json()["misbehaving"] == {}
    assert client.get("/feed.xml").status_code == 200
    assert post("validators", enabled=False).status_code == 200
    assert "etag" not in client.get("/feed.xml").headers

    state = client.get("/_control/state").json()
    assert {a["slug"] for a in state["articles"]} == set(builtin_stories())


def test_control_interface_reports_bad_requests(client: httpx.Client) -> None:
    assert client.post("/_control/edit", json={"slug": SEED}).json() == {
        "ok": False,
        "error": "missing field 'old'",
    }
    bad_mode = client.post("/_control/misbehave", json={"target": "/", "mode": "nope"})
    assert bad_mode.status_code == 400 and "allowed" in bad_mode.json()["error"]
    assert (
        client.post("/_control/edit", json={"slug": "nope", "old": "a", "new": "b"}).status_code
        == 400
    )
    assert client.post("/_control/explode", json={}).status_code == 404
    assert client.post("/_control/edit", content=b"[1, 2]").status_code == 400
    assert client.put("/_control/edit", json={}).status_code == 405


def test_control_publish_a_story_from_json() -> None:
    with Newsroom().start() as room, httpx.Client(base_url=room.base_url) as c:
        story = {
            "slug": "from-json",
            "lang": "en",
            "section": "World",
            "title": "From JSON",
            "subtitle": "Posted to the control interface.",
            "authors": ["A Writer"],
            "published": "2025-06-05T08:00:00+00:00",
            "body": ["One.", "Two.", "Three."],
        }
        assert c.post("/_control/publish", json={"story": story}).status_code == 200
        assert c.get("/2025/06/05/from-json.html").status_code == 200
        assert c.post("/_control/publish", json={"all": True}).json()["ok"]
        assert len(c.get("/_control/state").json()["articles"]) == len(builtin_stories()) + 1


# --- request log, lifecycle ----------------------------------------------------------------


def test_request_log(newsroom: Newsroom, client: httpx.Client) -> None:
    newsroom.misbehave("/feed.xml", "status", code=503)
    client.get("/feed.xml", headers={"User-Agent": "newswatch-test/1.0", "X-Trace": "abc"})
    client.head(newsroom.path_of(SEED))
    client.get(newsroom.path_of(SEED) + "?utm_source=x")
    client.get("/_control/state")  # control traffic is not logged
    log = newsroom.requests
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "/feed.xml", 503),
        ("HEAD", newsroom.path_of(SEED), 200),
        ("GET", newsroom.path_of(SEED) + "?utm_source=x", 200),
    ]
    assert isinstance(log[0], RequestRecord)
    assert log[0].headers["user-agent"] == "newswatch-test/1.0"
    assert log[0].headers["x-trace"] == "abc"
    assert log[0].time <= log[1].time <= log[2].time
    assert len(newsroom.requests_for(SEED)) == 2
    newsroom.clear_requests()
    assert newsroom.requests == []


def test_head_has_headers_but_no_body(newsroom: Newsroom, client: httpx.Client) -> None:
    response = client.head(newsroom.path_of(SEED))
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 1000


def test_only_loopback_and_stop_with_open_connections() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Newsroom().start(host="0.0.0.0")
    room = Newsroom.with_articles().start()
    client = httpx.Client(base_url=room.base_url)
    try:
        assert client.get("/").status_code == 200  # leaves a keep-alive connection open
        room.stop()  # must not wait for the idle connection
        with pytest.raises(httpx.TransportError):
            client.get("/")
    finally:
        client.close()
        room.stop()
    with Newsroom() as again:  # a context manager starts it too
        assert again.base_url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("touches", range(1, 7))
def test_every_cosmetic_variant_keeps_every_story_visible_text(touches: int) -> None:
    for story in builtin_stories().values():
        for paragraph in story.paragraphs:
            assert visible(variant(paragraph, touches)) == visible(paragraph)


def test_stories_lists_current_texts(newsroom: Newsroom) -> None:
    assert list(newsroom.stories) == newsroom.slugs() == list(builtin_stories())
    newsroom.edit(SEED, "Madinsky", "Medinsky")
    assert not any("Madinsky" in p for p in newsroom.stories[SEED].body)
