"""Dates, authors, titles and decoding, one function at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scraper import extract
from scraper.extract.authors import clean_authors
from scraper.extract.dates import date_from_url, parse_date
from scraper.extract.document import decode_html
from scraper.extract.title import clean_title

EST = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-02", datetime(2025, 6, 2, tzinfo=UTC)),
        ("2025-06-02T10:00:00Z", datetime(2025, 6, 2, 10, tzinfo=UTC)),
        ("2025-06-02T10:00:00+03:00", datetime(2025, 6, 2, 7, tzinfo=UTC)),
        ("2025-06-02T10:00:00+0300", datetime(2025, 6, 2, 7, tzinfo=UTC)),
        ("2025-06-02T10:00:00.123-05:00", datetime(2025, 6, 2, 10, 0, 0, 123000, tzinfo=EST)),
        ("2025-06-02 10:00:00", datetime(2025, 6, 2, 10, tzinfo=UTC)),
        ("Mon, 02 Jun 2025 10:00:00 GMT", datetime(2025, 6, 2, 10, tzinfo=UTC)),
        ("2 June 2025", datetime(2025, 6, 2, tzinfo=UTC)),
        ("June 2, 2025 10:30 a.m. EST", datetime(2025, 6, 2, 10, 30, tzinfo=EST)),
        ("Jun. 2, 2025", datetime(2025, 6, 2, tzinfo=UTC)),
        ("Published 2 June 2025", datetime(2025, 6, 2, tzinfo=UTC)),
        ("2 июня 2025", datetime(2025, 6, 2, tzinfo=UTC)),
        ("20 сентября 2024 г.", datetime(2024, 9, 20, tzinfo=UTC)),
        ("2 червня 2025, 14:05", datetime(2025, 6, 2, 14, 5, tzinfo=UTC)),
        ("2 Haziran 2025", datetime(2025, 6, 2, tzinfo=UTC)),
        ("8 Mart 2024 Cuma", datetime(2024, 3, 8, tzinfo=UTC)),
        ("2. Juni 2025", datetime(2025, 6, 2, tzinfo=UTC)),
        ("2. März 2025, 09:12 Uhr", datetime(2025, 3, 2, 9, 12, tzinfo=UTC)),
        ("2 de junio de 2025", datetime(2025, 6, 2, tzinfo=UTC)),
        ("02.06.2025 12:44", datetime(2025, 6, 2, 12, 44, tzinfo=UTC)),
        ("06/02/2025", datetime(2025, 6, 2, tzinfo=UTC)),
        ("Updated: 19.11.2019, 14:05 MSK", datetime(2019, 11, 19, 11, 5, tzinfo=UTC)),
    ],
)
def test_parse_date(text: str, expected: datetime) -> None:
    found = parse_date(text)
    assert found == expected
    assert found is not None and found.tzinfo is not None


@pytest.mark.parametrize("text", ["", "no date here", "0001-01-01T00:00:00", "32 June 2025", None])
def test_parse_date_rejects(text: str | None) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://voz.us/en/world/250602/25255/slug.html", datetime(2025, 6, 2, tzinfo=UTC)),
        ("https://x.example/2019/11/19/slug/", datetime(2019, 11, 19, tzinfo=UTC)),
        ("https://x.example/2019-11-19-slug", datetime(2019, 11, 19, tzinfo=UTC)),
        ("https://x.example/tuft-cells-20191115/", datetime(2019, 11, 15, tzinfo=UTC)),
        ("https://x.example/news/123456/slug", None),
        ("https://x.example/news/991399/slug", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: datetime | None) -> None:
    assert date_from_url(url, now=datetime(2026, 1, 1, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    ("raw", "exclude", "expected"),
    [
        (["By Jane Doe"], [], ("Jane Doe",)),
        (["By Jane Doe and John Smith, Staff Writers"], [], ("Jane Doe", "John Smith")),
        (["Jane Doe (jane@example.com)"], [], ("Jane Doe",)),
        (["jane@example.com"], [], ()),
        (["Jane Doe | Reporter"], [], ("Jane Doe",)),
        (["Analysis by Chris Cillizza, CNN Editor-at-large"], ["CNN"], ("Chris Cillizza",)),
        (["Voz.us"], ["Voz.us"], ()),
        # A wire agency credited on its own is the author (issue 19).
        (["The Associated Press"], [], ("The Associated Press",)),
        (["Tom Krisher, AP Auto Writer"], [], ("Tom Krisher",)),
        (["Paula Steiger, SDA"], [], ("Paula Steiger", "SDA")),
        (["Victor Tangermann, Futurism"], [], ("Victor Tangermann",)),
        (["Ilana Muhlstein, MS, RDN"], [], ("Ilana Muhlstein",)),
        (["kevin-r", "admin", "kei_eno"], [], ()),
        (["PMJS - Coordenadoria de TI"], [], ()),
        (["Kolumne von Carla Siepmann"], [], ("Carla Siepmann",)),
        (
            ["Ursula von der Leyen", "Mario di Rossi"],
            [],
            ("Ursula von der Leyen", "Mario di Rossi"),
        ),
        (["Published by"], [], ()),
        (["By LISA MASCARO and ERIC TUCKERAssociated Press"], [], ("Lisa Mascaro", "Eric Tucker")),
        (["Автор: Олена Коваленко"], [], ("Олена Коваленко",)),
        (["Yazar: Ayşe Yılmaz"], [], ("Ayşe Yılmaz",)),
        (["Von Max Mustermann"], [], ("Max Mustermann",)),
        (["Jane Doe", "jane doe"], [], ("Jane Doe",)),
        (["John F. Kennedy", "Martin Truex Jr."], [], ("John F. Kennedy", "Martin Truex Jr.")),
    ],
)
def test_clean_authors(raw: list[str], exclude: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(raw, exclude) == expected


@pytest.mark.parametrize(
    ("title", "sites", "heading", "expected"),
    [
        ("Headline of the day | Voz.us", ["Voz.us"], None, "Headline of the day"),
        ("Voz - Headline of the day", ["Voz"], None, "Headline of the day"),
        (
            "Headline of the day — The Daily Planet",
            ["The Daily Planet"],
            None,
            "Headline of the day",
        ),
        (
            "A long headline about the talks in Istanbul | Planet News",
            [],
            None,
            "A long headline about the talks in Istanbul",
        ),
        ("Ukraine - Russia talks resume", [], None, "Ukraine - Russia talks resume"),
        ("Talks resume :: News desk", [], "Talks resume", "Talks resume"),
        ("Anthony Lynn: &#8220;We won&#8221;", [], None, "Anthony Lynn: “We won”"),
    ],
)
def test_clean_title(title: str, sites: list[str], heading: str | None, expected: str) -> None:
    assert clean_title(title, sites, heading) == expected


def test_decode_bom_meta_charset_and_guess() -> None:
    page = "<html><head><meta charset='windows-1251'></head><body><p>Привет</p></body></html>"
    assert "Привет" in decode_html(page.encode("cp1251"))
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>") == "<p>café</p>"
    assert "café" in decode_html("<p>café au lait, s'il vous plaît</p>".encode("latin-1"))


def test_multilingual_tokens_survive_end_to_end() -> None:
    words = [
        "Переговоры в Стамбуле завершились обменом пленными и телами погибших.",
        "İstanbul'daki görüşmelerde ılımlı bir hava vardı, Dışişleri açıklama yaptı.",
        "イスタンブールで二回目の直接交渉が行われ、捕虜の交換で合意した。",
        "双方同意交换战俘，但未能就停火达成协议，下一轮谈判预计六月举行。",
        "Українська делегація заявила, що припинення вогню є головним питанням.",
    ]
    page = (
        "<html><body><article>" + "".join(f"<p>{w}</p>" for w in words) + "</article></body></html>"
    )
    for data in (page, page.encode("utf-8"), page.encode("utf-16")):
        assert extract(data).body.split("\n") == words
