"""A byline printed as the article's opening paragraph: "<p><strong>Jane Doe</strong></p>".

Small publishers' CMS templates print no byline, so editors type the reporter's name in bold
as the story's first paragraph. It is a credit, not prose: it leaves the body, and stands as
the printed byline (the metadata of such sites names the publication, or the CMS account).
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from scraper.extract.authors import read_credits

_OPENING = 4  # paragraphs looked at: a standfirst in italics may come before the name
_FIRST_PARAGRAPHS = f"p:nth-of-type(-n+{_OPENING})"
_MAX_CHARS = 80
_BOLD = frozenset({"strong", "b"})
_PUNCTUATION = frozenset('.!?:;,"“”«»()')


def _bold_only(paragraph: LexborNode) -> str | None:
    """The paragraph's text when all of it is set in bold, else None."""
    text = paragraph.text(deep=True).strip()
    if not text or len(text) > _MAX_CHARS:
        return None
    bold = "".join(node.text(deep=True) for node in paragraph.iter() if node.tag in _BOLD)
    return text if bold.strip() == text else None


def _reads_as_names(text: str) -> bool:
    """Names and nothing else: no digits or sentence punctuation, every credit a full name."""
    if any(ch.isdigit() or ch in _PUNCTUATION for ch in text):
        return False
    credits = read_credits([text])
    if not credits.names or credits.desks or credits.dropped or credits.agencies:
        return False
    # A person's name is two or three words, each capitalised: "Änderung der Zinshöhe" is a
    # (German) heading, not a name.
    return all(
        2 <= len(words) <= 3 and all(word[:1].isupper() for word in words)
        for words in (name.split() for name in credits.names)
    )


def take_lead_bylines(nodes: list[LexborNode]) -> list[str]:
    """Remove the opening paragraphs of the container that are bold names; return their text."""
    found: list[str] = []
    seen = 0
    for root in nodes:
        # A paragraph among the container's first few is among the first few of its parent:
        # the selector leaves the rest of a long article's paragraphs unmade.
        paragraphs = [root] if root.tag == "p" else root.css(_FIRST_PARAGRAPHS)
        for paragraph in paragraphs:
            if seen >= _OPENING:
                return found
            text = _bold_only(paragraph)
            if text is None:
                if paragraph.text(deep=True).strip():
                    seen += 1
                continue
            seen += 1
            if _reads_as_names(text):
                found.append(text)
                paragraph.remove()
    return found
