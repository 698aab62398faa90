"""What recording works out from an article's fields before it touches the database.

Recording a page needs its fields without NUL characters, their fingerprint and, for an article
not yet in a story, its body's MinHash signature: about 0.45 ms of Python per new article on
the aeb-dev pages, which the daemon's batch writer paid while holding the GIL the event loop
also needs. :func:`digest_fields` does that work wherever it is cheapest: the daemon's
extraction process digests each page beside the daemon, and :func:`storage.record` digests the
fields it is given itself.

This module imports numpy and the standard library only (with ``storage.types``,
``storage.fingerprint`` and ``storage.minhash``), never the database layer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from storage.fingerprint import fingerprint
from storage.minhash import BodySignature, sign
from storage.types import ArticleFields

# Computed once: dataclasses.fields() on every recheck costs more than the check itself.
_TEXT_FIELDS = tuple(f.name for f in dataclasses.fields(ArticleFields) if f.name != "authors")


@dataclass(frozen=True, slots=True)
class FieldsDigest:
    """An article's fields as recording stores them, with their fingerprint.

    ``signed``: ``signature`` was worked out (``None`` then means the body is too short to
    sign); otherwise :meth:`body_signature` signs the body when a story placement needs it.
    """

    fields: ArticleFields
    fingerprint: str
    signature: BodySignature | None = None
    signed: bool = False

    def body_signature(self) -> BodySignature | None:
        return self.signature if self.signed else sign(self.fields.body)


def digest_fields(fields: ArticleFields, *, signed: bool = False) -> FieldsDigest:
    """``fields`` without NULs, fingerprinted; ``signed``: with the body's signature too (worth
    it for an article that has no story yet: it will be placed)."""
    clean = without_nul(fields)
    signature = sign(clean.body) if signed else None
    return FieldsDigest(clean, fingerprint(clean), signature, signed)


def without_nul(fields: ArticleFields) -> ArticleFields:
    """Drop NUL characters, which PostgreSQL text columns reject and no reader can see."""
    changes: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = getattr(fields, name)
        if isinstance(value, str) and "\x00" in value:
            changes[name] = value.replace("\x00", "")
    if any("\x00" in a for a in fields.authors):
        changes["authors"] = tuple(a.replace("\x00", "") for a in fields.authors)
    return dataclasses.replace(fields, **changes) if changes else fields
