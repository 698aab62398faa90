"""One selector walk over the whole page for the metadata reader and the body scorer.

A lexbor selector call walks every node of the tree: about 0.1 ms on a news page, as much
as all the Python work on the elements it returns. Metadata-bearing elements and paragraph
candidates are therefore gathered by a single call and sorted by tag here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.metatags import META_SELECTOR, PageMeta, read_meta_node

PARAGRAPH_TAGS = frozenset({"p", "pre", "br", "blockquote"})
# <main> too: the body scorer prefers text inside the page's one main region.
_SELECTOR = f"{META_SELECTOR}, {', '.join(sorted(PARAGRAPH_TAGS))}, main, [role=main]"
_MAX_META_NODES = 3000  # a page with more metadata elements than this is not one article


@dataclass(slots=True)
class Scan:
    """What the walk found: the page's metadata, and paragraph candidates in document order."""

    meta: PageMeta
    paragraphs: list[LexborNode] = field(default_factory=list)
    # Each paragraph's rank in the walk, comparable with the positions of meta.headings,
    # and its mem_id (which the walk reads anyway), to find a paragraph's rank in C.
    positions: list[int] = field(default_factory=list)
    keys: list[int] = field(default_factory=list)
    # <main> and role=main elements, each once.
    mains: list[LexborNode] = field(default_factory=list)

    def position_of(self, node: LexborNode) -> int | None:
        """The walk rank of one of the paragraphs (None if it is not one of them)."""
        try:
            return self.positions[self.keys.index(node.mem_id)]
        except ValueError:
            return None


def scan(tree: LexborHTMLParser) -> Scan:
    """Metadata-bearing elements and ``<p>``/``<pre>``/``<br>``/``<blockquote>``, in one walk."""
    found = Scan(PageMeta())
    meta = found.meta
    root = tree.root
    if root is not None:
        lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
        meta.language = lang.strip() if lang else None
    paragraphs = found.paragraphs
    positions = found.positions
    keys = found.keys
    budget = _MAX_META_NODES
    previous = -1
    # The last paragraph listed, until the next element: see below.
    paragraph: tuple[LexborNode, str, int] | None = None
    for position, node in enumerate(tree.css(_SELECTOR)):
        # Lexbor returns an element once per selector it matches (<p itemprop> twice, one
        # after the other): a paragraph counted twice would score its parent twice.
        key = node.mem_id
        if key == previous:
            # A paragraph listed again matched [itemprop] or [role=main]: only such a one has
            # attributes worth reading, so the others (nearly all) are never asked for theirs.
            if paragraph is not None and budget:
                held, held_tag, held_position = paragraph
                attrs = held.attributes
                if "itemprop" in attrs:
                    if attrs.get("role") == "main":
                        found.mains.append(held)
                    budget -= 1
                    read_meta_node(meta, held, held_tag, attrs, held_position)
            paragraph = None
            continue
        previous = key
        paragraph = None
        tag = node.tag or ""
        if tag in PARAGRAPH_TAGS:
            paragraphs.append(node)
            positions.append(position)
            keys.append(key)
            if tag != "br":  # a line break carries no metadata worth its attribute lookup
                paragraph = (node, tag, position)
            continue
        if tag == "main":
            found.mains.append(node)
        if budget:
            attrs = node.attributes
            if tag != "main" and attrs.get("role") == "main":
                found.mains.append(node)
            budget -= 1
            read_meta_node(meta, node, tag, attrs, position)
    return found
