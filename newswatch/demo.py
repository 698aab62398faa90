"""``newswatch demo``: the whole system on one machine with no internet.

It starts the local newsroom, publishes a few stories, and runs the real daemon against it with
fast recheck tiers. A short script then plays the news: a new story appears, a misspelt name is
quietly corrected, a headline is rewritten, a story is taken down; then it starts over with the
next story. Alerts go to the console and to ``alerts.jsonl`` in the data folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from newswatch.api.server import serve_daemon
from newswatch.config import Settings, load_settings
from newswatch.newsroom import Newsroom
from newswatch.runtime import open_runtime

logger = logging.getLogger(__name__)

# The story whose negotiator is spelt "Madinsky" in one place: the demo's quiet correction.
SEED_SLUG = "envoys-arrive-istanbul-second-meeting"


@dataclass(frozen=True, slots=True)
class Beat:
    """One thing the demo newsroom does, ``after`` seconds into the demo."""

    after: float
    action: str
    slug: str
    detail: tuple[str, ...] = ()


def demo_settings(base_url: str, data: Path) -> Settings:
    """The daemon's configuration for the demo: the newsroom's feeds, fast rechecks."""
    values: dict[str, Any] = {
        "database": {"url": f"sqlite:///{data / 'newswatch.db'}"},
        "sources": [
            {"url": f"{base_url}/feed.xml", "kind": "feed", "every": "10s"},
            {"url": f"{base_url}/sitemap.xml", "kind": "sitemap", "every": "30s"},
        ],
        # The real Istanbul-talks query, so the newsroom's off-topic stories are skipped.
        "topic": {"query": load_settings().topic.query},
        # The stories carry 2025 dates: one tier for any age keeps them all rechecked.
        "recheck": {"tiers": [{"younger_than": "3650d", "every": "10s"}]},
        "alerts": [{"url": "console://"}, {"url": f"jsonl://{data / 'alerts.jsonl'}"}],
        "daemon": {"tick": "2s", "shutdown_grace": "5s"},
        "api": {"port": 0},  # any free port: the demo prints where its web page is
        # The newsroom runs on this machine: politeness gaps would only slow the demo down.
        # The address guard refuses loopback: the newsroom's own port is allowed, and only it.
        "fetch": {
            "delay": "0s",
            "per_host": 8,
            "allow": [base_url.removeprefix("http://")],
            "user_agent": "newswatch-demo/0.1 (offline demo against a local newsroom)",
        },
    }
    return Settings(**values)


# Stories the demo publishes later, in this order; the football story shows the topic filter
# at work (it is fetched, found off-topic, and never alerted).
LATER = (
    "istanbul-talks-delegations-swap-rival-peace-memorandums",
    "harbourside-rovers-win-cup-on-penalties",
    # The same wire text on another outlet: the two are grouped into one story.
    "rival-peace-memorandums-exchanged-at-istanbul-talks",
    "vtoroy-raund-peregovorov-v-stambule",
    "istanbul-baris-gorusmelerinde-esir-takasi-karari",
    "obmin-polonenymy-pislia-zustrichi-u-stambuli",
    "turkey-offers-to-host-leaders-meeting-after-istanbul-round",
)
FIRST = (SEED_SLUG, "explainer-what-russia-and-ukraine-want-from-istanbul")


def script() -> list[Beat]:
    """The news the demo plays: the seed story's correction comes first, within half a minute."""
    memorandums, football, wire, russian, turkish, ukrainian, offer = LATER
    return [
        Beat(15, "edit", SEED_SLUG, ("Madinsky", "Medinsky")),
        Beat(25, "publish", memorandums),
        Beat(30, "publish", football),
        Beat(35, "publish", wire),
        Beat(40, "retitle", memorandums, ("Istanbul talks: rival peace plans change hands",)),
        Beat(50, "publish", russian),
        Beat(60, "publish", turkish),
        Beat(75, "delete", memorandums),
        Beat(90, "publish", ukrainian),
        Beat(105, "publish", offer),
    ]


