"""What route handlers are given: a read session, the settings, the write-token check.

The database and settings live on ``app.state`` (put there by :func:`create_app`), never in
module globals, so two apps on two databases can run in one process (the tests do).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

import storage
from newswatch.config import Settings
from newswatch.endpoints.cache import TTLCache
from newswatch.outlets import OutletDirectory, outlet_directory
from scheduler.redact import Redactor


def get_db(request: Request) -> storage.Database:
    db: storage.Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(db: Annotated[storage.Database, Depends(get_db)]) -> Iterator[Session]:
    """A read-only session for one request."""
    with db.session() as session:
        yield session


def get_transaction(db: Annotated[storage.Database, Depends(get_db)]) -> Iterator[Session]:
    """A write transaction for one request: committed when the handler returns."""
    with db.transaction() as session:
        yield session


def require_token(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> None:
    """Writing endpoints exist only with a configured token, and need it as a Bearer token."""
    token = settings.api.token.get_secret_value()
    if not token:
        raise HTTPException(
            403,
            "writing endpoints are off: set [api] token (or NEWSWATCH_API_TOKEN) to enable them",
        )
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(value.encode(), token.encode()):
        raise HTTPException(
            401,
            "a valid 'Authorization: Bearer <token>' header is required",
            headers={"WWW-Authenticate": "Bearer"},
        )


def get_redactor(request: Request) -> Redactor:
    """What masks the configuration's secrets (and any credential) in answers."""
    redactor: Redactor = request.app.state.redactor
    return redactor


def get_aggregates(request: Request) -> TTLCache:
    cache: TTLCache = request.app.state.aggregates
    return cache


SessionDep = Annotated[Session, Depends(get_session)]
AggregatesDep = Annotated[TTLCache, Depends(get_aggregates)]
WriteSessionDep = Annotated[Session, Depends(get_transaction)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RedactorDep = Annotated[Redactor, Depends(get_redactor)]
TokenDep = Depends(require_token)


def get_outlets(
    request: Request, session: SessionDep, cache: AggregatesDep, settings: SettingsDep
) -> OutletDirectory:
    """The outlets' display names (learned from the stored pages at most every 30 s)."""
    return cache.get("outlets", lambda: outlet_directory(session, settings.outlets.names))


OutletsDep = Annotated[OutletDirectory, Depends(get_outlets)]
