"""Finding the article's text block in a cleaned tree and turning it into plain lines.

The container is chosen the way readability does (paragraphs score their parent and
grandparent, link-heavy candidates lose), then written out with block boundaries marked
in the tree itself so that the C text walk does the heavy lifting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from scraper.extract.boilerplate import JUNK_TAGS, Judge

PARA = "\u2029"  # paragraph boundary inserted into the tree
LINK = "\u2060"  # brackets link text, to measure each line's link density
HEAD = "\u2063"  # starts a heading line

_BLOCKS = frozenset(
    """p div br hr li ul ol dl dd dt blockquote pre table tr td th section article main
    header address center details summary caption form fieldset h1 h2 h3 h4 h5 h6 a""".split()
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_POSITIVE = re.compile(
    r"article|body|content|entry|main|page|post|story|text|blog|prose", re.IGNORECASE
)
_NEGATIVE = re.compile(
    r"comment|footer|sidebar|widget|promo|related|share|social|sponsor|shopping|"
    r"combx|masthead|media|meta|outbrain|pager|popup|tweet|rail|author|bio\b|collapse|faq|"
    r"accordion",
    re.IGNORECASE,
)
_TAG_BONUS = {
    "div": 5,
    "article": 10,
    "main": 5,
    "section": 2,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "form": -3,
    "ol": -3,
    "ul": -3,
    "li": -3,
    "dl": -3,
    "th": -5,
    "address": -3,
    "body": -5,
}


_UNKNOWN = object()
_FORGIVE_SHARE = 0.4  # of all paragraph text under a boilerplate-named block: the article
_SWALLOWED_SHARE = 0.9  # of all paragraph text under a dialog: the page, swallowed by it


@dataclass(frozen=True, slots=True)
class Line:
    """One line of body text; ``link_share`` is the part of it that is link text."""

    text: str
    heading: bool
    link_share: float


_weights: dict[str, int] = {}


def _name_weight(value: str) -> int:
    weight = _weights.get(value)
    if weight is None:
        weight = (25 if _POSITIVE.search(value) else 0) - (25 if _NEGATIVE.search(value) else 0)
        if len(_weights) > 50_000:
            _weights.clear()
        _weights[value] = weight
    return weight


def _class_weight(node: LexborNode) -> int:
    attrs = node.attributes
    cls = attrs.get("class")
    ident = attrs.get("id")
    return (_name_weight(cls) if cls else 0) + (_name_weight(ident) if ident else 0)


def _paragraph_score(text: str) -> float:
    return 1 + text.count(",") + text.count("，") + min(len(text) / 100, 3)


class _Scores:
    """Candidate scores keyed by ``mem_id``.

    LexborNode compares (and so hashes into dicts) by serialised HTML: slow, and wrong for
    two identical empty <div>s. Every node-keyed table here uses the integer ``mem_id``.
    Insertion order is document order: a node enters with its first paragraph.
    """

    def __init__(self, parents: dict[int, LexborNode | None]) -> None:
        self.value: dict[int, float] = {}
        self.node: dict[int, LexborNode] = {}
        self._parents = parents

    def credit(self, target: LexborNode | None, score: float) -> None:
        """Readability's rule: a paragraph scores its parent fully, then its ancestors less.

        ``score`` is the sum of the scores of all paragraphs sharing this parent, so that
        the walk up the tree is made once per parent rather than once per paragraph.
        """
        for level in range(3):
            if target is None:
                return
            key = target.mem_id
            if key not in self.value:
                self.value[key] = _TAG_BONUS.get(target.tag or "", 0) + _class_weight(target)
                self.node[key] = target
            self.value[key] += score / (1, 2, 6)[level]
            parent = self._parents.get(key, _UNKNOWN)
            target = target.parent if parent is _UNKNOWN else parent  # type: ignore[assignment]


@dataclass(slots=True)
class _Paragraphs:
    """Paragraph texts with the scoring target and boilerplate ancestors of each."""

    items: list[tuple[LexborNode, str, tuple[int, ...]]] = field(default_factory=list)
    covered: dict[int, int] = field(default_factory=dict)
    total: int = 0

    def add(self, target: LexborNode, text: str, chain: tuple[int, ...]) -> None:
        self.items.append((target, text, chain))
        self.total += len(text)
        for bad in chain:
            self.covered[bad] = self.covered.get(bad, 0) + len(text)

    def score(self, judge: Judge) -> tuple[_Scores, int, set[int]]:
        """Scores of candidates, the characters scored, and the forgiven boilerplate blocks.

        A block named like boilerplate that holds 40 % of all paragraph text is the article's
        wrapper misnamed (``class="content-with-sidebar"``), not boilerplate. A cookie banner
        or modal needs 90 %: its small print can outweigh a short article, but no dialog
        holds a whole page unless an unclosed tag has swallowed the page into it.
        """
        forgiven = {
            bad
            for bad, chars in self.covered.items()
            if chars > _FORGIVE_SHARE * self.total
            and bad not in judge.fatal
            and (bad not in judge.dialogs or chars > _SWALLOWED_SHARE * self.total)
        }
        if forgiven:
            forgiven |= _same_layout(self.items, forgiven, judge.classes)
        scores = _Scores(judge.parent)
        chars = 0
        # Dicts keep insertion order: parents are credited in order of their first paragraph,
        # so candidates still enter the scores in document order.
        totals: dict[int, tuple[LexborNode, float]] = {}
        for target, text, chain in self.items:
            if chain and not forgiven.issuperset(chain):
                continue
            chars += len(text)
            key = target.mem_id
            known = totals.get(key)
            score = _paragraph_score(text)
            totals[key] = (target, known[1] + score) if known else (target, score)
        for target, score in totals.values():
            scores.credit(target, score)
        return scores, chars, forgiven


def _same_layout(
    items: list[tuple[LexborNode, str, tuple[int, ...]]],
    forgiven: set[int],
    classes: dict[int, str],
) -> set[int]:
    """Boilerplate-named blocks that are BEM elements of a forgiven block: its layout's parts.

    A misnamed wrapper (``class="sidebar-grid"``) splits the article into several sections
    (``sidebar-grid__container``), none holding 40 % of the text on its own. Only elements
    named after the block itself count: the comments inside a forgiven "comments" wrapper
    (``comment-body``) stay what they are.
    """
    found: set[int] = set()
    for _, _, chain in items:
        outer = next((bad for bad in chain if bad in forgiven), None)
        if outer is None or outer not in classes:
            continue
        blocks = {f"{name}__" for name in classes[outer].split()}
        for bad in chain:
            inner = classes.get(bad)
            if inner and any(token.startswith(tuple(blocks)) for token in inner.split()):
                found.add(bad)
    return found


def _score_paragraphs(paragraphs: list[LexborNode], judge: Judge) -> _Paragraphs:
    found = _Paragraphs()
    counted: set[int] = set()
    for node in paragraphs:
        if node.tag == "br":
            # Text split by <br> instead of <p>: its parent is the paragraph holder.
            holder = node.parent
            if holder is None or holder.mem_id in counted:
                continue
            counted.add(holder.mem_id)
            text = holder.text(deep=False).strip()
            target: LexborNode | None = holder
            judged = holder
        else:
            text = node.text().strip()
            target, judged = node.parent, node
        if len(text) < 25 or target is None:
            continue
        found.add(target, text, judge.chain(judged))
    return found


_BLOCK_TAGS = frozenset(
    "div td th li section article main blockquote body dd center form table".split()
)


def _score_text_blocks(body: LexborNode, judge: Judge) -> _Paragraphs:
    """Fallback for pages that write prose in bare <div>s and <span>s, with no <p> at all."""
    blocks: dict[int, tuple[LexborNode, list[str], tuple[int, ...]]] = {}
    for node in body.traverse(include_text=True):
        if not node.is_text_node:
            continue
        text = node.text_content or ""
        if len(text) < 25 or len(text.strip()) < 25:  # most are the blanks between tags
            continue
        parent = node.parent
        if parent is None or parent.tag in JUNK_TAGS:
            continue  # script and style bodies are text nodes too
        block: LexborNode | None = parent
        while block is not None and block.tag not in _BLOCK_TAGS:
            block = block.parent
        if block is not None:
            entry = blocks.get(block.mem_id)
            if entry is None:
                entry = blocks[block.mem_id] = (block, [], judge.chain(parent))
            entry[1].append(text)
    found = _Paragraphs()
    for block, texts, chain in blocks.values():
        found.add(block, " ".join(texts), chain)
    return found


def _score_candidates(
    body: LexborNode, paragraphs: list[LexborNode], judge: Judge
) -> tuple[_Scores, set[int]]:
    scores, chars, forgiven = _score_paragraphs(paragraphs, judge).score(judge)
    if chars < 500:
        fallback, _, fallback_forgiven = _score_text_blocks(body, judge).score(judge)
        best_paragraph = max(scores.value.values(), default=0)
        if fallback.value and max(fallback.value.values()) > 1.5 * best_paragraph:
            return fallback, fallback_forgiven
    return scores, forgiven


def link_density(node: LexborNode, text: str | None = None) -> float:
    """Share of a node's text that sits inside links; pass ``text`` if already at hand."""
    total = len(node.text() if text is None else text)
    if not total:
        return 0.0
    return min(1.0, sum(len(a.text()) for a in node.css("a")) / total)


