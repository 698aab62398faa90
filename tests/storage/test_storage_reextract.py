"""Re-extraction keeps the history as seen and adds derived versions where a newer extractor
reads a stored page differently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import col, func, select

import storage
from storage.versions import compare


def page(title: str, body: str) -> bytes:
    return f"<html><title>{title}</title><body>{body}</body></html>".encode()


def old_extractor(raw: bytes, url: str) -> storage.ArticleFields:
    text = raw.decode()
    title = text.split("<title>")[1].split("</title>")[0]
    body = text.split("<body>")[1].split("</body>")[0]
    return storage.ArticleFields(title=title, body=body)


def new_extractor(raw: bytes, url: str) -> storage.ArticleFields:
    """Reads the same pages, but also finds that the body's first word is a kicker."""
    fields = old_extractor(raw, url)
    kicker, _, rest = fields.body.partition(" ")
    if kicker == "BROKEN":
        raise ValueError("cannot parse")
    return storage.ArticleFields(title=fields.title, subtitle=kicker, body=rest)


def seen_once(db: storage.Database, article_id: int, raw: bytes, now: datetime) -> None:
    """The page recorded as a fetch by the old extractor."""
    with db.transaction() as s:
        storage.record(
            s, article_id=article_id, fields=old_extractor(raw, ""), snapshot=raw, fetched_at=now
        )


