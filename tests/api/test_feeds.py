"""Atom feeds of new coverage and of edits: valid Atom a feed reader can follow."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import httpx

from tests.api.populate import HOSTILE_TITLE, NEW_TITLE, Populated

A = "{http://www.w3.org/2005/Atom}"


def entries(client: httpx.Client, path: str, **params: object) -> list[ET.Element]:
    response = client.get(path, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{A}feed" and feed.find(f"{A}updated") is not None
    for entry in feed.findall(f"{A}entry"):
        for tag in ("id", "title", "updated", "link"):
            assert entry.find(f"{A}{tag}") is not None, tag
    return feed.findall(f"{A}entry")


def test_new_coverage_feed(api: httpx.Client, populated: Populated) -> None:
    found = entries(api, "/feeds/new.atom", limit=200)
    titles = [e.findtext(f"{A}title") for e in found]
    assert HOSTILE_TITLE in titles  # escaped by the XML writer, read back as text
    herald = entries(api, "/feeds/new.atom", outlet="herald.example")
    assert len(herald) == 15
    talks = entries(api, "/feeds/new.atom", topic="Medinsky")
    assert [e.find(f"{A}link").get("href") for e in talks] == [populated.seed_url]


def test_edits_feed(api: httpx.Client, populated: Populated) -> None:
    found = entries(api, "/feeds/edits.atom")
    titles = [e.findtext(f"{A}title") or "" for e in found]
    assert any(t.startswith(f"Edited: {NEW_TITLE}") for t in titles), titles
    # Each entry names what changed, its classes, and links the diff.
    [seed] = [e for e in found if "Madinsky" in (e.findtext(f"{A}summary") or "")]
    assert "Madinsky → Medinsky" in (seed.findtext(f"{A}title") or "")
    assert (seed.findtext(f"{A}summary") or "").startswith("Madinsky → Medinsky. Version 2:")
    assert "?from=1&to=2" in (seed.findtext(f"{A}summary") or "")
    assert "name" in {c.get("term") for c in seed.findall(f"{A}category")}
    related = [
        link.get("href")
        for e in found
        for link in e.findall(f"{A}link")
        if link.get("rel") == "related"
    ]
    assert any("/articles/" in href and "from=1&to=2" in href for href in related)
    assert entries(api, "/feeds/edits.atom", outlet="nowhere.example") == []


def test_a_reader_that_sends_the_etag_back_gets_a_304(api: httpx.Client) -> None:
    # Feed readers poll: with an ETag they can ask "changed?" and get an empty 304 back.
    for path in ("/feeds/new.atom", "/feeds/edits.atom"):
        first = api.get(path)
        etag = first.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"')
        for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            again = api.get(path, headers={"If-None-Match": sent})
            assert again.status_code == 304 and again.content == b"", (path, sent)
            assert again.headers["etag"] == etag
        changed = api.get(path, headers={"If-None-Match": '"something else"'})
        assert changed.status_code == 200 and changed.content == first.content
        # Another query is another feed, with its own tag.
        other = api.get(path, params={"limit": 1})
        assert other.headers["etag"] != etag
