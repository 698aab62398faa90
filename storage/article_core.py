"""A new article's row, read and written with Core statements instead of the ORM.

Recording an article's first version changes a dozen of its columns (counts, current
version, story, validators, next check). Loading it as a session object and flushing it cost
more than every other statement of the recording together (a third of a millisecond each:
identity map, attribute history, unit of work). Here the row is read with one Core SELECT into
an ``Article`` that is *not* in the session, the recording changes that object as it would any
other, and :func:`write_article_row` writes the columns that differ in one UPDATE.

The object must never be added to the session (it would be inserted): the functions the
recording hands it to only read and set its attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import configure_mappers, instrumentation
from sqlalchemy.orm.attributes import instance_state
from sqlmodel import Session

from storage.models import Article
from storage.prepared import Prepared
from storage.statements import ARTICLES, sync_loaded


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """An article read by :func:`lock_article_row`: the object to change and what was read."""

    article: Article
    read: dict[str, Any]


def lock_article_row(s: Session, article_id: int) -> ArticleRow | None:
    """The article, its row locked (PostgreSQL; SQLite's transaction already holds the lock),
    as an object outside the session; ``None``: no such article."""
    # Changes the session holds for this row (a move recorded just before, in the same
    # transaction) must be in the row read: a Core statement does not flush them itself.
    s.flush()
    read = _LOCK_ROW.mapping(s.connection(), {"article_id": article_id})
    if read is None:
        return None
    # Built as the ORM builds the objects it loads, not by Article(**read): that validates
    # and instruments each of the 35 columns in turn, and cost as much as the SELECT.
    configure_mappers()  # a no-op once done (the first session query does it too)
    article = _ARTICLE_CLASS.new_instance()
    article.__dict__.update(read)
    return ArticleRow(article, read)


def assign(article: Article, **values: Any) -> None:
    """Set columns of ``article``: straight into its ``__dict__`` when no session can hold it
    (read by :func:`lock_article_row`, or not yet added), else as attributes, which the
    session's history records.

    The recording sets some twenty columns of a new article; through SQLModel's and the
    ORM's ``__setattr__`` that cost 3 µs each, to record a history nobody reads here: the
    changes are found by comparing with what was read (:func:`write_article_row`), and a
    transient object's flush, if it is ever added, inserts what its ``__dict__`` holds.
    """
    state = instance_state(article)
    if state.key is None and state.session_id is None:
        article.__dict__.update(values)
        return
    for name, value in values.items():
        setattr(article, name, value)


def write_article_row(s: Session, row: ArticleRow) -> None:
    """Write the columns of ``row.article`` that differ from what was read, in one UPDATE."""
    article = row.article
    changes = {
        name: value for name, read in row.read.items() if (value := getattr(article, name)) != read
    }
    if not changes:
        return
    params = {f"new_{name}": value for name, value in changes.items()}
    params["article_id"] = row.read["id"]
    _update_of(tuple(changes)).run(s.connection(), params)
    # An object of this article the session holds (loaded earlier in the transaction) must
    # not show the old values, nor write them back at its next flush.
    sync_loaded(s, row.read["id"], changes)


@cache
def _update_of(names: tuple[str, ...]) -> Prepared:
    """The UPDATE of these columns of one article, built once per set of columns (a new
    article's recording changes the same ones every time)."""
    # Each parameter typed as its column, so that it is bound as the column's type binds it.
    return Prepared(
        update(ARTICLES)
        .where(ARTICLES.c.id == bindparam("article_id"))
        .values({name: bindparam(f"new_{name}", type_=ARTICLES.c[name].type) for name in names})
    )


_ARTICLE_CLASS = instrumentation.manager_of_class(Article)
_LOCK_ROW = Prepared(
    select(ARTICLES).where(ARTICLES.c.id == bindparam("article_id")).with_for_update()
)
