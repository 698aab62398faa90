"""Finding the article's text block in a cleaned tree and turning it into plain lines.

The container is chosen the way readability does (paragraphs score their parent and
grandparent, link-heavy candidates lose), then written out with block boundaries marked
in the tree itself so that the C text walk does the heavy lifting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

PARA = "\u2029"  # paragraph boundary inserted into the tree
LINK = "\u2060"  # brackets link text, to measure each line's link density
HEAD = "\u2063"  # starts a heading line

_BLOCKS = (
    "p, div, br, hr, li, ul, ol, dl, dd, dt, blockquote, pre, table, tr, td, th, section, "
    "article, main, header, address, center, details, summary, caption, form, fieldset, "
    "h1, h2, h3, h4, h5, h6, a"
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_POSITIVE = re.compile(
    r"article|body|content|entry|main|page|post|story|text|blog|prose", re.IGNORECASE
)
_NEGATIVE = re.compile(
    r"comment|footer|sidebar|widget|promo|related|share|social|sponsor|shopping|"
    r"combx|masthead|media|meta|outbrain|pager|popup|tweet|rail",
    re.IGNORECASE,
)
_TAG_BONUS = {"div": 5, "article": 10, "main": 5, "section": 2, "pre": 3, "td": 3,
              "blockquote": 3, "form": -3, "ol": -3, "ul": -3, "li": -3, "dl": -3,
              "th": -5, "address": -3, "body": -5}


@dataclass(frozen=True, slots=True)
class Line:
    """One line of body text; ``link_share`` is the part of it that is link text."""

    text: str
    heading: bool
    link_share: float


def _class_weight(node: LexborNode) -> int:
    attrs = node.attributes
    weight = 0
    for key in ("class", "id"):
        value = attrs.get(key)
        if value:
            if _NEGATIVE.search(value):
                weight -= 25
            if _POSITIVE.search(value):
                weight += 25
    return weight


def _paragraph_score(text: str) -> float:
    return 1 + text.count(",") + text.count("，") + min(len(text) / 100, 3)


def _credit(scores: dict[LexborNode, float], target: LexborNode | None, text: str) -> None:
    """Readability's rule: a paragraph scores its parent fully, then its ancestors less."""
    score = _paragraph_score(text)
    level = 0
    while target is not None and level < 3:
        if target not in scores:
            scores[target] = _TAG_BONUS.get(target.tag or "", 0) + _class_weight(target)
        scores[target] += score / (1, 2, 6)[level]
        target = target.parent
        level += 1


def _score_paragraphs(body: LexborNode) -> tuple[dict[LexborNode, float], int]:
    scores: dict[LexborNode, float] = {}
    counted: set[LexborNode] = set()
    chars = 0
    for node in body.css("p, pre, br, blockquote"):
        if node.tag == "br":
            # Text split by <br> instead of <p>: its parent is the paragraph holder.
            holder = node.parent
            if holder is None or holder in counted:
                continue
            counted.add(holder)
            text = holder.text(deep=False).strip()
            target = holder
        else:
            text = node.text().strip()
            target = node.parent
        if len(text) < 25 or target is None:
            continue
        chars += len(text)
        _credit(scores, target, text)
    return scores, chars


_BLOCK_TAGS = frozenset(
    "div td th li section article main blockquote body dd center form table".split()
)


def _score_text_blocks(body: LexborNode) -> dict[LexborNode, float]:
    """Fallback for pages that write prose in bare <div>s and <span>s, with no <p> at all."""
    blocks: dict[LexborNode, list[str]] = {}
    for node in body.traverse(include_text=True):
        if not node.is_text_node:
            continue
        text = node.text_content or ""
        if len(text.strip()) < 25:
            continue
        block = node.parent
        while block is not None and block.tag not in _BLOCK_TAGS:
            block = block.parent
        if block is not None:
            blocks.setdefault(block, []).append(text)
    scores: dict[LexborNode, float] = {}
    for block, texts in blocks.items():
        _credit(scores, block, " ".join(texts))
    return scores


