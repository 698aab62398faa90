"""The one Python pass over the whole tree: metadata, junk, and boilerplate-named blocks.

Walking the tree from Python costs about a microsecond per element, so everything that
needs to look at elements one by one is done here, in a single traversal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.boilerplate import boilerplate_name, is_hidden, name_cache
from scraper.extract.meta import PageMeta, microdata_value, read_meta_node

# Elements whose text is never article prose. <form> is not one: ASP.NET wraps pages in it.
JUNK_TAGS = frozenset(
    """script style noscript template svg math iframe object embed canvas video audio
    picture figure figcaption button select textarea label nav aside footer dialog
    map""".split()
)
_META_TAGS = frozenset({"meta", "title", "link", "h1", "time"})
# Frequent elements whose attributes are not worth a call each: links and list items get
# judged by their containers (a share bar is a <ul class="share">, not each <li>).
_UNREAD_TAGS = frozenset(
    """a li img -comment option path use g circle rect polygon line strong b i em br input
    source wbr small sup sub u s abbr cite code mark q""".split()
)
_CELL_TAGS = frozenset({"tr", "td", "th", "tbody", "thead", "table", "li", "p"})
_MAX_MICRODATA = 500
_MISSING = object()


@dataclass(slots=True)
class Candidate:
    """A block whose class/id names boilerplate; ``strong`` words condemn blocks of any size."""

    node: LexborNode
    word: str
    strong: bool


@dataclass(slots=True)
class Scan:
    """What the single pass found."""

    meta: PageMeta = field(default_factory=PageMeta)
    junk: list[LexborNode] = field(default_factory=list)
    hidden: list[LexborNode] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)


def scan(tree: LexborHTMLParser) -> Scan:
    """Walk every element once."""
    found = Scan()
    meta = found.meta
    root = tree.root
    if root is None:
        return found
    lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
    meta.language = lang.strip() if lang else None
    microdata = 0
    junk, hidden, candidates = found.junk, found.hidden, found.candidates
    names = name_cache()
    for node in root.traverse():
        tag = node.tag
        if tag in JUNK_TAGS:
            if tag == "script":
                kind = node.attributes.get("type")
                if kind and "ld+json" in kind.lower():
                    meta.jsonld.append(node.text())
            junk.append(node)
            continue
        if tag in _UNREAD_TAGS:
            continue
        attrs = node.attributes
        if tag in _META_TAGS:
            read_meta_node(meta, node, tag, attrs)
        if not attrs:
            continue
        cls = attrs.get("class")
        ident = attrs.get("id")
        if len(attrs) > (cls is not None) + (ident is not None):
            # Rarer attributes, looked at only when the element has more than class and id.
            prop = attrs.get("itemprop")
            if prop and microdata < _MAX_MICRODATA:
                microdata += 1
                value = microdata_value(node, tag, attrs)
                for key in prop.split():
                    meta.microdata.setdefault(key, []).append(value)
            if ("style" in attrs or "hidden" in attrs or "aria-hidden" in attrs) and is_hidden(
                attrs
            ):
                hidden.append(node)
                continue
        if not (cls or ident):
            continue
        key = f"{cls} {ident}" if cls and ident else cls or ident or ""
        named = names.get(key, _MISSING)
        if named is _MISSING:
            named = boilerplate_name(key)
        if named is None or tag == "body" or tag == "html":
            continue
        word, strong = named  # type: ignore[misc]
        if not strong and tag in _CELL_TAGS:
            continue  # a table row of class "player-17" is data, not a video player
        candidates.append(Candidate(node, word, strong))
    return found
    lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
    meta.language = lang.strip() if lang else None
    microdata = 0
    for node in root.traverse():
        tag = node.tag
        if tag in JUNK_TAGS:
            if tag == "script":
                kind = node.attributes.get("type") or ""
                if "ld+json" in kind.lower():
                    meta.jsonld.append(node.text())
            found.junk.append(node)
            continue
        if tag in _UNREAD_TAGS:
            continue
        attrs = node.attributes
        if tag in _META_TAGS:
            read_meta_node(meta, node, tag, attrs)
        if not attrs:
            continue
        prop = attrs.get("itemprop")
        if prop and microdata < _MAX_MICRODATA:
            microdata += 1
            value = microdata_value(node, tag, attrs)
            for key in prop.split():
                meta.microdata.setdefault(key, []).append(value)
        if is_hidden(attrs):
            found.hidden.append(node)
            continue
        cls = attrs.get("class")
        ident = attrs.get("id")
        if not (cls or ident):
            continue
        named = boilerplate_name(f"{cls} {ident}" if cls and ident else cls or ident or "")
        if named is None or tag in ("html", "body"):
            continue
        word, strong = named
        if not strong and tag in _CELL_TAGS:
            continue  # a table row of class "player-17" is data, not a video player
        found.candidates.append(Candidate(node, word, strong))
    return found