def choose_container(
    body: LexborNode,
    paragraphs: list[LexborNode],
    judge: Judge,
    mains: Sequence[LexborNode] = (),
) -> tuple[list[LexborNode], set[int]]:
    """The nodes that hold the article text, in document order, and the forgiven blocks.

    ``paragraphs`` are the page's <p>, <pre>, <br> and <blockquote> elements in document
    order, ``mains`` its <main> and role=main elements (both from the shared scan, so that
    finding them costs no walk of its own).
    """
    scores, forgiven = _score_candidates(body, paragraphs, judge)
    return _choose(body, scores, judge, forgiven, mains), forgiven


def _choose(
    body: LexborNode,
    scores: _Scores,
    judge: Judge,
    forgiven: set[int],
    mains: Sequence[LexborNode],
) -> list[LexborNode]:
    if not scores.value:
        return [body]
    ranked = sorted(scores.value.items(), key=lambda item: item[1], reverse=True)[:3]
    best, best_score = None, 0.0
    for key, score in ranked:
        if score <= best_score:
            break  # link density only lowers a score: the rest cannot win
        node = scores.node[key]
        final = score * (1 - link_density(node))
        if final > best_score:
            best, best_score = node, final
    if best is None:
        return [body]
    best, best_score = _prefer_main(mains, scores, best, best_score)
    parent = best.parent
    if parent is None or best.tag == "body":
        return [best]
    threshold = max(10.0, best_score * 0.2)
    best_id = best.mem_id
    best_class = best.attributes.get("class")
    chosen = []
    for sibling in parent.iter():
        sibling_id = sibling.mem_id
        if sibling_id == best_id:
            chosen.append(sibling)
            continue
        if sibling_id not in forgiven and judge.own(sibling):
            continue
        same = best_class and sibling.attributes.get("class") == best_class
        if scores.value.get(sibling_id, 0) + (best_score * 0.2 if same else 0) >= threshold:
            chosen.append(sibling)
        elif sibling.tag == "p":
            raw = sibling.text()
            text = raw.strip()
            density = link_density(sibling, raw)
            if (len(text) > 80 and density < 0.25) or (
                density == 0 and re.search(r"\.( |$)", text)
            ):
                chosen.append(sibling)
        elif sibling.tag in _PROSE_SIBLINGS and _is_prose(sibling):
            chosen.append(sibling)
    return _same_class_parts(scores, best, best_score, chosen)


