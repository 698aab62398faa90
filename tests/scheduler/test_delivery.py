"""Alert delivery from the outbox: per-channel filters, failures, retries, digests, templates."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

import storage
from newswatch.newsroom import Newsroom
from scheduler.channel_redact import mask_channel
from scheduler.channels import build_channel, channel_key
from scheduler.delivery import Deliverer
from scheduler.messages import AlertMessage
from scheduler.routing import AlertFilter, Route

from .conftest import Clock, Pipeline, make_settings
from .generated import stories
from .stored_alerts import typed
from .webhooks import Receiver

SEED = "envoys-arrive-istanbul-second-meeting"
SECOND = "istanbul-talks-delegations-swap-rival-peace-memorandums"


class Hook(Receiver):
    """The receiver, addressed as our own webhook channel."""

    @property
    def url(self) -> str:
        return f"webhook+http://{self.address}/alerts"


@pytest.fixture
def hook() -> Iterator[Hook]:
    receiver = Hook()
    yield receiver
    receiver.close()


def pipeline_with(room: Newsroom, tmp_path: Path, alerts: list[dict[str, object]]) -> Pipeline:
    return Pipeline(
        room=room,
        settings=make_settings(room, tmp_path, alerts=alerts),
        clock=Clock(),
        alerts_file=tmp_path / "alerts.jsonl",
    )


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_each_channel_gets_only_what_its_filter_wants(quiet_room: Newsroom, tmp_path: Path) -> None:
    edits, voza = tmp_path / "edits.jsonl", tmp_path / "voza.jsonl"
    pipeline = pipeline_with(
        quiet_room,
        tmp_path,
        [
            {"url": f"jsonl://{tmp_path / 'alerts.jsonl'}"},
            {"url": f"jsonl://{edits}", "kinds": ["edited"]},
            {"url": f"jsonl://{voza}", "outlets": ["Voza Media US"]},
        ],
    )
    quiet_room.publish(SEED)  # a Voza Media US story
    quiet_room.publish(SECOND)  # another outlet's
    pipeline.run_pass()
    quiet_room.edit(SEED, "Madinsky", "Medinsky")
    pipeline.clock.advance(minutes=16)
    pipeline.run_pass()
    assert [a["kind"] for a in pipeline.alerts()] == ["new", "new", "edited"]
    assert [a["kind"] for a in lines(edits)] == ["edited"]
    assert {a["url"] for a in lines(voza)} == {pipeline.url(SEED)}
    with pipeline.db() as db, db.session() as session:
        statuses = [d.status for d in session.exec(select(storage.Delivery)).all()]
    assert statuses.count("skipped") == 3  # two "new" for the edits channel, one for voza
    pipeline.clock.advance(minutes=16)
    pipeline.run_pass()
    assert len(lines(edits)) == 1, "skipped alerts stay settled"


def test_a_down_channel_never_blocks_others_and_loses_nothing(
    quiet_room: Newsroom, tmp_path: Path, hook: Hook
) -> None:
    pipeline = pipeline_with(
        quiet_room, tmp_path, [{"url": f"jsonl://{tmp_path / 'alerts.jsonl'}"}, {"url": hook.url}]
    )
    hook.status = 503
    quiet_room.publish(SEED)
    pipeline.run_pass()
    assert len(pipeline.alerts()) == 1, "the healthy channel got its alert at once"
    assert len(hook.received) == 1
    pipeline.run_pass()
    assert len(hook.received) == 1, "a failed delivery waits for its backoff"

    hook.status = 200
    pipeline.clock.advance(hours=1)
    pipeline.run_pass()
    assert len(hook.received) == 2
    keys = [headers["idempotency-key"] for headers, _ in hook.received]
    # The receiver sees who calls: newswatch, not the HTTP library.
    assert all(headers["user-agent"].startswith("newswatch/") for headers, _ in hook.received)
    assert keys[0] == keys[1] == hook.received[1][1]["id"], "a retry carries the same key"
    assert hook.received[1][1]["url"] == pipeline.url(SEED)
    pipeline.clock.advance(hours=1)
    pipeline.run_pass()
    assert len(hook.received) == 2 and len(pipeline.alerts()) == 1


def delivery_states(pipeline: Pipeline, channel: str) -> dict[str, list[storage.Delivery]]:
    """The channel's delivery rows by the URL of the alert each is for."""
    with pipeline.db() as db, db.session() as session:
        alerts = {a.id: a.url for a in storage.list_alerts(session)}
        rows = session.exec(select(storage.Delivery).where(storage.Delivery.channel == channel))
        found: dict[str, list[storage.Delivery]] = {}
        for row in rows:
            found.setdefault(alerts[row.alert_id], []).append(row)
    return found


