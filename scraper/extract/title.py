"""Headlines without the site name that CMSs glue to the front or back."""

from __future__ import annotations

import html
import re
from functools import lru_cache

_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|«|·|•|:|/)\s+")
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")
_PIPE = re.compile(r"\s\|\s")


@lru_cache(maxsize=2048)
def _norm(text: str) -> str:
    return _NOT_WORD.sub("", text.lower())


def matches_site(segment: str, site_names: list[str]) -> bool:
    """Is ``segment`` the site's name (or close to it: "CNN", "CNN.com")?"""
    seg = _norm(segment)
    if not seg:
        return True
    for site in site_names:
        name = _norm(site)
        if name and (seg == name or seg in name or name in seg) and len(seg) <= len(name) + 8:
            return True
    return False


def clean_title(title: str | None, site_names: list[str], heading: str | None = None) -> str | None:
    """Strip "| Site" suffixes and "Site - " prefixes; keep the headline itself."""
    if not title:
        return None
    if "&" in title:
        title = html.unescape(title)  # CMSs double-encode headlines in JSON-LD and og:title
    title = _SPACES.sub(" ", title).strip()
    if heading:
        heading = _SPACES.sub(" ", heading).strip()
        # The visible headline wins when the title is that headline plus decoration.
        if heading and heading != title and len(heading) > 10 and heading in title:
            return heading
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = [s for s in site_names if s]
    kept = list(parts)
    while len(kept) > 1 and matches_site(kept[-1], names):
        kept.pop()
    while len(kept) > 1 and matches_site(kept[0], names):
        kept.pop(0)
    if len(kept) < len(parts):
        return _rejoin(title, kept)
    # No known site name: a short last segment after " | " is almost always the site.
    last = parts[-1]
    head = title[: len(title) - len(last)].rstrip(" |-–—:»·•/")
    if _PIPE.search(title) and len(last.split()) <= 4 and len(head) > 2 * len(last):
        return head
    return title


def _rejoin(title: str, kept: list[str]) -> str:
    start = title.find(kept[0])
    end = title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(kept)
