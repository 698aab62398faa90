"""Author names as bylines and metadata write them, cleaned to bare names."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache

# "By", and its equivalents in the languages we watch, in front of a byline.
_LEAD = re.compile(
    r"^\s*(?:[^\W\d_]+\s+by|"
    r"by|from|por|par|von|di|door|av|автор(?:ы)?|текст|yazan|yazar|муаллиф)\s*[:\-–—]?(?:\s+|$)",
    re.IGNORECASE,
)
_SPLIT = re.compile(
    r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b|\bі\b|\bve\b|\n|"
    r"(?<=[^\s.]{3})\.\s+)\s*"  # "Jane Doe. Sputnik" but not "John F. Kennedy"
)
# Text glued by a template with no space: "Carrie ArnoldContributing", "ERIC TUCKERAssociated".
_GLUED = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])|(?<=[A-Z]{3})(?=[A-Z][a-z]{2})")
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_URLISH = re.compile(r"https?://|www\.|\.(?:com|org|net|ru|ua|us|uk|tr)\b", re.IGNORECASE)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SPACES = re.compile(r"\s+")
_ROLE_DASH = re.compile(r"\s+[-–—|]\s+")
_NOT_WORD = re.compile(r"[\W_]+")
# Words that make a byline fragment a job title or a desk rather than a person.
_ROLES = frozenset(
    """writer reporter editor correspondent contributor columnist journalist photographer
    producer staff senior chief managing associate contributing deputy political news desk
    team agency wire service services press reports report bureau editorial board opinion
    analyst author authors guest special updated published posted photo photos video
    newsroom admin administrator freelance intern host anchor large sports business
    гость редакция корреспондент автор фото текст редактор muhabir editörü""".split()
)
_AGENCIES = frozenset(
    """associatedpress theassociatedpress reuters thomsonreuters afp agencefrancepresse ap
    upi tass rianovosti dpa efe ansa xinhua anadolu anadoluagency""".split()
)
# Agencies and credentials: true bylines, but not people.
_NOT_PEOPLE = frozenset(
    """ap afp reuters associated press upi tass ria dpa efe ansa xinhua anadolu
    ms md phd rd rdn mba mph rn""".split()
)


def _fragments(raw: str) -> list[str]:
    text = _EMAIL.sub(" ", raw)
    text = _PAREN.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _LEAD.sub("", text)
    return [part for part in _SPLIT.split(text) if part]


def _clean_one(fragment: str) -> str | None:
    name = _LEAD.sub("", html.unescape(fragment)).strip(" \t-–—:·•*'\"“”")
    if name.endswith(".") and len(name.rsplit(None, 1)[-1]) > 4:
        name = name[:-1]  # a sentence's full stop, not "Jr." or "F."
    if _norm(name) in _AGENCIES:
        return None
    glued = _GLUED.search(name) if " " in name else None
    if glued:
        name = name[: glued.start()]
    # "Jane Doe - Staff Writer" and "Jane Doe, Reporter" keep the part before the role.
    name = _ROLE_DASH.split(name, 1)[0].strip()
    if not name or _URLISH.search(name) or name.startswith("@"):
        return None
    words = name.split()
    if not 1 <= len(words) <= 5 or len(name) > 60:
        return None
    if any(ch.isdigit() for ch in name):
        return None
    if all(_is_role(word) or word.lower().strip(".") in _NOT_PEOPLE for word in words):
        return None
    while words and _is_role(words[-1]):
        words.pop()
    if not words or not any(ch.isalpha() for ch in words[0]):
        return None
    if len(words) == 1 and len(words[0]) <= 3:
        return None  # initials or a desk code ("AS", "JS"), not a name
    name = " ".join(words)
    if name.isupper() and len(name) > 3:
        name = name.title()
    return name


def _is_role(word: str) -> bool:
    word = word.lower().strip(".,")
    if "-" in word:
        return any(_is_role(part) for part in word.split("-"))
    return word in _ROLES or (word.endswith("s") and word[:-1] in _ROLES)


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return _NOT_WORD.sub("", text.lower())


@lru_cache(maxsize=256)
def _exclusions(exclude: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """Normalised site names, whole and word by word (the same few per site: cached)."""
    whole = frozenset(_norm(e) for e in exclude) - {""}
    words = frozenset(w for e in exclude for w in (_norm(x) for x in e.split()) if len(w) > 1)
    return whole, words


def clean_authors(raw: Iterable[str], exclude: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Bare, unique author names from raw bylines; names equal to ``exclude`` (site) dropped."""
    excluded, excluded_words = _exclusions(tuple(e for e in exclude if e))
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
            if not key or key in seen or key in excluded:
                continue
            if any(_norm(w) in excluded_words for w in name.split()):
                continue  # "CNN Business", "Sputnik International": the site, not a person
            seen.add(key)
            names.append(name)
    return tuple(names)
