"""A database filled the way a user's would be: the newsroom's stories fetched by the real
pipeline, then edited, retitled and taken down, plus one hostile article stored directly."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import storage
from newswatch.config import Settings
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime
from scraper.urls import canonicalize_url
from tests.newsroom_config import write_newsroom_config

SEED = "envoys-arrive-istanbul-second-meeting"
RETITLED = "turkey-offers-to-host-leaders-meeting-after-istanbul-round"
NEW_TITLE = "Erdogan offers Istanbul summit for Putin, Zelensky and Trump"
TAKEN_DOWN = "istanbul-talks-delegations-swap-rival-peace-memorandums"
HOSTILE_URL = "https://hostile.example/2025/06/02/xss.html"
HOSTILE_TITLE = "<script>alert(1)</script> Talks in Istanbul"
HOSTILE_BODY = (
    "Negotiators met in Istanbul. <img src=x onerror=alert(2)>\n"
    "The talks <b onmouseover=alert(3)>continue</b> tomorrow."
)


class Clock:
    """A clock moved by hand, so rechecks fall due without waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Populated:
    """Where the filled database is and what is in it."""

    url: str
    config: Path
    seed_url: str
    retitled_url: str
    taken_down_url: str
    hostile_id: int


def settings_for(room: Newsroom, folder: Path) -> Settings:
    return Settings(
        database={"url": f"sqlite:///{folder / 'newswatch.db'}"},  # type: ignore[arg-type]
        sources=[
            {
                "url": f"{room.base_url}/feed.xml",
                "kind": "feed",  # type: ignore[list-item]
                "every": "5m",
            }
        ],
        topic={"query": ""},  # type: ignore[arg-type]
        recheck={"tiers": [{"younger_than": "3650d", "every": "15m"}]},  # type: ignore[arg-type]
        alerts=[{"url": f"jsonl://{folder / 'alerts.jsonl'}"}],  # type: ignore[list-item]
        # The newsroom is ours and on loopback: no politeness delay between its pages.
        fetch={"delay": "0s", "allow": [room.address]},  # type: ignore[arg-type]
    )


def write_config(room: Newsroom, folder: Path) -> Path:
    return write_newsroom_config(
        room,
        folder,
        recheck_every=None,
        extra="""
[fetch]
delay = "0s"
""",
    )


def populate(folder: Path) -> Populated:
    """Fill ``folder``/newswatch.db from a newsroom (started and stopped here)."""
    room = Newsroom.with_articles().start()
    try:
        settings, clock = settings_for(room, folder), Clock()

        async def one_pass() -> None:
            async with open_runtime(settings, clock=clock) as runtime:
                await runtime.worker.run_until_idle()
                await runtime.deliverer.deliver(limit=1000)

        asyncio.run(one_pass())
        room.edit(SEED, "Madinsky", "Medinsky")
        room.retitle(RETITLED, NEW_TITLE)
        room.delete(TAKEN_DOWN)
        clock.now += timedelta(minutes=16)
        asyncio.run(one_pass())
        config = write_config(room, folder)
        urls = (room.url_of(SEED), room.url_of(RETITLED), room.url_of(TAKEN_DOWN))
    finally:
        room.stop()
    hostile = store_hostile(settings.database.url, clock.now)
    store_spread(settings.database.url, clock.now)
    return Populated(
        url=settings.database.url,
        config=config,
        seed_url=canonicalize_url(urls[0]),
        retitled_url=canonicalize_url(urls[1]),
        taken_down_url=canonicalize_url(urls[2]),
        hostile_id=hostile,
    )


def store_hostile(url: str, now: datetime) -> int:
    """An article whose title and body try to run script in a viewer's browser, in two
    versions so its diff shows the hostile text too."""
    with storage.open_database(url) as db, db.transaction() as session:
        storage.add_candidates(
            session, candidates=[storage.Candidate(url=HOSTILE_URL)], source_id=None, now=now
        )
        article = storage.find_article(session, HOSTILE_URL)
        assert article is not None and article.id is not None
        first = storage.ArticleFields(
            title=HOSTILE_TITLE, body=HOSTILE_BODY, published=datetime(2025, 6, 2, 18, tzinfo=UTC)
        )
        storage.record(
            session,
            article_id=article.id,
            fields=first,
            snapshot=f"<html><title>{HOSTILE_TITLE}</title></html>".encode(),
            fetched_at=now,
        )
        second = storage.ArticleFields(
            title=HOSTILE_TITLE,
            body=HOSTILE_BODY.replace("tomorrow", "<svg onload=alert(4)>"),
            published=datetime(2025, 6, 2, 18, tzinfo=UTC),
        )
        storage.record(
            session,
            article_id=article.id,
            fields=second,
            snapshot=None,
            fetched_at=now + timedelta(minutes=20),
        )
        return article.id


SPREAD = {
    "herald.example": (3, 1, 4, 0, 2, 5),
    "vestnik.example": (1, 2, 0, 3, 1, 2),
    "voza.example": (0, 1, 1, 2, 4, 1),
}


def store_spread(url: str, now: datetime) -> None:
    """A few days of coverage from three outlets, so the timeline has something to show."""
    with storage.open_database(url) as db, db.transaction() as session:
        for outlet, per_day in SPREAD.items():
            for day, count in enumerate(per_day):
                for n in range(count):
                    link = f"https://{outlet}/2025/06/{day + 1:02d}/talks-{n}.html"
                    [article_id] = storage.add_candidates(
                        session, candidates=[storage.Candidate(url=link)], source_id=None, now=now
                    )
                    fields = storage.ArticleFields(
                        title=f"{outlet.split('.')[0].title()}: Istanbul talks, day {day + 1}"
                        f" ({n + 1})",
                        body=f"Report {n + 1} of day {day + 1} from {outlet} on the talks.",
                        published=datetime(2025, 6, day + 1, 9 + n, tzinfo=UTC),
                    )
                    storage.record(
                        session, article_id=article_id, fields=fields, snapshot=None, fetched_at=now
                    )
