"""Article metadata from JSON-LD: ``@graph``s, arrays, several ``@type``s, ``@id`` references."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.authors import is_agency

ARTICLE_TYPES = frozenset(
    """Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle
    BackgroundNewsArticle ReviewNewsArticle AskPublicNewsArticle SatiricalArticle
    LiveBlogPosting BlogPosting SocialMediaPosting DiscussionForumPosting Report
    ScholarlyArticle TechArticle MedicalScholarlyArticle Review""".split()
)
_PAGE_TYPES = frozenset({"WebPage", "ItemPage", "AboutPage", "CollectionPage", "VideoObject"})
_SITE_TYPES = frozenset({"WebSite", "Organization", "NewsMediaOrganization", "Corporation"})
_NOT_PEOPLE = frozenset({"Organization", "NewsMediaOrganization", "Corporation", "WebSite"})
_MAX_NODES = 2000  # a page with more JSON-LD objects than this is not describing one article


@dataclass(frozen=True, slots=True)
class LinkedData:
    """What the page's JSON-LD says about its main article (raw strings, not yet cleaned)."""

    page_type: str | None = None
    headline: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    keywords: tuple[str, ...] = ()
    image: str | None = None
    publisher: str | None = None
    site_name: str | None = None
    language: str | None = None
    url: str | None = None
    article_body: str | None = None


# What json.loads(text, strict=False) decodes with, made once: json.loads builds a new decoder
# (and its scanner) at every call given an option, which costs more than decoding a page's
# JSON-LD. (A text opening with a byte-order mark fails here as it fails there.)
_DECODER = json.JSONDecoder(strict=False)


def _load(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return _DECODER.decode(text)
    except RecursionError:
        return None  # nested deeper than the parser's stack: not an article description
    except ValueError:
        pass
    # CMS templates wrap JSON-LD in comments/CDATA or leave trailing commas.
    text = re.sub(r"^\s*(?://)?\s*(?:<!--|<!\[CDATA\[)|(?://)?\s*(?:-->|\]\]>)\s*$", "", text)
    text = re.sub(r",\s*([}\]])", r"\1", text)
    try:
        return _DECODER.decode(text)
    except (ValueError, RecursionError):
        return None


def _objects(roots: list[Any]) -> list[dict[str, Any]]:
    """Every dict reachable through lists and ``@graph`` (iteratively, bounded)."""
    found: list[dict[str, Any]] = []
    stack = list(reversed(roots))
    while stack and len(found) < _MAX_NODES:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            found.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list | dict):
                stack.append(graph)
            main = item.get("mainEntity")
            if isinstance(main, dict):
                stack.append(main)
    return found


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    if isinstance(value, str):
        return {value.rsplit("/", 1)[-1]}
    if isinstance(value, list):
        return {v.rsplit("/", 1)[-1] for v in value if isinstance(v, str)}
    return set()


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return _text(value[0])
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("@value") or value.get("url"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _names(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    names: list[str] = []
    stack = [value]
    steps = 0
    while stack and len(names) < 50 and steps < 500:
        steps += 1
        item = stack.pop()
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, list):
            stack.extend(reversed(item))  # keep the page's order of authors
        elif isinstance(item, dict):
            if "name" not in item and isinstance(item.get("@id"), str):
                item = by_id.get(item["@id"], item)
            name = item.get("name", item.get("@value"))
            if _types(item) & _NOT_PEOPLE and not (isinstance(name, str) and is_agency(name)):
                # An Organization as author is the publisher, not a byline; a wire agency
                # credited beside the reporter ("Paula Steiger", Organization "SDA") is one.
                continue
            if isinstance(name, str | list | dict):
                stack.append(name)
    return names


def _image(value: Any) -> str | None:
    if isinstance(value, list) and value:
        return _image(value[0])
    if isinstance(value, dict):
        return _text(value.get("url") or value.get("contentUrl") or value.get("@id"))
    return _text(value)


def _keywords(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return ()
    out = [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return tuple(dict.fromkeys(out))


def _score(obj: dict[str, Any]) -> int:
    score = 2 if _types(obj) & ARTICLE_TYPES else 0
    score += bool(obj.get("headline")) + bool(obj.get("datePublished")) + bool(obj.get("author"))
    body = obj.get("articleBody")
    return score + (2 if isinstance(body, str) and len(body) > 200 else 0)


def scripts(tree: LexborHTMLParser) -> list[str]:
    """The raw text of the page's JSON-LD scripts."""
    out = []
    for node in tree.css("script"):
        kind = (node.attributes.get("type") or "").lower()
        if "ld+json" in kind:
            out.append(node.text(deep=True))
    return out


def read_linked_data(sources: Iterable[str]) -> LinkedData | None:
    """The JSON-LD description of the page's main article, if it has one."""
    objects = _objects([_load(text) for text in sources])
    if not objects:
        return None
    by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    typed = [(o, _types(o)) for o in objects]  # each object's types, worked out once
    articles = [o for o, types in typed if types & ARTICLE_TYPES]
    pages = [o for o, types in typed if types & _PAGE_TYPES]
    main = max(articles, key=_score) if articles else (pages[0] if pages else None)
    site = next((o for o, types in typed if types & _SITE_TYPES and o.get("name")), None)
    if main is None:
        if site is None:
            return None
        return LinkedData(site_name=_text(site.get("name")))
    types = _types(main)
    kind = sorted(types & ARTICLE_TYPES)[0] if types & ARTICLE_TYPES else sorted(types)[0]
    publisher = main.get("publisher")
    if isinstance(publisher, dict) and "name" not in publisher:
        publisher = by_id.get(publisher.get("@id", ""), publisher)
    body = main.get("articleBody")
    return LinkedData(
        page_type=kind,
        headline=_text(main.get("headline") or main.get("name")),
        description=_text(main.get("description")),
        authors=tuple(_names(main.get("author") or main.get("creator"), by_id)),
        published=_text(main.get("datePublished") or main.get("dateCreated")),
        modified=_text(main.get("dateModified")),
        section=_text(main.get("articleSection")),
        keywords=_keywords(main.get("keywords")),
        image=_image(main.get("image") or main.get("thumbnailUrl")),
        publisher=_text(publisher),
        site_name=_text(site.get("name")) if site else None,
        language=_text(main.get("inLanguage")),
        url=_text(main.get("url")) or _text(main.get("mainEntityOfPage")),
        article_body=body if isinstance(body, str) else None,
    )
