import asyncio
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from newswatch.config import Settings
from newswatch.runtime import open_runtime
from scheduler.channel_redact import redact_channel
from scheduler.channels import AppriseChannel, ConsoleChannel, JsonlChannel, build_channel
from scheduler.exceptions import ChannelError
from scheduler.messages import render

from .stored_alerts import typed
from .webhooks import Receiver

EDIT_PAYLOAD = {
    "url": "http://127.0.0.1/a.html",
    "outlet": "voz.us",
    "title": "Envoys arrive",
    "version": 2,
    "changed_fields": ["body"],
    "changes": ["Madinsky → Medinsky"],
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()


def test_edit_message_names_the_changed_words() -> None:
    message = render(alert_id=7, alert=typed("edited", EDIT_PAYLOAD))
    assert message.key == "newswatch-alert-7"
    assert "Madinsky → Medinsky" in message.body
    assert "voz.us" in message.body and EDIT_PAYLOAD["url"] in message.body
    assert message.title == "Edited: Envoys arrive"
    assert "changed the body" in message.body


def test_churning_message_says_the_page_changes_on_every_visit_and_what_happens_now() -> None:
    payload = {
        "url": "https://voz.us/a",
        "outlet": "voz.us",
        "title": "Talks",
        "version": 6,
        "reason": "streak",
        "streak": 6,
        "recheck_seconds": 86400,
        "settle_seconds": 6 * 3600,
    }
    message = render(alert_id=9, alert=typed("churning", payload))
    assert message.title == "Changes on every visit: Talks"
    assert message.body.splitlines() == [
        "voz.us: this page changes on every visit (new text on 6 checks in a row).",
        "Its versions are no longer recorded; it is checked every 1 day, and recorded again "
        "once its text stays the same for 6 hours.",
        "https://voz.us/a",
    ]
    capped = render(
        alert_id=9, alert=typed("churning", {**payload, "reason": "versions", "versions_today": 24})
    )
    assert "(24 new versions in the last 24 hours)" in capped.body


def test_moved_message_names_the_old_address() -> None:
    message = render(
        alert_id=3,
        alert=typed(
            "moved",
            {"url": "https://voz.us/new", "outlet": "voz.us", "from_url": "https://voz.us/old"},
        ),
    )
    assert message.title.startswith("Moved: ")
    assert message.body.splitlines() == [
        "voz.us moved the article from https://voz.us/old",
        "https://voz.us/new",
    ]


def test_jsonl_channel_appends_one_object_a_line(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "alerts.jsonl"
    channel = build_channel(f"jsonl://{target}")
    assert isinstance(channel, JsonlChannel)
    for alert_id in (1, 2):
        asyncio.run(channel.send(render(alert_id=alert_id, alert=typed("edited", EDIT_PAYLOAD))))
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["newswatch-alert-1", "newswatch-alert-2"]
    assert lines[0]["changes"] == ["Madinsky → Medinsky"]


def test_jsonl_channel_that_cannot_write_raises_channel_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    channel = JsonlChannel(f"jsonl://{blocker}/alerts.jsonl")
    with pytest.raises(ChannelError):
        asyncio.run(channel.send(render(alert_id=1, alert=typed("new", EDIT_PAYLOAD))))


def test_console_channel_prints_title_and_body() -> None:
    buffer = io.StringIO()
    channel = ConsoleChannel("console://", Console(file=buffer, width=200))
    asyncio.run(channel.send(render(alert_id=1, alert=typed("edited", EDIT_PAYLOAD))))
    assert "Edited: Envoys arrive" in buffer.getvalue()
    assert "Madinsky → Medinsky" in buffer.getvalue()


def test_apprise_channel_posts_to_a_webhook(receiver: Receiver) -> None:
    channel = build_channel(f"json://{receiver.address}/hook")
    assert isinstance(channel, AppriseChannel)
    asyncio.run(channel.send(render(alert_id=3, alert=typed("edited", EDIT_PAYLOAD))))
    assert len(receiver.bodies) == 1
    assert "Madinsky → Medinsky" in str(receiver.bodies[0]["message"])


def test_apprise_channel_reports_a_refusing_service(receiver: Receiver) -> None:
    receiver.status = 500
    channel = build_channel(f"json://{receiver.address}/hook")
    with pytest.raises(ChannelError):
        asyncio.run(channel.send(render(alert_id=3, alert=typed("new", EDIT_PAYLOAD))))


def test_unknown_channel_url_is_a_clear_error() -> None:
    with pytest.raises(ChannelError, match="not a URL apprise understands"):
        build_channel("nosuchservice://token@host")


def test_channel_keys_and_labels_hide_secrets() -> None:
    url = "slack://TokenA/TokenB/TokenC/#news"
    channel = build_channel(url)
    assert "Token" not in channel.key and "Token" not in channel.label
    assert "secret" not in redact_channel("json://user:secret@example.com/hook")


def test_webhooks_post_through_the_daemons_client_and_its_proxy(
    receiver: Receiver, tmp_path: Path
) -> None:
    # The receiver is the configured proxy; the webhook's own host does not exist, so the
    # alert arrives only if the channel posts through the daemon's client and its proxy.
    settings = Settings(
        database={"url": f"sqlite:///{tmp_path / 'newswatch.db'}"},  # type: ignore[arg-type]
        sources=(),
        alerts=({"url": "webhook+http://hooks.invalid/alerts"},),  # type: ignore[arg-type]
        fetch={"proxy": f"http://{receiver.address}"},  # type: ignore[arg-type]
    )

    async def send_twice() -> None:
        async with open_runtime(settings) as runtime:
            channel = runtime.routes[0].channel
            for alert_id in (1, 2):
                await channel.send(render(alert_id=alert_id, alert=typed("edited", EDIT_PAYLOAD)))

    asyncio.run(send_twice())
    assert receiver.targets == ["POST http://hooks.invalid/alerts"] * 2
    assert [body["id"] for body in receiver.bodies] == ["newswatch-alert-1", "newswatch-alert-2"]


def test_our_own_channels_do_not_load_apprise(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from scheduler.channels import build_channel\n"
        f"build_channel('jsonl://{tmp_path / 'alerts.jsonl'}', None, None)\n"
        "build_channel('console://', None, None)\n"
        "print('apprise' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
