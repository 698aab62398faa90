"""Consent walls: a redirect to a consent host, or a full page asking for consent and nothing else.

Google sends visitors from some countries to ``consent.google.com`` / ``consent.youtube.com``
before any page (the real interstitial is in the test fixtures); Yahoo and AOL use
``guce.*``/``consent.*``; TCF platforms (Sourcepoint, OneTrust, Didomi, Quantcast) serve their
dialogs from their own hosts. A consent *banner* over a real article is harmless: the article
text is there. Only a page whose main text is short and whose words are the consent dialog's
counts, or a fetch that ended on (or was redirected to) a consent host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scraper.verdicts.types import Evidence, Verdict
from scraper.wrappers import aggregator_kind

# Hosts whose only business is asking for consent (exact names or a suffix after a dot).
CONSENT_HOSTS = (
    "consent.google.com",
    "consent.youtube.com",
    "consent.yahoo.com",
    "guce.yahoo.com",
    "guce.aol.com",
    "consent.aol.com",
    "consent.cookiebot.com",
    "privacy-mgmt.com",
    "cmp.quantcast.com",
    "consent.trustarc.com",
    "myprivacy.dpgmedia.nl",
    "myprivacy.dpgmedia.be",
    "consent.kijiji.ca",
)
_FORM_TO_CONSENT = re.compile(
    r"<form[^>]+action=\"https?://(?:[a-z0-9-]+\.)*(?:consent\.(?:google|youtube|yahoo)\.com|"
    r"guce\.(?:yahoo|aol)\.com)"
)
# The words a consent dialog is made of, in the languages newswatch follows and German.
_CONSENT_WORDS = re.compile(
    r"\b(?:cookies?|consent|privacy|partners?|personali[sz]ed|advertising|accept all|reject all|"
    r"zustimm\w*|einwilligung|datenschutz|akzeptieren|"
    r"согласи\w*|конфиденциальност\w*|файлы cookie|"
    r"згод\w*|конфіденційн\w*|"
    r"çerez\w*|onay\w*|gizlilik)\b",
    re.IGNORECASE,
)


def is_consent_host(url: str) -> bool:
    """Whether ``url`` is on a host that exists to ask for consent (these, and the consent
    hosts of the wrapper table that discovery uses)."""
    host = (urlsplit(url).hostname or "").lower()
    return (
        any(host == name or host.endswith("." + name) for name in CONSENT_HOSTS)
        or aggregator_kind(url) == "consent"
    )


def detect(evidence: Evidence) -> Verdict | None:
    """A consent wall, or ``None``."""
    page = evidence.page
    if is_consent_host(page.final_url):
        host = urlsplit(page.final_url).hostname
        return Verdict("consent", (f"ended on the consent host {host}",))
    location = page.headers.get("location", "")
    if page.status in (301, 302, 303, 307, 308) and is_consent_host(location):
        host = urlsplit(location).hostname
        return Verdict("consent", (f"redirected to the consent host {host}",))
    if not evidence.short:
        return None
    signals: list[str] = []
    if _FORM_TO_CONSENT.search(evidence.head):
        signals.append("a form that posts to a consent host")
    text = evidence.found.body if evidence.found is not None else ""
    words = len(text.split())
    consent_words = len(_CONSENT_WORDS.findall(text))
    if words and consent_words >= 3 and consent_words * 12 >= words:
        signals.append(f"{consent_words} consent words in {words} words of text")
    if not signals:
        return None
    return Verdict("consent", (*signals, f"{evidence.body_chars} characters of main text"))
