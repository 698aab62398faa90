"""Bot walls: Cloudflare, DataDome, PerimeterX, Akamai and their generic cousins.

Signals, strongest first:

* ``cf-mitigated: challenge``: Cloudflare documents that every challenge page carries it, and
  only challenge pages do (``tests/fixtures/live/cloudflare_cf-mitigated-header_docs-quote.txt``).
* The vendors' own page markers, taken from real challenge pages kept in the test fixtures:
  Cloudflare's ``window._cf_chl_opt`` and ``<title>Just a moment...</title>``/``Attention
  Required! | Cloudflare``, DataDome's ``captcha-delivery.com`` loader, PerimeterX's
  ``_pxAppId`` with its "Access to this page has been denied", Akamai's ``sec-cpt`` challenge
  iframe and its "Access Denied … Reference #" page.

Cloudflare injects ``/cdn-cgi/challenge-platform/`` scripts into ordinary pages too, and a
captcha widget can sit under a real article's comments, so a marker alone is not a wall: it
takes a marker *and* a page with no article text, or the header, or a challenge status
(403/429/503) from the vendor's server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scraper.verdicts.types import Evidence, Verdict

_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Cloudflare challenge script (_cf_chl_opt)", r"window\._cf_chl_opt|__cf_chl_"),
        ("Cloudflare 'Just a moment...' page", r"<title>\s*just a moment\.\.\.\s*</title>"),
        (
            "Cloudflare 'Attention Required!' page",
            r"<title>\s*attention required!\s*\|\s*cloudflare\s*</title>",
        ),
        ("Cloudflare 'Please Wait' page", r"<title>\s*please wait\.\.\.\s*\|\s*cloudflare"),
        ("Cloudflare browser check (jschl)", r"jschl[_-](?:vc|answer)|cf-browser-verification"),
        ("DataDome captcha (captcha-delivery.com)", r"captcha-delivery\.com"),
        (
            "PerimeterX block page",
            r"px-captcha|_pxappid[\s\S]{0,4000}"
            r"(?:access to this page has been denied|press\s*(?:&amp;|&)\s*hold)",
        ),
        ("PerimeterX 'Press & Hold'", r"press\s*(?:&amp;|&)\s*hold"),
        ("Akamai crypto challenge (sec-cpt)", r"sec-cpt-if|/_sec/cp_challenge/"),
        (
            "Akamai 'Access Denied' page",
            r"<title>\s*access denied\s*</title>[\s\S]{0,2000}reference\s*#",
        ),
        (
            "'verify you are human' page",
            r"<title>[^<]{0,80}(?:are you a robot|verify you are (?:a )?human|"
            r"access to this page has been denied|bot verification)[^<]{0,80}</title>",
        ),
    )
)
_CHALLENGE_STATUSES = frozenset({403, 429, 503})
# One of these is in every marker above: a page with none of them is no challenge.
_MARKER_WORDS = (
    "_cf_chl",
    "just a moment",
    "| cloudflare",
    "jschl",
    "cf-browser-verification",
    "captcha-delivery.com",
    "px-captcha",
    "access to this page has been denied",
    "&amp; hold",
    "& hold",
    "sec-cpt",
    "/_sec/cp_challenge",
    "access denied</title>",
    "are you a robot",
    "verify you are",
    "bot verification",
)


def detect(evidence: Evidence) -> Verdict | None:
    """A bot wall, or ``None``."""
    headers = evidence.page.headers
    if headers.get("cf-mitigated", "").strip().lower() == "challenge":
        return Verdict("challenge", ("header cf-mitigated: challenge",))
    vendor_status = evidence.page.status in _CHALLENGE_STATUSES and _vendor_server(headers)
    if not (evidence.short or vendor_status):
        return None  # an article's worth of text: no marker can make it a wall
    head = evidence.head
    if not any(word in head for word in _MARKER_WORDS):
        return None  # the usual case, decided by substring tests alone
    found = [name for name, pattern in _MARKERS if pattern.search(head)]
    if not found:
        return None
    signals = list(found)
    if evidence.short:
        signals.append(f"{evidence.body_chars} characters of main text")
    if vendor_status:
        signals.append(f"HTTP {evidence.page.status} from {headers.get('server', '')}")
    return Verdict("challenge", tuple(signals))


def _vendor_server(headers: Mapping[str, str]) -> bool:
    server = headers.get("server", "").lower()
    return any(name in server for name in ("cloudflare", "akamai", "datadome")) or any(
        key.startswith(("x-datadome", "x-px", "cf-ray")) for key in headers
    )
