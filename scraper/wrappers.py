"""Redirectors, aggregators and consent hosts: links and pages that are not the publisher's.

A news link often reaches us wrapped: Bing's ``apiclick.aspx?…&url=``, Facebook's
``l.facebook.com/l.php?u=``, an AMP cache copy, an old Google News ``CBMi…`` id that carries the
URL inside it. Those are *unwrapped* without any request (:func:`unwrap`). Others (``t.co``,
``feedproxy.google.com``, FeedBurner) hide the target: they are resolved by following their
redirects. And some hosts are never an article, whatever path: an aggregator's own page
(news.google.com), a consent wall (consent.google.com, guce.yahoo.com). A fetch that *ends*
there did not reach the publisher (:func:`aggregator_kind`).

The table is data, one :class:`Wrapper` a line, shared by discovery (search providers, feeds)
and by whoever judges a fetched page (the worker; the wall/consent verdicts). A caller that
knows more hosts (a search endpoint moved to a mirror) builds its own :class:`WrapperTable`
with ``extra`` prefixes.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

WrapperKind = Literal["aggregator", "consent", "redirector"]


@dataclass(frozen=True, slots=True)
class Wrapper:
    """One known wrapper: a host (``*.`` for any subdomain), an optional path prefix, what it
    is, and the query parameter that carries the target when it carries one."""

    host: str
    kind: WrapperKind
    path: str = "/"
    param: str | None = None
    note: str = ""


WRAPPERS: tuple[Wrapper, ...] = (
    # Aggregators: their own pages, never the article.
    Wrapper("news.google.com", "aggregator", note="Google News article and topic pages"),
    Wrapper("news.yahoo.com", "aggregator", "/rss", note="Yahoo News feed pages"),
    Wrapper("www.msn.com", "aggregator", "/en-us/news/other", note="MSN Start copies"),
    Wrapper("flipboard.com", "aggregator"),
    # Consent walls: a page about cookies, not the article.
    Wrapper("consent.google.com", "consent"),
    Wrapper("consent.youtube.com", "consent"),
    Wrapper("guce.yahoo.com", "consent"),
    Wrapper("consent.yahoo.com", "consent"),
    Wrapper("*.privacy-mgmt.com", "consent", note="Sourcepoint"),
    Wrapper("cmp.inmobi.com", "consent"),
    # Redirectors whose target is in the link.
    Wrapper("www.bing.com", "redirector", "/news/apiclick.aspx", "url", "Bing News RSS"),
    Wrapper("bing.com", "redirector", "/news/apiclick.aspx", "url"),
    Wrapper("l.facebook.com", "redirector", "/l.php", "u"),
    Wrapper("lm.facebook.com", "redirector", "/l.php", "u"),
    Wrapper("www.google.com", "redirector", "/url", "q"),
    Wrapper("out.reddit.com", "redirector", "/", "url"),
    Wrapper("href.li", "redirector"),
    # Redirectors that hide the target: followed like any redirect.
    Wrapper("t.co", "redirector"),
    Wrapper("feedproxy.google.com", "redirector"),
    Wrapper("feeds.feedburner.com", "redirector", "/~r/"),
    Wrapper("dlvr.it", "redirector"),
    Wrapper("ow.ly", "redirector"),
    Wrapper("bit.ly", "redirector"),
    Wrapper("trib.al", "redirector"),
    Wrapper("*.cdn.ampproject.org", "redirector", note="AMP cache: /c/s/host/path"),
)
# Base64 of the protobuf field a Google News id starts with; a 2020-style id then carries the
# publisher's URL itself, a current one ("AU_yqL…") only a token Google resolves.
_GOOGLE_ID_PREFIX = b"\x08\x13\x22"
_GOOGLE_ARTICLE_PARTS = ("articles", "read")


class WrapperTable:
    """The known wrappers plus ``extra`` URL prefixes of the caller's own (mirrors, tests)."""

    def __init__(
        self,
        wrappers: tuple[Wrapper, ...] = WRAPPERS,
        *,
        extra: dict[str, WrapperKind] | None = None,
    ) -> None:
        self._wrappers = wrappers
        self._extra = dict(extra or {})

    def with_extra(self, extra: dict[str, WrapperKind]) -> WrapperTable:
        """A table that also knows ``extra`` (URL prefix → kind)."""
        return WrapperTable(self._wrappers, extra={**self._extra, **extra})

    def find(self, url: str) -> Wrapper | None:
        """The wrapper ``url`` belongs to, if any (extra prefixes count as aggregators' own)."""
        for prefix, kind in self._extra.items():
            if url.startswith(prefix):
                return Wrapper(urlsplit(prefix).hostname or "", kind, urlsplit(prefix).path)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        path = parts.path or "/"
        for wrapper in self._wrappers:
            if _host_matches(host, wrapper.host) and path.startswith(wrapper.path):
                return wrapper
        return None

    def kind(self, url: str) -> WrapperKind | None:
        """What ``url`` is when it is not a publisher's page: aggregator, consent, redirector."""
        found = self.find(url)
        return found.kind if found is not None else None

    def unwrap(self, url: str) -> str | None:
        """The publisher URL carried inside ``url``, when it carries one (no request made)."""
        found = self.find(url)
        if found is None:
            return None
        parts = urlsplit(url)
        if found.param is not None:
            for key, value in parse_qsl(parts.query, keep_blank_values=True):
                if key.lower() == found.param and _is_http(value):
                    return value
            return None
        if found.host.endswith("cdn.ampproject.org"):
            return _amp_target(parts.path)
        if found.host == "news.google.com":
            return google_news_inline_url(url)
        return None


