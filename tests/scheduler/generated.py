"""Many distinct, recent newsroom stories for the scale and soak tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from newswatch.newsroom import Story

_PLACES = ("Istanbul", "Ankara", "Geneva", "Vienna", "Warsaw", "Riga", "Odesa", "Izmir")
_TOPICS = (
    "prisoner exchange",
    "grain corridor",
    "ceasefire line",
    "energy talks",
    "humanitarian convoy",
    "port reopening",
    "border crossing",
    "memorandum draft",
)
_VERBS = ("confirm", "discuss", "postpone", "welcome", "question", "review", "announce", "sign")
# Prose is made of invented words drawn per story, so that stories share few words: the
# syndication detector sees a thousand distinct articles, not one wire text copied a thousand
# times (which would be a different, and much slower, test).
_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ren",
    "tas",
    "vo",
    "bel",
    "dun",
    "gar",
    "hil",
    "jo",
    "kes",
    "lan",
    "mor",
    "nit",
    "pa",
    "quo",
    "ris",
    "sul",
    "tor",
    "ub",
    "vek",
    "wan",
    "yel",
    "zo",
    "bri",
    "cla",
    "dro",
    "fen",
    "gru",
)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(_word(rng) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, lead: str) -> str:
    return " ".join([lead, *(_sentence(rng, rng.randint(9, 16)) for _ in range(3))])


def story(index: int, *, prefix: str = "item", now: datetime | None = None) -> Story:
    """Story number ``index``: its own slug, headline, byline and three paragraphs.

    Every story mentions a distinct ``Marker-<index>`` word, so a test can edit exactly one.
    """
    now = now or datetime.now(UTC)
    place = _PLACES[index % len(_PLACES)]
    topic = _TOPICS[(index // len(_PLACES)) % len(_TOPICS)]
    verb = _VERBS[(index * 7) % len(_VERBS)]
    rng = random.Random(index)
    body = (
        _paragraph(rng, f"Officials in {place} {verb} progress on the {topic} on day {index}."),
        _paragraph(rng, f"The delegation was led by envoy Marker-{index}."),
        _paragraph(rng, f"Observers in {place} expect another round."),
    )
    return Story(
        slug=f"{prefix}-{index:04d}-{place.lower()}-{topic.replace(' ', '-')}",
        lang="en",
        section="world",
        title=f"{place} talks: envoys {verb} {topic} ({prefix} {index})",
        subtitle=f"Report {index} on the {topic} from {place}",
        authors=(f"Reporter {index % 17}",),
        published=now - timedelta(minutes=1 + index % 90),
        body=body,
        path_style="/news/{slug}.html",  # no date in the path: URL order is index order
    )


def stories(count: int, *, prefix: str = "item") -> list[Story]:
    """``count`` stories, in index (and URL) order."""
    now = datetime.now(UTC)
    return [story(i, prefix=prefix, now=now) for i in range(count)]
