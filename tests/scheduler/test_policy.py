import random
from datetime import UTC, datetime, timedelta

from scheduler.policy import NEWSDIFFS_TIERS, Backoff, RecheckPolicy

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
NEWSDIFFS = RecheckPolicy(NEWSDIFFS_TIERS)


def test_young_articles_are_checked_often_and_old_ones_rarely() -> None:
    def wait(age: timedelta) -> timedelta | None:
        when = NEWSDIFFS.next_check(now=NOW, born=NOW - age)
        return None if when is None else when - NOW

    assert wait(timedelta(minutes=5)) == timedelta(minutes=15)
    assert wait(timedelta(hours=5)) == timedelta(hours=1)
    assert wait(timedelta(days=2)) == timedelta(hours=3)
    assert wait(timedelta(days=10)) == timedelta(days=3)
    assert wait(timedelta(days=100)) == timedelta(days=30)
    assert wait(timedelta(days=400)) is None


def test_an_edit_makes_an_old_article_young_again() -> None:
    born = NOW - timedelta(days=20)
    assert NEWSDIFFS.next_check(now=NOW, born=born) == NOW + timedelta(days=3)
    assert NEWSDIFFS.next_check(now=NOW, born=born, last_changed=NOW) == NOW + timedelta(minutes=15)


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    backoff = Backoff(base=timedelta(minutes=1), cap=timedelta(hours=1), jitter=0.0)
    delays = [backoff.delay(n) for n in range(1, 10)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(delays) == timedelta(hours=1)
    assert backoff.delay(1, retry_after=600) == timedelta(minutes=10)
    assert backoff.delay(1, retry_after=10**9) == timedelta(hours=1)


def test_backoff_jitter_stays_within_its_spread() -> None:
    backoff = Backoff(base=timedelta(seconds=100), jitter=0.2)
    rng = random.Random(7)
    seconds = {backoff.delay(1, rng=rng).total_seconds() for _ in range(50)}
    assert all(80 <= s <= 120 for s in seconds)
    assert len(seconds) > 1
