"""Metadata of real dev-set pages, checked by hand against what each page shows a reader.

Titles are the visible headline, authors what the byline credits (people, wire agencies, or
the desk or publication when no person is credited), and the date is the day the page says
it was published, in the page's own time zone; a full timestamp is given where the page shows
one and its metadata agrees. The same conventions as bench/labels/aeb-dev-metadata.json,
which labels all 85 pages for the benchmark.
"""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from scraper import extract

DEV_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "aeb-dev"

pytestmark = pytest.mark.skipif(
    not (DEV_DIR / "ground-truth.json").exists(),
    reason=f"dev set not found at {DEV_DIR} (the shared benchmark folder is not checked out)",
)

# key prefix: (title, published, authors). published is "YYYY-MM-DD" (day on the page) or a
# full ISO timestamp when the page prints the time and zone.
BY_HAND: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "042bb7b5feda": (
        "Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play…and Pay",
        "2019-11-19T08:03:00-05:00",
        ("Sarah E. Needleman",),
    ),
    "08f793762792": (
        "Browns player on Mason Rudolph's role in fight with Myles Garrett: He asked for it",
        "2019-11-18T21:24:00-05:00",
        ("Bryan DeArdo",),
    ),
    "0e014df693f1": ("Hiking the Boulder Flat Irons", "2014-09-15", ("Regan",)),
    "156770d676ce": (
        "South Dakota governor doubles down on 'meth, we're on it' anti-drug campaign",
        "2019-11-19T06:56:00-05:00",
        ("Tess Bonn",),
    ),
    "232a43fb15ab": (
        "13-Inch MacBook Pro With Scissor Keyboard Expected in First Half of 2020",
        "2019-11-18",
        ("Joe Rossignol",),
    ),
    "264dc3ae3124": (
        "Zach Parise heating up, scores twice as Wild beat Sabres 4-1",
        "2019-11-19T20:59:00-06:00",
        ("Bill Hoppe",),
    ),
    "360c732d1fdb": (
        "Alibaba to raise up to $12.9bn in landmark Hong Kong listing",
        "2019-11-20",
        ("Anna Menin",),
    ),
    "432362af0be4": (
        "Chinese hunter catches bubonic plague after eating wild rabbit",
        "2019-11-18",
        ("Natalie Musumeci",),
    ),
    "51374560f400": ("Home Depot sales miss, shares plunge", "2019-11-19", ("Jonathan Garber",)),
    "5fa3154ec031": (
        "The Guardian view on Hong Kong: a city on the brink",
        "2019-11-18T18:54:00+00:00",
        ("Editorial",),  # the byline credits the paper's editorial desk
    ),
    "686bb170effe": (
        "The Weird Plumes of Jupiter's Moon Europa Are Spewing Water Vapor",
        "2019-11-18T20:51:00+00:00",
        ("Mike Wall",),
    ),
    "6a72de37e8f9": (
        "Browns’ defensive snap counts, stats, and notes: Week 11",
        "2019-11-18T11:47:00-05:00",
        ("Chris Pokorny",),
    ),
    "82b6d780c792": (
        "Unpredictable Sondland faces questions about Trump, Ukraine",
        "2019-11-20",
        ("Lisa Mascaro", "Mary Clare Jalonick", "Eric Tucker"),
    ),
    "87438a0dacbe": (
        "Dear Abby: Husband springs for business class flight to India, but leaves wife in "
        "economy seat",
        "2019-11-20T08:01:00+00:00",
        ("Abigail Van Buren",),
    ),
    "87bf60570e6e": (
        "In Prince Andrew’s dumpster-fire Epstein interview, the truth comes out",
        "2019-11-18T12:01:00-05:00",
        ("Madeline Fry",),
    ),
    "8e3efab59f48": (
        "Anthony Lynn: “We needed to win this game”",
        "2019-11-19",
        ("Michael David Smith",),
    ),
    "961bd85ca85a": (
        "CPD arrests six in drug investigation",
        "2019-11-20T01:22:00-05:00",
        ("Staff Reports",),  # a desk's credit, the only one the page gives
    ),
    "9a440270bf86": (
        "UEFA Euro 2020 qualifying: Tracking every team to clinch a spot as Wales punches ticket",
        "2019-11-19T18:46:00-05:00",
        ("Roger Gonzalez",),
    ),
    "a1fca19b884e": (
        "Taliban say they freed US, Australian hostages for 3 terrorist figures",
        "2019-11-19",
        ("Lia Eustachewich", "Yaron Steinbuch"),
    ),
    "d605bdef2cde": (
        "Investors don't seem to know what to make of the US-China trade war",
        "2019-11-19",
        ("Jill Disis",),
    ),
    "e4c6a3b48240": (
        "Why Beijing will bring slaughter to Hong Kong",
        "2019-11-18T12:26:00-05:00",
        ("Tom Rogan",),
    ),
    "e7994d550087": (
        "UK Tories under fire for Twitter name switch during debate",
        "2019-11-20",
        ("Danica Kirka", "Jill Lawless"),
    ),
    "ef4e67b66d63": (
        "Why you just can't trust the White House on Donald Trump's health",
        "2019-11-18",
        ("Chris Cillizza",),
    ),
    "85439e26c41c": ("商品の改造が商標法違反に！？", "2016-12-01", ("ライトハウス国際特許事務所",)),
    "c82b3d1d540b": (
        "53-летняя модель: «Посмотри на красотку, которая превратилась в старуху»",  # the h1
        "2018-10-11",
        ("Лида Буслаева",),
    ),
}


def _page(prefix: str) -> tuple[str, str]:
    truth = json.loads((DEV_DIR / "ground-truth.json").read_text(encoding="utf-8"))
    key = next(k for k in truth if k.startswith(prefix))
    html = gzip.decompress((DEV_DIR / "html" / f"{key}.html.gz").read_bytes())
    return html.decode("utf-8"), truth[key]["url"]


def test_table_is_big_enough() -> None:
    assert len(BY_HAND) >= 20


@pytest.mark.parametrize("prefix", sorted(BY_HAND))
def test_metadata_matches_the_page(prefix: str) -> None:
    title, published, authors = BY_HAND[prefix]
    html, url = _page(prefix)
    result = extract(html, url=url)
    assert result.title == title
    assert result.authors == authors
    assert result.published is not None and result.published.tzinfo is not None
    if "T" in published:
        # Same instant, to the minute: pages print minutes, metadata often adds seconds.
        want = datetime.fromisoformat(published)
        assert abs((result.published - want).total_seconds()) < 60
    else:
        shown = date.fromisoformat(published)
        # The day as the page tells it; metadata in UTC may already be on the next day.
        assert abs((result.published.date() - shown).days) <= 1
