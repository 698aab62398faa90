"""Sources added by hand and sources from the configuration: who decides, at a daemon's start."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

import storage
from storage import SourceSpec

FEED = SourceSpec("https://example.com/feed", "feed", 600)
SITEMAP = SourceSpec("https://example.com/sitemap.xml", "sitemap", 3600)
BY_HAND = SourceSpec("https://example.org/rss.xml", "feed", 900)


def sources(db: storage.Database) -> dict[str, storage.SourceRow]:
    with db.session() as s:
        return {row.url: row for row in storage.list_sources(s)}


def test_a_manual_source_survives_a_start_whose_config_lacks_it(
    db: storage.Database, now: datetime
) -> None:
    removed = SourceSpec("https://example.org/removed.xml", "feed", 900)
    with db.transaction() as s:
        storage.sync_sources(s, [FEED], now)
        added = storage.add_source(s, BY_HAND, now=now)
        storage.add_source(s, removed, now=now)
        storage.remove_source(s, removed.url)
    assert (added.origin, added.enabled) == ("manual", True)

    with db.transaction() as s:  # the next start, with the same configuration
        storage.sync_sources(s, [FEED], now + timedelta(hours=1))
    rows = sources(db)
    assert {url: (row.origin, row.enabled) for url, row in rows.items()} == {
        FEED.url: ("config", True),
        BY_HAND.url: ("manual", True),
        removed.url: ("manual", False),  # removed by hand stays removed: nothing re-enables it
    }
    assert (rows[BY_HAND.url].kind, rows[BY_HAND.url].every_seconds) == ("feed", 900)


def test_a_config_source_the_config_no_longer_lists_is_disabled(
    db: storage.Database, now: datetime
) -> None:
    with db.transaction() as s:
        storage.sync_sources(s, [FEED, SITEMAP], now)
    with db.transaction() as s:
        storage.sync_sources(s, [FEED], now + timedelta(hours=1))
    rows = sources(db)
    assert (rows[SITEMAP.url].origin, rows[SITEMAP.url].enabled) == ("config", False)
    assert (rows[FEED.url].origin, rows[FEED.url].enabled) == ("config", True)


def test_a_configured_url_takes_a_manual_source_over(db: storage.Database, now: datetime) -> None:
    with db.transaction() as s:
        storage.add_source(s, BY_HAND, now=now)
        storage.remove_source(s, BY_HAND.url)  # even one removed by hand: the file wants it
    with db.transaction() as s:
        storage.sync_sources(s, [SourceSpec(BY_HAND.url, "page", 300)], now)
    row = sources(db)[BY_HAND.url]
    assert (row.origin, row.enabled, row.kind, row.every_seconds) == ("config", True, "page", 300)

    with db.transaction() as s:  # the file manages it now: leaving the file disables it
        storage.sync_sources(s, [], now + timedelta(hours=1))
    row = sources(db)[BY_HAND.url]
    assert (row.origin, row.enabled) == ("config", False)


def test_re_adding_a_configured_url_keeps_it_config_managed(
    db: storage.Database, now: datetime
) -> None:
    with db.transaction() as s:
        storage.sync_sources(s, [FEED], now)
        row = storage.add_source(s, SourceSpec(FEED.url, "feed", 60), now=now)
    assert (row.origin, row.enabled, row.every_seconds) == ("config", True, 60)
    with db.transaction() as s:
        storage.sync_sources(s, [], now + timedelta(hours=1))
    row = sources(db)[FEED.url]
    assert (row.origin, row.enabled) == ("config", False)


def test_re_adding_a_source_the_config_dropped_makes_it_manual(
    db: storage.Database, now: datetime
) -> None:
    with db.transaction() as s:
        storage.sync_sources(s, [FEED, SITEMAP], now)
    with db.transaction() as s:  # a start whose configuration no longer lists the sitemap
        storage.sync_sources(s, [FEED], now + timedelta(hours=1))
        row = storage.add_source(s, SITEMAP, now=now + timedelta(hours=1))
    assert (row.origin, row.enabled) == ("manual", True)
    with db.transaction() as s:  # the next start keeps it: it was asked for by hand
        storage.sync_sources(s, [FEED], now + timedelta(hours=2))
    row = sources(db)[SITEMAP.url]
    assert (row.origin, row.enabled) == ("manual", True)


def test_a_start_changes_only_what_the_config_changed(db: storage.Database, now: datetime) -> None:
    with db.transaction() as s:
        storage.sync_sources(s, [FEED, SITEMAP], now)
    later = now + timedelta(hours=1)
    faster = SourceSpec(SITEMAP.url, "feed", 60)
    with db.transaction() as s:
        held = s.exec(select(storage.Source).where(storage.Source.url == SITEMAP.url)).one()
        storage.sync_sources(s, [FEED, faster], later)
        # A source the session already held shows the new settings, not the ones it read.
        assert (held.kind, held.every_seconds) == ("feed", 60)
        assert held.next_check_at == now  # due at its first start already: not put later
    rows = sources(db)
    assert (rows[FEED.url].kind, rows[FEED.url].every_seconds) == ("feed", 600)
    assert (rows[SITEMAP.url].kind, rows[SITEMAP.url].every_seconds) == ("feed", 60)
    with db.session() as s:
        feed = s.exec(select(storage.Source).where(storage.Source.url == FEED.url)).one()
        assert feed.next_check_at == now  # unchanged settings: nothing written
