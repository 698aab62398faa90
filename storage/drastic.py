"""Drastic changes: the ones a glitch, a wall or a half-served page also produce.

A change that removes most of an article's text, replaces most of it, or empties a field the
article had is what an editor's retraction or rewrite looks like, and also what a teaser, an
error page that slipped past the verdicts, or a truncated response look like. So the daemon
records such a change only once it has seen it twice (``[recheck] confirm_after``). When it is
confirmed, its class says which it was:

``retraction``  the text was replaced by a short note (most of it removed), such as "This
                article has been removed" or an editor's note
``rewrite``     most of the text was replaced by other text of a similar length

Pure functions over two sets of fields, like :mod:`storage.classify`.
"""

from __future__ import annotations

import re

from storage.diff import word_diff
from storage.fingerprint import FieldsLike, normalise

# Share of the old body's words that a change must remove (or replace) to be drastic.
REMOVED_SHARE = 0.6
REPLACED_SHARE = 0.6
# A text at most this share of the old one's length is what is left after a retraction.
NOTE_SHARE = 0.3
# Bodies shorter than this (in words) are too short for shares to mean anything.
MIN_WORDS = 60
_RETRACTION = re.compile(
    r"\b(?:retract\w*|withdrawn|has been (?:removed|taken down|unpublished|deleted)|"
    r"no longer (?:available|online)|editor'?s'? note|removed this (?:article|story)|"
    r"удален\w*|снят\w* с публикации|отозван\w*|видален\w*|знят\w* з публікації|"
    r"kaldırıl\w*|yayından kaldır\w*|geri çek\w*|zurückgezogen|entfernt)\b",
    re.IGNORECASE,
)


def drastic_change(old: FieldsLike, new: FieldsLike) -> str | None:
    """Why going from ``old`` to ``new`` is drastic (to be confirmed first), or ``None``."""
    for name in ("title", "authors", "published"):
        if _present(old, name) and not _present(new, name):
            return f"the {name} is gone"
    before, after = normalise(old.body).split(), normalise(new.body).split()
    if len(before) < MIN_WORDS:
        return None
    if len(after) <= len(before) * (1 - REMOVED_SHARE):
        return f"{len(before) - len(after)} of {len(before)} words removed"
    removed = sum(
        len(op.text.split())
        for op in word_diff(" ".join(before), " ".join(after))
        if op.op == "delete"
    )
    if removed >= len(before) * REPLACED_SHARE:
        return f"{removed} of {len(before)} words replaced"
    return None


def drastic_classes(old: FieldsLike, new: FieldsLike) -> list[str]:
    """The class of a confirmed drastic change: ``retraction`` or ``rewrite`` (or none)."""
    before, after = normalise(old.body).split(), normalise(new.body).split()
    if len(before) < MIN_WORDS:
        return []
    if len(after) <= len(before) * NOTE_SHARE or (
        len(after) <= len(before) * (1 - REMOVED_SHARE) and _RETRACTION.search(normalise(new.body))
    ):
        return ["retraction"]
    if drastic_change(old, new) is not None:
        return ["rewrite"]
    return []


def _present(fields: FieldsLike, name: str) -> bool:
    value = getattr(fields, name)
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)