def test_derived_versions_without_losing_what_was_seen(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article()
    pages = [
        page("Talks", "LIVE Talks begin in Istanbul."),
        page("Talks", "LIVE Talks end in Istanbul."),
    ]
    with db.transaction() as s:
        for i, raw in enumerate(pages):
            storage.record(
                s,
                article_id=article_id,
                fields=old_extractor(raw, ""),
                snapshot=raw,
                fetched_at=now + timedelta(hours=i),
            )
        alerts_before = s.exec(select(func.count()).select_from(storage.Alert)).one()
    with db.transaction() as s:
        report = storage.reextract(s, extractor=new_extractor)
    assert (report.articles, report.snapshots, report.derived) == (1, 2, 2)
    with db.session() as s:
        rows = storage.versions_of(s, article_id)
        assert [(r.number, r.origin) for r in rows] == [
            (1, "fetch"),
            (2, "fetch"),
            (3, "reextract"),
            (4, "reextract"),
        ]
        assert storage.get_version(s, article_id, 1).subtitle is None  # type: ignore[union-attr]
        derived = storage.get_version(s, article_id, 4)
        assert derived is not None and derived.subtitle == "LIVE"
        assert derived.fetched_at == now + timedelta(hours=1), "when the page was seen"
        article = s.get(storage.Article, article_id)
        assert article is not None and article.current_version_id == derived.id
        seen = storage.version_at(s, article_id, now + timedelta(minutes=5))
        assert seen is not None and seen.number == 1
        reread = storage.version_at(s, article_id, now + timedelta(minutes=5), reextracted=True)
        assert reread is not None and reread.number == 3
        assert s.exec(select(func.count()).select_from(storage.Alert)).one() == alerts_before
        assert [e.number for e in storage.recent_edits(s)] == [2], "derived versions are no edits"
    with db.transaction() as s:
        # Running it again changes nothing; the next fetch compares with the new reading.
        assert storage.reextract(s, extractor=new_extractor).derived == 0
        outcome = storage.record(
            s,
            article_id=article_id,
            fields=new_extractor(pages[1], ""),
            snapshot=pages[1],
            fetched_at=now + timedelta(hours=5),
        )
    assert outcome.kind is storage.OutcomeKind.UNCHANGED


def test_failures_and_missing_snapshots_are_counted_not_fatal(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    broken, bare = make_article("https://example.com/broken"), make_article("https://e.com/b")
    with db.transaction() as s:
        raw = page("T", "BROKEN page")
        storage.record(
            s, article_id=broken, fields=old_extractor(raw, ""), snapshot=raw, fetched_at=now
        )
        storage.record(
            s,
            article_id=bare,
            fields=storage.ArticleFields(title="x", body="y"),
            snapshot=None,
            fetched_at=now,
        )
    with db.transaction() as s:
        ids = storage.article_ids(s)
        report = storage.ReextractReport()
        for article_id in ids:
            report += storage.reextract_article(s, article_id=article_id, extractor=new_extractor)
    assert (report.articles, report.failed, report.missing_snapshots, report.derived) == (
        2,
        1,
        1,
        0,
    )
    with db.session() as s:
        count = s.exec(
            select(func.count())
            .select_from(storage.Version)
            .where(col(storage.Version.origin) == "reextract")
        ).one()
    assert count == 0


def test_a_reading_stored_between_the_read_and_the_write_is_not_stored_twice(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article()
    raw = page("Talks", "LIVE Talks begin in Istanbul.")
    seen_once(db, article_id, raw, now)
    with db.session() as s:  # read, then extract with no transaction open
        pages = storage.stored_pages(s, [article_id])
    readings = [storage.read_page(p, new_extractor) for p in pages]
    assert [r.kind for r in readings] == [storage.ReadingKind.DERIVED]
    assert readings[0].page.compressed is None, "the page is not carried back"
    with db.transaction() as s:  # another run got there first
        assert storage.reextract_article(s, article_id=article_id, extractor=new_extractor).derived
    with db.transaction() as s:
        report = storage.keep_readings(s, readings)
    assert (report.articles, report.snapshots, report.derived, report.unchanged) == (1, 1, 0, 1)
    with db.session() as s:
        assert [v.origin for v in storage.versions_of(s, article_id)] == ["fetch", "reextract"]


def test_a_batch_of_articles_is_read_in_order_with_each_newest_reading(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    first, second = make_article("https://e.com/1"), make_article("https://e.com/2")
    with db.transaction() as s:
        for i, body in enumerate(["LIVE One.", "LIVE One more."]):
            raw = page("A", body)
            storage.record(
                s,
                article_id=first,
                fields=old_extractor(raw, ""),
                snapshot=raw,
                fetched_at=now + timedelta(hours=i),
            )
        raw = page("B", "NEWS Two.")
        storage.record(
            s, article_id=second, fields=old_extractor(raw, ""), snapshot=raw, fetched_at=now
        )
        storage.reextract_article(s, article_id=first, extractor=new_extractor)
    with db.session() as s:
        pages = storage.stored_pages(s, [second, first])
    assert [(p.article_id, p.latest) for p in pages] == [
        (first, False),
        (first, True),
        (second, True),
    ]
    readings = [storage.read_page(p, new_extractor) for p in pages]
    kinds = [r.kind for r in readings]
    D, U = storage.ReadingKind.DERIVED, storage.ReadingKind.UNCHANGED
    assert kinds == [U, U, D], "the first article's newest readings are already today's"


def test_a_changed_reading_is_compared_where_it_is_extracted(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    """The diff and classes of a derived version are worked out beside the extraction (in a
    worker process, for big runs) against the page's newest reading, and stored as they are."""
    article_id = make_article()
    raw = page("Talks", "LIVE Talks begin in Istanbul, officials said on Monday.")
    seen_once(db, article_id, raw, now)
    with db.session() as s:
        pages = storage.stored_pages(s, [article_id])
        seen = storage.get_version(s, article_id, 1)
    assert pages[0].base is not None and pages[0].reading_id == seen.id  # type: ignore[union-attr]
    (reading,) = [storage.read_page(p, new_extractor) for p in pages]
    assert reading.page.base is None, "the stored fields are not carried back either"
    assert reading.fields is not None and reading.comparison is not None
    assert reading.comparison == compare(seen, reading.fields)  # type: ignore[arg-type]
    # What the worker found is what is stored: a marker class shows it was not recomputed.
    marked = replace(reading.comparison, classes=(*reading.comparison.classes, "name"))
    with db.transaction() as s:
        storage.keep_readings(s, [replace(reading, comparison=marked)])
    with db.session() as s:
        derived = storage.get_version(s, article_id, 2)
    assert derived is not None and derived.origin == "reextract"
    assert derived.changed_fields == ["subtitle", "body"]
    assert derived.classes == list(marked.classes)


def test_a_comparison_against_a_reading_replaced_meanwhile_is_worked_out_again(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article()
    raw = page("Talks", "LIVE Talks begin in Istanbul.")
    seen_once(db, article_id, raw, now)
    with db.session() as s:
        pages = storage.stored_pages(s, [article_id])
    (reading,) = [storage.read_page(p, new_extractor) for p in pages]
    assert reading.comparison is not None
    bogus = replace(reading.comparison, classes=("retraction",))

    def newer(raw: bytes, url: str) -> storage.ArticleFields:
        return replace(new_extractor(raw, url), body="Talks begin in Istanbul today.")

    with db.transaction() as s:  # another run stores a reading the comparison did not see
        assert storage.reextract_article(s, article_id=article_id, extractor=newer).derived
    with db.transaction() as s:
        assert storage.keep_readings(s, [replace(reading, comparison=bogus)]).derived == 1
    with db.session() as s:
        stored = storage.get_version(s, article_id, 3)
    assert stored is not None and stored.derived_from_id is not None
    assert "retraction" not in stored.classes and stored.changed_fields == ["body"]
