"""Author names as bylines and metadata write them, cleaned to bare names."""

from __future__ import annotations

import re
from collections.abc import Iterable

# "By", and its equivalents in the languages we watch, in front of a byline.
_LEAD = re.compile(
    r"^\s*(?:written\s+by|posted\s+by|published\s+by|reported\s+by|story\s+by|words\s+by|"
    r"by|from|por|par|von|di|door|av|автор(?:ы)?|текст|yazan|yazar|муаллиф)\s*[:\-–—]?\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b|\bі\b|\bve\b|\n)\s*")
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_URLISH = re.compile(r"https?://|www\.|\.(?:com|org|net|ru|ua|us|uk|tr)\b", re.IGNORECASE)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Words that make a byline fragment a job title or a desk rather than a person.
_ROLES = frozenset(
    """writer reporter editor correspondent contributor columnist journalist photographer
    producer staff senior chief managing associate contributing deputy political news desk
    team agency wire service services press reports report bureau editorial board opinion
    analyst author authors guest special updated published posted photo photos video
    newsroom admin administrator freelance intern host anchor""".split()
)
_NOT_NAMES = frozenset({"associated press", "the associated press", "reuters", "afp", "ap"})


def _fragments(raw: str) -> list[str]:
    text = _EMAIL.sub(" ", raw)
    text = _PAREN.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _LEAD.sub("", text)
    return [part for part in _SPLIT.split(text) if part]


def _clean_one(fragment: str) -> str | None:
    name = _LEAD.sub("", fragment).strip(" \t-–—:·•*'\"“”.")
    # "Jane Doe - Staff Writer" and "Jane Doe, Reporter" keep the part before the role.
    name = re.split(r"\s+[-–—|]\s+", name)[0].strip()
    if not name or _URLISH.search(name) or name.startswith("@"):
        return None
    words = name.split()
    if not 1 <= len(words) <= 5 or len(name) > 60:
        return None
    if any(ch.isdigit() for ch in name):
        return None
    if name.lower() in _NOT_NAMES or all(_is_role(word) for word in words):
        return None
    while words and _is_role(words[-1]):
        words.pop()
    if not words or not any(ch.isalpha() for ch in words[0]):
        return None
    name = " ".join(words)
    if name.isupper() and len(name) > 3:
        name = name.title()
    return name


def _is_role(word: str) -> bool:
    word = word.lower().strip(".,")
    return word in _ROLES or (word.endswith("s") and word[:-1] in _ROLES)


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def clean_authors(raw: Iterable[str], exclude: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Bare, unique author names from raw bylines; names equal to ``exclude`` (site) dropped."""
    excluded = {_norm(e) for e in exclude if e}
    excluded.discard("")
    names: list[str] = []
    seen: set[str] = set()
    for item in raw:
        if not item:
            continue
        for fragment in _fragments(item):
            name = _clean_one(fragment)
            if not name:
                continue
            key = _norm(name)
            if not key or key in seen or key in excluded or name.lower() in _NOT_NAMES:
                continue
            if any(key in ex or ex in key for ex in excluded if len(ex) > 3):
                continue
            seen.add(key)
            names.append(name)
    return tuple(names)
