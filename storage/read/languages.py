"""Languages as listings filter and group them: by the two-letter code, regional forms folded in."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from storage.models import Article, Version


def language_code(value: str | None) -> str | None:
    """``en-GB`` → ``en``; what listings group and filter languages by."""
    return value.strip().lower().split("-", 1)[0].split("_", 1)[0] or None if value else None


def language_clause(column: Any, language: str) -> Any:
    """``column`` holds ``language`` or one of its regional forms (``en`` finds ``en-GB``)."""
    code = language.strip().lower()
    return or_(func.lower(column) == code, func.lower(column).like(f"{code}-%"))


def language_counts(s: Session) -> list[tuple[str, int]]:
    """Each language of the stored articles' current versions with its number of articles,
    most first."""
    stmt = (
        select(Version.language, func.count())
        .join(Article, col(Article.current_version_id) == col(Version.id))
        .group_by(Version.language)
    )
    counts: Counter[str] = Counter()
    for language, n in s.exec(stmt).all():
        code = language_code(language)
        if code:
            counts[code] += int(n)
    return counts.most_common()
