"""What counts as "the same article": normalised fields and their sha256 fingerprint.

Only what a reader sees is compared (title, subtitle, body, authors, published date), after
removing differences that are not edits: Unicode compatibility forms, typographic quotes and
dashes, invisible characters, non-breaking and thin spaces, runs of whitespace, author order,
and seconds in the published time.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from storage.utc import as_utc

FIELDS = ("title", "subtitle", "body", "authors", "published")

# Invisible characters that some CMSes sprinkle in (soft hyphens for justification, BOMs...).
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"), None)
# Applied after NFKC, which already turns NBSP/thin spaces into spaces and "…" into "...".
TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2039\u203a", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe63", "-"),
    }
)


class FieldsLike(Protocol):
    """Anything with the fingerprinted fields: ``ArticleFields`` or a stored ``Version``."""

    @property
    def title(self) -> str | None: ...
    @property
    def subtitle(self) -> str | None: ...
    @property
    def body(self) -> str: ...
    @property
    def authors(self) -> Sequence[str]: ...
    @property
    def published(self) -> datetime | None: ...


# Both tables as (character, replacement) pairs. ``str.translate`` with a dict looks up every
# character of the text in Python, and a regex calling back for each match paid a Python call
# per apostrophe; a C scan per character (``in``, then ``replace`` where it occurs) costs less
# than either. No replacement holds a character of the table, so the order does not matter.
_REPLACEMENT = tuple(
    (chr(code), value or "") for code, value in {**INVISIBLE, **TYPOGRAPHY}.items()
)


def clean_typography(text: str) -> str:
    """NFKC, drop invisible characters, straighten quotes and unify dashes (keeps whitespace)."""
    if text.isascii():  # nothing to do, and checking is O(1): most English text, every recheck
        return text
    text = unicodedata.normalize("NFKC", text)
    for special, replacement in _REPLACEMENT:
        if special in text:
            text = text.replace(special, replacement)
    return text


def normalise(text: str | None) -> str:
    """The comparable form of a text field; ``None`` and ``""`` are the same."""
    if not text:
        return ""
    return " ".join(clean_typography(text).split())


def normalise_authors(authors: Sequence[str]) -> list[str]:
    """Authors as a sorted, de-duplicated list of normalised names (order is not an edit)."""
    return sorted({name for name in map(normalise, authors) if name})


def normalise_published(published: datetime | None) -> str:
    """The published time in UTC at minute precision (seconds jitter between renders)."""
    if published is None:
        return ""
    return as_utc(published).strftime("%Y-%m-%dT%H:%MZ")


def normalised_fields(fields: FieldsLike) -> dict[str, str | list[str]]:
    """The normalised value of every fingerprinted field, keyed by field name."""
    return {
        "title": normalise(fields.title),
        "subtitle": normalise(fields.subtitle),
        "body": normalise(fields.body),
        "authors": normalise_authors(fields.authors),
        "published": normalise_published(fields.published),
    }


def fingerprint(fields: FieldsLike) -> str:
    """sha256 hex of the normalised fields: equal fingerprints mean no visible change."""
    canonical = json.dumps(normalised_fields(fields), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_fields(old: FieldsLike, new: FieldsLike) -> tuple[str, ...]:
    """Names of the fields whose normalised values differ, in :data:`FIELDS` order."""
    before, after = normalised_fields(old), normalised_fields(new)
    return tuple(name for name in FIELDS if before[name] != after[name])
