"""``/api/sources``: reading is open; adding and removing need the configured token.

Answers show a source's URL with its credentials masked (``user:***a1b2@``, ``token=***c3d4``);
the database keeps the real URL, which the daemon needs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, status

import storage
from newswatch.api.schemas import Message, Page, SourceIn
from newswatch.durations import parse_duration
from newswatch.endpoints.deps import RedactorDep, SessionDep, TokenDep, WriteSessionDep
from newswatch.endpoints.params import Limit, Offset, SourceId
from newswatch.redaction import masked_source

router = APIRouter(prefix="/api/sources", tags=["sources"])
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": Message}, 403: {"model": Message}}


@router.get("", response_model=Page[storage.SourceRow])
def list_sources(
    session: SessionDep,
    redactor: RedactorDep,
    enabled: bool = False,
    limit: Limit = 500,
    offset: Offset = 0,
) -> Page[storage.SourceRow]:
    """Every source with its schedule, health and number of articles."""
    rows = [
        masked_source(row, redactor) for row in storage.list_sources(session, enabled_only=enabled)
    ]
    return Page.of(rows[offset : offset + limit], limit=limit, offset=offset)


@router.post(
    "",
    response_model=storage.SourceRow,
    status_code=status.HTTP_201_CREATED,
    dependencies=[TokenDep],
    responses=_WRITE_ERRORS,
)
def add_source(
    session: WriteSessionDep, redactor: RedactorDep, body: SourceIn
) -> storage.SourceRow:
    """Add (or re-enable) a source, due at once. A new source is `manual`: a daemon's start
    keeps it (a configuration that lists its URL manages it from then on); an existing source
    keeps its origin."""
    spec = storage.SourceSpec(
        url=body.url, kind=body.kind, every_seconds=int(parse_duration(body.every).total_seconds())
    )
    return masked_source(storage.add_source(session, spec, now=datetime.now(UTC)), redactor)


@router.delete(
    "/{source_id}",
    response_model=storage.SourceRow,
    dependencies=[TokenDep],
    responses={**_WRITE_ERRORS, 404: {"model": Message}},
)
def remove_source(
    session: WriteSessionDep, redactor: RedactorDep, source_id: SourceId
) -> storage.SourceRow:
    """Stop polling a source; its articles stay. A source the configuration lists is
    enabled again when a daemon starts with that configuration."""
    return masked_source(storage.remove_source(session, source_id), redactor)
