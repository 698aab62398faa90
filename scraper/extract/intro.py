"""The article's intro printed above its text block: a lead, standfirst, chapô or excerpt.

Templates set the intro apart from the paragraphs that follow (``<p class="lead">`` in the
header, ``<div class="article-intro">`` beside the hero image), so the block chosen for the
article's text often starts just below it. It is the first thing the article says, and it
belongs to the text: it is found by its name, just before the chosen block and within the
article's own region (a few levels up, not past the enclosing ``<article>`` or ``<main>``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from selectolax.lexbor import LexborNode

from scraper.extract.body import link_density, squash
from scraper.extract.boilerplate import JUNK_TAGS

# Names of intro blocks, as parts of a class or id ("ts-intro", "articleTeaser", "chapo_block").
_INTRO_WORDS = frozenset(
    """lead intro teaser excerpt summary chapo chapeau abstract description beschreibung""".split()
)
_NAME_PARTS = re.compile(r"[^a-zA-Z]+|(?<=[a-z])(?=[A-Z])")
_SELECTOR = ", ".join(f'[class*="{word}" i]' for word in sorted(_INTRO_WORDS))
_LEVELS = 4  # ancestors of the article's block looked above
_REGIONS = frozenset({"article", "main", "body"})  # the intro is not looked for beyond these
_MIN_CHARS = 40
_MAX_CHARS = 1500
_MIN_WORDS = 6
_MAX_LINKS = 0.2
# An intro is not a link, a form or a list item; one set as a heading is the headline's deck.
_OUTSIDE = JUNK_TAGS | {"a", "form", "li", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIPPED = _OUTSIDE | {"-text", "-comment", "br", "hr", "img"}


# A picture's description ("img-description", "image__caption") is a caption, not an intro.
_PICTURE_WORDS = frozenset("img image media photo picture caption figure gallery video".split())


def _named_intro(node: LexborNode) -> bool:
    attrs = node.attributes
    parts: set[str] = set()
    for value in (attrs.get("class"), attrs.get("id")):
        if value:
            parts.update(part.lower() for part in _NAME_PARTS.split(value))
    return bool(parts & _INTRO_WORDS) and not parts & _PICTURE_WORDS


def _intro_text(node: LexborNode) -> str | None:
    """The block's text when it reads as an intro: some sentences, few links, no headline."""
    if node.tag in _OUTSIDE or node.css_first("h1, script, style") is not None:
        return None
    raw = node.text()
    text = squash(raw)
    if not _MIN_CHARS <= len(text) <= _MAX_CHARS or len(text.split()) < _MIN_WORDS:
        return None
    if link_density(node, raw) > _MAX_LINKS:
        return None
    current = node.parent
    for _ in range(_LEVELS + 2):
        if current is None:
            break
        if current.tag in _OUTSIDE:
            return None
        current = current.parent
    return text


def _before(sibling: LexborNode) -> list[LexborNode]:
    """The intro-named elements in ``sibling``, itself included, in document order."""
    found = [sibling] if _named_intro(sibling) else []
    found.extend(sibling.css(_SELECTOR))
    return [node for node in found if _named_intro(node)]


def find_intro(
    nodes: list[LexborNode], *, page_type: str | None, descriptions: Sequence[str | None]
) -> str | None:
    """The intro printed just above the chosen nodes, when it opens the text; else None.

    Walks up from the first node, reading at each level the siblings that come before it;
    the nearest intro-named block that reads as prose is the intro. A news article's intro
    is its standfirst, the summary that news archives keep apart from the story (our
    ``subtitle``): so is it on pages typed as news (JSON-LD ``NewsArticle`` and its kinds),
    and wherever it says what the page's stated description says.
    """
    if not nodes or (page_type or "").endswith("NewsArticle"):
        return None
    text = _nearest(nodes[0])
    return None if text is None or _stated(text, descriptions) else text


def _nearest(current: LexborNode) -> str | None:
    for _ in range(_LEVELS):
        parent = current.parent
        if parent is None or current.tag in _REGIONS:
            return None
        # Back from the block, nearest first; text nodes, scripts and the like hold no intro.
        sibling = current.prev
        while sibling is not None:
            if sibling.tag not in _SKIPPED:
                for node in reversed(_before(sibling)):
                    text = _intro_text(node)
                    if text is not None:
                        return text
            sibling = sibling.prev
        current = parent
    return None


def _key(text: str) -> str:
    return "".join(ch for ch in text[:60].casefold() if ch.isalnum())[:40]


def _stated(text: str, descriptions: Sequence[str | None]) -> bool:
    """Does the intro open as one of the page's stated descriptions does?"""
    key = _key(text)
    for stated in descriptions:
        other = _key(stated or "")
        if key and other and (key.startswith(other) or other.startswith(key)):
            return True
    return False
