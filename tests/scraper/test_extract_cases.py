"""Data-driven extractor cases: each ``extract_cases/NAME.html`` has ``NAME.json`` expectations.

Keys of the JSON are Extracted fields (compared exactly; dates as ISO strings, tuples as
lists) plus body checks: ``body_contains``, ``body_excludes``, ``body_starts_with``,
``body_ends_with``, ``body_lines`` (number of lines), and ``signals`` (a subset).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper import Extracted, extract

CASES = Path(__file__).parent / "extract_cases"
NAMES = sorted(p.stem for p in CASES.glob("*.html"))
_BODY_KEYS = {"body_contains", "body_excludes", "body_starts_with", "body_ends_with", "body_lines"}


def _load(name: str) -> tuple[str, dict]:
    html = (CASES / f"{name}.html").read_text(encoding="utf-8")
    expected = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    return html, expected


def _field(result: Extracted, key: str) -> object:
    value = getattr(result, key)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def test_every_case_has_expectations() -> None:
    assert len(NAMES) >= 12
    for name in NAMES:
        assert (CASES / f"{name}.json").exists(), name


@pytest.mark.parametrize("name", NAMES)
def test_case(name: str) -> None:
    html, expected = _load(name)
    url = expected.pop("url", None)
    result = extract(html, url=url)
    for key, want in expected.items():
        if key in _BODY_KEYS:
            continue
        if key == "signals":
            for field_name, source in want.items():
                assert result.signals.get(field_name) == source, (name, field_name)
            continue
        assert _field(result, key) == want, (name, key)
    body = result.body
    for text in expected.get("body_contains", []):
        assert text in body, (name, text)
    for text in expected.get("body_excludes", []):
        assert text not in body, (name, text)
    if "body_starts_with" in expected:
        assert body.startswith(expected["body_starts_with"]), (name, body[:200])
    if "body_ends_with" in expected:
        assert body.endswith(expected["body_ends_with"]), (name, body[-200:])
    if "body_lines" in expected:
        assert len(body.split("\n")) == expected["body_lines"], name


@pytest.mark.parametrize("name", NAMES)
def test_case_from_bytes_matches_text(name: str) -> None:
    """The same page given as UTF-8 bytes extracts the same fields."""
    html, expected = _load(name)
    url = expected.get("url")
    assert extract(html.encode("utf-8"), url=url) == extract(html, url=url)
