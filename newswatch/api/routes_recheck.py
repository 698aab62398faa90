"""``POST /api/recheck``: check chosen articles now (needs the configured token)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field, model_validator

import storage
from newswatch.api.schemas import MAX_URL_CHARS, Message
from newswatch.endpoints.deps import TokenDep, WriteSessionDep
from newswatch.endpoints.params import MAX_ID
from scraper.urls import InvalidURL, canonicalize_url

router = APIRouter(prefix="/api/recheck", tags=["recheck"])


class RecheckIn(BaseModel):
    """What to check now: exactly one of an article, an outlet, or everything."""

    # Strict: JSON's true is not article 1 (a lax int took it for one and rechecked it).
    article: Annotated[int, Field(strict=True, ge=1, le=MAX_ID)] | str | None = Field(
        None, description="Article id or URL."
    )
    outlet: str | None = Field(
        None,
        min_length=1,
        max_length=253,
        description="Every article of this "
        "outlet (its domain, e.g. bbc.co.uk, or any of its hosts).",
    )
    all: bool = Field(False, description="Every article and every enabled source.")

    @model_validator(mode="after")
    def _one_target(self) -> RecheckIn:
        if (self.article is not None) + (self.outlet is not None) + self.all != 1:
            raise ValueError("give exactly one of article, outlet or all")
        if isinstance(self.article, str) and len(self.article) > MAX_URL_CHARS:
            raise ValueError(f"article: a URL of at most {MAX_URL_CHARS} characters")
        return self


class RecheckOut(BaseModel):
    """How many articles (and, with ``all``, sources) are now due."""

    articles: int
    sources: int


@router.post(
    "",
    response_model=RecheckOut,
    dependencies=[TokenDep],
    responses={401: {"model": Message}, 403: {"model": Message}, 404: {"model": Message}},
)
def recheck(session: WriteSessionDep, body: RecheckIn) -> RecheckOut:
    """Make the articles due now: a running daemon checks them at its next pass."""
    target = storage.RecheckTarget(outlet=body.outlet, everything=body.all)
    if body.article is not None:
        key: Any = body.article
        if isinstance(key, str) and not key.isdigit():
            try:
                key = canonicalize_url(key)
            except InvalidURL as error:
                raise HTTPException(422, str(error)) from None
        found = storage.find_article(session, key)
        if found is None:
            raise HTTPException(404, f"no stored article {body.article!r}")
        target = storage.RecheckTarget(article_id=found.id)
    done = storage.make_due(session, target, now=datetime.now(UTC))
    return RecheckOut(articles=done.articles, sources=done.sources)
