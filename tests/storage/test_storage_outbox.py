"""The alert outbox: every alert reaches every channel once, failed ones are retried."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import select

import storage
from storage import ArticleFields

CHANNELS = ["mailto://desk", "tgram://bot/chat"]


def _alert(db: storage.Database, make_article: Callable[..., int], url: str, at: datetime) -> int:
    article_id = make_article(url)
    with db.transaction() as s:
        outcome = storage.record(
            s, article_id=article_id, fields=ArticleFields(title=url, body="Talks."),
            snapshot=None, fetched_at=at,
        )  # fmt: skip
    assert outcome.alert_id is not None
    return outcome.alert_id


def _pending(db: storage.Database, now: datetime, **kw) -> list[tuple[int, str]]:
    with db.session() as s:
        found = storage.pending_deliveries(
            s, channels=kw.pop("channels", CHANNELS), now=now, limit=kw.pop("limit", 100), **kw
        )
    return [(p.alert_id, p.channel) for p in found]


def test_every_alert_is_owed_to_every_channel_oldest_first(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    late = _alert(db, make_article, "https://example.com/late", now + timedelta(minutes=5))
    early = _alert(db, make_article, "https://example.com/early", now)
    assert _pending(db, now) == [
        (early, CHANNELS[0]),
        (early, CHANNELS[1]),
        (late, CHANNELS[0]),
        (late, CHANNELS[1]),
    ]
    assert _pending(db, now, limit=3) == _pending(db, now)[:3]
    assert _pending(db, now, channels=[]) == []
    with db.session() as s:
        (first, *_) = storage.pending_deliveries(s, channels=CHANNELS, now=now, limit=1)
    assert (first.alert.kind, first.attempts, first.created_at) == ("new", 0, now)
    assert first.alert.url == "https://example.com/early"
    # The ids travel with the alert: delivery never looks the article up again by its URL.
    with db.session() as s:
        early_article = storage.find_article(s, "https://example.com/early")
        assert early_article is not None and early_article.current_version_id is not None
    assert (first.alert.article_id, first.alert.version_id) == (
        early_article.id,
        early_article.current_version_id,
    )


def test_sent_is_never_pending_again(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    alert_id = _alert(db, make_article, "https://example.com/a", now)
    with db.transaction() as s:
        storage.mark_sent(s, alert_id=alert_id, channel=CHANNELS[0], now=now)
    assert _pending(db, now + timedelta(days=1)) == [(alert_id, CHANNELS[1])]
    with db.session() as s:
        delivery = s.get(storage.Delivery, 1)
        assert delivery is not None
        assert (delivery.status, delivery.attempts, delivery.sent_at) == ("sent", 1, now)
        assert delivery.sent_at is not None and delivery.sent_at.tzinfo is not None


def test_failed_deliveries_wait_for_their_retry_time(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    alert_id = _alert(db, make_article, "https://example.com/a", now)
    retry_at = now + timedelta(minutes=5)
    with db.transaction() as s:
        storage.mark_failed(
            s, alert_id=alert_id, channel=CHANNELS[0], error="SMTP 421", now=now,
            retry_at=retry_at,
        )  # fmt: skip
    assert _pending(db, now) == [(alert_id, CHANNELS[1])]
    assert _pending(db, retry_at) == [(alert_id, CHANNELS[0]), (alert_id, CHANNELS[1])]
    with db.session() as s:
        retry = storage.pending_deliveries(s, channels=CHANNELS[:1], now=retry_at, limit=5)
    assert retry[0].attempts == 1

    with db.transaction() as s:
        storage.mark_failed(
            s, alert_id=alert_id, channel=CHANNELS[0], error="SMTP 550", now=retry_at,
            retry_at=None,
        )  # fmt: skip
    assert _pending(db, now + timedelta(days=30), channels=CHANNELS[:1]) == []  # given up
    with db.transaction() as s:
        storage.mark_sent(s, alert_id=alert_id, channel=CHANNELS[1], now=retry_at)
    with db.session() as s:
        rows = {d.channel: d for d in s.exec(storage.Delivery.__table__.select())}
    assert (rows[CHANNELS[0]].attempts, rows[CHANNELS[0]].last_error) == (2, "SMTP 550")
    assert rows[CHANNELS[0]].next_attempt_at is None


def test_since_skips_older_alerts(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    _alert(db, make_article, "https://example.com/old", now - timedelta(days=1))
    new = _alert(db, make_article, "https://example.com/new", now)
    assert _pending(db, now, channels=CHANNELS[:1], since=now) == [(new, CHANNELS[0])]


def test_a_claimed_delivery_goes_to_one_daemon_until_its_claim_expires(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    alert_id = _alert(db, make_article, "https://example.com/claimed", now)
    until = now + timedelta(minutes=2)

    def claim(at: datetime) -> bool:
        with db.transaction() as s:
            return storage.claim_delivery(
                s, alert_id=alert_id, channel=CHANNELS[0], now=at, until=at + timedelta(minutes=2)
            )

    assert claim(now) is True
    assert claim(now) is False, "a second daemon cannot take a live claim"
    assert (alert_id, CHANNELS[0]) not in _pending(db, now + timedelta(minutes=1))
    # The holder died without recording anything: once the claim expires it is pending again.
    assert (alert_id, CHANNELS[0]) in _pending(db, until)
    assert claim(until) is True
    with db.transaction() as s:
        storage.mark_sent(s, alert_id=alert_id, channel=CHANNELS[0], now=until)
    assert claim(until + timedelta(days=1)) is False
    assert (alert_id, CHANNELS[0]) not in _pending(db, until + timedelta(days=1))


def test_a_failed_delivery_is_claimed_again_only_when_its_retry_is_due(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    alert_id = _alert(db, make_article, "https://example.com/retry", now)
    retry = now + timedelta(minutes=10)
    with db.transaction() as s:
        assert storage.claim_delivery(
            s, alert_id=alert_id, channel=CHANNELS[1], now=now, until=now + timedelta(minutes=1)
        )
        storage.mark_failed(
            s, alert_id=alert_id, channel=CHANNELS[1], error="503", now=now, retry_at=retry
        )
    with db.transaction() as s:
        assert not storage.claim_delivery(
            s, alert_id=alert_id, channel=CHANNELS[1], now=now, until=now + timedelta(minutes=1)
        )
    with db.transaction() as s:
        assert storage.claim_delivery(
            s, alert_id=alert_id, channel=CHANNELS[1], now=retry, until=retry + timedelta(minutes=1)
        )


def test_claiming_many_takes_only_what_is_free_and_unused_claims_come_back_at_once(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    channel = CHANNELS[0]
    fresh, live, due, waiting, sent = (
        _alert(db, make_article, f"https://example.com/{name}", now)
        for name in ("fresh", "live", "due", "waiting", "sent")
    )
    minute = timedelta(minutes=1)
    with db.transaction() as s:
        assert storage.claim_delivery(
            s, alert_id=live, channel=channel, now=now, until=now + minute
        )
        for failed, retry in ((due, now - minute), (waiting, now + minute)):
            storage.mark_failed(
                s, alert_id=failed, channel=channel, error="503", now=now, retry_at=retry
            )
        storage.mark_sent_many(s, alert_ids=[sent], channel=channel, now=now)
    every = [fresh, live, due, waiting, sent]
    with db.transaction() as s:
        claimed = storage.claim_deliveries(
            s, alert_ids=every, channel=channel, now=now, until=now + minute
        )
    assert claimed == {fresh, due}, "a live claim, a retry not yet due and a sent alert stay"
    with db.transaction() as s:
        assert (
            storage.claim_deliveries(
                s, alert_ids=every, channel=channel, now=now, until=now + minute
            )
            == set()
        ), "what one daemon claimed, another cannot take"
    assert (fresh, channel) not in _pending(db, now, channels=[channel])
    with db.transaction() as s:
        storage.release_claims(s, alert_ids=[fresh, due, sent], channel=channel, now=now)
    pending = _pending(db, now, channels=[channel])
    assert (fresh, channel) in pending and (due, channel) in pending, "given back: pending now"
    assert (sent, channel) not in pending, "releasing never reopens a settled delivery"
    with db.session() as s:
        rows = {
            d.alert_id: d
            for d in s.exec(select(storage.Delivery).where(storage.Delivery.channel == channel))
        }
    assert rows[due].attempts == 1, "a claim taken over keeps the failed attempt's count"
    assert (rows[sent].status, rows[sent].attempts) == ("sent", 1)


def test_a_digest_s_worth_of_alerts_is_claimed_in_one_call(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    # More alerts than one statement's parameters may name on an old SQLite (999, five a row).
    alerts = [_alert(db, make_article, f"https://example.com/{i}", now) for i in range(210)]
    with db.transaction() as s:
        claimed = storage.claim_deliveries(
            s, alert_ids=alerts, channel=CHANNELS[0], now=now, until=now + timedelta(minutes=1)
        )
    assert claimed == set(alerts)
    assert _pending(db, now, channels=CHANNELS[:1], limit=1000) == []
