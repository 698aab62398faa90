"""Choosing each metadata field from the sources a page offers, strongest source first."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from scraper.extract.authors import clean_authors
from scraper.extract.dates import date_from_url, parse_date
from scraper.extract.jsonld import LinkedData
from scraper.extract.meta import PageMeta
from scraper.extract.title import clean_title

PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish_date",
    "publish-date",
    "article.published",
    "article_date_original",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "sailthru.date",
    "parsely-pub-date",
    "date",
    "cxenseparse:recs:publishtime",
    "originalpublicationdate",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "datemodified",
    "lastmod",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
)
AUTHOR_META = (
    "author",
    "article:author",
    "og:article:author",
    "citation_author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "cxenseparse:author",
)
_GENERIC_SEGMENTS = frozenset(
    """news article articles story stories post posts blog blogs p a amp content item
    items detail details view read doc page pages index html en es fr de ru uk tr it pt
    www home latest""".split()
)


_LANGUAGE = re.compile(r"[A-Za-z]{2,3}")
_REGION = re.compile(r"[A-Za-z]{2}")
_SCRIPT = re.compile(r"[A-Za-z]{4}")
_SUBTAG = re.compile(r"[A-Za-z0-9]{1,8}")
_SECTION = re.compile(r"[a-z][a-z-]{2,30}")


@dataclass(slots=True)
class Metadata:
    """Resolved metadata fields, and where each came from."""

    title: str | None = None
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    modified: datetime | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    page_type: str | None = None
    signals: dict[str, str] = field(default_factory=dict)


def language_tag(value: str | None) -> str | None:
    """A BCP 47 tag from ``en_US``, ``EN-us``, ``ru``…"""
    if not value:
        return None
    value = value.strip().replace("_", "-").split(",")[0].split(";")[0].strip()
    parts = value.split("-")
    if not _LANGUAGE.fullmatch(parts[0]):
        return None
    out = [parts[0].lower()]
    for part in parts[1:]:
        if _REGION.fullmatch(part):
            out.append(part.upper())
        elif _SCRIPT.fullmatch(part):
            out.append(part.title())
        elif _SUBTAG.fullmatch(part):
            out.append(part.lower())
    return "-".join(out)


def _absolute(link: str | None, base: str | None) -> str | None:
    if not link:
        return None
    link = link.strip()
    if link.startswith(("https://", "http://")):
        return link
    if link.startswith("//"):
        return ("https:" if not base else urlsplit(base).scheme + ":") + link
    return urljoin(base, link) if base else link


def section_from_url(url: str | None) -> str | None:
    """The first path segment that names a section: /en/world/250602/x.html → world."""
    if not url:
        return None
    segments = [s for s in urlsplit(url).path.split("/") if s]
    for segment in segments[:-1]:
        low = segment.lower()
        if low in _GENERIC_SEGMENTS or not _SECTION.fullmatch(low):
            continue
        return low
    return None


def _site_from_host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    return host or None


Option = tuple[str, Callable[[], object]]


def _pick(md: Metadata, name: str, options: Iterable[Option]) -> None:
    """Set ``name`` from the first source that yields a value; later ones are never computed."""
    for source, compute in options:
        value = compute()
        if value not in (None, "", ()):
            setattr(md, name, value)
            md.signals[name] = source
            return


def _ld(ld: LinkedData | None, attr: str) -> Callable[[], object]:
    return lambda: getattr(ld, attr) if ld else None


def _site(md: Metadata, meta: PageMeta, ld: LinkedData | None, url: str | None) -> list[str]:
    _pick(
        md,
        "site_name",
        [
            ("meta", lambda: meta.first("og:site_name", "application-name", "al:ios:app_name")),
            ("json-ld", lambda: ld and (ld.site_name or ld.publisher)),
            ("meta", lambda: meta.first("twitter:site", "publisher", "dc.publisher")),
        ],
    )
    if md.site_name and md.site_name.startswith("@"):
        md.site_name = md.site_name[1:]
    names = [n for n in (md.site_name, ld.publisher if ld else None) if n]
    host = _site_from_host(url)
    if host:
        names += [host, host.split(".")[0]]
    return names


def _text_fields(md: Metadata, meta: PageMeta, ld: LinkedData | None, sites: list[str]) -> None:
    heading = meta.heading
    _pick(
        md,
        "title",
        [
            (source, lambda value=value: clean_title(value, sites, heading))
            for source, value in (
                ("json-ld", ld.headline if ld else None),
                ("meta", meta.first("og:title", "twitter:title", "citation_title", "dc.title")),
                ("microdata", meta.item("headline")),
                ("dom", heading),
                ("dom", meta.title),
            )
            if value and value.strip()
        ][:1],
    )
    _pick(
        md,
        "description",
        [
            ("meta", lambda: meta.first("description", "og:description", "twitter:description")),
            ("json-ld", _ld(ld, "description")),
        ],
    )


def _authors(
    md: Metadata, meta: PageMeta, ld: LinkedData | None, sites: list[str], bylines: list[str]
) -> None:
    _pick(
        md,
        "authors",
        [
            ("json-ld", lambda: clean_authors(ld.authors if ld else (), sites)),
            (
                "meta",
                lambda: clean_authors(
                    (a for a in meta.all(*AUTHOR_META) if not a.startswith("http")), sites
                ),
            ),
            ("microdata", lambda: clean_authors(meta.microdata.get("author", ()), sites)),
            ("dom", lambda: clean_authors(meta.author_links + bylines, sites)),
        ],
    )


def _dates(
    md: Metadata, meta: PageMeta, ld: LinkedData | None, url: str | None, datelines: list[str]
) -> None:
    _pick(
        md,
        "published",
        [
            ("json-ld", lambda: parse_date(ld.published) if ld else None),
            ("meta", lambda: parse_date(meta.first(*PUBLISHED_META))),
            ("microdata", lambda: parse_date(meta.item("datePublished"))),
            *(("dom", lambda v=v: parse_date(v)) for v in meta.times),
            *(("text", lambda v=v: parse_date(v)) for v in datelines),
            ("url", lambda: date_from_url(url)),
        ],
    )
    _pick(
        md,
        "modified",
        [
            ("json-ld", lambda: parse_date(ld.modified) if ld else None),
            ("meta", lambda: parse_date(meta.first(*_MODIFIED_META))),
            ("microdata", lambda: parse_date(meta.item("dateModified"))),
        ],
    )


def _links(md: Metadata, meta: PageMeta, ld: LinkedData | None, url: str | None) -> None:
    _pick(
        md,
        "language",
        [
            ("dom", lambda: language_tag(meta.language)),
            (
                "meta",
                lambda: language_tag(
                    meta.first("content-language", "og:locale", "language", "dc.language")
                ),
            ),
            ("json-ld", lambda: language_tag(ld.language) if ld else None),
        ],
    )
    _pick(
        md,
        "canonical_url",
        [
            ("dom", lambda: _absolute(meta.canonical, url)),
            ("meta", lambda: _absolute(meta.first("og:url"), url)),
            ("json-ld", lambda: _absolute(ld.url, url) if ld else None),
        ],
    )
    _pick(
        md,
        "image",
        [
            (
                "meta",
                lambda: _absolute(
                    meta.first("og:image", "og:image:url", "twitter:image", "twitter:image:src"),
                    url,
                ),
            ),
            ("json-ld", lambda: _absolute(ld.image, url) if ld else None),
        ],
    )


def _section_tags(md: Metadata, meta: PageMeta, ld: LinkedData | None, url: str | None) -> None:
    _pick(
        md,
        "section",
        [
            ("json-ld", _ld(ld, "section")),
            (
                "meta",
                lambda: meta.first("article:section", "section", "parsely-section", "category"),
            ),
            ("microdata", lambda: meta.item("articleSection")),
            ("url", lambda: section_from_url(url)),
        ],
    )

    def meta_tags() -> tuple[str, ...]:
        tags = meta.all("article:tag", "news_keywords", "keywords", "parsely-tags")
        return tuple(dict.fromkeys(t.strip() for tag in tags for t in tag.split(",") if t.strip()))

    _pick(md, "tags", [("json-ld", _ld(ld, "keywords")), ("meta", meta_tags)])


def resolve(
    meta: PageMeta,
    ld: LinkedData | None,
    url: str | None,
    bylines: list[str],
    datelines: list[str],
) -> Metadata:
    """Every field from its best source: JSON-LD, then <meta>, microdata, the DOM, the URL."""
    md = Metadata()
    _pick(md, "page_type", [("json-ld", _ld(ld, "page_type"))])
    sites = _site(md, meta, ld, url)
    _text_fields(md, meta, ld, sites)
    _authors(md, meta, ld, sites, bylines)
    _dates(md, meta, ld, url, datelines)
    _links(md, meta, ld, url)
    _section_tags(md, meta, ld, url)
    return md
