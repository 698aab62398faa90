"""Paywalls and login walls: the visible part of an article, not the article.

A *paywalled* article is one the site marks as such: JSON-LD ``isAccessibleForFree: false``
(Google's documented markup; real pages write it as ``false`` or as the string ``"False"``)
with ``hasPart.cssSelector`` naming the element that holds the locked text, or a paywall
container in the page. Metered sites send the same markup with the full text, so the markup
alone says nothing about *this* response. It is a *teaser* when:

* the element ``hasPart`` names is missing or nearly empty (the locked text was not sent); or
* a subscription prompt ("Subscribe to continue reading"…) is there and the main text is short,
  or much shorter than the article's text when it was last seen in full.

A login wall is a fetch that ended on a sign-in page, or a page whose form asks for a password
and holds no article.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.verdicts.shell import MIN_CHARS
from scraper.verdicts.types import SHORT_BODY_CHARS, Evidence, Verdict

_NOT_FREE = re.compile(r"[\"']?isaccessibleforfree[\"']?\s*:\s*[\"']?false", re.IGNORECASE)
_JSON_LD = re.compile(
    r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL
)
_CONTAINER_WORDS = (
    "paywall",
    "meteredcontent",
    "piano-",
    "tp-container",
    "subscriber",
    "premium-wall",
    "regwall",
    "article-locked",
)
_CONTAINER = re.compile(
    r"(?:class|id)=[\"'][^\"']*\b(?:paywall|paywall-\w+|meteredcontent|piano-\w+|tp-container\w*|"
    r"subscriber-only|subscribers-only|premium-wall|regwall|article-locked)\b"
)
# In lower case, searched in the lowered page. With re.IGNORECASE the search folded the case of
# each character for every alternative: 0.45 s on a page of 1.5 million characters and 40 ms
# on the development sets' average page, against 3 ms for lowering the page and searching it.
_PROMPT = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|subscribe to read|"
    r"to continue reading,? (?:please )?(?:subscribe|log ?in|sign in)|"
    r"continue reading with (?:a|your) subscription|this (?:article|story|content) is "
    r"(?:only )?(?:available )?(?:for|to) (?:subscribers|members)|already a subscriber\?|"
    r"unlock this (?:article|story)|create a free account to (?:continue|read)|"
    r"чтобы (?:продолжить|дочитать)[^.]{0,40}подпи|доступ\w* только (?:для )?подписчик|"
    r"оформите подписку|доступн\w* лише (?:для )?передплатник|оформіть передплату|"
    # Turkish capitals lower to plain i (I) and to i with a combining dot (İ).
    r"devam[ıi]n[ıi] okumak i\u0307?çi\u0307?n|abone olun|aboneliğinizle|"
    r"jetzt weiterlesen|mit abo weiterlesen|abonnieren sie"
)
_LOGIN_PATH = re.compile(
    r"/(?:login|log-in|signin|sign-in|sign_in|auth|sso|account/login|"
    r"anmelden|vkhod|giris)(?:[/?.]|$)",
    re.IGNORECASE,
)
_PASSWORD = re.compile(r"<input[^>]+type=\"?password", re.IGNORECASE)
_LOGIN_TITLE = re.compile(
    r"<(?:title|h1)[^>]*>[^<]{0,80}\b(?:sign in|sign-in|log in|login|subscriber login|"
    r"anmelden|einloggen|войти|вход|увійти|вхід|giriş yap|oturum aç)\b",
    re.IGNORECASE,
)
_LOCKED_PART_WORDS = 30  # the element hasPart names, with fewer words: its text was held back
# A page with this much main text carries the article, whatever its locked element holds
# (some sites point hasPart at a marker element that is always empty).
_FULL_TEXT_CHARS = 2 * SHORT_BODY_CHARS
_SHORT_SHARE = 0.6  # of the article's full length: a fetch this much shorter is a teaser


def detect_login(evidence: Evidence) -> Verdict | None:
    """A sign-in wall, or ``None``."""
    page = evidence.page
    requested = evidence.known.requested_url or page.url
    final_path = urlsplit(page.final_url).path
    if _LOGIN_PATH.search(final_path) and not _LOGIN_PATH.search(urlsplit(requested).path):
        return Verdict("login", (f"ended on a sign-in page ({final_path})",))
    if evidence.body_chars < MIN_CHARS and _PASSWORD.search(evidence.head):
        title = _LOGIN_TITLE.search(evidence.head)
        if title is not None:
            return Verdict(
                "login",
                (
                    f"a sign-in page ({title.group(0)[:60]!r})",
                    "a password form",
                    f"{evidence.body_chars} characters of main text",
                ),
            )
    return None


def detect_paywall(evidence: Evidence) -> Verdict | None:
    """A teaser of a paywalled article, or ``None`` (a full text, or no paywall at all)."""
    chars = evidence.body_chars
    if not _short(chars, evidence.known.body_chars):
        return None  # a full text's worth: whatever the markup says, this is no teaser
    text = evidence.page.text
    at = text.find("sAccessibleForFree")
    not_free = at >= 0 and bool(_NOT_FREE.search(text, max(0, at - 2), at + 200))
    head = evidence.head
    container = _CONTAINER.search(head) if any(w in head for w in _CONTAINER_WORDS) else None
    if not (not_free or container):
        return None
    signals = [
        "JSON-LD isAccessibleForFree: false"
        if not_free
        else f"a paywall container ({container.group(0)[:60] if container else ''})"
    ]
    selector = _locked_selector(text) if not_free else None
    if selector is not None:
        locked_words = _words_in(text, selector)
        if locked_words < _LOCKED_PART_WORDS and _short(chars, evidence.known.body_chars):
            signals.append(f"the locked part ({selector}) has {locked_words} words")
            return Verdict("paywall", (*signals, f"{chars} characters of main text"))
        return None  # the locked part (or a full text's worth) was sent
    prompt = _PROMPT.search(text.lower())
    if prompt is None:
        return None
    signals.append(f"a subscription prompt ({prompt.group(0)!r})")
    known = evidence.known.body_chars
    if not _short(chars, known):
        return None
    signals.append(
        f"{chars} characters where the full text had {known}"
        if known
        else f"{chars} characters of main text"
    )
    return Verdict("paywall", tuple(signals))


def _short(chars: int, known: int | None) -> bool:
    """Short for a full text: well under its known length, or under a full text's worth."""
    if known is not None:
        return chars < known * _SHORT_SHARE
    return chars < _FULL_TEXT_CHARS


