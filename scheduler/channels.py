"""Alert channels: our own ``console://`` and ``jsonl:///file``, and every apprise URL.

Channels are chosen from config through the plain registry :data:`BUILTIN`; anything else goes
to apprise. A channel's ``key`` identifies it in the outbox and ``label`` in logs: neither ever
contains the secret parts of its URL (see :mod:`scheduler.channel_redact`), and ``secrets``
lists those parts so that whatever echoes them (an error, a library's log line) can be masked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from rich.console import Console
from rich.text import Text

from scheduler.channel_redact import mask_channel
from scheduler.exceptions import ChannelError
from scheduler.messages import AlertMessage
from scheduler.terminal import terminal_text


class Channel(Protocol):
    key: str
    label: str
    secrets: frozenset[str]

    async def send(self, message: AlertMessage) -> None:
        """Deliver one alert or raise :class:`ChannelError`."""
        ...


def channel_key(url: str) -> str:
    """A stable name for a channel URL that reveals nothing of it (tokens live in URLs)."""
    return "ch-" + hashlib.sha256(url.encode()).hexdigest()[:16]


class ConsoleChannel:
    def __init__(
        self, url: str, console: Console | None = None, client: httpx.AsyncClient | None = None
    ) -> None:
        self.key = channel_key(url)
        self.label = "console://"
        self.secrets: frozenset[str] = frozenset()
        self._console = console or Console()

    async def send(self, message: AlertMessage) -> None:
        colour = {"new": "green", "edited": "yellow", "gone": "red", "churning": "magenta"}.get(
            message.kind, "white"
        )
        # Titles and bodies are the web's text: printed as Text (no markup: a "[/]" in a title
        # is not a tag) with every control character escaped (no ESC reaches the terminal).
        title = Text(terminal_text(message.title, one_line=True), style=f"bold {colour}")
        self._console.print(title, highlight=False, soft_wrap=True)
        self._console.print(Text(terminal_text(message.body)), highlight=False, soft_wrap=True)


class JsonlChannel:
    """Appends one JSON object a line; the file is fsynced so a crash loses no line."""

    def __init__(
        self, url: str, console: Console | None = None, client: httpx.AsyncClient | None = None
    ) -> None:
        path = urlsplit(url).path
        if not path or path == "/":
            raise ChannelError(
                f"{mask_channel(url).label}: jsonl needs a file path, e.g. jsonl:///var/lib/a.jsonl"
            )
        self.path = Path(path)
        self.key = channel_key(url)
        self.label = f"jsonl://{path}"
        self.secrets: frozenset[str] = frozenset()

    async def send(self, message: AlertMessage) -> None:
        line = json.dumps(
            {"id": message.key, "kind": message.kind, "title": message.title, **message.payload},
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
        await asyncio.to_thread(self._append, line)

    def _append(self, line: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise ChannelError(f"cannot append to {self.path}: {error}") from error


class AppriseChannel:
    """Any of apprise's services (Slack, Discord, Telegram, ntfy, e-mail, JSON webhooks...)."""

    def __init__(
        self, url: str, console: Console | None = None, client: httpx.AsyncClient | None = None
    ) -> None:
        # Imported here: 3 MB that a daemon with only our own channels never needs.
        import apprise

        # apprise makes its own requests (with its own library): ``client`` is not used.
        masked = mask_channel(url)
        self._warning, self._info = apprise.NotifyType.WARNING, apprise.NotifyType.INFO
        self._apprise = apprise.Apprise()
        if not self._apprise.add(url):
            raise ChannelError(f"{masked.label}: {_refusal(url)}")
        self.key = channel_key(url)
        self.label = masked.label
        self.secrets = masked.secrets

    async def send(self, message: AlertMessage) -> None:
        notify_type = self._warning if message.kind in ("edited", "churning") else self._info
        delivered = await self._apprise.async_notify(
            body=message.body, title=message.title, notify_type=notify_type
        )
        if not delivered:
            raise ChannelError(f"{self.label}: the service did not accept the alert")


# Who a webhook's receiver sees calling (not httpx's own name).
WEBHOOK_USER_AGENT = "newswatch/0.1 (alert webhook)"


class WebhookChannel:
    """POSTs the alert as JSON with an ``Idempotency-Key`` header (``webhook+https://…``).

    Delivery is at least once: a receiver that stores the key can drop a retried duplicate.
    Messages go through ``client``, the daemon's alert client (its proxy and timeouts, its
    connections kept between messages); without one, each message opens a client of its own.
    """

    def __init__(
        self, url: str, console: Console | None = None, client: httpx.AsyncClient | None = None
    ) -> None:
        masked = mask_channel(url)
        self._client = client
        self._target = url.split("+", 1)[1]
        if urlsplit(self._target).scheme not in ("http", "https"):
            raise ChannelError(f"{masked.label}: write webhook+https://host/path")
        self.key = channel_key(url)
        self.label = masked.label
        self.secrets = masked.secrets

    async def send(self, message: AlertMessage) -> None:
        document = {
            "id": message.key,
            "kind": message.kind,
            "title": message.title,
            "text": message.body,
            **message.payload,
        }
        headers = {"Idempotency-Key": message.key, "User-Agent": WEBHOOK_USER_AGENT}
        try:
            if self._client is not None:
                response = await self._client.post(self._target, json=document, headers=headers)
            else:
                async with httpx.AsyncClient(timeout=15, trust_env=False) as client:
                    response = await client.post(self._target, json=document, headers=headers)
        except httpx.HTTPError as error:
            raise ChannelError(f"{self.label}: {type(error).__name__}") from None
        if response.status_code >= 300:
            raise ChannelError(f"{self.label}: HTTP {response.status_code}")


def _refusal(url: str) -> str:
    """Why apprise would not take ``url``: an unknown service, or one this machine lacks."""
    from apprise.manager_plugins import NotificationManager

    plugins = NotificationManager()  # type: ignore[no-untyped-call]
    scheme = url.partition("://")[0].lower()
    if scheme in plugins and not plugins[scheme].enabled:
        needs = plugins[scheme].requirements.get("packages_required") or ""
        needs = needs if isinstance(needs, str) else ", ".join(needs)
        return "apprise cannot use this service on this machine" + (
            f" (install {needs})" if needs else ""
        )
    return (
        "not a URL apprise understands, or one with a missing or malformed part "
        "(see the apprise wiki for the services and their URL forms)"
    )


BUILTIN: dict[str, Callable[[str, Console | None, httpx.AsyncClient | None], Channel]] = {
    "console": ConsoleChannel,
    "jsonl": JsonlChannel,
    "webhook+http": WebhookChannel,
    "webhook+https": WebhookChannel,
}


def build_channel(
    url: str, console: Console | None = None, client: httpx.AsyncClient | None = None
) -> Channel:
    """The channel for a configured alert URL; HTTP channels send through ``client``."""
    scheme = urlsplit(url).scheme.lower()
    factory = BUILTIN.get(scheme, AppriseChannel)
    return factory(url, console, client)
