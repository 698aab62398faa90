"""Changes on hold: a drastic change is recorded only once it has been seen twice.

The daemon asks :func:`drastic_against_current` before recording a change; when it answers
with a reason, :func:`hold_change` keeps the new fingerprint on the article instead of a
version, and the article is looked at again soon. The next fetch either shows the same
text (then :func:`storage.record` records it, as a retraction or rewrite) or the old one
(the touch of an unchanged recheck clears what was held), or something else (held again).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.drastic import drastic_change
from storage.lifecycle import ERROR_CHARS, locked_article
from storage.models import Version
from storage.types import ArticleFields


def drastic_against_current(s: Session, *, article_id: int, fields: ArticleFields) -> str | None:
    """Why recording ``fields`` over the article's current version would be drastic."""
    article = locked_article(s, article_id)
    if article.current_version_id is None:
        return None
    current = s.get(Version, article.current_version_id)
    if current is None or current.access != "full":
        return None  # a teaser is no measure of the article's text
    return drastic_change(current, fields)


def hold_change(
    s: Session, *, article_id: int, fingerprint: str, reason: str, now: datetime
) -> None:
    """Keep a drastic change on hold until it is seen again (the check counts as done)."""
    article = locked_article(s, article_id)
    if article.pending_fingerprint != fingerprint:
        article.pending_since = now
    article.pending_fingerprint = fingerprint
    article.pending_reason = reason[:ERROR_CHARS]
    article.last_checked_at = now
    s.add(article)
    s.flush()
