"""What the API refuses, and says why: a source it cannot or should not poll, an offset that
would make one request walk the whole history."""

from __future__ import annotations

import httpx
import pytest

AUTH = {"Authorization": "Bearer s3cret"}


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"url": "javascript:alert(1)"}, "url", "not an http(s) URL"),
        ({"url": "file:///etc/passwd"}, "url", "not an http(s) URL"),
        ({"url": "https://"}, "url", "no valid host name"),
        ({"url": "http://exa mple.org/feed"}, "url", "spaces or control characters"),
        ({"url": "http://example.org/\x07feed"}, "url", "spaces or control characters"),
        ({"url": "https://user:pass@example.org/feed"}, "url", "user name or password"),
        ({"url": "https://example.org:99999/feed"}, "url", "not a valid URL"),
        ({"url": "https://example.org/" + "a" * 2100}, "url", "at most 2048 characters"),
        ({"url": "https://ex_ample!.org/feed"}, "url", "no valid host name"),
        ({"url": "https://example.org/feed", "every": "0s"}, "every", "outside 1m to 30d"),
        ({"url": "https://example.org/feed", "every": "30s"}, "every", "outside 1m to 30d"),
        ({"url": "https://example.org/feed", "every": "365d"}, "every", "outside 1m to 30d"),
        ({"url": "https://example.org/feed", "every": "99999999999d"}, "every", "out of range"),
        ({"url": "https://example.org/feed", "every": "soon"}, "every", "not a duration"),
    ],
)
def test_adding_a_bad_source_names_the_field(
    token_api: httpx.Client, body: dict[str, str], field: str, words: str
) -> None:
    response = token_api.post("/api/sources", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith(f"{field}:") and words in detail, detail


def test_reasonable_sources_are_accepted(token_api: httpx.Client) -> None:
    for url in (
        "https://пример.рф/rss",
        "http://127.0.0.1:8080/feed.xml",
        "https://[2001:db8::1]/atom",
    ):
        body = {"url": url, "every": "1m"}
        response = token_api.post("/api/sources", json=body, headers=AUTH)
        assert response.status_code == 201, response.text
        token_api.delete(f"/api/sources/{response.json()['id']}", headers=AUTH)


@pytest.mark.parametrize(
    "path", ["/api/articles", "/api/edits", "/api/alerts", "/api/search", "/api/stories"]
)
def test_offset_is_capped(api: httpx.Client, path: str) -> None:
    params = {"q": "talks"} if path == "/api/search" else {}
    assert api.get(path, params={**params, "offset": 10_000}).status_code == 200
    response = api.get(path, params={**params, "offset": 10_001})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("offset:") and "10000" in detail and "since" in detail, detail


@pytest.mark.parametrize(
    ("path", "param", "status"),
    [
        ("/api/search", "q", 422),
        ("/api/articles", "topic", 422),
        ("/feeds/new.atom", "topic", 422),
        ("/feeds/edits.atom", "topic", 422),
        ("/search", "q", 200),  # the web page shows what is wrong with the query on the page
    ],
)
def test_a_query_nested_too_deep_is_refused_not_a_crash(
    api: httpx.Client, path: str, param: str, status: int
) -> None:
    # 330 parentheses each side, 661 characters: under the length cap, past the recursion
    # limit of the parsers, which answered with a 500.
    deep = "(" * 330 + "talks" + ")" * 330
    response = api.get(path, params={param: deep})
    assert response.status_code == status, response.text
    assert "nested more than 32 deep" in response.text, response.text
    shallow = "(" * 10 + "talks" + ")" * 10
    response = api.get(path, params={param: shallow})
    assert response.status_code == 200 and "nested" not in response.text, response.text


def test_a_body_that_is_not_a_json_object_is_named_as_such(token_api: httpx.Client) -> None:
    # The messages were ": Input should be a valid dictionary...", ": Field required" and
    # "0: JSON decode error": no field named, nothing said of what to send.
    plain = token_api.post(
        "/api/sources", content=b'{"url": "https://example.org/feed"}', headers=AUTH
    )
    empty = token_api.post("/api/sources", headers={**AUTH, "Content-Type": "application/json"})
    broken = token_api.post(
        "/api/sources", content=b"{url:", headers={**AUTH, "Content-Type": "application/json"}
    )
    for response in (plain, empty, broken):
        assert response.status_code == 422, response.text
        assert response.json()["detail"].startswith("the request body"), response.text
    assert "Content-Type: application/json" in plain.json()["detail"]
    assert "not valid JSON" in broken.json()["detail"]