# Sibling blocks of the article's container that hold no scored paragraph of their own but
# may still be its text: a lead-in or an intro written in a bare <div>, a list, a table.
_PROSE_SIBLINGS = frozenset({"div", "section", "ul", "ol", "table", "dl"})
_SENTENCE_END = re.compile(r"[.!?:;…»“\"](?:\s|$)")


def _is_prose(node: LexborNode) -> bool:
    """Sentences rather than links or labels: long enough, few links, sentence ends.

    A block holding the <h1> is the headline block: its standfirst is the page's
    subtitle, not body text.
    """
    raw = node.text()
    text = raw.strip()
    # The cheap tests first: the last two each walk the block's subtree.
    if len(text) < 100:
        return False
    ends = _SENTENCE_END.finditer(text)  # two are enough: a comment thread holds thousands
    if next(ends, None) is None or next(ends, None) is None:
        return False
    return not _links_over(node, len(raw), 0.1) and node.css_first("h1") is None


def _links_over(node: LexborNode, total: int, share: float) -> bool:
    """``link_density(node) > share`` for a node of ``total`` characters, reading links only
    until their text passes the share (a menu's hundred links are not all read)."""
    if not total:
        return False
    linked = 0
    for link in node.css("a"):
        linked += len(link.text())
        if linked / total > share:
            return True
    return False


