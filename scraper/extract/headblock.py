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


def headline_lines(heading: LexborNode | None) -> list[str]:
    """Short text lines of the headline's header block, in page order, the headline excluded.

    The block is the largest of the headline's nearest ancestors whose text stays under
    ``_MAX_BLOCK`` characters; when even the parent is bigger, the headline's next siblings.
    Lexbor writes the block's text nodes one a line; the pieces of one byline or dateline
    ("By" / "Jane Doe", "Nov 18, 2019" / "at" / "9:24 pm ET") are joined again.
    """
    if heading is None:
        return []
    text = ""
    current = heading.parent
    for _ in range(_LEVELS):
        if current is None or current.tag in ("body", "html"):
            break
        found = current.text(separator="\n")
        if len(found) > _MAX_BLOCK:
            break
        text = found
        if current.tag in ("main", "article"):
            break
        current = current.parent
    if not text:
        text = "\n".join(node.text(separator="\n") for node in _next_siblings(heading))
    headline = heading.text(separator="\n")
    if headline and headline in text:
        text = text.replace(headline, "\n", 1)
    return _join(text)


# Pieces that continue a line: a lone "By", "and", a separator, "at" before a time.
_JOINERS = frozenset(
    """by von por par di av and und et y и та і ve & , - – — | · • / at um à on le am ·
    updated published posted veröffentlicht aktualisiert publicado publié""".split()
)


def _join(text: str) -> list[str]:
    if not text.isascii():
        for marker in _MARKERS:
            if marker in text:
                text = text.replace(marker, "")
    lines: list[str] = []
    line = ""
    joining = False
    for raw in text.split("\n"):
        piece = raw.strip()
        if not piece:
            continue
        low = piece.lower().rstrip(":")
        if line and (joining or low in _JOINERS or piece[0] in ",;:|·•@"):
            line = f"{line} {piece}" if piece[0] not in ",;" else line + piece
        else:
            if line and 2 < len(line) <= _MAX_LINE:
                lines.append(squash(line))
            line = piece
        joining = low in _JOINERS or piece[-1] in ",-–—|·•"
    if line and 2 < len(line) <= _MAX_LINE:
        lines.append(squash(line))
    return lines


def _next_siblings(heading: LexborNode, count: int = 3) -> list[LexborNode]:
    out: list[LexborNode] = []
    node = heading.next
    while node is not None and len(out) < count:
        if not node.is_text_node and node.tag not in _SKIP:
            out.append(node)
        node = node.next
    return out


# Markers the body writer inserts into the tree (paragraph, link and heading boundaries):
# the header block may share ancestors with the article text already marked.
_MARKERS = ("\u2029", "\u2060", "\u2063")
