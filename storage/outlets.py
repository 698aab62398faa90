"""Outlets: the one definition of which outlet a URL belongs to.

An outlet's *key* is its registered domain, found with the Public Suffix List that the
``publicsuffixlist`` package ships (read from the package, never fetched): ``www.bbc.co.uk``
and ``news.bbc.co.uk`` are ``bbc.co.uk``, ``foo.blogspot.com`` stays itself. Articles keep
their host (without ``www.``) in ``articles.outlet``; :func:`outlet_clause` selects an
outlet's articles from it, so rows stored before keys existed are found the same way.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList
from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from storage.models import Article

__all__ = ["article_host", "outlet_clause", "outlet_host", "outlet_key"]


def article_host(url: str) -> str:
    """What ``articles.outlet`` holds for an article URL: its host, lower-case, no ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def outlet_host(host_or_url: str) -> str:
    """The host (lower-case, no ``www.``) of a URL or of a host as a person writes it: what
    ``articles.outlet`` and the fetch log's ``outlet`` hold, and what metrics are labelled by."""
    text = host_or_url.strip().lower()
    return article_host(text) if "://" in text else text.removeprefix("www.").rstrip(".")


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list bundled with the package: no network


@lru_cache(maxsize=65536)
def outlet_key(host_or_url: str) -> str:
    """The outlet a host (or URL) belongs to: its registered domain. An address, a name
    without a dot (``localhost``) or a public suffix itself is its own key."""
    host = outlet_host(host_or_url)
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    if "." not in host:
        return host
    return _suffixes().privatesuffix(host) or host


def outlet_clause(key: str) -> ColumnElement[bool]:
    """Articles of the outlet ``key`` (or of a host: its outlet is taken): the host itself
    or any of its subdomains."""
    key = outlet_key(key)
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(col(Article.outlet) == key, col(Article.outlet).like(f"%.{escaped}", escape="\\"))
