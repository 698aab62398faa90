"""Every route, every parameter, hostile values: a 4xx with a ``detail`` message, never a 500
or a dropped connection. On SQLite and on PostgreSQL (which refuses a bigint overflow and a
NUL in text where SQLite would not)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Route

import storage
from newswatch.api import create_app
from newswatch.api.server import serve_in_thread
from newswatch.config import Settings
from tests import pg
from tests.api.populate import store_hostile, store_spread

NUMBERS = [
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "-9223372036854775809",
    "99999999999999999999999999999999",
    "-1",
    "0",
    "1e309",
    "NaN",
    "0x10",
    "١٢",
]
TIMES = [
    "0000-01-01",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "10000-01-01",
    "9999-99-99",
    "99999999999d",
    "1e400s",
    "2025-06-02T25:00",
]
TEXTS = ["\x00", "a\x00b", "x" * 3000, "%ff", "\u202e", "' OR 1=1 --", '"', "*", "²"]
VALUES = NUMBERS + TIMES + TEXTS
SKIP = {"/openapi.json", "/static", "/metrics"}


def flat_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The app's routes, with those of included routers (FastAPI wraps them) spelled out."""
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from flat_routes(included.routes) if included is not None else (route,)


def requests(app: FastAPI) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(method, path, query) for every route, each parameter in turn given each value."""
    for route in flat_routes(app.routes):
        if not isinstance(route, Route) or route.path in SKIP:
            continue
        method = sorted(route.methods or {"GET"})[0]
        names = list(route.param_convertors)
        queries = (
            [p.alias for p in route.dependant.query_params] if isinstance(route, APIRoute) else []
        )
        good = {name: "1" for name in names}
        for name in names:
            for value in VALUES:
                path = route.path
                for other, given in {**good, name: value}.items():
                    path = path.replace("{" + other + "}", quote(given, safe=""))
                yield method, path, {}
        for query in queries:
            path = route.path
            for other, given in good.items():
                path = path.replace("{" + other + "}", given)
            for value in VALUES:
                yield method, path, {query: value}


def check(client: httpx.Client, app: FastAPI) -> int:
    failures, count = [], 0
    for method, path, query in requests(app):
        count += 1
        try:
            response = client.request(
                method, path, params=query, headers={"Authorization": "Bearer s3cret"}
            )
        except httpx.TransportError as error:
            failures.append(f"{method} {path} {query}: {type(error).__name__}")
            continue
        if response.status_code >= 500:
            failures.append(
                f"{method} {path} {query!r}: {response.status_code} {response.text[:120]}"
            )
        elif response.status_code >= 400:
            assert response.json()["detail"], (path, query)
    assert not failures, f"{len(failures)} of {count}:\n" + "\n".join(failures[:40])
    return count


def bodies() -> Iterator[dict[str, object]]:
    for value in VALUES:
        yield {"url": value}
        yield {"url": "https://example.org/feed.xml", "every": value}
        yield {"url": "https://example.org/feed.xml", "kind": value}
    yield {"url": 2**70}
    yield {"url": "https://example.org/feed.xml", "every": 2**70}


def fuzz(url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    store_hostile(url, now)
    store_spread(url, now)
    settings = Settings(database={"url": url}, api={"token": "s3cret"})  # type: ignore[arg-type]
    with storage.open_database(url) as db:
        app = create_app(db, settings)
        with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as client:
            assert check(client, app) > 500
            for body in bodies():
                response = client.post(
                    "/api/sources", json=body, headers={"Authorization": "Bearer s3cret"}
                )
                assert response.status_code in (201, 422), (body, response.text[:200])
                if response.status_code == 422:
                    assert response.json()["detail"], body


def test_fuzzed_requests_on_sqlite(tmp_path: Path) -> None:
    fuzz(f"sqlite:///{tmp_path / 'fuzz.db'}", tmp_path)


@pytest.mark.postgres
def test_fuzzed_requests_on_postgres(tmp_path: Path, postgres_admin_url: str) -> None:
    with pg.scratch_database(postgres_admin_url) as url:
        fuzz(url, tmp_path)
