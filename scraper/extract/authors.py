"""Author names as bylines and metadata write them, sorted into people, agencies and desks.

A byline credits people ("By Jane Doe and John Roe"), wire agencies ("Reuters", "dpa"), or the
publication itself and its desks ("Staff Reports", "BR24 Redaktion", the site's own name). Job
titles ("AP Auto Writer"), credentials ("MS, RDN"), affiliations after a name ("Sandee LaMotte,
CNN") and CMS user names ("admin", "kevin-r") are none of these.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# "By", and its equivalents in the languages we watch, in front of a byline.
_LEAD = re.compile(
    r"^\s*(?:[^\W\d_]+\s+by|(?:kolumne|kommentar|analyse|gastbeitrag|essay|interview|"
    r"rezension|kritik|reportage|análisis|opinión|columna|crónica|chronique|tribune|"
    r"critique|commento|analisi)\s+(?:von|por|par|de|di)|publicado\s+por|publié\s+par|"
    r"by|from|por|par|von|di|door|av|автор(?:ы)?|текст|yazan|yazar|муаллиф)\s*[:\-–—]?(?:\s+|$)",
    re.IGNORECASE,
)
# "and" in the bylines of the languages we watch (og: Danish and Norwegian, och: Swedish).
_SPLIT = re.compile(
    r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b|\bі\b|\bve\b|\bog\b|"
    r"\boch\b|\boraz\b|\bés\b|\n|"
    r"(?<=[^\s.]{3})\.\s+)\s*"  # "Jane Doe. Sputnik" but not "John F. Kennedy"
)
# Text glued by a template with no space: "Carrie ArnoldContributing", "ERIC TUCKERAssociated".
_GLUED = re.compile(
    r"(?<=[a-z]{3})(?=[A-Z][a-z])|(?<=[A-Z]{3})(?=[A-Z][a-z]{2})|(?<=[a-z]{3})(?=[A-Z]{2})"
)
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_URLISH = re.compile(r"https?://|www\.|\.(?:com|org|net|ru|ua|us|uk|tr)\b", re.IGNORECASE)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SPACES = re.compile(r"\s+")
_ROLE_DASH = re.compile(r"\s+[-–—|]\s+")
_NOT_WORD = re.compile(r"[\W_]+")
# A user name as a CMS stores it: "kevin-r", "kei_eno", "jdoe42".
_HANDLE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)+$|^\S*_\S*$")
_CMS_USERS = frozenset("admin administrator webmaster root user guest editor author".split())
# Words that make a byline fragment a job title or a desk rather than a person.
_ROLES = frozenset(
    """writer reporter editor correspondent contributor columnist journalist photographer
    producer staff senior chief managing associate contributing deputy political news desk
    team agency wire service services press reports report bureau editorial board opinion
    analyst author authors guest special updated published posted photo photos video
    newsroom admin administrator freelance intern host anchor large sports business
    гость редакция корреспондент автор фото текст редактор muhabir editörü geschrieben
    veröffentlicht publicado publié 기자 記者 特派員""".split()
)
# Words that make a fragment of role words a desk's credit ("Staff Reports", "BR24 Redaktion").
_DESK_WORDS = frozenset(
    """staff desk bureau editorial editors newsroom team reports redaktion redacción redaccion
    rédaction redazione redactie redakcja редакция редакція agencies haber""".split()
)
# Wire agencies as bylines write them (normalised): credited on their own, they are authors.
_AGENCIES = frozenset(
    """ap associatedpress theassociatedpress reuters thomsonreuters afp agencefrancepresse
    upi tass тасс rianovosti риановости interfax интерфакс dpa deutschepresseagentur sda
    keystonesda apa kna epd efe europapress ansa adnkronos xinhua anadolu anadoluagency aa
    anadoluajansı dha iha pti ians ani uni kyodo yonhap belga anp ntb tt ritzau lusa pap ctk
    čtk mti bta aap cp thecanadianpress pa pamedia ukrinform укрінформ unian уніан unn""".split()
)
# Credentials after a name ("Ilana Muhlstein, MS, RDN"): not a person, not a desk.
_CREDENTIALS = frozenset("ms md phd rd rdn mba mph rn msc bsc llm".split())


@dataclass(frozen=True, slots=True)
class Credits:
    """What a set of bylines credits.

    ``names`` are people and wire agencies, in the order written; ``desks`` the publication or
    a desk credited in their place; ``dropped`` the fragments that are neither, with why.
    """

    names: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    desks: tuple[str, ...] = ()
    dropped: tuple[tuple[str, str], ...] = ()


def _fragments(raw: str) -> list[str]:
    text = _EMAIL.sub(" ", raw)
    text = _PAREN.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _LEAD.sub("", text)
    return [part for part in _SPLIT.split(text) if part]


def _is_role(word: str) -> bool:
    word = word.lower().strip(".,")
    if "-" in word:
        return any(_is_role(part) for part in word.split("-"))
    return word in _ROLES or (word.endswith("s") and word[:-1] in _ROLES)


@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    return _NOT_WORD.sub("", text.lower())


def is_agency(name: str) -> bool:
    """Is ``name`` a wire agency ("Reuters", "dpa", "Keystone-SDA")?"""
    return _norm(name) in _AGENCIES


# A link beside a byline ("Email Dan Jervis-Bardy", "Follow Jane on X"), not a credit.
_ACTION = re.compile(r"^(?:e-?mail|follow|contact|view|read|more from|tips?)\b", re.IGNORECASE)


def _tidy(fragment: str) -> str:
    name = _LEAD.sub("", html.unescape(fragment)).strip(" \t-–—:·•*'\"“”")
    if _ACTION.match(name):
        return ""
    if name.endswith(".") and len(name.rsplit(None, 1)[-1]) > 4:
        name = name[:-1]  # a sentence's full stop, not "Jr." or "F."
    glued = _GLUED.search(name) if " " in name else None
    if glued:
        name = name[: glued.start()]
    # "Jane Doe - Staff Writer" and "Jane Doe, Reporter" keep the part before the role.
    return _ROLE_DASH.split(name, 1)[0].strip()


def _classify(
    fragment: str, site_whole: frozenset[str], site_words: frozenset[str]
) -> tuple[str, str]:
    """``(kind, text)``: kind is person, agency or desk, or why the fragment is none."""
    name = _tidy(fragment)
    if not name:
        return "empty", fragment
    key = _norm(name)
    if key in _AGENCIES:
        return "agency", name
    if _URLISH.search(name) or name.startswith("@"):
        return "a link or a handle", name
    if _HANDLE.match(name) or key in _CMS_USERS:
        return "a CMS user name", name
    words = name.split()
    if not 1 <= len(words) <= 5 or len(name) > 60:
        return "not a name", name
    lowered = [w.lower().strip(".,") for w in words]
    core = [w for w, low in zip(words, lowered, strict=True) if not _is_role(low)]
    core = [w for w in core if w.lower().strip(".,") not in _CREDENTIALS | _DESK_WORDS]
    if key in site_whole or (core and all(_norm(w) in site_words for w in core)):
        return "desk", _display(name)  # "CNN Business", "Sputnik International", the site
    desk = any(part in _DESK_WORDS for low in lowered for part in low.split("-"))
    if desk and len(core) <= 1:
        return "desk", _display(name)  # "Staff Reports", "BR24 Redaktion", "MND Staff"
    if not core:
        return "a job title", name
    if any(ch.isdigit() for ch in name):
        return "not a name", name
    titled = False
    while words and (_is_role(words[-1]) or words[-1].lower().strip(".,") in _CREDENTIALS):
        words.pop()
        titled = True
    if not words or not any(ch.isalpha() for ch in words[0]):
        return "a job title", name
    if titled and any(_norm(w) in _AGENCIES for w in words):
        return "a job title", name  # "AP Auto Writer", "AFP Correspondent"
    # "AS", "PMJS": a desk code, not a name. (Scripts without case write whole names in
    # three signs: 배윤경.)
    single = words[0] if len(words) == 1 else ""
    if single.isascii() and (len(single) in (1, 2, 3) or (single.isupper() and len(single) <= 5)):
        return "initials or an acronym", name
    return "person", _display(" ".join(words))


def _titled(fragment: str) -> bool:
    """Does the fragment end in a job title ("Auto Writer", "Senior Editor")?"""
    words = _tidy(fragment).split()
    return len(words) > 1 and _is_role(words[-1])


def _display(name: str) -> str:
    return name.title() if name.isupper() and len(name) > 3 else name


@lru_cache(maxsize=256)
def _exclusions(exclude: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """Normalised site names, whole and word by word (the same few per site: cached).

    A name of several words also stands as its initials: "TPN" credits The Portugal News.
    """
    initials = (_norm("".join(w[:1] for w in e.split())) for e in exclude if len(e.split()) > 1)
    whole = frozenset((*(_norm(e) for e in exclude), *initials)) - {""}
    words = frozenset(w for e in exclude for w in (_norm(x) for x in e.split()) if len(w) > 1)
    return whole, words


def read_credits(
    raw: Iterable[str], exclude: Iterable[str | None] = (), *, listed: bool = False
) -> Credits:
    """Sort raw bylines into people and agencies, desks, and the rest; ``exclude``: site names.

    ``listed``: the items are entries of a metadata list of authors, each one credited in its
    own right, rather than lines of a printed byline.
    """
    items = tuple(item for item in raw if item)
    if not items:
        return _NOTHING
    return _read(items, tuple(e for e in exclude if e), listed)


_NOTHING = Credits()
# A picture's credit line ("Foto: Jane Doe / Agency"), which some pages mark up as an author.
_PHOTO_CREDIT = re.compile(
    r"^\s*(?:fotos?|photos?|bild(?:er)?|images?|pictures?|kuva|zdjęcie|фото|fotoğraf)\s*:",
    re.IGNORECASE,
)


@lru_cache(maxsize=1024)
def _read(raw: tuple[str, ...], exclude: tuple[str, ...], listed: bool) -> Credits:
    """``read_credits`` on hashable arguments: a page asks about the same names several times."""
    site_whole, site_words = _exclusions(exclude)
    names: list[str] = []
    agencies: list[str] = []
    desks: list[str] = []
    dropped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in raw:
        if _PHOTO_CREDIT.match(item):
            dropped.append((item, "a photo credit"))
            continue
        parts = _fragments(item)
        if not listed and len(parts) == 1 and names and not agencies and is_agency(parts[0]):
            # "By Jane Doe" then "Associated Press" on its own line: whom she writes for. (In
            # a metadata list, an agency entry beside hers is credited as a co-author.)
            dropped.append((parts[0], "the agency the names before it write for"))
            continue
        person_before = False
        for fragment in parts:
            kind, text = _classify(fragment, site_whole, site_words)
            key = _norm(text)
            if kind == "person" and person_before and len(text.split()) == 1 and text[:1].isupper():
                # "Victor Tangermann, Futurism": one word after a full name is an outlet.
                dropped.append((text, "the outlet of the name before it"))
                continue
            if kind == "person" and person_before and _titled(fragment):
                dropped.append((text, "the job title of the name before it"))
                continue
            if kind in ("person", "agency"):
                person_before = kind == "person" and len(text.split()) > 1
                if key and key not in seen:
                    seen.add(key)
                    names.append(text)
                    if kind == "agency":
                        agencies.append(text)
            elif kind == "desk":
                if key and key not in seen:
                    seen.add(key)
                    desks.append(text)
            elif kind != "empty":
                dropped.append((text, kind))
    return Credits(tuple(names), tuple(agencies), tuple(desks), tuple(dropped))


def clean_authors(raw: Iterable[str], exclude: Iterable[str | None] = ()) -> tuple[str, ...]:
    """Bare, unique names of the people and agencies credited; ``exclude``: the site's names."""
    return read_credits(raw, exclude).names
