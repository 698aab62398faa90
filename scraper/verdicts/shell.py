"""Pages with no main text: nothing to compare, and maybe a reason (a script-only shell).

A page whose extracted text is a line or two is not an article as served, unless it is an
article we know, still under its headline: then it may be a retraction, and the daemon's
confirmation of drastic changes decides. When its scripts carry the text instead (a JSON
state blob such as Next.js' ``__NEXT_DATA__``, Nuxt's ``__NUXT__``, a
``window.__INITIAL_STATE__``, or an empty mount point with bundles), the verdict says that
rendering the page in a browser would help.
"""

from __future__ import annotations

import re

from scraper.verdicts.types import Evidence, Verdict

MIN_CHARS = 150  # about 25 English words, or a few sentences of Japanese
_STATE = re.compile(
    r"<script[^>]+id=\"__next_data__\"|window\.__(?:initial_state|preloaded_state|nuxt|"
    r"apollo_state|data)__\s*=|__nuxt__|<script[^>]+type=\"application/json\"[^>]*>\s*\{",
    re.IGNORECASE,
)
_EMPTY_ROOT = re.compile(r"<div id=\"(?:root|app|__next|__nuxt)\"[^>]*>\s*</div>", re.IGNORECASE)
RENDER_HINT = 'its text arrives by script: set render = "browser" for this source or outlet'


def detect(evidence: Evidence) -> Verdict | None:
    """``not_article`` when the page has (almost) no main text, or ``None``."""
    if evidence.found is not None and evidence.body_chars >= MIN_CHARS:
        return None
    signals = [f"{evidence.body_chars} characters of main text"]
    text = evidence.page.text
    state = _STATE.search(text)
    if state is not None or _EMPTY_ROOT.search(evidence.head):
        signals.append(
            "script data or an empty app root: "
            + (state.group(0)[:40] if state else "an empty mount point")
        )
        return Verdict("not_article", tuple(signals), hint=RENDER_HINT)
    if (
        evidence.known.body_chars is not None
        and evidence.found is not None
        and evidence.found.title
    ):
        # A known article reduced to a line under its headline is what a retraction or an
        # editor's note looks like: not judged away, but confirmed like any drastic change.
        return None
    return Verdict("not_article", tuple(signals))
