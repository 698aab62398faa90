"""Recording fetches: new versions, dedup of cosmetic changes, edits with word diffs, gone pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import func, select

import storage
from storage import ArticleFields, OutcomeKind
from storage.fingerprint import fingerprint


def _record(db: storage.Database, article_id: int, fields: ArticleFields, at: datetime, **kw):
    with db.transaction() as s:
        return storage.record(
            s, article_id=article_id, fields=fields, snapshot=kw.pop("snapshot", b"<html>"),
            fetched_at=at, **kw,
        )  # fmt: skip


def _count(db: storage.Database, model: type) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_new_article_gets_version_one_and_a_new_alert(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    outcome = _record(db, article_id, base_fields, now, snapshot=b"<html>v1</html>", etag='"a"')

    assert outcome.kind is OutcomeKind.NEW
    assert (outcome.version_number, outcome.changed_fields) == (1, ())
    assert outcome.alert_id is not None
    with db.session() as s:
        article = s.get(storage.Article, article_id)
        assert article is not None
        assert (article.status, article.version_count, article.etag) == ("live", 1, '"a"')
        assert article.title == base_fields.title
        assert article.last_changed_at == now
        version = storage.get_version(s, article_id, 1)
        assert version is not None
        assert version.id == article.current_version_id
        assert version.authors == ["Anna Petrova", "John Smith"]
        assert version.fingerprint == fingerprint(base_fields)
        assert storage.load_snapshot(s, version.snapshot_sha256 or "") == b"<html>v1</html>"
        alert = s.get(storage.Alert, outcome.alert_id)
        assert alert is not None
        assert (alert.kind, alert.version_id) == ("new", version.id)
        assert alert.payload == {
            "url": "https://www.example.com/news/istanbul-talks",
            "outlet": "example.com",
            "title": base_fields.title,
            "version": 1,
            "changed_fields": [],
            "site_name": base_fields.site_name,
            "published": base_fields.published.isoformat(),
            "classes": [],
            # The fixture body is too short to compare with other outlets: no story yet.
            "story_id": None,
            "story_role": None,
            "format": storage.PAYLOAD_FORMAT,
        }


def test_same_fields_again_are_unchanged_and_write_nothing(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    _record(db, article_id, base_fields, now)
    later = now + timedelta(minutes=15)
    outcome = _record(db, article_id, base_fields, later, snapshot=b"<html>other ads</html>")

    assert outcome == storage.Outcome(OutcomeKind.UNCHANGED, article_id, 1)
    assert (_count(db, storage.Version), _count(db, storage.Alert)) == (1, 1)
    assert _count(db, storage.Snapshot) == 1  # the unchanged page's bytes are not kept
    with db.session() as s:
        article = s.get(storage.Article, article_id)
        assert article is not None
        assert (article.last_checked_at, article.last_changed_at) == (later, now)


@pytest.mark.parametrize(
    "cosmetic",
    [
        {"title": "Russia  and Ukraine hold first direct talks\u00a0in three years "},
        {"body": "Delegations from Russia and Ukraine met in Istanbul on Friday.\n\n"
                 "The Russian side was led by Vladimir Madinsky, an aide to the president.\n"
                 "Turkey\u2019s foreign minister opened the talks at the Dolmabah\u00e7e palace."},
        {"subtitle": "The meeting in Istanbul lasted under two\u2009hours"},
        {"authors": ("John Smith", "Anna Petrova", "John Smith")},
        {"published": datetime(2025, 5, 16, 12, 30, 59, tzinfo=timezone(timedelta(hours=3)))},
        {"body": "Delegations from Russia and Ukraine met in Istanbul on Friday.\n"
                 "The Russian side was led by Vladimir Madin\u00adsky, an aide to the president.\n"
                 "Turkey's foreign minister opened the talks at the Dolmabahçe palace."},
        {"title": "Russia and Ukraine hold first direct talks in three years", "language": "ru",
         "modified": datetime(2025, 5, 16, 11, 0, tzinfo=UTC)},
    ],
)  # fmt: skip
def test_cosmetic_changes_are_not_edits(
    db: storage.Database,
    make_article: Callable[..., int],
    base_fields: ArticleFields,
    now: datetime,
    cosmetic: dict,
) -> None:
    article_id = make_article()
    _record(db, article_id, base_fields, now)
    outcome = _record(db, article_id, replace(base_fields, **cosmetic), now + timedelta(hours=1))
    assert outcome.kind is OutcomeKind.UNCHANGED
    assert _count(db, storage.Version) == 1


def test_typography_variants_are_unchanged(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article()
    plain = ArticleFields(title='Talks "resume" - Kremlin', body="It's over... for now")
    fancy = ArticleFields(
        title="Talks \u201cresume\u201d \u2014 Kremlin", body="It\u2019s\u00a0over\u2026 for now"
    )
    _record(db, article_id, plain, now)
    assert _record(db, article_id, fancy, now + timedelta(hours=1)).kind is OutcomeKind.UNCHANGED


def test_one_word_edit_is_a_new_version_with_that_word_in_the_diff(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    _record(db, article_id, base_fields, now)
    edited = replace(base_fields, body=base_fields.body.replace("Madinsky", "Medinsky"))
    later = now + timedelta(hours=2)
    outcome = _record(db, article_id, edited, later, snapshot=b"<html>v2</html>")

    assert outcome.kind is OutcomeKind.EDITED
    assert (outcome.version_number, outcome.changed_fields) == (2, ("body",))
    assert (outcome.words_added, outcome.words_removed) == (1, 1)
    with db.session() as s:
        version = storage.get_version(s, article_id, 2)
        assert version is not None
        assert version.changed_fields == ["body"]
        changes = [op for op in version.diff["body"] if op[0] not in ("equal", "skip")]
        assert changes == [["delete", " Madinsky"], ["insert", " Medinsky"]]
        # The unchanged body is in the version itself: the diff keeps ten tokens around it.
        assert version.diff["body"][0] == ["skip", 8]
        assert version.diff["body"][-1] == ["skip", 10]
        alert = s.get(storage.Alert, outcome.alert_id)
        assert alert is not None and alert.kind == "edited"
        assert alert.payload["changes"] == ["Madinsky \u2192 Medinsky"]
        assert alert.payload["version"] == 2
        assert alert.payload["changed_fields"] == ["body"]
        article = s.get(storage.Article, article_id)
        assert article is not None
        assert (article.version_count, article.last_changed_at) == (2, later)


def test_retitle_changes_only_the_title(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    _record(db, article_id, base_fields, now)
    retitled = replace(base_fields, title="Istanbul talks end without a ceasefire")
    outcome = _record(db, article_id, retitled, now + timedelta(hours=1))

    assert outcome.kind is OutcomeKind.EDITED
    assert outcome.changed_fields == ("title",)
    with db.session() as s:
        article = s.get(storage.Article, article_id)
        assert article is not None and article.title == "Istanbul talks end without a ceasefire"


def test_author_and_published_changes_are_edits(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    _record(db, article_id, base_fields, now)
    changed = replace(
        base_fields,
        authors=("Anna Petrova",),
        published=datetime(2025, 5, 16, 9, 45, tzinfo=UTC),
    )
    outcome = _record(db, article_id, changed, now + timedelta(hours=1))
    assert outcome.changed_fields == ("authors", "published")
    with db.session() as s:
        alert = s.get(storage.Alert, outcome.alert_id)
        assert alert is not None
        assert alert.payload["changes"] == [
            "\u2212 John Smith",
            "2025-05-16 09:30 UTC \u2192 2025-05-16 09:45 UTC",
        ]


def test_same_bytes_in_two_versions_are_stored_once(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    first, second = make_article(), make_article("https://example.org/other")
    _record(db, first, base_fields, now, snapshot=b"<html>same</html>")
    _record(db, second, base_fields, now, snapshot=b"<html>same</html>")
    assert _count(db, storage.Snapshot) == 1


def test_gone_alerts_once_and_a_comeback_is_live_again(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    _record(db, article_id, base_fields, now)
    with db.transaction() as s:
        first = storage.record_gone(s, article_id=article_id, status=410, now=now)
    with db.transaction() as s:
        again = storage.record_gone(s, article_id=article_id, status=404, now=now)

    assert first.kind is OutcomeKind.GONE and first.alert_id is not None
    assert (again.kind, again.alert_id, again.version_number) == (OutcomeKind.GONE, None, 1)
    with db.session() as s:
        alert = s.get(storage.Alert, first.alert_id)
        assert alert is not None
        assert (alert.kind, alert.payload["status"], alert.payload["version"]) == ("gone", 410, 1)
        article = s.get(storage.Article, article_id)
        assert article is not None and (article.status, article.gone_at) == ("gone", now)

    back = _record(db, article_id, base_fields, now + timedelta(hours=1))
    assert back.kind is OutcomeKind.UNCHANGED
    with db.session() as s:
        article = s.get(storage.Article, article_id)
        assert article is not None and (article.status, article.gone_at) == ("live", None)


def test_a_dead_link_that_never_had_a_version_goes_quietly(
    db: storage.Database, make_article: Callable[..., int], now: datetime
) -> None:
    article_id = make_article()
    with db.transaction() as s:
        outcome = storage.record_gone(s, article_id=article_id, status=404, now=now)
    assert (outcome.kind, outcome.alert_id, outcome.version_number) == (
        OutcomeKind.GONE,
        None,
        None,
    )
    assert _count(db, storage.Alert) == 0


def test_not_modified_failures_and_off_topic(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    with db.transaction() as s:
        first = storage.record_failure(
            s, article_id=article_id, error_kind="timeout", message="read timed out", now=now
        )
        second = storage.record_failure(
            s, article_id=article_id, error_kind="http", message="503", now=now
        )
    assert (first, second) == (1, 2)
    with db.session() as s:
        article = s.get(storage.Article, article_id)
        assert article is not None
        assert (article.failures, article.status, article.last_error) == (2, "failed", "http: 503")

    _record(db, article_id, base_fields, now, etag='"v1"', last_modified="Fri, 16 May 2025")
    later = now + timedelta(minutes=30)
    with db.transaction() as s:
        outcome = storage.record_not_modified(s, article_id=article_id, now=later)
    assert outcome == storage.Outcome(OutcomeKind.UNCHANGED, article_id, 1)
    with db.session() as s:
        article = s.get(storage.Article, article_id)
        assert article is not None
        assert (article.failures, article.last_error, article.status) == (0, None, "live")
        assert (article.etag, article.last_checked_at) == ('"v1"', later)

    with db.transaction() as s:
        storage.mark_off_topic(s, article_id=article_id, now=later)
    with db.session() as s:
        article = s.get(storage.Article, article_id)
        assert article is not None and article.status == "off_topic"


def test_unknown_article_is_not_found(db: storage.Database, base_fields, now) -> None:
    with pytest.raises(storage.NotFound, match="article 999"):
        _record(db, 999, base_fields, now)


def test_a_failing_transaction_leaves_no_version_and_no_alert(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    with pytest.raises(RuntimeError, match="scheduler crashed"), db.transaction() as s:
        outcome = storage.record(
            s, article_id=article_id, fields=base_fields, snapshot=b"<html>", fetched_at=now
        )
        assert outcome.kind is OutcomeKind.NEW
        raise RuntimeError("scheduler crashed after recording")

    assert (_count(db, storage.Version), _count(db, storage.Alert)) == (0, 0)
    assert _count(db, storage.Snapshot) == 0
    with db.session() as s:
        article = s.get(storage.Article, article_id)
        assert article is not None and (article.status, article.version_count) == ("pending", 0)
    # And the next attempt starts cleanly at version 1.
    assert _record(db, article_id, base_fields, now).version_number == 1


def test_datetimes_come_back_aware_utc(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields
) -> None:
    article_id = make_article()
    moscow = datetime(2025, 5, 16, 13, 0, tzinfo=timezone(timedelta(hours=3)))
    _record(db, article_id, base_fields, moscow)
    with db.session() as s:
        version = storage.get_version(s, article_id, 1)
        article = s.get(storage.Article, article_id)
    assert version is not None and article is not None
    for value in (version.fetched_at, version.published, article.first_seen_at):
        assert value is not None and value.tzinfo is UTC
    assert version.fetched_at == moscow
    assert version.fetched_at.hour == 10


def test_nul_characters_are_dropped(
    db: storage.Database, make_article: Callable[..., int], base_fields: ArticleFields, now
) -> None:
    article_id = make_article()
    _record(db, article_id, replace(base_fields, body="Talks\x00 resumed"), now)
    with db.session() as s:
        version = storage.get_version(s, article_id, 1)
        assert version is not None and version.body == "Talks resumed"


def test_fetch_log(db: storage.Database, now: datetime) -> None:
    with db.transaction() as s:
        storage.log_fetch(s, url="https://example.com/a", at=now, status=200, bytes=512,
                          elapsed=0.25)  # fmt: skip
        storage.log_fetch(s, url="https://example.com/b", at=now, status=None, bytes=0,
                          elapsed=10.0, error_kind="timeout", message="read timed out")  # fmt: skip
    with db.session() as s:
        rows = s.exec(select(storage.FetchLog).order_by(storage.FetchLog.url)).all()
    got = [(r.status, r.error_kind, r.at) for r in rows]
    assert got == [(200, None, now), (None, "timeout", now)]


def test_fetch_log_lines_written_together(db: storage.Database, now: datetime) -> None:
    entries = [storage.FetchEntry(f"https://example.com/{n}", now, 304, 0, 0.01) for n in range(3)]
    entries.append(
        storage.FetchEntry("https://example.com/x", now, None, 0, 30.0, "timeout", "x" * 5000)
    )
    with db.transaction() as s:
        storage.log_fetches(s, entries)
        storage.log_fetches(s, [])
    with db.session() as s:
        rows = s.exec(select(storage.FetchLog).order_by(storage.FetchLog.url)).all()
    assert [(r.url[-1], r.status, r.at) for r in rows[:3]] == [
        ("0", 304, now),
        ("1", 304, now),
        ("2", 304, now),
    ]
    assert rows[3].error_kind == "timeout" and len(rows[3].message or "") == 2000
