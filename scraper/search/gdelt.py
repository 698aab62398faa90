"""GDELT DOC 2.0 ``ArtList``: direct article URLs in 65 languages, free, no key.

The topic is translated to GDELT's syntax: quoted phrases, ``OR`` only inside parentheses,
``-`` before an excluded term, ``sourcelang:`` for the language. GDELT has no prefix operator
and refuses keywords shorter than three characters, and takes no AND group inside an OR: terms
it cannot take are left out (and said once, at start) rather than sent to be refused.

Each poll asks for what GDELT saw since the last successful poll (``timespan``), newest first,
250 records at most; a full page means more in that window, so the next page asks for the
same window ending where the last page stopped (``startdatetime``/``enddatetime``). GDELT asks
for one request every 5 seconds: the provider declares that pace for its host.

GDELT answers errors as plain text with status 200 ("There was an error with one or more of
your query parameters…", "Your search contained a keyword that was too short…"): they are
recognised and raised as :class:`~scraper.exceptions.SearchRefused`. Its JSON sometimes holds
invalid backslash escapes; those are repaired before parsing.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from scraper.exceptions import MalformedDocument, SearchRefused
from scraper.polite import PoliteFetcher, Refused
from scraper.search.feed import fetch_answer
from scraper.search.query import in_script, script_of_language
from scraper.search.types import Hit, Poll, SearchPlan, Translation
from scraper.topic import All, Any, Node, Not, Term, TopicQuery
from scraper.types import Page, Validators
from scraper.wrappers import unwrap

ENDPOINT = "https://api.gdeltproject.org/api/v2/doc/doc"
PACE = 5.0  # "please limit requests to one every 5 seconds"
PAGE_SIZE = 250  # ArtList's maximum
MIN_TERM = 3
FIRST_WINDOW = timedelta(days=1)
MIN_WINDOW = timedelta(minutes=15)  # GDELT updates every 15 minutes
MAX_WINDOW = timedelta(days=90)  # the DOC API searches the last three months
OVERLAP = timedelta(minutes=15)  # articles GDELT indexed late still fall in the next window
LANGUAGES = {
    "en": "english",
    "ru": "russian",
    "uk": "ukrainian",
    "tr": "turkish",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pl": "polish",
    "ar": "arabic",
    "zh": "chinese",
    "ja": "japanese",
    "pt": "portuguese",
    "nl": "dutch",
    "el": "greek",
    "he": "hebrew",
    "be": "belarusian",
    "ro": "romanian",
    "bg": "bulgarian",
    "sr": "serbian",
}
CODES = {name: code for code, name in LANGUAGES.items()}
_BAD_ESCAPE = re.compile(r'\\(?!["\\/bfnrtu])')
_SEENDATE = "%Y%m%dT%H%M%SZ"


class Gdelt:
    """The ``gdelt`` provider."""

    name = "gdelt"
    default_endpoint = ENDPOINT
    default_pace: float | None = PACE

    def __init__(self, *, page_size: int = PAGE_SIZE, max_pages: int = 4) -> None:
        self.page_size = page_size
        self.max_pages = max_pages

    def translate(self, topic: TopicQuery, language: str) -> Translation:
        """The topic in GDELT's syntax for one language, and what had to be left out."""
        dropped: list[str] = []
        text = ""
        if topic.root is not None:
            text = _render(topic.root, script_of_language(language), dropped, top=True)
        if not text:
            # Nothing left to search for: sending "sourcelang:x" alone would ask for everything.
            return Translation(query="", dropped=tuple(dropped))
        return Translation(
            query=f"{text} sourcelang:{LANGUAGES.get(language, language)}", dropped=tuple(dropped)
        )

    def request_url(self, endpoint: str, query: str, language: str) -> str:
        """The source's identity: the ArtList request without its time window."""
        params = urlencode(
            {
                "query": query,
                "mode": "ArtList",
                "format": "json",
                "maxrecords": self.page_size,
                "sort": "DateDesc",
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{params}"

    async def poll(
        self,
        fetcher: PoliteFetcher,
        plan: SearchPlan,
        *,
        since: datetime | None,
        now: datetime,
        validators: Validators | None = None,
    ) -> Poll | Refused:
        """What GDELT saw since ``since`` (a day when unknown), page by page."""
        fetcher.throttle.set_min_delay(plan.endpoint, PACE if plan.pace is None else plan.pace)
        window = _window(since, now)
        start = now - window
        url = f"{plan.url}&timespan={math.ceil(window.total_seconds() / 60)}min"
        requests: list[str] = []
        hits: dict[str, Hit] = {}
        problems: list[str] = []
        for page_no in range(self.max_pages):
            requests.append(url)
            page = await fetch_answer(fetcher, url)
            if isinstance(page, Refused):
                if page_no == 0:
                    return page
                problems.append(f"page {page_no + 1} not fetched: {page.reason}")
                break
            try:
                found = parse_artlist(page)
            except SearchRefused as error:
                if page_no == 0:
                    raise
                problems.append(f"page {page_no + 1}: {error}")
                break
            for hit in found:
                if hit.url is not None:
                    hits.setdefault(hit.url, hit)
            if len(found) < self.page_size:
                break
            oldest = min((h.published for h in found if h.published), default=None)
            if oldest is None or oldest <= start:
                break
            if page_no == self.max_pages - 1:
                problems.append(
                    f"{self.max_pages} full pages of {self.page_size}: older "
                    f"results of this window were not asked for"
                )
                break
            url = f"{plan.url}&startdatetime={start:%Y%m%d%H%M%S}&enddatetime={oldest:%Y%m%d%H%M%S}"
        return Poll(
            provider=self.name,
            query=plan.query,
            requests=tuple(requests),
            hits=tuple(hits.values()),
            problems=tuple(problems),
        )


def _window(since: datetime | None, now: datetime) -> timedelta:
    if since is None:
        return FIRST_WINDOW
    return min(max(now - since + OVERLAP, MIN_WINDOW), MAX_WINDOW)


def parse_artlist(page: Page) -> list[Hit]:
    """The hits of one ArtList answer; GDELT's plain-text errors raise SearchRefused."""
    text = page.text.strip()
    if not text.startswith("{"):
        if not text:
            return []  # no results is sometimes an empty body
        raise SearchRefused(f"GDELT answered: {text[:300]}", url=page.final_url)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = json.loads(_BAD_ESCAPE.sub(r"\\\\", text))
        except json.JSONDecodeError as error:
            raise MalformedDocument(
                f"GDELT's answer is not JSON: {error}", url=page.final_url
            ) from None
    articles = data.get("articles", []) if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise MalformedDocument(
            "GDELT's answer has no article list (has the format changed?)", url=page.final_url
        )
    return [hit for hit in map(_hit, articles) if hit is not None]


def _hit(article: object) -> Hit | None:
    if not isinstance(article, dict):
        return None
    link = str(article.get("url") or "").strip()
    if not link.startswith(("http://", "https://")):
        return None
    target = unwrap(link)
    language = CODES.get(str(article.get("language") or "").lower())
    return Hit(
        link=link,
        url=target or link,
        title=_text(article.get("title")),
        outlet=_text(article.get("domain")),
        language=language,
        published=_seendate(article.get("seendate")),
        resolution="unwrapped" if target else "direct",
    )


def _text(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


def _seendate(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value), _SEENDATE).replace(tzinfo=UTC)
    except ValueError:
        return None


def _render(node: Node, script: str, dropped: list[str], *, top: bool = False) -> str:
    if isinstance(node, Term):
        return _term(node, dropped)
    if isinstance(node, Not):
        if isinstance(node.operand, Term):
            inner = _term(node.operand, dropped)
            return f"-{inner}" if inner else ""
        dropped.append(f"NOT ({_label(node.operand)}): GDELT excludes single terms only")
        return ""
    if isinstance(node, All):
        rendered = [_render(op, script, dropped) for op in node.operands]
        return " ".join(p for p in rendered if p)
    if isinstance(node, Any):
        kept = [op for op in node.operands if in_script(op, script)] or list(node.operands)
        parts: list[str] = []
        for op in kept:
            if isinstance(op, All | Any | Not):
                dropped.append(f"{_label(op)}: GDELT takes no group inside OR")
                continue
            text = _term(op, dropped)
            if text and text not in parts:
                parts.append(text)
        if len(parts) > 1:
            return f"({' OR '.join(parts)})"
        return parts[0] if parts else ""
    raise TypeError(f"not a query node: {node!r}")


def _term(term: Node, dropped: list[str]) -> str:
    assert isinstance(term, Term)
    text = term.text or " ".join(term.words)
    if term.phrase:
        if len(text.replace(" ", "")) < MIN_TERM:
            dropped.append(f'"{text}": shorter than GDELT\'s minimum of {MIN_TERM} letters')
            return ""
        return f'"{text}"'
    if len(text) < MIN_TERM:
        dropped.append(f"{text}: shorter than GDELT's minimum of {MIN_TERM} letters")
        return ""
    return text


def _label(node: Node) -> str:
    if isinstance(node, Term):
        return node.text or " ".join(node.words)
    if isinstance(node, Not):
        return f"-{_label(node.operand)}"
    joiner = " OR " if isinstance(node, Any) else " "
    return joiner.join(_label(op) for op in node.operands)
