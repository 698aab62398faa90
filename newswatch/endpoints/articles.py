"""The article a path or query names, by id or by URL, for every endpoint that shows one."""

from __future__ import annotations

from fastapi import HTTPException
from sqlmodel import Session

import storage
from scraper.urls import InvalidURL, canonicalize_url


def load_article(session: Session, key: str | int) -> storage.Article:
    """The article with this id or URL; :class:`storage.NotFound` (a 404) if there is none."""
    if isinstance(key, str) and not key.isdigit():
        try:
            key = canonicalize_url(key)
        except InvalidURL:
            raise HTTPException(422, f"{key!r} is not an article URL") from None
    article = storage.find_article(session, key)
    if article is None:
        raise storage.NotFound("article", key)
    return article
