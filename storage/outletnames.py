"""The names outlets give themselves, learned from their own pages.

Every new version queues an alert whose payload keeps the page's ``site_name`` (og:site_name,
JSON-LD publisher…) beside the article's host; those payloads are where the names are read
back, so no table of its own is needed. The most common name of a host's recent pages wins.
"""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, col, select

from storage.alerts import stored_site_name
from storage.models import Alert

LONGEST_NAME = 80  # anything longer is a slogan, not a name


def learned_outlet_names(s: Session, *, recent: int = 20_000) -> dict[str, Counter[str]]:
    """Per article host, how often each site name appeared on its ``recent`` newest new or
    edited versions."""
    stmt = (
        select(Alert.payload)
        .where(col(Alert.kind).in_(("new", "edited", "update")))
        .order_by(col(Alert.id).desc())
        .limit(recent)
    )
    found: dict[str, Counter[str]] = {}
    for payload in s.exec(stmt).all():
        host, name = stored_site_name(payload)
        if host is not None and name is not None:
            name = " ".join(name.split())
            if 0 < len(name) <= LONGEST_NAME:
                found.setdefault(host, Counter())[name] += 1
    return found