def _score_candidates(body: LexborNode) -> dict[LexborNode, float]:
    scores, chars = _score_paragraphs(body)
    if chars < 500:
        fallback = _score_text_blocks(body)
        if fallback and max(fallback.values()) > max(scores.values(), default=0):
            return fallback
    return scores


def link_density(node: LexborNode) -> float:
    """Share of a node's text that sits inside links."""
    total = len(node.text())
    if not total:
        return 0.0
    return min(1.0, sum(len(a.text()) for a in node.css("a")) / total)


def choose_container(body: LexborNode) -> list[LexborNode]:
    """The nodes that hold the article text, in document order (best guess, may be [body])."""
    scores = _score_candidates(body)
    if not scores:
        return [body]
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:5]
    best, best_score = None, 0.0
    for node, score in ranked:
        final = score * (1 - link_density(node))
        if final > best_score:
            best, best_score = node, final
    if best is None:
        return [body]
    parent = best.parent
    if parent is None or best.tag == "body":
        return [best]
    threshold = max(10.0, best_score * 0.2)
    best_class = best.attributes.get("class")
    chosen = []
    for sibling in parent.iter():
        if sibling == best:
            chosen.append(sibling)
            continue
        bonus = best_score * 0.2 if best_class and sibling.attributes.get("class") == best_class else 0
        if scores.get(sibling, 0) + bonus >= threshold:
            chosen.append(sibling)
        elif sibling.tag == "p":
            text = sibling.text().strip()
            density = link_density(sibling)
            if (len(text) > 80 and density < 0.25) or (
                density == 0 and re.search(r"\.( |$)", text)
            ):
                chosen.append(sibling)
    return _same_class_parts(scores, best, best_score, chosen)


def _inside(node: LexborNode, others: list[LexborNode], depth: int = 12) -> bool:
    current: LexborNode | None = node
    while current is not None and depth:
        if current in others:
            return True
        current = current.parent
        depth -= 1
    return False


def _same_class_parts(
    scores: dict[LexborNode, float], best: LexborNode, best_score: float, chosen: list[LexborNode]
) -> list[LexborNode]:
    """Add the other parts of an article that CMSs split into same-class sections.

    ``scores`` is in document order (nodes enter it with their first paragraph), which is
    the order the parts are returned in.
    """
    best_class = best.attributes.get("class")
    if not best_class:
        return chosen
    floor = best_score * 0.2
    parts = [
        node
        for node, score in scores.items()
        if score >= floor and node.attributes.get("class") == best_class and node not in chosen
    ]
    parts = [node for node in parts if not _inside(node, chosen) and not _inside(best, [node])]
    if not parts:
        return chosen
    wanted = set(chosen) | set(parts)
    return [node for node in scores if node in wanted] + [n for n in chosen if n not in scores]


def _mark(node: LexborNode) -> None:
    for block in node.css(_BLOCKS):
        tag = block.tag
        if tag == "a":
            block.insert_before(LINK)
            block.insert_after(LINK)
        elif tag == "br":
            block.insert_before(PARA)
        elif tag in ("td", "th"):
            block.insert_before(" ")
        elif tag in _HEADINGS:
            block.insert_before(PARA + HEAD)
            block.insert_after(PARA)
        else:
            block.insert_before(PARA)
            block.insert_after(PARA)


def _line(raw: str) -> Line | None:
    heading = raw.startswith(HEAD)
    if heading:
        raw = raw[1:]
    if LINK in raw:
        parts = raw.split(LINK)
        text = " ".join("".join(parts).split())
        if not text:
            return None
        linked = sum(len(p.strip()) for p in parts[1::2])
        return Line(text, heading, min(1.0, linked / len(text)))
    text = " ".join(raw.split())
    return Line(text, heading, 0.0) if text else None


def container_lines(nodes: list[LexborNode]) -> list[Line]:
    """Plain lines of the chosen nodes: paragraphs, headings, list items, each on its own."""
    chunks = []
    for node in nodes:
        _mark(node)
        chunks.append(node.text())
    lines = []
    for part in PARA.join(chunks).split(PARA):
        if part and not part.isspace():
            line = _line(part)
            if line is not None:
                lines.append(line)
    return lines
