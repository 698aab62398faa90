"""The HTTP API over a database the real pipeline filled from the newsroom."""

from __future__ import annotations

import httpx
import pytest

from tests.api.populate import HOSTILE_TITLE, NEW_TITLE, Populated


def test_articles_are_paged_and_filtered(api: httpx.Client, populated: Populated) -> None:
    page = api.get("/api/articles", params={"limit": 3}).json()
    assert len(page["items"]) == 3 and page["next_offset"] == 3
    following = api.get("/api/articles", params={"limit": 3, "offset": 3}).json()
    assert {a["id"] for a in page["items"]}.isdisjoint({a["id"] for a in following["items"]})
    assert set(page["items"][0]) >= {
        "id",
        "url",
        "outlet",
        "title",
        "status",
        "first_seen_at",
        "version_count",
        "published",
    }

    edited = api.get("/api/articles", params={"edited": True, "limit": 100}).json()["items"]
    assert {a["url"] for a in edited} >= {populated.seed_url, populated.retitled_url}
    assert all(a["version_count"] > 1 for a in edited)
    gone = api.get("/api/articles", params={"gone": True}).json()["items"]
    assert [a["url"] for a in gone] == [populated.taken_down_url]
    topic = api.get("/api/articles", params={"topic": "Medinsky", "limit": 100}).json()
    assert [a["url"] for a in topic["items"]] == [populated.seed_url]
    herald = api.get("/api/articles", params={"outlet": "herald.example", "limit": 100}).json()
    assert len(herald["items"]) == 15 and {a["outlet"] for a in herald["items"]} == {
        "herald.example"
    }
    headline = api.get("/api/articles", params={"class": "headline"}).json()["items"]
    assert [a["url"] for a in headline] == [populated.retitled_url]
    # The language filter of `newswatch articles`, as the README promises for the API.
    everything = api.get("/api/articles", params={"limit": 100}).json()["items"]
    english = api.get("/api/articles", params={"language": "en", "limit": 100}).json()["items"]
    assert english and {a["id"] for a in english} == {
        a["id"] for a in everything if (a["language"] or "").split("-")[0] == "en"
    }
    assert api.get("/api/articles", params={"language": "zu"}).json()["items"] == []


def test_bad_input_is_a_json_message(api: httpx.Client) -> None:
    for params in (
        {"limit": 0},
        {"limit": 501},
        {"since": "last tuesday"},
        {"topic": '"unbalanced'},
        {"offset": -1},
    ):
        response = api.get("/api/articles", params=params)
        assert response.status_code == 422, params
        assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    missing = api.get("/api/articles/999999")
    assert missing.status_code == 404 and "not found" in missing.json()["detail"]
    assert api.get("/api/nothing-here").json()["detail"]
    assert api.get("/api/search", params={"q": '"unclosed'}).status_code == 422


def test_an_empty_outlet_filter_is_no_filter_in_search_too(
    api: httpx.Client, populated: Populated
) -> None:
    # A form's empty outlet field: every listing read it as no filter, search as an outlet
    # with no name, and found nothing.
    query = {"q": "Madinsky", "all_versions": True}
    unfiltered = api.get("/api/search", params=query).json()["items"]
    assert unfiltered
    assert api.get("/api/search", params={**query, "outlet": ""}).json()["items"] == unfiltered


def test_edits_take_the_filters_the_web_page_and_the_cli_take(
    api: httpx.Client, populated: Populated
) -> None:
    # /api/edits took since, outlet and topic only, and quietly ignored class, language and
    # until, answering with every edit.
    every = api.get("/api/edits").json()["items"]
    assert len(every) >= 2 and any("headline" not in e["classes"] for e in every)
    headline = api.get("/api/edits", params={"class": "headline"}).json()["items"]
    assert headline and all("headline" in e["classes"] for e in headline)
    assert populated.retitled_url in {e["url"] for e in headline}
    assert api.get("/api/edits", params={"until": "2000-01-01"}).json()["items"] == []
    assert api.get("/api/edits", params={"until": "2999-01-01"}).json()["items"] == every
    assert api.get("/api/edits", params={"language": "zz"}).json()["items"] == []


def test_the_channel_list_is_whole_with_nothing_after_it(api: httpx.Client) -> None:
    # It is never cut into pages; a client following next_offset got the same page forever.
    listing = api.get("/api/channels").json()
    assert len(listing["items"]) == 1 and listing["items"][0]["channel"].startswith("jsonl://")
    assert listing["next_offset"] is None and listing["offset"] == 0


