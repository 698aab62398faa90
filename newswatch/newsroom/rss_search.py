"""A tiny news-search endpoint, shaped like Google News' RSS search, for search sources.

``GET /search?q=…&hl=…`` answers an RSS feed of the live articles in the language ``hl`` names
that contain any of the query's positive terms (a stem matches the start of a word, as the
search engines' stemming roughly does). Like Google News, item links are redirect links
(``/search/go/<slug>`` → 302 → the article), so the fetcher must follow them and file the
article under its final URL.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from newswatch.newsroom.catalog import Article, Catalog
from newswatch.newsroom.responses import Request, Response, text_response

RSS = "application/rss+xml; charset=utf-8"
_TERM = re.compile(r'-?"[^"]*"|-?[^\s()"]+')
_OPERATORS = frozenset({"OR", "AND", "NOT"})


def _fold(text: str) -> str:
    return text.casefold().replace("i̇", "i").replace("ı", "i")


def query_terms(query: str) -> list[str]:
    """The positive terms of a search query, folded as the articles' text is."""
    terms = []
    for raw in _TERM.findall(query):
        if raw in _OPERATORS or raw.startswith("-"):
            continue
        term = _fold(raw.strip('"*'))
        if term:
            terms.append(term)
    return terms


def matches_terms(article: Article, terms: list[str]) -> bool:
    """Whether the article's text holds any of ``terms`` (a term matches the start of a word)."""
    story = article.story
    text = _fold(" ".join((story.title, story.subtitle, *story.body)))
    words = re.findall(r"\w+", text)
    return not terms or any(
        (" " in term and term in text) or any(w.startswith(term) for w in words) for term in terms
    )


def results(catalog: Catalog, base_url: str, request: Request, now: datetime) -> Response:
    """The search feed, or the redirect of one result link."""
    if request.path.startswith("/search/go/"):
        article = catalog.get(request.path.removeprefix("/search/go/"))
        if article is None:
            return text_response(404, "<p>no such result</p>")
        return Response(302, b"", None, headers=(("Location", base_url + article.story.path),))
    language = (request.query.get("hl") or "en").split("-")[0].lower()
    terms = query_terms(request.query.get("q", ""))
    found = [a for a in catalog.live() if a.story.lang == language and matches_terms(a, terms)]
    items = "\n".join(
        f"<item><title>{escape(a.story.title)}</title>"
        f"<link>{escape(f'{base_url}/search/go/{a.story.slug}')}</link>"
        f'<guid isPermaLink="false">{escape(a.story.slug)}</guid>'
        f"<pubDate>{format_datetime(a.story.published)}</pubDate></item>"
        for a in found
    )
    body = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Search: {escape(request.query.get('q', ''))}</title>"
        f"<link>{escape(base_url)}/search</link>"
        f"<lastBuildDate>{format_datetime(now, usegmt=True)}</lastBuildDate>\n"
        f"{items}\n</channel></rss>\n"
    )
    return Response(200, body.encode("utf-8"), RSS)
