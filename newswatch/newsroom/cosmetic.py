"""Cosmetic variants of article text, for ``Newsroom.touch``.

A CMS re-save often changes bytes without changing what a reader sees: straight quotes become
typographic ones, a non-breaking space lands between a number and its noun, lines get re-wrapped.
newswatch must not call that an edit, so the newsroom produces exactly these changes on demand.
Each touch level differs from the one before; all share the visible text once whitespace is
collapsed, NBSP read as a space and quotes straightened.
"""

from __future__ import annotations

import re
import textwrap

NBSP = "\u00a0"
_NUMBER_SPACE = re.compile(r"(\d) (?=\w)")
_SENTENCE_END = re.compile(r"([.!?]) (?=[A-ZА-ЯІЇЄҐÇĞİÖŞÜ])")


def curly_quotes(text: str) -> str:
    """Straight quotes and apostrophes to typographic ones."""
    out = []
    for i, ch in enumerate(text):
        before = text[i - 1] if i else " "
        opening = before.isspace() or before in "([—–-"
        if ch == '"':
            out.append("\u201c" if opening else "\u201d")
        elif ch == "'":
            out.append("\u2018" if opening else "\u2019")
        else:
            out.append(ch)
    return "".join(out)


def variant(text: str, touches: int) -> str:
    """The text of one paragraph as rendered after ``touches`` cosmetic re-saves."""
    if touches <= 0:
        return text
    if touches % 2 == 1:
        text = curly_quotes(text)
    text = _NUMBER_SPACE.sub(lambda m: m.group(1) + NBSP, text)
    style = touches % 3
    if style == 1:
        # Hard-wrapped source, as some CMS editors save it.
        # Never split inside a word or at a hyphen: that would change the visible text.
        lines = textwrap.wrap(text, 72, break_long_words=False, break_on_hyphens=False)
        return "\n      " + "\n      ".join(lines) + "\n    "
    if style == 2:
        return _SENTENCE_END.sub(r"\1  ", text)
    return "\n" + text + "\n"


def visible(text: str) -> str:
    """What a reader sees: the normalisation under which all variants are equal."""
    text = text.replace(NBSP, " ")
    text = text.translate({0x201C: '"', 0x201D: '"', 0x2018: "'", 0x2019: "'"})
    return " ".join(text.split())
