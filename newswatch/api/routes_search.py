"""``/api/search`` and ``/api/stories``: full-text search and syndication clusters.

Both are storage's: FTS5/``tsvector`` search and MinHash story grouping.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

import storage
from newswatch.api.schemas import Page, StoryOut
from newswatch.endpoints.deps import RedactorDep, SessionDep
from newswatch.endpoints.params import Limit, Offset, Outlet, StoryId
from newswatch.redaction import masked_article

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search", response_model=Page[storage.SearchHit])
def search(
    session: SessionDep,
    q: Annotated[
        str, Query(min_length=1, max_length=1000, description='Words, "phrases", prefix*, OR, NOT.')
    ],
    all_versions: Annotated[
        bool, Query(description="Search every stored version, not only the current text.")
    ] = False,
    outlet: Outlet = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[storage.SearchHit]:
    """Articles whose text matches ``q``; matched words in the snippet are in ``[...]``."""
    hits = storage.search(
        session, q, all_versions=all_versions, outlet=outlet, limit=limit, offset=offset
    )
    return Page.of(hits, limit=limit, offset=offset)


@router.get("/stories", response_model=Page[storage.StoryInfo])
def stories(session: SessionDep, limit: Limit = 50, offset: Offset = 0) -> Page[storage.StoryInfo]:
    """Stories: coverage of one event grouped (wire copies with it), largest first."""
    rows = storage.list_stories(session, limit=limit, offset=offset)
    return Page.of(rows, limit=limit, offset=offset)


@router.get("/stories/{story_id}", response_model=StoryOut)
def story(session: SessionDep, redactor: RedactorDep, story_id: StoryId) -> StoryOut:
    """One story and its articles."""
    info = storage.story_info(session, story_id)
    if info is None:
        raise storage.NotFound("story", story_id)
    return StoryOut(
        story=info,
        articles=[
            masked_article(row, redactor) for row in storage.story_articles(session, story_id)
        ],
    )
