"""The security headers of every response, and pages that name no other site."""

from __future__ import annotations

import re

import httpx

from tests.api.populate import Populated


def test_pages_forbid_every_script_and_docs_allow_only_ours(
    site: str, populated: Populated
) -> None:
    for path in (
        "/",
        "/search?q=talks",
        f"/articles/{populated.hostile_id}",
        "/api/stats",
        "/feeds/new.atom",
        "/api/articles/999999",
    ):
        response = httpx.get(site + path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'none'" in csp and "default-src 'none'" in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["referrer-policy"] == "no-referrer", path
    docs = httpx.get(site + "/docs")
    csp = docs.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "<script>" not in docs.text  # no inline script: the CSP would block it
    sources = [s for s in re.findall(r'(?:src|href)="([^"]+)"', docs.text) if s != "data:,"]
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        asset = httpx.get(site + source)
        assert asset.status_code == 200, source
        assert asset.headers["content-type"].split(";")[0] in (
            "text/css",
            "text/javascript",
            "application/javascript",
        ), source
    assert httpx.get(site + "/redoc").status_code == 404  # it would load a CDN script
