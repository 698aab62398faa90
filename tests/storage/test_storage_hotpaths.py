"""The hot paths written in Core SQL (recheck, 304, reschedule) behave as the ORM ones did:
validators kept or replaced, loaded rows kept up to date, and signatures unchanged."""

from __future__ import annotations

import re
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

import storage
from storage.fingerprint import fingerprint
from storage.minhash import COPY, COVERAGE, NUM_PERM, SEED, shingle_hashes, signatures
from storage.models import Article
from tests.storage.conftest import BODY


def test_an_unchanged_recheck_keeps_or_replaces_validators(
    db: storage.Database, make_article: Callable[..., int], base_fields, now
) -> None:
    article_id = make_article()
    with db.transaction() as s:
        storage.record(
            s,
            article_id=article_id,
            fields=base_fields,
            snapshot=b"<p>1</p>",
            fetched_at=now,
            etag='"a"',
            last_modified="Fri, 16 May 2025",
        )
    later = now + timedelta(hours=1)
    with db.transaction() as s:
        outcome = storage.record(
            s, article_id=article_id, fields=base_fields, snapshot=b"x", fetched_at=later
        )
    assert (outcome.kind, outcome.version_number) == (storage.OutcomeKind.UNCHANGED, 1)
    with db.session() as s:
        article = s.get(Article, article_id)
        assert article is not None
        assert (article.etag, article.last_modified) == ('"a"', "Fri, 16 May 2025")
        assert article.last_checked_at == later
    with db.transaction() as s:
        storage.record(
            s,
            article_id=article_id,
            fields=base_fields,
            snapshot=b"x",
            fetched_at=later,
            etag='"b"',
        )
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
        storage.record(
            s, article_id=article_id, fields=base_fields, snapshot=b"<p>1</p>", fetched_at=now
        )
    later, due = now + timedelta(hours=1), now + timedelta(hours=3)
    with db.transaction() as s:
        article = s.get(Article, article_id)
        assert article is not None
        article.failures = 2  # the ORM's pending change and the Core update must agree
        storage.record_not_modified(s, article_id=article_id, now=later)
        storage.reschedule_article(s, article_id=article_id, next_check_at=due, now=later)
        storage.record(
            s,
            article_id=article_id,
            fields=base_fields,
            snapshot=None,
            fetched_at=later,
            etag='"c"',
        )
        assert (article.failures, article.last_checked_at) == (0, later)
        assert (article.next_check_at, article.lease_owner, article.etag) == (due, None, '"c"')
    with db.session() as s:
        stored = s.get(Article, article_id)
        assert stored is not None
        assert (stored.failures, stored.next_check_at, stored.etag) == (0, due, '"c"')


# Words whose lower case depends on where it is taken: a dotted capital I lowers to two
# characters (i and a combining dot, which is no word character), a capital sigma to a final
# or a medial sigma. Each word is lowered on its own, as it always was, or stored signatures
# would stop matching new ones.
_TRICKY = "İSTANBUL İzmir ΟΔΟΣ'Α ΣΑΣ Σ Straße ǅungla ﬁnal ΆΡΗΣ. " * 12
# Without those two, the body is lowered at once (storage.minhash): the same words.
_CASED = "STRAẞE ǅungla ﬁnal ÉCOLE’s Ёлка—ΆΡΗ'Α Ⅻ_Ⓐ x2 " * 12


@pytest.mark.parametrize(
    "body",
    [" ".join([BODY] * 3), _TRICKY, _CASED],
    ids=["news", "tricky-case", "cased-lowered-at-once"],
)
def test_signatures_are_datasketchs_minhash_exactly(body: str) -> None:
    # The numpy MinHash must keep exactly what datasketch's affine32 MinHash keeps for the same
    # item hashes (CRC-32 of each word, mixed per shingle), or its LSH band parameters would
    # not hold.
    from datasketch import MinHash

    sigs = signatures(body)
    assert sigs is not None
    words = [w.lower() for w in re.findall(r"[^\W_]+", body)]
    codes = np.array([zlib.crc32(w.encode("utf-8")) for w in words], dtype=np.uint64)
    items = {
        COPY: shingle_hashes(codes).tolist(),
        COVERAGE: sorted({zlib.crc32(w.encode("utf-8")) for w in words if len(w) >= 4}),
    }
    for scheme, hashes in items.items():
        expected = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=int)
        expected.update_batch(hashes)
        assert np.array_equal(sigs[scheme.id], expected.hashvalues)


def test_permutations_and_bands_are_datasketchs_own() -> None:
    # The daemon does not import datasketch (scipy); these constants must stay what it draws.
    from datasketch import MinHash, MinHashLSH

    from storage.minhash import SCHEMES, bands_and_rows, permutations

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    ours = permutations()
    assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b)
    for scheme in SCHEMES:
        lsh = MinHashLSH(threshold=scheme.threshold, num_perm=NUM_PERM)
        assert bands_and_rows(scheme.threshold) == (lsh.b, lsh.r)


def test_recording_does_not_load_scipy(tmp_path) -> None:
    # Some 50 MB per daemon: story placement must work from numpy alone.
    script = (
        "import sys, storage\n"
        "from storage.minhash import band_hashes, signatures, SCHEMES\n"
        f"sigs = signatures({BODY!r} * 3)\n"
        "assert sigs is not None\n"
        "[band_hashes(sigs[s.id], s) for s in SCHEMES]\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'datasketch')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_a_missing_or_stale_current_fingerprint_is_repaired_not_an_edit(
    db: storage.Database, make_article: Callable[..., int], base_fields, now
) -> None:
    # As after a normalisation change: the article's copy no longer matches what the same
    # fields fingerprint to now. The full comparison decides, and the copy is brought up to date.
    article_id = make_article()
    with db.transaction() as s:
        storage.record(
            s, article_id=article_id, fields=base_fields, snapshot=b"<p>1</p>", fetched_at=now
        )
    for stale in (None, "0" * 64):
        with db.transaction() as s:
            s.exec(text("UPDATE articles SET current_fingerprint = :f"), params={"f": stale})  # type: ignore[call-overload]
        with db.transaction() as s:
            outcome = storage.record(
                s,
                article_id=article_id,
                fields=base_fields,
                snapshot=None,
                fetched_at=now + timedelta(hours=1),
            )
        assert (outcome.kind, outcome.version_number) == (storage.OutcomeKind.UNCHANGED, 1)
        with db.session() as s:
            article = s.get(Article, article_id)
            assert article is not None and article.version_count == 1
            assert article.current_fingerprint == fingerprint(base_fields)