def test_article_versions_and_diff(api: httpx.Client, populated: Populated) -> None:
    found = api.get("/api/articles/lookup", params={"url": populated.seed_url + "?utm_source=x"})
    assert found.status_code == 200
    article = found.json()
    assert article["version_count"] == 2 and "Medinsky" in article["current"]["body"]
    versions = api.get(f"/api/articles/{article['id']}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    first = api.get(f"/api/articles/{article['id']}/versions/1").json()
    assert "Madinsky" in first["body"]
    diff = api.get(f"/api/articles/{article['id']}/diff", params={"from": 1, "to": 2}).json()
    changed = [
        (op["op"], op["text"].strip()) for op in diff["fields"]["body"] if op["op"] != "equal"
    ]
    assert changed == [("delete", "Madinsky"), ("insert", "Medinsky")]
    missing = api.get(f"/api/articles/{article['id']}/versions/9")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"article {article['id']} has no version 9"
    missing = api.get(f"/api/articles/{article['id']}/diff", params={"from": 1, "to": 9})
    assert missing.json()["detail"] == f"article {article['id']} has no version 9"


def test_edits_search_stories_alerts_stats(api: httpx.Client, populated: Populated) -> None:
    edits = api.get("/api/edits").json()["items"]
    retitle = next(e for e in edits if e["url"] == populated.retitled_url)
    assert retitle["changed_fields"] == ["title"] and "headline" in retitle["classes"]
    assert retitle["title"] == NEW_TITLE

    hits = api.get("/api/search", params={"q": "Madinsky", "all_versions": True}).json()
    assert [(h["url"], h["current"]) for h in hits["items"]] == [(populated.seed_url, False)]
    assert api.get("/api/search", params={"q": "Madinsky"}).json()["items"] == []

    stories = api.get("/api/stories").json()["items"]
    assert stories and stories[0]["articles"] >= 2
    story = api.get(f"/api/stories/{stories[0]['id']}").json()
    assert len(story["articles"]) == stories[0]["articles"]

    alerts = api.get("/api/alerts", params={"limit": 100}).json()["items"]
    assert {a["kind"] for a in alerts} >= {"new", "edited", "gone"}
    sent = api.get("/api/alerts", params={"state": "sent", "limit": 100}).json()["items"]
    assert sent and all(a["state"] == "sent" for a in sent)
    assert api.get("/api/alerts", params={"state": "lost"}).status_code == 422

    stats = api.get("/api/stats").json()
    assert stats["articles"] == 10 + 33 and stats["edited_articles"] == 3
    assert stats["articles_by_status"]["gone"] == 1
    coverage = api.get("/api/coverage", params={"since": "2025-06-01"}).json()
    day = {"day": "2025-06-01", "outlet": "herald.example", "name": "herald.example", "articles": 3}
    assert day in coverage["items"] and coverage["next_offset"] is None
    # A story older than 30 days still has its coverage: the whole history by default.
    assert day in api.get("/api/coverage").json()["items"]
    outlets = api.get("/api/outlets").json()["items"]
    assert outlets[0] == {
        "outlet": "herald.example",
        "name": "herald.example",
        "articles": 15,
        "hosts": ["herald.example"],
    }


def test_writing_is_off_without_a_token(api: httpx.Client) -> None:
    first = api.get("/api/sources").json()["items"][0]
    assert (first["kind"], first["origin"]) == ("feed", "config")
    response = api.post("/api/sources", json={"url": "https://example.org/rss"})
    assert response.status_code == 403 and "token" in response.json()["detail"]
    assert api.delete("/api/sources/1").status_code == 403


def test_writing_with_the_token(token_api: httpx.Client) -> None:
    body = {"url": "https://example.org/rss.xml", "kind": "feed", "every": "10m"}
    assert token_api.post("/api/sources", json=body).status_code == 401
    wrong = token_api.post("/api/sources", json=body, headers={"Authorization": "Bearer no"})
    assert wrong.status_code == 401
    auth = {"Authorization": "Bearer s3cret"}
    created = token_api.post("/api/sources", json=body, headers=auth)
    assert created.status_code == 201, created.text
    source = created.json()
    assert source["url"] == body["url"] and source["every_seconds"] == 600 and source["enabled"]
    assert source["origin"] == "manual"
    invalid = token_api.post("/api/sources", json={"url": "ftp://x", "kind": "zine"}, headers=auth)
    assert invalid.status_code == 422 and "url" in invalid.json()["detail"]
    removed = token_api.delete(f"/api/sources/{source['id']}", headers=auth)
    assert removed.status_code == 200 and not removed.json()["enabled"]
    assert token_api.delete("/api/sources/99999", headers=auth).status_code == 404


def test_openapi_describes_the_422_body_the_api_sends(api: httpx.Client) -> None:
    # FastAPI's own description said detail is a list of objects; the API sends a message,
    # with the objects in errors, so a client generated from the description failed on 422s.
    spec = api.get("/openapi.json").json()
    described = spec["components"]["schemas"]["HTTPValidationError"]
    sent = api.get("/api/articles", params={"limit": 0}).json()
    assert described["properties"]["detail"]["type"] == "string"
    assert isinstance(sent["detail"], str) and set(sent) <= set(described["properties"])
    error_fields = spec["components"]["schemas"]["ValidationError"]["required"]
    assert all(set(error_fields) <= set(error) for error in sent["errors"])
    search = api.get("/api/search", params={"q": '"'}).json()
    assert set(search) >= set(described["required"]) and isinstance(search["detail"], str)


def test_openapi_docs_and_security_headers(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    for path in (
        "/api/articles",
        "/api/articles/{article_id}/diff",
        "/api/search",
        "/api/stories",
        "/api/sources",
        "/api/alerts",
        "/api/stats",
        "/feeds/new.atom",
        "/feeds/edits.atom",
    ):
        assert path in spec["paths"], path
    assert api.get("/docs").status_code == 200
    home = api.get("/")
    assert "script-src 'none'" in home.headers["content-security-policy"]
    assert "default-src 'none'" in home.headers["content-security-policy"]
    assert HOSTILE_TITLE not in home.text


@pytest.mark.parametrize(
    "path", ["/healthz", "/feeds/new.atom", "/", "/api/articles", "/api/stats", "/static/style.css"]
)
def test_head_answers_wherever_get_does(api: httpx.Client, path: str) -> None:
    # HTTP asks for HEAD wherever GET works (monitors and link checkers use it); the routes
    # answered 405 to it.
    got, head = api.get(path), api.head(path)
    assert head.status_code == got.status_code == 200, (path, head.status_code)
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]
    assert api.head("/api/articles/999999").status_code == 404
