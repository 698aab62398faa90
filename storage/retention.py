"""What may be deleted, and only when asked: old fetch logs, and an article the user forgets.

History is the product: versions and snapshots are never pruned by age or count. The fetch log
is diagnostics and grows with every request, so :func:`prune_fetch_logs` trims it by age
(``newswatch prune --fetch-logs-older-than 30d``). Removing an article's history is an explicit
user decision (a legal takedown, a mistaken source): :func:`forget_article`
(``newswatch prune --forget URL``), which also drops the snapshots nothing else uses.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from storage.exceptions import NotFound
from storage.models import (
    Alert,
    Article,
    ArticleAlias,
    ArticleSignature,
    Delivery,
    EditClass,
    FetchLog,
    MinhashBand,
    Snapshot,
    Story,
    Version,
)
from storage.searchindex import unindex_article

logger = logging.getLogger(__name__)


def prune_fetch_logs(s: Session, *, older_than: datetime) -> int:
    """Delete fetch-log lines from before ``older_than``; return how many went."""
    result = s.exec(delete(FetchLog).where(col(FetchLog.at) < older_than))
    count = result.rowcount or 0
    logger.info(
        "fetch log pruned",
        extra={"event": "fetch_log_pruned", "deleted": count, "older_than": older_than},
    )
    return count


def forget_article(s: Session, *, article_id: int) -> int:
    """Delete an article with all its versions, alerts, aliases and unshared snapshots.

    Returns the number of versions deleted. Other articles of its story stay in the story.
    """
    article = s.get(Article, article_id)
    if article is None:
        raise NotFound("article", article_id)
    versions = list(s.exec(select(Version).where(col(Version.article_id) == article_id)).all())
    unindex_article(s, article_id=article_id, versions=versions)
    version_ids = [v.id for v in versions]
    alert_ids = select(Alert.id).where(col(Alert.article_id) == article_id)
    s.exec(delete(Delivery).where(col(Delivery.alert_id).in_(alert_ids)))
    s.exec(delete(Alert).where(col(Alert.article_id) == article_id))
    s.exec(delete(EditClass).where(col(EditClass.version_id).in_(version_ids)))
    s.exec(delete(Version).where(col(Version.article_id) == article_id))
    s.exec(delete(MinhashBand).where(col(MinhashBand.article_id) == article_id))
    s.exec(delete(ArticleSignature).where(col(ArticleSignature.article_id) == article_id))
    s.exec(delete(ArticleAlias).where(col(ArticleAlias.article_id) == article_id))
    # Retired duplicates that pointed here now point nowhere rather than at a missing row.
    s.exec(update(Article).where(col(Article.moved_to_id) == article_id).values(moved_to_id=None))
    s.exec(
        update(Story).where(col(Story.first_article_id) == article_id).values(first_article_id=None)
    )
    s.delete(article)
    s.flush()
    prune_snapshots(s)
    logger.info(
        "article forgotten",
        extra={"event": "article_forgotten", "article_id": article_id, "versions": len(versions)},
    )
    return len(versions)


def prune_snapshots(s: Session) -> int:
    """Delete snapshots no version refers to (left behind by :func:`forget_article`)."""
    used = select(Version.snapshot_sha256).where(col(Version.snapshot_sha256).is_not(None))
    result = s.exec(delete(Snapshot).where(col(Snapshot.sha256).not_in(used)))
    return result.rowcount or 0
