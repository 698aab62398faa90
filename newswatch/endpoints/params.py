"""The query and path parameters the routes share, each with bounds.

Every number a client sends is bounded before it reaches the database: SQLite cannot bind an
integer of 2^63 or more and PostgreSQL refuses it as a bigint, and either would have been a
500. Texts have lengths a person would type; times are parsed by ``newswatch.queries``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from newswatch.queries import MAX_OFFSET, TOPIC_SCAN

MAX_ID = 2**63 - 1  # the largest id a database row can have
MAX_NUMBER = 2**31 - 1  # the largest version number a database row can have

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description=f"Items to skip (at most {MAX_OFFSET:,}).")
]
Since = Annotated[
    str | None,
    Query(max_length=64, description="2025-06-02, 2025-06-02T10:00, today, or an age such as 24h."),
]
Topic = Annotated[
    str | None,
    Query(
        max_length=1000,
        description="A topic query matched on the "
        "stored text, e.g. prisoner* AND swap (among the newest "
        f"{TOPIC_SCAN:,} items).",
    ),
]
Outlet = Annotated[str | None, Query(max_length=253, description="Only this outlet (host).")]
EditClass = Annotated[
    str | None, Query(alias="class", max_length=64, description="An edit class, e.g. headline.")
]
Language = Annotated[
    str | None, Query(max_length=16, description="A language, e.g. ru (finds ru-RU too).")
]
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="The article's id.")]
StoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="The story's id.")]
SourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The source's id.")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="The version's number.")]
FromVersion = Annotated[
    int | None,
    Query(alias="from", ge=1, le=MAX_NUMBER, description="Older version (default: to - 1)."),
]
ToVersion = Annotated[
    int | None, Query(ge=1, le=MAX_NUMBER, description="Newer version (default: the latest).")
]
