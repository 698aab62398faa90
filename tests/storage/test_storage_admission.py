"""Admitting discovered links: new URLs capped per source check and per host per day."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, func, select

import storage
from storage import Candidate, CandidateLimits

LIMITS = CandidateLimits(per_check=10, per_host_per_day=25, url_chars=200, title_chars=50)


def _admit(
    db: storage.Database,
    candidates: list[Candidate],
    now: datetime,
    limits: CandidateLimits = LIMITS,
    source_id: int | None = None,
) -> storage.Admitted:
    with db.transaction() as s:
        return storage.admit_candidates(
            s, source_id=source_id, candidates=candidates, now=now, limits=limits
        )


def _links(n: int, *, host: str = "example.com", start: int = 0) -> list[Candidate]:
    return [Candidate(f"https://{host}/news/2025/06/{i}") for i in range(start, start + n)]


def _articles(db: storage.Database, host: str | None = None) -> int:
    with db.session() as s:
        stmt = select(func.count()).select_from(storage.Article)
        if host is not None:
            stmt = stmt.where(col(storage.Article.outlet) == host)
        return s.exec(stmt).one()


def test_a_check_adds_at_most_its_cap_of_new_urls_first_listed_first(
    db: storage.Database, now: datetime
) -> None:
    admitted = _admit(db, _links(40), now)
    assert (len(admitted.created), admitted.over_check, admitted.over_host) == (10, 30, 0)
    with db.session() as s:
        urls = set(s.exec(select(storage.Article.url)).all())
    assert urls == {c.url for c in _links(10)}  # what the source lists first


def test_known_urls_are_never_capped_and_refresh_their_hints(
    db: storage.Database, now: datetime
) -> None:
    _admit(db, _links(10), now)
    later = now + timedelta(minutes=5)
    again = [Candidate(c.url, title="Known again") for c in _links(10)] + _links(5, start=10)
    admitted = _admit(db, again, later)
    assert (len(admitted.created), admitted.dropped) == (5, 0)
    with db.session() as s:
        titles = set(s.exec(select(storage.Article.hint_title)).all())
    assert "Known again" in titles


def test_a_host_gets_its_cap_per_day_over_every_source(db: storage.Database, now: datetime) -> None:
    made: list[int] = []
    for minute in range(5):  # five checks (of any sources), ten fresh links each
        at = now + timedelta(minutes=minute)
        admitted = _admit(
            db, _links(10, start=minute * 10) + _links(2, host="other.org", start=minute * 2), at
        )
        made.append(len(admitted.created))
    # example.com, listed first, fills the first two checks; then it has its 25 for the day
    # (10 + 10 + 5) and other.org's links get in, the cap per check counting both hosts.
    assert made == [10, 10, 7, 2, 2]
    assert (_articles(db, "example.com"), _articles(db, "other.org")) == (25, 6)
    # A day after the first of them, the host has room again.
    admitted = _admit(db, _links(10, start=100), now + timedelta(days=1, minutes=1))
    assert len(admitted.created) == 10


def test_a_host_over_its_day_does_not_use_up_the_checks_cap(
    db: storage.Database, now: datetime
) -> None:
    _admit(db, _links(10), now)
    _admit(db, _links(10, start=10), now)
    _admit(db, _links(10, start=20), now)  # example.com: 25 today, full
    flood = _links(50, start=100) + _links(3, host="quiet.example")
    admitted = _admit(db, flood, now)
    assert (len(admitted.created), admitted.over_host) == (3, 50)
    assert _articles(db, "quiet.example") == 3


def test_overlong_urls_are_dropped_and_overlong_titles_cut(
    db: storage.Database, now: datetime
) -> None:
    long_url = "https://example.com/news/" + "a" * 3000  # past PostgreSQL's index limit too
    listed = [
        Candidate(long_url),
        Candidate(long_url),
        Candidate("https://example.com/news/1", title="Talks " * 100),
    ]
    admitted = _admit(db, listed, now)
    assert (len(admitted.created), admitted.too_long) == (1, 1)
    with db.session() as s:
        [article] = s.exec(select(storage.Article)).all()
    assert article.hint_title is not None and len(article.hint_title) <= 50
    assert article.hint_title.endswith(storage.limits.ELLIPSIS)


def test_a_url_listed_twice_is_one_candidate(db: storage.Database, now: datetime) -> None:
    admitted = _admit(db, _links(3) + _links(3), now)
    assert (len(admitted.created), admitted.dropped) == (3, 0)


def test_a_moved_articles_old_address_is_known(db: storage.Database, now: datetime) -> None:
    [article_id] = _admit(db, _links(1), now).created
    with db.transaction() as s:
        storage.record_moved(s, article_id=article_id, new_url="https://example.com/moved", now=now)
    admitted = _admit(
        db, _links(1) + _links(1, host="x.example"), now, CandidateLimits(per_check=1)
    )
    assert (len(admitted.created), admitted.dropped) == (1, 0)


def test_a_source_gets_its_cap_per_day_whatever_the_hosts(
    db: storage.Database, now: datetime
) -> None:
    with db.transaction() as s:
        storage.sync_sources(s, [storage.SourceSpec("https://example.com/feed", "feed", 300)], now)
        [source_id] = s.exec(select(storage.Source.id)).all()
    limits = CandidateLimits(per_check=10, per_source_per_day=25, per_host_per_day=1000)
    made, over_source = [], []
    for check in range(4):  # every link on a host of its own: the host cap never binds
        links = [Candidate(f"https://h{check}-{i}.example/news/{i}") for i in range(40)]
        admitted = _admit(db, links, now + timedelta(minutes=check), limits, source_id)
        made.append(len(admitted.created))
        over_source.append(admitted.over_source)
    assert made == [10, 10, 5, 0] and over_source == [0, 0, 35, 40]
    # Another source (or a person adding links) has a day of its own.
    assert len(_admit(db, _links(3, host="x.example"), now, limits).created) == 3
    later = now + timedelta(days=1, minutes=1)
    assert len(_admit(db, _links(10, host="y.example"), later, limits, source_id).created) == 10
