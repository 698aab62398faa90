"""Articles that move: a redirect or a changed ``<link rel=canonical>`` gives them a new URL.

The article keeps its id and its whole history; its old URL becomes an alias (``ArticleAlias``)
that :func:`resolve_url` maps back, so discovery never adds a moved article again as new.

When the new URL already belongs to another stored article, the rule is:

* the other article has no versions (it was only discovered, never fetched): it is absorbed —
  its aliases and the URL pass to the moving article and the empty row is deleted;
* the other article has a history of its own: histories are never spliced together. The moving
  article is retired (status ``moved``, ``moved_to_id`` = the other one, never checked again)
  and keeps its URL and versions; the other article carries on. The outcome names it, so the
  caller records the page there.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.alerts import MovedDetail
from storage.lifecycle import locked_article
from storage.models import Alert, Article, ArticleAlias, MinhashBand
from storage.outbox import queue_article_alert
from storage.sql import upsert_insert
from storage.types import Outcome, OutcomeKind

logger = logging.getLogger(__name__)


def resolve_url(s: Session, url: str) -> int | None:
    """The id of the article at ``url``, directly or through an alias."""
    found = s.exec(select(Article.id).where(col(Article.url) == url)).first()
    if found is not None:
        return found
    return s.exec(select(ArticleAlias.article_id).where(col(ArticleAlias.url) == url)).first()


def aliases_of(s: Session, article_id: int) -> list[str]:
    """Every earlier URL of an article, oldest first."""
    stmt = (
        select(ArticleAlias.url)
        .where(col(ArticleAlias.article_id) == article_id)
        .order_by(col(ArticleAlias.id))
    )
    return list(s.exec(stmt).all())


def record_moved(s: Session, *, article_id: int, new_url: str, now: datetime) -> Outcome:
    """The article is now at ``new_url`` (already canonical); keep one history.

    Returns ``MOVED`` with the id of the article that now owns ``new_url`` (see the module
    docstring for when that is another article), or ``UNCHANGED`` if it was already there.
    """
    article = locked_article(s, article_id)
    if article.url == new_url:
        return Outcome(OutcomeKind.UNCHANGED, article_id, article.version_count or None)
    owner_id = s.exec(select(Article.id).where(col(Article.url) == new_url)).first()
    if owner_id is not None:
        owner = locked_article(s, owner_id)
        if owner.version_count > 0:
            return _retire(s, article, owner, now=now)
        _absorb(s, article, owner)
    old_url = article.url
    # An alias pointing the new URL back at this article (a move back) is no longer an alias.
    s.exec(delete(ArticleAlias).where(col(ArticleAlias.url) == new_url))
    article.url = new_url
    s.add(article)
    s.flush()
    stmt = upsert_insert(s, ArticleAlias).values(url=old_url, article_id=article.id, created_at=now)
    s.exec(stmt.on_conflict_do_update(index_elements=["url"], set_={"article_id": article.id}))
    alert_id = None
    if article.version_count > 0:
        alert_id = queue_article_alert(
            s, kind="moved", article=article, detail=MovedDetail(from_url=old_url), now=now
        )
    logger.info(
        "article moved",
        extra={"event": "article_moved", "article_id": article_id, "from": old_url, "to": new_url},
    )
    return Outcome(OutcomeKind.MOVED, article_id, article.version_count or None, alert_id=alert_id)


def _absorb(s: Session, article: Article, empty: Article) -> None:
    """Fold a never-fetched article row into ``article``: its URL and aliases come along."""
    s.exec(
        update(ArticleAlias)
        .where(col(ArticleAlias.article_id) == empty.id)
        .values(article_id=article.id)
    )
    # A row without versions has no alerts or bands, but delete defensively in FK order.
    s.exec(delete(MinhashBand).where(col(MinhashBand.article_id) == empty.id))
    s.exec(delete(Alert).where(col(Alert.article_id) == empty.id))
    s.delete(empty)
    s.flush()
    if article.source_id is None:
        article.source_id = empty.source_id


def _retire(s: Session, article: Article, owner: Article, *, now: datetime) -> Outcome:
    """Both articles have history: stop checking this one and point it at the other."""
    article.status = "moved"
    article.moved_to_id = owner.id
    article.next_check_at = None
    article.lease_owner = article.lease_until = None
    article.last_checked_at = now
    s.add(article)
    s.flush()
    assert owner.id is not None
    logger.info(
        "article retired",
        extra={"event": "article_retired", "article_id": article.id, "moved_to": owner.id},
    )
    return Outcome(OutcomeKind.MOVED, owner.id, owner.version_count or None)
