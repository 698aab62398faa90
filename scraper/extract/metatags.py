"""Metadata the page states outside JSON-LD: <meta> tags, <link>s, microdata, <time>."""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode


@dataclass(slots=True)
class PageMeta:
    """Raw values by lower-cased key (``og:title``, ``article:published_time``, ``author``…)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    microdata: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    language: str | None = None
    title: str | None = None
    # Each <time>: its machine-readable datetime attribute (or None) and the text it shows.
    times: list[tuple[str | None, str]] = field(default_factory=list)
    author_links: list[str] = field(default_factory=list)
    jsonld: list[str] = field(default_factory=list)
    heading: str | None = None
    # Every <h1>: its text, its place in the document scan and the node, up to MAX_HEADINGS.
    headings: list[tuple[str, int, LexborNode]] = field(default_factory=list)

    def first(self, *keys: str) -> str | None:
        """The first non-empty value among ``keys``, in the order given."""
        for key in keys:
            for value in self.values.get(key, ()):
                value = value.strip()
                if value:
                    return value
        return None

    def all(self, *keys: str) -> list[str]:
        out: list[str] = []
        for key in keys:
            out.extend(v.strip() for v in self.values.get(key, ()) if v.strip())
        return out

    def item(self, key: str) -> str | None:
        for value in self.microdata.get(key, ()):
            if value.strip():
                return value.strip()
        return None


def microdata_value(node: LexborNode, tag: str, attrs: dict[str, str | None]) -> str:
    """The value of an ``itemprop`` element: content/datetime, a link target, or its text."""
    for key in ("content", "datetime"):
        value = attrs.get(key)
        if value:
            return value
    if "itemscope" in attrs:
        name = node.css_first("[itemprop=name]")
        if name is not None:
            return name.attributes.get("content") or name.text()
    if tag in ("a", "link"):
        return attrs.get("href") or ""
    return node.text()[:300]


# The elements read_meta_node understands; scan.py walks the tree for them. Lexbor compares
# the script type without regard to case, as browsers do.
META_SELECTOR = 'meta, link[rel~=canonical], title, time, h1, [itemprop], script[type*="ld+json" i]'
# The microdata properties the resolver reads. Others are not worth their value: an
# itemprop="articleBody" costs the text of the whole article.
MICRODATA_KEYS = frozenset(
    {"author", "headline", "datePublished", "dateModified", "articleSection"}
)


MAX_HEADINGS = 8  # pages with more <h1>s use them for teasers, not for one headline


def read_meta_node(
    meta: PageMeta, node: LexborNode, tag: str, attrs: dict[str, str | None], position: int = 0
) -> None:
    """Record what one metadata-bearing element says (called by the document scan).

    ``position`` is the element's rank in the scan, which is document order.
    """
    prop = attrs.get("itemprop")
    if prop:
        keys = [key for key in prop.split() if key in MICRODATA_KEYS]
        if keys:
            value = microdata_value(node, tag, attrs)
            for key in keys:
                meta.microdata.setdefault(key, []).append(value)
    if tag == "meta":
        name = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = attrs.get("content")
        if name and content is not None:
            meta.values.setdefault(name.strip().lower(), []).append(content)
        elif (attrs.get("http-equiv") or "").lower() == "content-language" and content:
            meta.values.setdefault("content-language", []).append(content)
        return
    if tag == "title":
        if meta.title is None:
            meta.title = node.text()
    elif tag == "link":
        rel = (attrs.get("rel") or "").lower().split()
        if "canonical" in rel and meta.canonical is None:
            meta.canonical = attrs.get("href")
    elif tag == "h1":
        if len(meta.headings) < MAX_HEADINGS:
            text = node.text().strip()
            meta.headings.append((text, position, node))
            if meta.heading is None and text:
                meta.heading = text
    elif tag == "time":
        machine = attrs.get("datetime")
        shown = node.text().strip()
        if machine or shown:
            meta.times.append((machine, shown))
    elif tag == "script" and "ld+json" in (attrs.get("type") or "").lower():
        meta.jsonld.append(node.text())
