"""``POST /api/recheck``: behind the token, it makes chosen articles due now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

import storage
from tests.api.populate import Populated

AUTH = {"Authorization": "Bearer s3cret"}


def _due_now(populated: Populated, url: str) -> bool:
    with storage.open_database(populated.url) as db, db.session() as session:
        article = storage.find_article(session, url)
        assert article is not None and article.next_check_at is not None
        return article.next_check_at <= datetime.now(UTC) + timedelta(seconds=1)


def test_recheck_needs_the_token(api: httpx.Client) -> None:
    answer = api.post("/api/recheck", json={"all": True})
    assert answer.status_code == 403 and "token" in answer.json()["detail"]


def test_recheck_one_article_then_an_outlet(token_api: httpx.Client, populated: Populated) -> None:
    assert not _due_now(populated, populated.seed_url)  # queued 15 minutes on
    assert token_api.post("/api/recheck", json={"all": True}).status_code == 401
    answer = token_api.post("/api/recheck", headers=AUTH, json={"article": populated.seed_url})
    assert answer.status_code == 200 and answer.json() == {"articles": 1, "sources": 0}
    assert _due_now(populated, populated.seed_url)
    answer = token_api.post("/api/recheck", headers=AUTH, json={"outlet": "www.voza.example"})
    assert answer.status_code == 200 and answer.json()["articles"] > 1
    answer = token_api.post("/api/recheck", headers=AUTH, json={"article": 10**9})
    assert answer.status_code == 404
    answer = token_api.post("/api/recheck", headers=AUTH, json={"all": True, "outlet": "x"})
    assert answer.status_code == 422


def test_a_recheck_of_something_that_is_not_an_article_is_refused(
    token_api: httpx.Client,
) -> None:
    # JSON's true read as article 1 (and rechecked it); 0 and -1 went looking for rows that
    # cannot exist; an empty outlet made nothing due and said 200.
    for body in (
        {"article": True},
        {"article": 0},
        {"article": -1},
        {"article": 2**63},
        {"article": 1.5},
        {"outlet": ""},
    ):
        answer = token_api.post("/api/recheck", headers=AUTH, json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["detail"], body
    answer = token_api.post("/api/recheck", headers=AUTH, json={"article": "1"})
    assert answer.status_code == 200 and answer.json()["articles"] == 1
