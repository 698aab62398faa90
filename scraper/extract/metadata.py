"""Choosing each metadata field from the sources a page offers, strongest source first."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborNode

from scraper.extract.credits import byline_lines, choose_authors
from scraper.extract.dates import parse_date
from scraper.extract.headblock import headline_lines
from scraper.extract.headline import choose_headline, visible_text
from scraper.extract.jsonld import LinkedData
from scraper.extract.language import choose_language, text_sample
from scraper.extract.metatags import PageMeta
from scraper.extract.published import choose_published
from scraper.types import Evidence

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
    evidence: list[Evidence] = field(default_factory=list)
    # Worked out with the headline, before the article text is cleaned: the names the site
    # goes by, and the text lines around the headline (where byline and dateline are).
    sites: list[str] = field(default_factory=list)
    near_headline: list[str] = field(default_factory=list)


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


_TITLE_META = ("og:title", "twitter:title", "citation_title", "dc.title")


def _title(
    md: Metadata, meta: PageMeta, ld: LinkedData | None, sites: list[str], start: int | None
) -> LexborNode | None:
    """Decide the title; returns the chosen headline element, if the title is one."""
    titles = [
        (source, signal, value)
        for source, signal, value in (
            ("json-ld headline", "json-ld", ld.headline if ld else None),
            *((key, "meta", meta.first(key)) for key in _TITLE_META),
            ("microdata headline", "microdata", meta.item("headline")),
            ("<title>", "dom", meta.title),
        )
        if value and value.strip()
    ]
    found = choose_headline(meta.headings, titles, sites, start)
    md.evidence.extend(found.tally.evidence())
    if found.title and found.signal:
        md.title = found.title
        md.signals["title"] = found.signal
    return meta.headings[found.heading][2] if found.heading is not None else None


_DECORATION = " -|–—:»«·•/"


def _title_decoration(title: str | None, page_title: str | None) -> list[str]:
    """The site name a ``<title>`` adds to the headline ("Headline - Sputnik International")."""
    if not title or not page_title:
        return []
    page_title = visible_text(page_title)
    if page_title.startswith(title):
        rest = page_title[len(title) :].strip(_DECORATION)
    elif page_title.endswith(title):
        rest = page_title[: -len(title)].strip(_DECORATION)
    else:
        return []
    return [rest] if rest and len(rest.split()) <= 5 and rest != page_title else []


def _text_fields(md: Metadata, meta: PageMeta, ld: LinkedData | None) -> None:
    _pick(
        md,
        "description",
        [
            ("meta", lambda: meta.first("description", "og:description", "twitter:description")),
            ("json-ld", _ld(ld, "description")),
        ],
    )


def stated_authors(meta: PageMeta, ld: LinkedData | None) -> list[tuple[str, str, list[str]]]:
    """Author names the metadata states, by source, strongest first."""
    stated = [("json-ld author", "json-ld", list(ld.authors) if ld else [])]
    stated += [
        (key, "meta", [a for a in meta.all(key) if not a.startswith("http")])
        for key in AUTHOR_META
        if key in meta.values
    ]
    stated.append(("microdata author", "microdata", meta.microdata.get("author", [])))
    return [s for s in stated if s[2]]


def _authors(
    md: Metadata,
    meta: PageMeta,
    ld: LinkedData | None,
    sites: list[str],
    printed: tuple[list[str], list[str], list[str]],
    opening: list[str],
) -> None:
    stated = stated_authors(meta, ld)
    near, in_article, elements = printed
    known = [name for _, _, values in stated for name in values]
    found = choose_authors(
        stated,
        [
            ("byline under the headline", byline_lines(near, known)),
            ("byline in the article", in_article),
            ("byline element", elements),
        ],
        opening,
        sites,
    )
    md.evidence.extend(found.tally.evidence())
    if found.names and found.signal:
        md.authors = found.names
        md.signals["authors"] = found.signal


_MAX_PRINTED = 16  # printed dates looked at: the headline's block, then the rest


def _dates(
    md: Metadata,
    meta: PageMeta,
    ld: LinkedData | None,
    url: str | None,
    datelines: list[str],
    near_headline: list[str],
) -> None:
    stated: list[tuple[str, str, str | None]] = [
        ("json-ld datePublished", "json-ld", ld.published if ld else None),
        *((key, "meta", meta.first(key)) for key in PUBLISHED_META if key in meta.values),
        ("microdata datePublished", "microdata", meta.item("datePublished")),
        *(("<time datetime>", "dom", machine) for machine, _ in meta.times[:4] if machine),
    ]
    printed = [("near the headline", line) for line in near_headline if _DATEISH.search(line)]
    printed += [("<time>", shown) for _, shown in meta.times[:4] if _DATEISH.search(shown)]
    printed += [("dateline", line) for line in datelines if _DATEISH.search(line)]
    found = choose_published(
        [s for s in stated if s[2]], printed[:_MAX_PRINTED], url, _day_first(md.language)
    )
    md.evidence.extend(found.tally.evidence())
    if found.when is not None and found.signal:
        md.published = found.when
        md.signals["published"] = found.signal
    _pick(
        md,
        "modified",
        [
            ("json-ld", lambda: parse_date(ld.modified) if ld else None),
            ("meta", lambda: parse_date(meta.first(*_MODIFIED_META))),
            ("microdata", lambda: parse_date(meta.item("dateModified"))),
        ],
    )


# Where "05/10/2018" is May 10: the US and the places that follow it.
_MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW"})
# What a printed date looks like before it is parsed: "19.11.2019", "10:31", "Nov 19, 2019",
# "18 NOV 2019", "2019年11月19日". Lines without any of these are not worth parsing.
_DATEISH = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}|\d{1,2}\D{1,14}(?:19|20)\d{2}\b|"
    r"(?:19|20)\d{2}\s*年"
)


def _day_first(language: str | None) -> bool | None:
    """Whether numeric dates on a page in ``language`` put the day first (None: unknown)."""
    if not language:
        return None
    primary, _, region = language.partition("-")
    if primary == "en":
        if not region:
            return None
        return region.upper()[:2] not in _MONTH_FIRST_REGIONS
    return True


def _links(md: Metadata, meta: PageMeta, ld: LinkedData | None, url: str | None) -> None:
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


def _language(md: Metadata, meta: PageMeta, ld: LinkedData | None, sample: str) -> None:
    declared = [
        ("<html lang>", "dom", meta.language),
        *(
            (key, "meta", meta.first(key))
            for key in ("content-language", "og:locale", "language", "dc.language")
        ),
        ("json-ld inLanguage", "json-ld", ld.language if ld else None),
    ]
    found = choose_language([d for d in declared if d[2]], sample)
    md.evidence.extend(found.tally.evidence())
    if found.tag and found.signal:
        md.language = found.tag
        md.signals["language"] = found.signal


def read_headline(
    meta: PageMeta, ld: LinkedData | None, url: str | None, article_start: int | None
) -> Metadata:
    """The first fields: page type, site name and the headline, with the lines around it.

    Called while the page is still whole: cleaning the article text removes byline and
    dateline elements that the lines around the headline must still show.
    ``article_start`` is the scan position of the article text, which the headline precedes.
    """
    md = Metadata()
    _pick(md, "page_type", [("json-ld", _ld(ld, "page_type"))])
    md.sites = _site(md, meta, ld, url)
    heading = _title(md, meta, ld, md.sites, article_start)
    md.sites += _title_decoration(md.title, meta.title)
    md.near_headline = headline_lines(heading)
    return md


def resolve(
    md: Metadata,
    meta: PageMeta,
    ld: LinkedData | None,
    url: str | None,
    bylines: list[str],
    datelines: list[str],
    lines: Sequence[str] = (),
    article_bylines: Sequence[str] = (),
) -> Metadata:
    """Every other field from the evidence the page offers, each candidate recorded.

    Authors weigh metadata against the printed byline (``bylines``: byline elements of the
    page, ``article_bylines``: those inside the article); the language is identified in the
    article's ``lines`` with the page's declarations as evidence; the date is put on the
    page's own clock.
    """
    _text_fields(md, meta, ld)
    opening = list(lines[:2])
    printed = (md.near_headline, list(article_bylines), bylines)
    _authors(md, meta, ld, md.sites, printed, opening)
    _language(md, meta, ld, text_sample(md.title, lines))
    _dates(md, meta, ld, url, datelines, md.near_headline)
    _links(md, meta, ld, url)
    _section_tags(md, meta, ld, url)
    return md
