"""What an alert says: a title and a body a person can act on, built from the outbox payload.

A channel may carry its own template: ``str.format`` fields over the alert (``{kind}``,
``{title}``, ``{outlet}``, ``{url}``, ``{version}``, ``{changes}``, ``{classes}``,
``{changed_fields}``, ``{published}``, ``{story_outlets}``). Unknown fields render empty rather
than failing a delivery.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_KIND_WORDS = {
    "new": "New coverage",
    "edited": "Edited",
    "gone": "Gone",
    "update": "Updated",
    "moved": "Moved",
    "churning": "Changes on every visit",
}


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One alert ready for a channel. ``key`` is the idempotency key receivers may dedup on."""

    key: str
    kind: str
    title: str
    body: str
    payload: Mapping[str, Any]


class TemplateError(ValueError):
    """A message template that cannot be used; says which part is wrong."""


class _Lenient(string.Formatter):
    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return kwargs.get(str(key), "")


def check_template(template: str) -> str:
    """Validate a template at config time, so a typo fails at start, not at 3 a.m."""
    try:
        list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(f"bad alert template {template!r}: {error}") from None
    return template


def fields_of(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The values a template can use, all as display strings."""
    return {
        "kind": kind,
        "kind_words": _KIND_WORDS.get(kind, kind),
        "title": payload.get("title") or payload.get("url") or "(untitled)",
        "outlet": payload.get("site_name") or payload.get("outlet") or "?",
        "url": payload.get("url", ""),
        "version": payload.get("version") or "",
        "changes": "; ".join(payload.get("changes") or ()),
        "classes": ", ".join(payload.get("classes") or ()),
        "changed_fields": ", ".join(payload.get("changed_fields") or ()),
        "published": str(payload.get("published") or "")[:10],
        "story_outlets": payload.get("story_outlets") or "",
    }


def render(
    *, alert_id: int, kind: str, payload: Mapping[str, Any], template: str | None = None
) -> AlertMessage:
    """Turn an outbox row into words: outlet, headline, link, and for edits what changed."""
    values = fields_of(kind, payload)
    title = f"{values['kind_words']}: {values['title']}"
    if template:
        body = _Lenient().format(template, **values)
    else:
        body = "\n".join(line for line in _default_lines(kind, payload, values) if line)
    return AlertMessage(
        key=f"newswatch-alert-{alert_id}", kind=kind, title=title, body=body, payload=dict(payload)
    )


def _default_lines(kind: str, payload: Mapping[str, Any], values: dict[str, Any]) -> list[str]:
    outlet, url = values["outlet"], values["url"]
    if kind in ("edited", "update"):
        what = values["changed_fields"] or "text"
        classes = f" [{values['classes']}]" if values["classes"] else ""
        return [
            f"{outlet} changed the {what} (now version {values['version']}){classes}",
            *(f"  {change}" for change in payload.get("changes") or ()),
            url,
        ]
    if kind == "gone":
        return [f"{outlet} took the article down (HTTP {payload.get('status', '?')})", url]
    if kind == "moved":
        return [f"{outlet} moved the article from {payload.get('from_url') or '?'}", url]
    if kind == "churning":
        return [*_churning_lines(outlet, payload), url]
    published = f", published {values['published']}" if values["published"] else ""
    story = payload.get("story_outlets")
    grouped = f" — {story} outlets now report this story" if story and story > 1 else ""
    return [f"{outlet}{published}{grouped}", url]


def _churning_lines(outlet: str, payload: Mapping[str, Any]) -> list[str]:
    if payload.get("reason") == "versions":
        why = f"{payload.get('versions_today', '?')} new versions in the last 24 hours"
    else:
        why = f"new text on {payload.get('streak', '?')} checks in a row"
    recheck = _span(payload.get("recheck_seconds"))
    settle = _span(payload.get("settle_seconds"))
    return [
        f"{outlet}: this page changes on every visit ({why}).",
        f"Its versions are no longer recorded; it is checked every {recheck}, and recorded "
        f"again once its text stays the same for {settle}.",
    ]


def _span(seconds: object) -> str:
    """A duration in words: "1 day", "6 hours", "30 minutes"."""
    if not isinstance(seconds, int) or seconds <= 0:
        return "a while"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


def render_digest(*, channel_label: str, messages: Sequence[AlertMessage]) -> AlertMessage:
    """Many alerts as one message: counts first, then one line per alert."""
    counts: dict[str, int] = {}
    for message in messages:
        counts[message.kind] = counts.get(message.kind, 0) + 1
    summary = ", ".join(
        f"{n} {_KIND_WORDS.get(kind, kind).lower()}" for kind, n in sorted(counts.items())
    )
    lines = []
    for message in messages:
        lines.append(f"• {message.title}")
        lines.extend(f"  {line}" for line in message.body.splitlines())
    first, last = messages[0].key, messages[-1].key
    return AlertMessage(
        key=f"{first}..{last}",
        kind="digest",
        title=f"newswatch digest: {summary}",
        body="\n".join(lines),
        payload={"alerts": [dict(m.payload, id=m.key, kind=m.kind) for m in messages]},
    )