def test_a_channel_failing_in_a_burst_holds_back_only_the_alert_it_failed(
    quiet_room: Newsroom, tmp_path: Path, hook: Hook
) -> None:
    for item in stories(5, prefix="burst"):
        quiet_room.publish(item)
    pipeline = pipeline_with(quiet_room, tmp_path, [{"url": hook.url}])
    hook.script = [200, 200, 503]  # the third alert fails, every later one goes through
    pipeline.run_pass()
    assert len(hook.received) == 3, "the channel's round ends at its failure"
    # The alerts claimed with the failed one but not sent are given back, not left claimed:
    # the next round sends them at once instead of when their claims would have run out.
    pipeline.run_pass()
    urls = [body["url"] for body in hook.bodies]
    assert len(urls) == 5 and len(set(urls)) == 5, "two more, and the failed one not yet"
    failed = urls[2]
    states = delivery_states(pipeline, channel_key(hook.url))
    assert [row.status for row in states[failed]] == ["failed"]
    assert sorted(row.status for url, [row] in states.items() if url != failed) == ["sent"] * 4
    pipeline.clock.advance(hours=1)
    pipeline.run_pass()
    assert [body["url"] for body in hook.bodies] == [*urls, failed], "then its retry, once"


def test_a_slow_channel_gives_back_what_it_could_not_send_before_its_claims_ran_out(
    quiet_room: Newsroom, tmp_path: Path, hook: Hook
) -> None:
    for item in stories(3, prefix="slow"):
        quiet_room.publish(item)
    pipeline = pipeline_with(quiet_room, tmp_path, [{"url": f"jsonl://{tmp_path / 'a.jsonl'}"}])
    pipeline.run_pass()  # recorded; the jsonl channel is not the one under test
    # Each send takes the deliverer's two-minute claims halfway to their end.
    hook.on_post = lambda: pipeline.clock.advance(minutes=1)
    with pipeline.db() as db:
        deliverer = Deliverer(
            db=db,
            routes=[Route(channel=build_channel(hook.url))],
            clock=pipeline.clock,
            claim=timedelta(minutes=2),
        )
        sent_per_round = [asyncio.run(deliverer.deliver()).sent for _ in range(4)]
    assert sent_per_round == [1, 1, 1, 0], "one send a round, the rest given back each time"
    assert len({body["url"] for body in hook.bodies}) == len(hook.received) == 3
    states = delivery_states(pipeline, channel_key(hook.url))
    assert all([row.status for row in rows] == ["sent"] for rows in states.values())


def test_digest_sends_one_message_once_the_oldest_alert_has_waited(
    quiet_room: Newsroom, tmp_path: Path, hook: Hook
) -> None:
    pipeline = pipeline_with(quiet_room, tmp_path, [{"url": hook.url, "digest": "30m"}])
    quiet_room.publish(SEED)
    pipeline.run_pass()
    quiet_room.publish(SECOND)
    pipeline.clock.advance(minutes=16)
    pipeline.run_pass()
    assert hook.received == []
    pipeline.clock.advance(minutes=16)
    pipeline.run_pass()
    [(_, digest)] = hook.received
    assert digest["kind"] == "digest" and digest["title"] == "newswatch digest: 2 new coverage"
    assert {a["url"] for a in digest["alerts"]} == {pipeline.url(SEED), pipeline.url(SECOND)}


def test_templates_shape_the_message(quiet_room: Newsroom, tmp_path: Path, hook: Hook) -> None:
    pipeline = pipeline_with(
        quiet_room,
        tmp_path,
        [{"url": hook.url, "template": "{kind_words} | {outlet} | {title} | {url} | {nosuch}"}],
    )
    quiet_room.publish(SEED)
    pipeline.run_pass()
    [(_, body)] = hook.received
    story = quiet_room.story(SEED)
    assert body["text"] == f"New coverage | Voza Media US | {story.title} | {pipeline.url(SEED)} | "