def _host_matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def _is_http(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _amp_target(path: str) -> str | None:
    # /c/s/example.com/path → https://example.com/path; /c/example.com/path → http://…
    pieces = path.split("/", 4)
    if len(pieces) < 4 or pieces[1] not in ("c", "v", "i"):
        return None
    secure = pieces[2] == "s"
    rest = path.split("/", 3 if secure else 2)[-1]
    return ("https://" if secure else "http://") + unquote(rest) if rest else None


def google_news_id(url: str) -> str | None:
    """The article id of a Google News link (``…/rss/articles/ID``, ``…/articles/ID``)."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) >= 2 and segments[-2] in _GOOGLE_ARTICLE_PARTS:
        return segments[-1]
    return None


def google_news_inline_url(url: str) -> str | None:
    """The publisher URL written inside an old-style Google News id, if it holds one.

    Such an id is base64 (URL alphabet) of a small protobuf message: a varint tag, then a
    length-prefixed string. Until 2024 that string was the URL itself; today it is a token
    (``AU_yqL…``) that only Google's own endpoint turns into the URL.
    """
    article_id = google_news_id(url)
    if article_id is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_GOOGLE_ID_PREFIX):
        return None
    length, offset = _varint(raw, len(_GOOGLE_ID_PREFIX))
    if length is None:
        return None
    text = raw[offset : offset + length].decode("utf-8", errors="replace")
    return text if _is_http(text) and len(raw) >= offset + length else None


def _varint(data: bytes, offset: int) -> tuple[int | None, int]:
    value = shift = 0
    while offset < len(data) and shift < 35:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, offset
        shift += 7
    return None, offset


DEFAULT_TABLE = WrapperTable()


def unwrap(url: str) -> str | None:
    """The target a known wrapper link carries in itself, or ``None`` (not a wrapper, or one
    that must be resolved by a request)."""
    return DEFAULT_TABLE.unwrap(url)


def aggregator_kind(url: str) -> WrapperKind | None:
    """``"aggregator"``, ``"consent"`` or ``"redirector"`` when ``url`` is on a known wrapper;
    ``None`` for anything else (presumably a publisher)."""
    return DEFAULT_TABLE.kind(url)
