import pytest

from scraper.urls import InvalidURL, canonicalize_url, same_site, site_host


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://WWW.Example.COM:80/a/b?b=2&a=1#section", "http://www.example.com/a/b?a=1&b=2"),
        ("https://example.com:443", "https://example.com/"),
        (
            "https://example.com/x?utm_source=tw&utm_medium=social&id=7",
            "https://example.com/x?id=7",
        ),
        ("https://example.com/x?fbclid=abc&gclid=def&ocid=x&cmpid=y", "https://example.com/x"),
        ("http://[::1]:8080/p?fbclid=1", "http://[::1]:8080/p"),
        (
            "https://example.com/ru/переговоры",
            "https://example.com/ru/%D0%BF%D0%B5%D1%80%D0%B5%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%D1%8B",
        ),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
    ],
)
def test_canonical_form(given: str, expected: str) -> None:
    assert canonicalize_url(given) == expected


def test_the_same_article_reached_five_ways_is_one_url() -> None:
    ways = [
        "https://Example.com/news/talks.html",
        "https://example.com:443/news/talks.html#comments",
        "https://example.com/news/talks.html?utm_campaign=x",
        "https://example.com/news/talks.html?fbclid=IwAR0",
        "HTTPS://EXAMPLE.COM/news/talks.html?at_medium=rss",
    ]
    assert len({canonicalize_url(way) for way in ways}) == 1


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://example.com/x",
        "mailto:a@b.c",
        "/relative/path",
        "",
        "http://user:pw@example.com/",
        "http://",
        "http://[::1",
        "https://[",
        "http://\u2100/",
    ],
)
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(InvalidURL):
        canonicalize_url(bad)


def test_outlet_and_same_site() -> None:
    assert site_host("https://www.voz.us/en/world/250602/1/x.html") == "voz.us"
    assert same_site("https://m.example.com/a", "https://www.example.com/b")
    assert not same_site("https://example.com/a", "https://example.org/a")
