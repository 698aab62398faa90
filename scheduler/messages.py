"""What an alert says: a title and a body a person can act on, built from the outbox payload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One alert ready for a channel. ``key`` is the idempotency key receivers may dedup on."""

    key: str
    kind: str
    title: str
    body: str
    payload: Mapping[str, Any]


def render(*, alert_id: int, kind: str, payload: Mapping[str, Any]) -> AlertMessage:
    """Turn an outbox row into words: outlet, headline, link, and for edits what changed."""
    outlet = payload.get("site_name") or payload.get("outlet") or "?"
    headline = payload.get("title") or payload.get("url") or "(untitled)"
    url = payload.get("url", "")
    if kind == "edited":
        fields = ", ".join(payload.get("changed_fields") or ()) or "text"
        title = f"Edited ({fields}): {headline}"
        changes = [f"  {change}" for change in payload.get("changes") or ()]
        lines = [f"{outlet} changed the {fields} (now version {payload.get('version')})",
                 *changes, url]
    elif kind == "gone":
        title = f"Gone: {headline}"
        lines = [f"{outlet} took the article down (HTTP {payload.get('status', '?')})", url]
    else:
        title = f"New coverage: {headline}"
        published = str(payload.get("published") or "")[:10]
        lines = [f"{outlet}" + (f", published {published}" if published else ""), url]
    return AlertMessage(
        key=f"newswatch-alert-{alert_id}",
        kind=kind,
        title=title,
        body="\n".join(line for line in lines if line),
        payload=dict(payload),
    )
