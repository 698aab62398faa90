"""Verdicts on fetched pages: walls, teasers, error pages and script shells are not articles.

One detector a file (``challenge``, ``consent``, ``paywall`` with ``login``, ``soft404``,
``shell``), run in order by :func:`judge`.
"""

from scraper.verdicts.consent import is_consent_host
from scraper.verdicts.judge import judge
from scraper.verdicts.shell import RENDER_HINT
from scraper.verdicts.types import WALLS, Known, Verdict, VerdictKind

__all__ = ["RENDER_HINT", "WALLS", "Known", "Verdict", "VerdictKind", "is_consent_host", "judge"]