def _locked_selector(text: str) -> str | None:
    """The CSS selector of the locked part, from the first JSON-LD block that names one."""
    for block in _JSON_LD.findall(text):
        if "cssselector" not in block.lower():
            continue
        try:
            data = json.loads(block, strict=False)
        except ValueError:
            match = re.search(r"\"cssSelector\"\s*:\s*\"([^\"]+)\"", block)
            if match:
                return match.group(1)
            continue
        found = _find_selector(data)
        if found:
            return found
    return None


def _find_selector(data: object) -> str | None:
    if isinstance(data, dict):
        part = data.get("hasPart")
        for candidate in part if isinstance(part, list) else [part]:
            if (
                isinstance(candidate, dict)
                and isinstance(candidate.get("cssSelector"), str)
                and str(candidate.get("isAccessibleForFree", "")).lower() == "false"
            ):
                return str(candidate["cssSelector"])
        for value in data.values():
            found = _find_selector(value) if isinstance(value, dict | list) else None
            if found:
                return found
    elif isinstance(data, list):
        for item in data:
            found = _find_selector(item)
            if found:
                return found
    return None


def _words_in(text: str, selector: str) -> int:
    try:
        nodes = LexborHTMLParser(text).css(selector)
    except Exception:  # a selector lexbor cannot read is the page's problem: count nothing
        return 0
    return sum(len((node.text(separator=" ") or "").split()) for node in nodes)