def test_topic_filter_per_channel_reads_the_stored_text(
    quiet_room: Newsroom, tmp_path: Path
) -> None:
    palace = tmp_path / "palace.jsonl"
    pipeline = pipeline_with(
        quiet_room,
        tmp_path,
        [
            {"url": f"jsonl://{tmp_path / 'alerts.jsonl'}"},
            {"url": f"jsonl://{palace}", "topic": "Beylerbeyi"},
        ],
    )
    quiet_room.publish(SEED)
    quiet_room.publish(SECOND)
    pipeline.run_pass()
    assert lines(palace) == [], f"neither text names the palace yet: {lines(palace)}"
    quiet_room.edit(SECOND, "outside the palace", "outside the Beylerbeyi Palace")
    pipeline.clock.advance(minutes=16)
    pipeline.run_pass()
    assert [(a["kind"], a["url"]) for a in lines(palace)] == [("edited", pipeline.url(SECOND))]


def test_alert_filter_classes_outlets_kinds() -> None:
    payload = {"url": "https://www.voz.us/a", "site_name": "Voz.us", "classes": ["name", "minor"]}
    assert AlertFilter(classes=["name"]).accepts(typed("edited", payload))
    assert not AlertFilter(classes=["headline"]).accepts(typed("edited", payload))
    assert AlertFilter(classes=["headline"]).accepts(typed("new", payload)), "classes concern edits"
    assert AlertFilter(outlets=["voz.us"]).accepts(typed("new", payload))
    assert AlertFilter(outlets=["www.voz.us"]).accepts(typed("new", payload))
    assert not AlertFilter(outlets=["bbc.co.uk"]).accepts(typed("new", payload))
    # An outlet is its registered domain: any of its hosts, or its name, names it.
    bbc = {"url": "https://news.bbc.co.uk/a", "outlet": "news.bbc.co.uk", "site_name": "BBC"}
    assert AlertFilter(outlets=["bbc.co.uk"]).accepts(typed("new", bbc))
    assert AlertFilter(outlets=["www.bbc.co.uk"]).accepts(typed("new", bbc))
    assert AlertFilter(outlets=["bbc"]).accepts(typed("new", bbc))
    assert not AlertFilter(outlets=["co.uk"]).accepts(typed("new", bbc))
    assert not AlertFilter(kinds=["gone"]).accepts(typed("new", payload))


def test_channel_secrets_never_reach_the_logs(
    quiet_room: Newsroom, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s3cr3tT0ken"
    pipeline = pipeline_with(
        quiet_room, tmp_path, [{"url": f"json://user:{secret}@127.0.0.1:9/hook?token={secret}"}]
    )
    quiet_room.publish(SEED)
    with caplog.at_level(logging.DEBUG):
        pipeline.run_pass()
    assert any(r.getMessage() == "alert delivery failed" for r in caplog.records)
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert secret not in json.dumps(vars(record), default=str)


class LeakyPlugin:
    """A channel plug-in with a bug: it fails with its whole URL, token included, in the error
    (apprise plug-ins and HTTP libraries do echo URLs)."""

    def __init__(self, url: str) -> None:
        masked = mask_channel(url)
        self.key, self.label, self.secrets = channel_key(url), masked.label, masked.secrets
        self._url = url

    async def send(self, message: AlertMessage) -> None:
        raise RuntimeError(f"POST {self._url} failed: connection reset")


def test_a_delivery_error_is_stored_and_logged_without_the_channel_secret(
    pipeline: Pipeline, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline.room.publish(SEED)
    pipeline.run_pass()
    key = "0a1b2c3d4e5f60718293a4b5"
    channel = LeakyPlugin(f"opsgenie://{key}/@oncall")
    with pipeline.db() as db:
        deliverer = Deliverer(db=db, routes=[Route(channel=channel)], clock=pipeline.clock)
        with caplog.at_level(logging.WARNING, logger="scheduler.delivery"):
            report = asyncio.run(deliverer.deliver())
        with db.session() as session:
            [alert] = storage.list_alerts(session)
    assert report.failed == 1
    [delivery] = [d for d in alert.deliveries if d.channel == channel.key]
    assert delivery.last_error and "connection reset" in delivery.last_error
    assert key not in delivery.last_error and "opsgenie://***" in delivery.last_error
    failed = [r for r in caplog.records if getattr(r, "event", "") == "alert_failed"]
    assert failed and key not in str(getattr(failed[0], "error", ""))
