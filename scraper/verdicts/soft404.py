"""Soft 404s: an error page, or the site's front page, answered with status 200.

Signals: an error title or heading ("Page not found", "Something went wrong", and the same in
Russian, Ukrainian, Turkish and German) on a page with little main text; or a fetch for an
article that ended on the site's front page, by redirect or by a canonical link to it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scraper.verdicts.types import Evidence, Verdict

_ERROR = re.compile(
    r"\b(?:page (?:not found|cannot be found|could not be found|does not exist|"
    r"you (?:requested|are looking for) (?:was not found|does not exist|can't be found))|"
    r"not found|error 404|404 error|something went wrong|an error occurred|"
    r"sorry, (?:this|that|the) page|we can(?:'|no)t find (?:that|this|the) page|"
    r"content (?:is )?(?:no longer|not) available)\b|\b404\b|"
    r"страница не найдена|страницы не существует|ошибка 404|"
    r"сторінк\w* не знайдено|сторінки не існує|"
    r"sayfa bulunamadı|aradığınız sayfa|"
    r"seite nicht gefunden|seite existiert nicht|page introuvable",
    re.IGNORECASE,
)
_TITLE = re.compile(r"<title[^>]*>([^<]{0,300})</title>", re.IGNORECASE)
_H1 = re.compile(r"<h1[^>]*>(.{0,300}?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def detect(evidence: Evidence) -> Verdict | None:
    """A soft 404 or the front page, or ``None``."""
    page = evidence.page
    requested = evidence.known.requested_url or page.url
    if _is_front(page.final_url) and not _is_front(requested):
        return Verdict("soft_404", (f"ended on the front page ({page.final_url})",))
    canonical = evidence.found.canonical_url if evidence.found is not None else None
    if (
        evidence.short
        and canonical
        and _is_front(canonical)
        and not _is_front(requested)
        and urlsplit(canonical).hostname == urlsplit(page.final_url).hostname
    ):
        return Verdict("soft_404", (f"the page names the front page as itself ({canonical})",))
    if not evidence.short:
        return None
    for label, pattern in (("title", _TITLE), ("heading", _H1)):
        match = pattern.search(evidence.head)
        if match is None:
            continue
        text = " ".join(_TAGS.sub(" ", match.group(1)).split())
        error = _ERROR.search(text)
        if error:
            return Verdict(
                "soft_404",
                (f"error {label} {text[:80]!r}", f"{evidence.body_chars} characters of main text"),
            )
    return None


def _is_front(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path.lower() in _FRONT_PATHS and not parts.query


_FRONT_PATHS = frozenset(
    {
        "",
        "/",
        "/index.html",
        "/index.htm",
        "/index.php",
        "/default.aspx",
        "/default.asp",
        "/home",
        "/en",
        "/en/",
    }
)