_MAIN_SHARE = 0.25  # of the best score, that a candidate inside <main> needs to win


def _prefer_main(
    mains: Sequence[LexborNode], scores: _Scores, best: LexborNode, best_score: float
) -> tuple[LexborNode, float]:
    """The page's one <main> holds its text: a best block outside it (an about-us box, a
    cookie notice) loses to a fair candidate inside it."""
    main_id = {node.mem_id for node in mains}  # <main role=main> is listed twice
    if len(main_id) != 1:
        return best, best_score
    if _inside(best, main_id, 60) or _inside(mains[0], {best.mem_id}, 60):
        return best, best_score
    inside = [
        (score, key)
        for key, score in scores.value.items()
        if score >= _MAIN_SHARE * best_score and _inside(scores.node[key], main_id, 60)
    ]
    for score, key in sorted(inside, reverse=True)[:3]:
        node = scores.node[key]
        final = score * (1 - link_density(node))
        if final >= _MAIN_SHARE * best_score:
            return node, final
    return best, best_score


def _inside(node: LexborNode, others: set[int], depth: int = 12) -> bool:
    current: LexborNode | None = node
    while current is not None and depth:
        if current.mem_id in others:
            return True
        current = current.parent
        depth -= 1
    return False


def _same_class_parts(
    scores: _Scores, best: LexborNode, best_score: float, chosen: list[LexborNode]
) -> list[LexborNode]:
    """Add the other parts of an article that CMSs split into same-class sections."""
    best_class = best.attributes.get("class")
    if not best_class:
        return chosen
    chosen_ids = {node.mem_id for node in chosen}
    floor = best_score * 0.2
    parts = [
        scores.node[key]
        for key, score in scores.value.items()
        if score >= floor and key not in chosen_ids and _same_part(scores.node[key], best)
    ]
    parts = [
        node for node in parts if not _inside(node, chosen_ids) and not _inside(best, {node.mem_id})
    ]
    if not parts:
        return chosen
    wanted = chosen_ids | {node.mem_id for node in parts}
    ordered = [scores.node[key] for key in scores.value if key in wanted]
    return ordered + [node for node in chosen if node.mem_id not in scores.value]


def _same_part(node: LexborNode, best: LexborNode) -> bool:
    """Is ``node`` another part like ``best``: the same element, named the same, maybe with a
    modifier class added ("field--story" and "field--story field--story--article")?"""
    if node.tag != best.tag:
        return False
    mine, theirs = best.attributes.get("class") or "", node.attributes.get("class") or ""
    return mine == theirs or (theirs.startswith(f"{mine} ") or mine.startswith(f"{theirs} "))


def _mark(node: LexborNode) -> None:
    for block in node.traverse():
        tag = block.tag
        if tag not in _BLOCKS:
            continue
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


def squash(raw: str) -> str:
    """``" ".join(raw.split())``, without cutting the text into words when it can.

    Splitting non-ASCII text into word objects costs ~5 ns a character. Every whitespace
    character but " " is unprintable, so a line that is printable once its newlines, tabs
    and no-break spaces are spaces only needs its runs of spaces closed up, in C.
    """
    if not raw.isprintable():
        raw = raw.replace("\n", " ").replace("\t", " ").replace("\xa0", " ")
        if not raw.isprintable():
            return " ".join(raw.split())  # other spaces or controls: the general way
    while "  " in raw:
        raw = raw.replace("  ", " ")
    return raw.strip()


def _line(raw: str) -> Line | None:
    heading = raw.startswith(HEAD)
    if heading:
        raw = raw[1:]
    if LINK in raw:
        parts = raw.split(LINK)
        text = squash("".join(parts))
        if not text:
            return None
        linked = sum(len(p.strip()) for p in parts[1::2])
        return Line(text, heading, min(1.0, linked / len(text)))
    text = squash(raw)
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
