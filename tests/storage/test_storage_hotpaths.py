"""The hot paths written in Core SQL (recheck, 304, reschedule) behave as the ORM ones did:
validators kept or replaced, loaded rows kept up to date, and signatures unchanged."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import numpy as np
from sqlalchemy import text

import storage
from storage.fingerprint import fingerprint
from storage.models import Article
from storage.syndication import COPY, COVERAGE, NUM_PERM, SEED, signatures
from tests.storage.conftest import BODY


def test_an_unchanged_recheck_keeps_or_replaces_validators(
    db: storage.Database, make_article: Callable[..., int], base_fields, now
) -> None:
    article_id = make_article()
    with db.transaction() as s:
        storage.record(s, article_id=article_id, fields=base_fields, snapshot=b"<p>1</p>",
                       fetched_at=now, etag='"a"', last_modified="Fri, 16 May 2025")
    later = now + timedelta(hours=1)
    with db.transaction() as s:
        outcome = storage.record(s, article_id=article_id, fields=base_fields, snapshot=b"x",
                                 fetched_at=later)
    assert (outcome.kind, outcome.version_number) == (storage.OutcomeKind.UNCHANGED, 1)
    with db.session() as s:
        article = s.get(Article, article_id)
        assert article is not None
        assert (article.etag, article.last_modified) == ('"a"', "Fri, 16 May 2025")
        assert article.last_checked_at == later
    with db.transaction() as s:
        storage.record(s, article_id=article_id, fields=base_fields, snapshot=b"x",
                       fetched_at=later, etag='"b"')
    with db.session() as s:
        article = s.get(Article, article_id)
        assert article is not None and article.etag == '"b"'
        # An unchanged recheck stores no snapshot and no search entry.
        assert s.exec(text("SELECT count(*) FROM snapshots")).scalar() == 1  # type: ignore[call-overload]


def test_core_updates_refresh_an_article_the_session_holds(
    db: storage.Database, make_article: Callable[..., int], base_fields, now
) -> None:
    article_id = make_article()
    with db.transaction() as s:
        storage.record(s, article_id=article_id, fields=base_fields, snapshot=b"<p>1</p>",
                       fetched_at=now)
    later, due = now + timedelta(hours=1), now + timedelta(hours=3)
    with db.transaction() as s:
        article = s.get(Article, article_id)
        assert article is not None
        article.failures = 2  # the ORM's pending change and the Core update must agree
        storage.record_not_modified(s, article_id=article_id, now=later)
        storage.reschedule_article(s, article_id=article_id, next_check_at=due, now=later)
        storage.record(s, article_id=article_id, fields=base_fields, snapshot=None,
                       fetched_at=later, etag='"c"')
        assert (article.failures, article.last_checked_at) == (0, later)
        assert (article.next_check_at, article.lease_owner, article.etag) == (due, None, '"c"')
    with db.session() as s:
        stored = s.get(Article, article_id)
        assert stored is not None
        assert (stored.failures, stored.next_check_at, stored.etag) == (0, due, '"c"')


def test_signatures_are_datasketchs_minhash_exactly() -> None:
    # Stored signatures and bands must keep matching new ones: the shared permutations are
    # an optimisation, never a different hash.
    from datasketch import MinHash

    body = " ".join([BODY] * 3)
    sigs = signatures(body)
    assert sigs is not None
    words = [w.lower() for w in re.findall(r"[^\W_]+", body)]
    shingles = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    content = {w for w in words if len(w) >= 4}
    for scheme, items in ((COPY, shingles), (COVERAGE, content)):
        expected = MinHash(num_perm=NUM_PERM, seed=SEED)
        expected.update_batch([item.encode("utf-8") for item in sorted(items)])
        assert np.array_equal(sigs[scheme.id], expected.hashvalues.astype(np.uint32))


def test_a_missing_or_stale_current_fingerprint_is_repaired_not_an_edit(
    db: storage.Database, make_article: Callable[..., int], base_fields, now
) -> None:
    # As after a normalisation change: the article's copy no longer matches what the same
    # fields fingerprint to now. The full comparison decides, and the copy is brought up to date.
    article_id = make_article()
    with db.transaction() as s:
        storage.record(s, article_id=article_id, fields=base_fields, snapshot=b"<p>1</p>",
                       fetched_at=now)
    for stale in (None, "0" * 64):
        with db.transaction() as s:
            s.exec(text("UPDATE articles SET current_fingerprint = :f"), params={"f": stale})  # type: ignore[call-overload]
        with db.transaction() as s:
            outcome = storage.record(s, article_id=article_id, fields=base_fields, snapshot=None,
                                     fetched_at=now + timedelta(hours=1))
        assert (outcome.kind, outcome.version_number) == (storage.OutcomeKind.UNCHANGED, 1)
        with db.session() as s:
            article = s.get(Article, article_id)
            assert article is not None and article.version_count == 1
            assert article.current_fingerprint == fingerprint(base_fields)
