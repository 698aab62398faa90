"""Reading a whole source: the source document plus what it leads to.

A sitemap index leads to child sitemaps (and an index to more indexes), a listing page to the
feeds it advertises, a ``site`` to the sitemaps its robots.txt names. :class:`Explorer` follows
those through the polite fetcher, breadth first, each document at most once and at most
``max_documents`` per source, so a self-referencing index or a maze of sitemaps ends. A child
that fails is a problem to report, not a failure of the source.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from scraper.addresses import Refusal
from scraper.discover import Discovery, ListingRules, merge_links, read
from scraper.exceptions import DiscoveryError, FetchError
from scraper.polite import PoliteFetcher, Refused
from scraper.types import Link, Page
from scraper.urls import InvalidURL, canonicalize_url
from scraper.wrappers import unwrap

logger = logging.getLogger(__name__)
_XML_ACCEPT = None  # feeds and sitemaps come under every media type imaginable: parsers decide


@dataclass(frozen=True, slots=True)
class SourceRead:
    """The article links a source yielded, and the problems met on the way."""

    links: tuple[Link, ...]
    problems: tuple[str, ...] = ()


class Explorer:
    """Follows a source's sitemaps and advertised feeds through the polite fetcher."""

    def __init__(
        self, fetcher: PoliteFetcher, *, max_documents: int = 50, max_feeds: int = 3
    ) -> None:
        self._fetcher = fetcher
        self._max_documents = max_documents
        self._max_feeds = max_feeds

    async def read(self, page: Page, kind: str, rules: ListingRules | None = None) -> SourceRead:
        """Links from ``page`` (a source of ``kind``) and from what it points to.

        Raises :class:`DiscoveryError` when the source document itself cannot be read.
        """
        first = read(page, kind, rules)
        links = list(first.links)
        problems = list(first.problems)
        if kind == "page" and not (rules and rules.select):
            # A page's own feeds list the same articles with dates; a CSS selector says the
            # owner wants exactly those links, and a match pattern filters the feeds' links too.
            pattern = re.compile(rules.match) if rules and rules.match else None
            for feed in first.feeds[: self._max_feeds]:
                found = await self._child(feed, "feed", problems)
                links.extend(
                    link
                    for link in (found.links if found else ())
                    if pattern is None or pattern.search(link.url)
                )
        elif kind in ("sitemap", "site"):
            seen = {_key(page.url), _key(page.final_url)}
            await self._sitemaps(list(first.sitemaps), seen, links, problems)
        return self.admit(page.url, links, problems)

    async def read_site(self, url: str) -> SourceRead | Refused:
        """A ``site`` source: every sitemap its robots.txt lists (or ``/sitemap.xml``)."""
        rules = await self._fetcher.robots(url)
        if isinstance(rules, Refused):
            return rules
        parts = urlsplit(url)
        sitemaps = list(rules.sitemaps) or [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]
        links: list[Link] = []
        problems: list[str] = []
        await self._sitemaps(sitemaps, set(), links, problems)
        if not links and problems:
            raise DiscoveryError("; ".join(problems), url=url)
        return self.admit(url, links, problems)

    def admit(self, url: str, links: list[Link], problems: list[str]) -> SourceRead:
        """The links, unwrapped where a known wrapper carries the publisher's URL in itself
        (Bing, Facebook, AMP caches: see :mod:`scraper.wrappers`), less those the address
        policy refuses (counted among the problems).

        Only what a URL itself tells (a literal private address, a port, a metadata name) is
        judged here, so such links never reach the frontier; a name that resolves to a
        private address is refused when its fetch connects.
        """
        policy = self._fetcher.policy
        kept: list[Link] = []
        refused: list[Refusal] = []
        for link in map(_unwrapped, links):
            refusal = policy.check_url(link.url) if policy is not None else None
            if refusal is None:
                kept.append(link)
            else:
                refused.append(refusal)
        if refused:
            logger.warning(
                "source lists forbidden addresses",
                extra={
                    "event": "forbidden_address",
                    "url": url,
                    "links": len(refused),
                    "first": str(refused[0]),
                },
            )
            problems.append(
                f"forbidden_address: {len(refused)} link(s) dropped; the first: {refused[0]}"
            )
        return SourceRead(links=merge_links(kept), problems=tuple(problems))

    async def _sitemaps(
        self, queue: list[str], seen: set[str], links: list[Link], problems: list[str]
    ) -> None:
        read_count = 0
        while queue and read_count < self._max_documents:
            url = queue.pop(0)
            if _key(url) in seen:
                continue
            seen.add(_key(url))
            read_count += 1
            found = await self._child(url, "sitemap", problems)
            if found is not None:
                links.extend(found.links)
                queue.extend(child for child in found.sitemaps if _key(child) not in seen)
        if queue:
            problems.append(f"stopped after {self._max_documents} sitemaps; {len(queue)} not read")

    async def _child(self, url: str, kind: str, problems: list[str]) -> Discovery | None:
        try:
            page = await self._fetcher.fetch(url, accept=_XML_ACCEPT)
            if isinstance(page, Refused):
                problems.append(f"{url}: {page.reason}")
                return None
            if page.not_modified or page.is_gone:
                if page.is_gone:
                    problems.append(f"{url}: HTTP {page.status}")
                return None
            found = read(page, kind)
        except (FetchError, DiscoveryError) as error:
            logger.warning(
                "source child failed",
                extra={"event": "source_child_failed", "url": url, "error": str(error)},
            )
            problems.append(f"{error.kind}: {error}")
            return None
        problems.extend(found.problems)
        return found


def _unwrapped(link: Link) -> Link:
    target = unwrap(link.url)
    if target is None:
        return link
    try:
        return dataclasses.replace(link, url=canonicalize_url(target))
    except InvalidURL:
        return link


def _key(url: str) -> str:
    try:
        return canonicalize_url(url)
    except InvalidURL:
        return url
