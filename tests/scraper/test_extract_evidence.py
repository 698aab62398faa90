"""How title, authors, date and language are decided, and the evidence each decision leaves.

The pages are the data-driven cases in ``extract_cases/``; these tests look at the evidence
(``Extracted.evidence``) and at the pieces that weigh it, one kind of page at a time.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scraper import Evidence, extract
from scraper.extract.authors import read_credits
from scraper.extract.credits import byline_lines, wire_credit
from scraper.extract.language import choose_language, common_words_language, language_tag
from scraper.extract.published import choose_published

CASES = Path(__file__).parent / "extract_cases"


def _case(name: str) -> list[Evidence]:
    expected = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    html = (CASES / f"{name}.html").read_text(encoding="utf-8")
    return list(extract(html, url=expected.get("url")).evidence)


def _field(evidence: list[Evidence], name: str) -> list[Evidence]:
    return [item for item in evidence if item.field == name]


@pytest.mark.parametrize(
    "name", ["byline_coauthors", "utc_evening", "mislabelled_offset", "day_first_printed"]
)
def test_each_decided_field_has_one_winner_and_reasons(name: str) -> None:
    evidence = _case(name)
    for field in ("title", "authors", "published", "language"):
        rows = _field(evidence, field)
        assert sum(item.won for item in rows) == 1, (name, field, rows)
        assert all(item.note for item in rows), (name, field, rows)


def test_a_field_without_candidates_has_no_evidence() -> None:
    assert _field(_case("wrong_lang"), "authors") == []


def test_seo_title_loses_to_the_headline_shown() -> None:
    title = _field(_case("seo_title"), "title")
    [won] = [item for item in title if item.won]
    assert won.source == "h1 #2" and won.value.startswith("Envoys meet again")
    og = next(item for item in title if item.source == "og:title")
    assert og.note == "not the headline the page shows"
    logo = next(item for item in title if item.source == "h1")
    assert logo.note == "the site's name"


def test_coauthors_printed_beat_the_json_ld_author() -> None:
    authors = _field(_case("byline_coauthors"), "authors")
    [won] = [item for item in authors if item.won]
    assert won.source == "byline under the headline"
    assert "more names" in won.note
    ld = next(item for item in authors if item.source == "json-ld author")
    assert "co-authors" in ld.note


def test_printed_time_sets_the_clock_of_utc_metadata() -> None:
    published = _field(_case("utc_evening"), "published")
    [won] = [item for item in published if item.won]
    assert won.source == "article:published_time" and "9:24 pm ET" in won.note


def test_evidence_is_in_the_json_of_check() -> None:
    from newswatch.render import to_jsonable

    html = (CASES / "wrong_lang.html").read_text(encoding="utf-8")
    rows = to_jsonable(extract(html, url="https://blog.example/g").evidence)
    language = [row for row in rows if row["field"] == "language"]
    assert {"field", "source", "value", "won", "note"} <= set(language[0])
    assert any(row["won"] and row["source"] == "text" and row["value"] == "de" for row in language)


@pytest.mark.parametrize(
    ("raw", "names", "desks"),
    [
        (["News Nation Bureau"], (), ("News Nation Bureau",)),
        (["JERUSALEM POST STAFF"], (), ("Jerusalem Post Staff",)),
        (["MND Staff"], (), ("MND Staff",)),
        (["Felix Schröder, Jörg Soldwisch, dpa"], ("Felix Schröder", "Jörg Soldwisch", "dpa"), ()),
        (
            ["By LISA MASCARO and ERIC TUCKER", "Associated Press"],
            ("Lisa Mascaro", "Eric Tucker"),
            (),
        ),
        (["배윤경 기자"], ("배윤경",), ()),
        (["Email Dan Jervis-Bardy", "Dan Jervis-Bardy"], ("Dan Jervis-Bardy",), ()),
        (
            ["Trine Juncher Jørgensen og Tôrtia Reimer-Johansen"],
            ("Trine Juncher Jørgensen", "Tôrtia Reimer-Johansen"),
            (),
        ),
        (["Anna Berg och Lars Holm"], ("Anna Berg", "Lars Holm"), ()),
        (["Foto: Mads Claus Rasmussen / Ritzau Scanpix", "Ole Dam"], ("Ole Dam",), ()),
    ],
)
def test_credits_sort_people_agencies_and_desks(
    raw: list[str], names: tuple[str, ...], desks: tuple[str, ...]
) -> None:
    credits = read_credits(raw, ["The Jerusalem Post", "News Nation"])
    assert credits.names == names
    assert credits.desks == desks


def test_byline_lines_read_names_not_prose() -> None:
    lines = [
        "Monday November 18, 2019 7:45 am PST by Joe Rossignol",
        "The buzz focused on a new anti-drug ad campaign led by Gov. Kristi Noem.",
        "Author:",
        "The Water Coolest",
        "Regan September 15, 2014",
        "Von Moritz Bachmann publiziert am 25. September 2018",
    ]
    assert byline_lines(lines, known=["Regan"]) == [
        "Joe Rossignol",
        "The Water Coolest",
        "Regan",
        "Moritz Bachmann",
    ]


@pytest.mark.parametrize(
    ("opening", "agency"),
    [
        (["WASHINGTON (Reuters) - Scientists on Monday unveiled the first map."], "Reuters"),
        (["ST. JOSEPH, Mich. (AP) — Michigan health authorities report."], "Associated Press"),
        (["(CNN) President Donald Trump made an unscheduled trip."], None),
        (["Officials said on Monday (AP) that talks would resume."], None),
    ],
)
def test_wire_dateline_credits_the_agency(opening: list[str], agency: str | None) -> None:
    assert wire_credit(opening) == agency


@pytest.mark.parametrize(
    ("sample", "language"),
    [
        (
            "The talks, mediated by the host country, produced an agreement on a large exchange "
            "of prisoners but no ceasefire, and the delegates said that they would meet again.",
            "en",
        ),
        (
            "Die Gespräche, die von dem Gastland vermittelt wurden, brachten einen großen "
            "Austausch von Gefangenen, aber keine Waffenruhe, und sie wollen sich treffen.",
            "de",
        ),
        (
            "Переговори, які вела приймаюча країна, завершилися домовленістю про великий обмін "
            "полоненими, але не про припинення вогню, і це не перша така зустріч.",
            "uk",
        ),
        ("先日、不正に改造したiPhoneを販売したとして、商標法違反の疑いで逮捕されました。", "ja"),
        ("Palm Bay 18 22 13 17 — 70", None),
    ],
)
def test_common_words_name_the_language_when_they_clearly_do(
    sample: str, language: str | None
) -> None:
    assert common_words_language(sample) == language


def test_short_text_leaves_the_declaration_standing() -> None:
    found = choose_language([("<html lang>", "dom", "pt-BR")], "Classificação")
    assert found.tag == "pt-BR" and found.signal == "dom"


@pytest.mark.parametrize(
    ("value", "tag"),
    [("en_US", "en-US"), ("EN-us", "en-US"), ("zh-hant-tw", "zh-Hant-TW"), ("english", None)],
)
def test_language_tag(value: str, tag: str | None) -> None:
    assert language_tag(value) == tag


def test_an_update_line_is_not_the_publication() -> None:
    found = choose_published(
        [],
        [
            ("dateline", "Updated 11:21 pm CST, Tuesday, November 19, 2019"),
            ("dateline", "November 18, 2019"),
        ],
        None,
    )
    assert found.when == datetime(2019, 11, 18, tzinfo=UTC)


def test_zone_printed_near_the_publication_gives_the_day() -> None:
    # Only the update is printed, in the page's zone: the UTC publication moves to it.
    found = choose_published(
        [("article:published_time", "meta", "2019-11-20T05:14:35Z")],
        [("<time>", "11:21 pm CST, Tuesday, November 19, 2019")],
        None,
    )
    assert found.when is not None
    assert found.when.utcoffset() == timedelta(hours=-6)
    assert found.when == datetime(2019, 11, 19, 23, 14, 35, tzinfo=timezone(timedelta(hours=-6)))
