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
    times: list[str] = field(default_factory=list)
    author_links: list[str] = field(default_factory=list)
    jsonld: list[str] = field(default_factory=list)
    heading: str | None = None

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


def read_meta_node(
    meta: PageMeta, node: LexborNode, tag: str, attrs: dict[str, str | None]
) -> None:
    """Record what one metadata-bearing element says (called by the document scan)."""
    prop = attrs.get("itemprop")
    if prop:
        keys = [key for key in prop.split() if key in MICRODATA_KEYS]
        if keys:
            value = microdata_value(node, tag, attrs)
            for key in keys:
                meta.microdata.setdefault(key, []).append(value)
    if tag == "meta":
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = attrs.get("content")
        if key and content is not None:
            meta.values.setdefault(key.strip().lower(), []).append(content)
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
        if meta.heading is None:
            meta.heading = node.text().strip() or None
    elif tag == "time":
        value = attrs.get("datetime") or node.text()
        if value:
            meta.times.append(value)
    elif tag == "script" and "ld+json" in (attrs.get("type") or "").lower():
        meta.jsonld.append(node.text())
