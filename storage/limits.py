"""Caps on what the open web can make us store: links taken per check and per host, the length
of each field, and versions and snapshot bytes per article per day.

Pages and feeds are written by strangers. Without caps, a listing that names 160,000 fresh URLs
fills the frontier, a page that says something new on every visit grows the database by the
hour, and a 2 MB ``<title>`` is stored (and diffed, indexed, alerted) as is. The values here are
the defaults of the ``[limits]`` settings (``newswatch.config`` builds them from the file).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta

from storage.types import ArticleFields

MiB = 1024 * 1024
ELLIPSIS = "…"
# The longest language tag worth keeping (BCP 47 allows long ones; real pages use "en-GB").
_LANGUAGE_CHARS = 35
_BLANKS = (" ", "\n", "\t")


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateLimits:
    """How many links discovery may add: new URLs per source per check and per day, per host
    per day."""

    per_check: int = 1_000
    per_source_per_day: int = 10_000
    per_host_per_day: int = 5_000
    # Longer URLs are dropped: no article has one, and PostgreSQL cannot index them (a B-tree
    # entry holds at most ~2,700 bytes), so one would fail the whole insert.
    url_chars: int = 2_048
    title_chars: int = 1_000  # a feed item's title, kept as the article's hint


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldLimits:
    """The longest value kept of each extracted field, in characters (authors: in names)."""

    title: int = 1_000
    subtitle: int = 5_000
    body: int = 1_000_000
    authors: int = 20
    name: int = 200  # one author's name, the site name, the section, the page type
    url: int = 2_048


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionLimits:
    """Versions and snapshot bytes one article may add in any 24 hours, and when it churns.

    ``churn_after`` consecutive checks that each found new text (live-blog updates aside), or
    ``per_day`` versions in 24 hours, make an article *churning*: its versions stop, one
    alert says so, and it is checked every ``churn_recheck`` until its text has stayed the
    same for ``settle_after``. Past ``snapshot_bytes_per_day`` versions are kept without their
    raw page.
    """

    per_day: int = 24
    snapshot_bytes_per_day: int = 20 * MiB
    churn_after: int = 6
    churn_recheck: timedelta = timedelta(days=1)
    settle_after: timedelta = timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Every cap, as the daemon passes them down."""

    candidates: CandidateLimits = field(default_factory=CandidateLimits)
    fields: FieldLimits = field(default_factory=FieldLimits)
    versions: VersionLimits = field(default_factory=VersionLimits)


def cut(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its start cut after a whole word
    and marked with an ellipsis, ``limit`` characters in all.

    The cut depends on the first ``limit`` characters only, so a page whose over-long field
    changes further on (a counter at the end of a 2 MB title) keeps the same stored value.
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    head = text[: limit - len(ELLIPSIS) + 1]  # one more: is the cut itself between words?
    if head[-1].isspace():
        return head[:-1].rstrip() + ELLIPSIS
    head = head[:-1]
    last_space = max(head.rfind(blank, len(head) // 2) for blank in _BLANKS)
    # One giant "word" (no space in the second half): a hard cut is the only boundary there is.
    if last_space > 0:
        head = head[:last_space].rstrip()
    return head + ELLIPSIS


def cap_fields(fields: ArticleFields, limits: FieldLimits) -> ArticleFields:
    """``fields`` with every over-long value cut (text) or dropped (URL, language, type)."""
    changes: dict[str, object] = {}
    for name, limit in (
        ("title", limits.title),
        ("subtitle", limits.subtitle),
        ("site_name", limits.name),
        ("section", limits.name),
    ):
        value = getattr(fields, name)
        if value is not None and len(value) > limit:
            changes[name] = cut(value, limit)
    if len(fields.body) > limits.body:
        changes["body"] = cut(fields.body, limits.body)
    # A cut URL or language tag would be a wrong one: better none.
    for name, limit in (
        ("canonical_url", limits.url),
        ("language", _LANGUAGE_CHARS),
        ("page_type", limits.name),
    ):
        value = getattr(fields, name)
        if value is not None and len(value) > limit:
            changes[name] = None
    authors = fields.authors
    if len(authors) > limits.authors or any(len(a) > limits.name for a in authors):
        changes["authors"] = tuple(cut(a, limits.name) for a in authors[: limits.authors])
    return dataclasses.replace(fields, **changes) if changes else fields  # type: ignore[arg-type]
