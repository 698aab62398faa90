"""The text around the article's headline, where the byline and the dateline are printed.

A page prints who wrote an article and when right under its headline, inside the same header
block. Reading that block (a few hundred characters) finds co-authors that JSON-LD leaves out
and the day in the page's own time zone, without walking the whole page.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from scraper.extract.body import squash

_MAX_BLOCK = 1000  # characters: a bigger ancestor holds the article or the page, not a header
_LEVELS = 2  # ancestors of the headline looked at
_MAX_LINE = 160
_SKIP = frozenset(
    {"script", "style", "noscript", "template", "svg", "figure", "figcaption", "button", "br"}
)
_BLOCKS = frozenset(
    """div p section header footer li ul ol dl dd dt h1 h2 h3 h4 h5 h6 table tbody tr td th
    address article aside nav blockquote form hr main""".split()
)


def headline_lines(heading: LexborNode | None) -> list[str]:
    """Short text lines of the headline's header block, in page order, the headline excluded.

    The block is the largest of the headline's nearest ancestors whose text stays under
    ``_MAX_BLOCK`` characters; when even the parent is bigger, the headline's next siblings.
    """
    if heading is None:
        return []
    block: LexborNode | None = None
    current = heading.parent
    for _ in range(_LEVELS):
        if current is None or current.tag in ("body", "html", "main", "article"):
            if current is not None and current.tag in ("main", "article"):
                block = current if len(current.text()) < _MAX_BLOCK else block
            break
        if len(current.text()) > _MAX_BLOCK:
            break
        block = current
        current = current.parent
    nodes = [block] if block is not None else _next_siblings(heading)
    lines: list[str] = []
    headline = heading.mem_id
    for node in nodes:
        _collect(node, headline, lines)
    return lines


def _next_siblings(heading: LexborNode, count: int = 3) -> list[LexborNode]:
    out: list[LexborNode] = []
    node = heading.next
    while node is not None and len(out) < count:
        if not node.is_text_node and node.tag not in _SKIP:
            out.append(node)
        node = node.next
    return out


def _collect(node: LexborNode, skip: int, lines: list[str]) -> None:
    """Lines under ``node``: each run of text and inline elements between blocks is one line.

    "By <a>Jane Doe</a> and <a>John Roe</a>" stays one line; the headline itself and
    non-text elements are left out.
    """
    run: list[str] = []
    for child in node.iter(include_text=True):
        if child.is_text_node:
            text = child.text_content
            if text:
                run.append(" " if text.isspace() else text)  # a space still parts two words
            continue
        tag = child.tag or ""
        if tag in _BLOCKS or tag in _SKIP or child.mem_id == skip:
            _flush(run, lines)
            if tag in _BLOCKS and child.mem_id != skip:
                _collect(child, skip, lines)
            continue
        run.append(child.text())
    _flush(run, lines)


# Markers the body writer inserts into the tree (paragraph, link and heading boundaries):
# the header block may share ancestors with the article text already marked.
_MARKERS = ("\u2029", "\u2060", "\u2063")


def _flush(run: list[str], lines: list[str]) -> None:
    if run:
        text = "".join(run)
        if not text.isascii():
            for marker in _MARKERS:
                if marker in text:
                    text = text.replace(marker, "")
        text = squash(text)
        run.clear()
        if 2 < len(text) <= _MAX_LINE:
            lines.append(text)
