"""The topic query in a search engine's syntax, one query per language.

Feeds and sitemaps only find what the outlets we listed publish; a news search finds the
coverage of everyone else. :func:`search_query` translates our
:class:`~scraper.topic.TopicQuery` into a search engine's syntax, keeping, for each language, the
alternatives written in that language's script (a Cyrillic term is noise in a Turkish search).
Search engines have no prefix operator, so ``negotiat*`` is sent as the stem ``negotiat`` and
the engine's own stemming does what it can: recall is the engine's, precision is ours, because
every article found is matched against the full topic query before it counts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from scraper.topic import All, Any, Node, Not, Term, TopicQuery

GOOGLE_NEWS_SEARCH = "https://news.google.com/rss/search"


@dataclass(frozen=True, slots=True)
class Locale:
    """Google News' three locale parameters for one language."""

    hl: str
    gl: str
    ceid: str


LOCALES: dict[str, Locale] = {
    "en": Locale("en-US", "US", "US:en"),
    "ru": Locale("ru", "RU", "RU:ru"),
    "uk": Locale("uk", "UA", "UA:uk"),
    "tr": Locale("tr", "TR", "TR:tr"),
    "de": Locale("de", "DE", "DE:de"),
    "fr": Locale("fr", "FR", "FR:fr"),
}
# Which script a language is written in, for picking its terms out of a multilingual query.
SCRIPTS: dict[str, str] = {
    "ru": "CYRILLIC",
    "uk": "CYRILLIC",
    "be": "CYRILLIC",
    "bg": "CYRILLIC",
    "sr": "CYRILLIC",
    "el": "GREEK",
    "ar": "ARABIC",
    "he": "HEBREW",
}


def locale_of(language: str) -> Locale:
    """The locale for a two-letter language code (``xx`` → ``hl=xx&gl=XX&ceid=XX:xx``)."""
    return LOCALES.get(
        language, Locale(language, language.upper(), f"{language.upper()}:{language}")
    )


def search_query(topic: TopicQuery, language: str | None = None) -> str:
    """The topic as a search-engine query (``A B`` = AND, ``OR``, ``-x``, ``"phrase"``, parens).

    With a ``language``, OR-alternatives in other scripts are left out, unless that would leave
    a group empty (then the group is kept whole).
    """
    if topic.root is None:
        return ""
    script = SCRIPTS.get(language or "", "LATIN") if language else None
    return _render(topic.root, script, top=True)


def search_feed_url(endpoint: str, query: str, language: str) -> str:
    """One news-search feed URL: ``endpoint?q=…&hl=…&gl=…&ceid=…``."""
    locale = locale_of(language)
    params = urlencode({"q": query, "hl": locale.hl, "gl": locale.gl, "ceid": locale.ceid})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{params}"


def search_feed_urls(
    endpoint: str,
    topic: TopicQuery,
    languages: tuple[str, ...] | list[str],
    query: str | None = None,
) -> list[str]:
    """One feed URL per language; ``query`` overrides the one derived from the topic."""
    return [
        search_feed_url(endpoint, query or search_query(topic, language), language)
        for language in languages
    ]


def _render(node: Node, script: str | None, *, top: bool = False) -> str:
    if isinstance(node, Term):
        text = node.text or " ".join(node.words)
        return f'"{text}"' if node.phrase else text
    if isinstance(node, Not):
        inner = _render(node.operand, script)
        return f"-{inner}" if isinstance(node.operand, Term) else f"-({inner})"
    if isinstance(node, All):
        return " ".join(_wrap(op, script) for op in node.operands)
    if isinstance(node, Any):
        operands = list(node.operands)
        if script is not None:
            kept = [op for op in operands if _in_script(op, script)]
            operands = kept or operands
        parts = list(dict.fromkeys(_wrap(op, script) for op in operands))
        joined = " OR ".join(parts)
        return joined if top or len(parts) == 1 else f"({joined})"
    raise TypeError(f"not a query node: {node!r}")


def _wrap(node: Node, script: str | None) -> str:
    text = _render(node, script)
    return f"({text})" if isinstance(node, All) and len(node.operands) > 1 else text


def script_of_language(language: str) -> str:
    """The script a language is written in (``LATIN`` unless :data:`SCRIPTS` says otherwise)."""
    return SCRIPTS.get(language, "LATIN")


def in_script(node: Node, script: str) -> bool:
    """Whether a term is written in ``script`` (groups: whether any of their terms is)."""
    return _in_script(node, script)


def _in_script(node: Node, script: str) -> bool:
    """Whether a term is written in ``script`` (groups: whether any of their terms is)."""
    if isinstance(node, Term):
        letters = [ch for word in node.words for ch in word if ch.isalpha()]
        return bool(letters) and all(_script_of(ch) == script for ch in letters)
    if isinstance(node, Not):
        return _in_script(node.operand, script)
    return any(_in_script(op, script) for op in node.operands)


def _script_of(ch: str) -> str:
    return unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
