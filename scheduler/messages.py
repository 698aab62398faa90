"""What an alert says: a title and a body a person can act on, built from the typed alert.

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

from storage import AlertPayload, ChurnDetail, GoneDetail, MovedDetail

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


def fields_of(alert: AlertPayload) -> dict[str, Any]:
    """The values a template can use, all as display strings."""
    coverage = alert.coverage
    published = coverage.published if coverage else None
    story = coverage.story if coverage else None
    return {
        "kind": alert.kind,
        "kind_words": _KIND_WORDS.get(alert.kind, alert.kind),
        "title": alert.title or alert.url or "(untitled)",
        "outlet": alert.site_name or alert.outlet or "?",
        "url": alert.url,
        "version": alert.version or "",
        "changes": "; ".join(alert.changes),
        "classes": ", ".join(alert.classes),
        "changed_fields": ", ".join(alert.changed_fields),
        "published": published.isoformat()[:10] if published else "",
        "story_outlets": (story.outlets if story else None) or "",
    }


def render(*, alert_id: int, alert: AlertPayload, template: str | None = None) -> AlertMessage:
    """Turn a queued alert into words: outlet, headline, link, and for edits what changed."""
    values = fields_of(alert)
    title = f"{values['kind_words']}: {values['title']}"
    if template:
        body = _Lenient().format(template, **values)
    else:
        body = "\n".join(line for line in _default_lines(alert, values) if line)
    return AlertMessage(
        key=f"newswatch-alert-{alert_id}",
        kind=alert.kind,
        title=title,
        body=body,
        payload=alert.document(),
    )


def _default_lines(alert: AlertPayload, values: dict[str, Any]) -> list[str]:
    outlet, url, detail = values["outlet"], values["url"], alert.detail
    if alert.kind in ("edited", "update"):
        what = values["changed_fields"] or "text"
        classes = f" [{values['classes']}]" if values["classes"] else ""
        return [
            f"{outlet} changed the {what} (now version {values['version']}){classes}",
            *(f"  {change}" for change in alert.changes),
            url,
        ]
    if isinstance(detail, GoneDetail):
        return [f"{outlet} took the article down (HTTP {detail.status or '?'})", url]
    if isinstance(detail, MovedDetail):
        return [f"{outlet} moved the article from {detail.from_url or '?'}", url]
    if isinstance(detail, ChurnDetail):
        return [*_churning_lines(outlet, detail), url]
    published = f", published {values['published']}" if values["published"] else ""
    story = values["story_outlets"]
    grouped = f" — {story} outlets now report this story" if story and story > 1 else ""
    return [f"{outlet}{published}{grouped}", url]


def _churning_lines(outlet: str, detail: ChurnDetail) -> list[str]:
    if detail.reason == "versions":
        why = f"{detail.versions_today} new versions in the last 24 hours"
    else:
        why = f"new text on {detail.streak} checks in a row"
    recheck = _span(detail.recheck_seconds)
    settle = _span(detail.settle_seconds)
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