async def play(room: Newsroom, beats: list[Beat], console: Console) -> None:
    """Perform the script against the newsroom, telling the user what the newsroom did."""
    started = asyncio.get_running_loop().time()
    for beat in beats:
        await asyncio.sleep(max(0.0, started + beat.after - asyncio.get_running_loop().time()))
        _perform(room, beat)
        console.print(
            Text(f"newsroom: {beat.action} {beat.slug} {' → '.join(beat.detail)}", style="dim"),
            highlight=False,
        )


class HandClock:
    """The replay's clock: moved by hand, so every recheck falls due without waiting."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = (start or datetime.now(UTC)).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def _perform(room: Newsroom, beat: Beat) -> None:
    actions: dict[str, Callable[[], object]] = {
        "publish": lambda: room.publish(beat.slug),
        "edit": lambda: room.edit(beat.slug, *beat.detail),
        "retitle": lambda: room.retitle(beat.slug, beat.detail[0]),
        "delete": lambda: room.delete(beat.slug),
    }
    actions[beat.action]()


def _started_room(port: int) -> Newsroom:
    room = Newsroom()
    for slug in FIRST:
        room.publish(slug)
    return room.start(host="127.0.0.1", port=port)


def _data_folder(data: Path | None) -> tuple[Path, bool]:
    """The folder to keep the history in, and whether the demo made it (a temp folder)."""
    if data is not None:
        data.mkdir(parents=True, exist_ok=True)
        return data, False
    return Path(tempfile.mkdtemp(prefix="newswatch-demo-")), True


async def replay_demo(*, port: int, data: Path | None, console: Console) -> Path:
    """Play the whole script at once, with a clock moved by hand instead of waiting, and
    return the folder holding the resulting database: the demo's history in seconds (what
    the README's examples run against)."""
    room = _started_room(port)
    try:
        folder, _ = _data_folder(data)
        settings = demo_settings(room.base_url, folder)
        step = settings.recheck.confirm_after + timedelta(minutes=1)
        beats = script()
        # The replay moves its clock on by this much in all: started that far back, its history
        # ends now. Started now, it ended an hour ahead, and the history it left was stamped
        # in the future (a last fetch "0s ago" to `health`, first seen after the real now).
        clock = HandClock(start=datetime.now(UTC) - step * 2 * (len(beats) + 1))
        async with open_runtime(settings, console=console, clock=clock) as runtime:

            async def settle() -> None:
                # Twice, minutes apart: a drastic change is recorded on its confirming fetch.
                for _ in range(2):
                    clock.now += step
                    await runtime.worker.run_until_idle()
                    await runtime.deliverer.deliver(limit=10_000)

            await settle()
            for beat in beats:
                _perform(room, beat)
                console.print(
                    Text(
                        f"newsroom: {beat.action} {beat.slug} {' → '.join(beat.detail)}",
                        style="dim",
                    ),
                    highlight=False,
                )
                await settle()
    finally:
        room.stop()
    console.print(
        f"The demo's history is in {folder / 'newswatch.db'}; ask it with\n"
        f"  NEWSWATCH_DATABASE_URL=sqlite:///{folder / 'newswatch.db'} "
        "newswatch articles",
        highlight=False,
    )
    return folder


async def run_demo(*, port: int, data: Path | None, console: Console) -> None:
    """Run the demo until Ctrl-C."""
    room = _started_room(port)  # first: a busy port must leave no folder behind
    folder, _ = _data_folder(data)
    try:
        settings = demo_settings(room.base_url, folder)
        console.print(
            Text.assemble(
                ("newswatch demo", "bold"),
                f"  newsroom: {room.base_url}  data: {folder}\n"
                f"Watching {room.base_url}/feed.xml; alerts print below and go to "
                f"{folder / 'alerts.jsonl'}. Ctrl-C to stop.",
            ),
            highlight=False,
        )
        async with open_runtime(settings, console=console) as runtime:
            player = asyncio.create_task(play(room, script(), console))
            try:
                with serve_daemon(runtime, settings) as url:
                    if url:
                        console.print(
                            f"Web page with every version and diff: {url}", highlight=False
                        )
                    await runtime.daemon.run()
            finally:
                player.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await player
    finally:
        room.stop()
    console.print(
        f"stopped. The history stays in {folder / 'newswatch.db'}:\n"
        f"  NEWSWATCH_DATABASE_URL=sqlite:///{folder / 'newswatch.db'} "
        "newswatch articles",
        highlight=False,
    )
