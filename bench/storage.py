"""Storage at scale: a synthetic history of N articles × V versions, then the numbers that matter.

    python bench/storage.py --engine sqlite --articles 100000 --versions 10
    python bench/storage.py --engine postgres --articles 20000 \\
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Measures: ingest rate through ``storage.record`` (every version with its snapshot, diff,
classes, search entry, story placement and alert), an unchanged recheck (one statement in a
transaction of its own, the daemon's pattern; must touch no text index), 304s (recorded 32 to a
transaction, as the daemon does per pass), article history p50/p99, search p50/p99
on current text and on all versions, a page of the article list and of recent edits
p50/p99, and the database size against the raw HTML stored.
Targets on the reference machine: history p50 < 5 ms, current-text search p50 < 50 ms,
unchanged rechecks >= 5,000/s on SQLite. A benchmark, not a test: it prints, never asserts.
PostgreSQL runs in a throwaway database that is dropped at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import string
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import zstandard
from sqlalchemy import bindparam, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

# Run as `python bench/storage.py`, this folder comes first on sys.path, and this file's name
# would shadow the storage package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
import storage  # noqa: E402
import storage.snapshots  # noqa: E402

START = datetime(2025, 1, 1, tzinfo=UTC)
PASS = 32  # articles a daemon claims per pass (scheduler.worker.WorkerConfig.batch)
OUTLETS = [f"outlet{i}.example" for i in range(50)]
PAGE = (
    "<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
    "<link rel=stylesheet href=/static/site.css><script src=/static/app.js></script>"
    '<meta name=description content="{title}"></head><body><header><nav>{nav}</nav></header>'
    "<main><article><h1>{title}</h1><p class=byline>By {author}</p>{paras}</article></main>"
    "<aside>{nav}</aside><footer>© Example Media. All rights reserved.</footer></body></html>"
)
NAV = "".join(f"<a href=/section/{i}>Section {i}</a>" for i in range(40))


@dataclass
class Result:
    engine: str
    articles: int
    versions: int
    ingest_rate: float = 0.0
    ingest_seconds: float = 0.0
    recheck_rate: float = 0.0
    not_modified_rate: float = 0.0
    record_new_rate: float = 0.0
    record_new_p50: float = 0.0
    record_edit_rate: float = 0.0
    record_edit_p50: float = 0.0
    bulk: bool = False
    history_p50: float = 0.0
    history_p99: float = 0.0
    search_p50: float = 0.0
    search_p99: float = 0.0
    search_all_p50: float = 0.0
    search_all_p99: float = 0.0
    listing_p50: float = 0.0
    listing_p99: float = 0.0
    edits_p50: float = 0.0
    edits_p99: float = 0.0
    db_bytes: int = 0
    raw_bytes: int = 0


class Corpus:
    """Seeded synthetic news text: a Zipf-like vocabulary, so some words are common."""

    def __init__(self, seed: int = 7, vocabulary: int = 60_000) -> None:
        self.rng = random.Random(seed)
        letters = string.ascii_lowercase
        self.words = [
            "".join(self.rng.choices(letters, k=self.rng.randint(3, 10))) for _ in range(vocabulary)
        ]
        total, self.cumulative = 0.0, []
        for rank in range(vocabulary):
            total += 1 / (rank + 10)
            self.cumulative.append(total)

    def sentence(self) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=self.rng.randint(8, 20))
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def fields(self, n: int) -> storage.ArticleFields:
        paragraphs = [" ".join(self.sentence() for _ in range(3)) for _ in range(6)]
        return storage.ArticleFields(
            title=self.sentence().rstrip("."),
            body="\n".join(paragraphs),
            authors=(f"Reporter {n % 300}",),
            published=START + timedelta(minutes=n),
        )

    def edit(self, fields: storage.ArticleFields) -> storage.ArticleFields:
        """One plausible edit: a word swapped, a sentence added, or a new headline."""
        roll = self.rng.random()
        if roll < 0.15:
            return replace(fields, title=self.sentence().rstrip("."))
        paragraphs = fields.body.split("\n")
        i = self.rng.randrange(len(paragraphs))
        if roll < 0.6:
            words = paragraphs[i].split(" ")
            words[self.rng.randrange(len(words))] = self.rng.choice(self.words)
            paragraphs[i] = " ".join(words)
        else:
            paragraphs[i] += " " + self.sentence()
        return replace(fields, body="\n".join(paragraphs))


def page_of(fields: storage.ArticleFields) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in fields.body.split("\n"))
    return PAGE.format(title=fields.title, nav=NAV, author=fields.authors[0], paras=paras).encode()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def timed(calls: Iterator[Callable[[], object]]) -> list[float]:
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def ingest(
    db: storage.Database, result: Result, corpus: Corpus, *, batch: int, progress: bool
) -> dict[int, storage.ArticleFields]:
    """Record every article's versions: new articles and edits interleaved, as a daemon would."""
    current: dict[int, storage.ArticleFields] = {}
    ids: list[int] = []
    started = time.perf_counter()
    recorded = 0
    for chunk in range(0, result.articles, batch):
        count = min(batch, result.articles - chunk)
        now = START + timedelta(minutes=chunk)
        with db.transaction() as s:
            candidates = [
                storage.Candidate(
                    f"https://{OUTLETS[(chunk + i) % len(OUTLETS)]}/news/{chunk + i}.html"
                )
                for i in range(count)
            ]
            new_ids = storage.add_candidates(s, source_id=None, candidates=candidates, now=now)
        ids.extend(new_ids)
        for round_ in range(result.versions):
            with db.transaction() as s:
                for article_id in new_ids:
                    fields = current.get(article_id)
                    fields = corpus.fields(article_id) if fields is None else corpus.edit(fields)
                    current[article_id] = fields
                    raw = page_of(fields)
                    result.raw_bytes += len(raw)
                    storage.record(
                        s,
                        article_id=article_id,
                        fields=fields,
                        snapshot=raw,
                        fetched_at=now + timedelta(hours=round_),
                    )
                    recorded += 1
        if progress and (chunk // batch) % 20 == 0:
            rate = recorded / (time.perf_counter() - started)
            print(f"  {result.engine}: {recorded:,} versions, {rate:,.0f}/s", flush=True)
    result.ingest_seconds = time.perf_counter() - started
    result.ingest_rate = recorded / result.ingest_seconds
    return current


def bulk_ingest(
    db: storage.Database, result: Result, corpus: Corpus, *, batch: int, progress: bool
) -> dict[int, storage.ArticleFields]:
    """Build the history fast: the rows ``record`` would write, inserted many at a time.

    Each version gets what ``record`` stores: its fields, fingerprint, word diff and counts
    against the previous version, a zstd snapshot of its page, its search entries and an
    alert; each article its MinHash signature and LSH bands. Cheaper than ``record`` in three
    ways, so the figures say so: edit classes are not computed, each article starts its own
    story (no similarity lookup), and rows go in by the thousand. The per-call rate of
    ``record`` itself is measured separately, on the full database (:func:`record_rates`).
    """
    from sqlalchemy import insert, text, update

    from storage.diff import count_words, field_diff, ops_to_json
    from storage.fingerprint import FIELDS, fingerprint, normalised_fields
    from storage.minhash import SCHEMES, band_hashes, signatures
    from storage.models import (
        Alert,
        Article,
        ArticleSignature,
        MinhashBand,
        Snapshot,
        Story,
        Version,
    )

    compressor = zstandard.ZstdCompressor(level=storage.packing.ZSTD_LEVEL)
    current: dict[int, storage.ArticleFields] = {}
    started = time.perf_counter()
    recorded, next_id = 0, 1
    for chunk in range(0, result.articles, batch):
        count = min(batch, result.articles - chunk)
        now = START + timedelta(minutes=chunk)
        with db.transaction() as s:
            candidates = [
                storage.Candidate(
                    f"https://{OUTLETS[(chunk + i) % len(OUTLETS)]}/news/{chunk + i}.html"
                )
                for i in range(count)
            ]
            ids = storage.add_candidates(s, source_id=None, candidates=candidates, now=now)
        versions, snapshots, alerts, bands, stories, articles = [], {}, [], [], [], []
        signed = []
        normal: dict[int, dict[str, object]] = {}
        for article_id in ids:
            previous: storage.ArticleFields | None = None
            for round_ in range(result.versions):
                fields = corpus.fields(article_id) if previous is None else corpus.edit(previous)
                fetched = now + timedelta(hours=round_)
                raw = page_of(fields)
                result.raw_bytes += len(raw)
                sha = hashlib.sha256(raw).hexdigest()
                snapshots[sha] = {
                    "sha256": sha,
                    "data": compressor.compress(raw),
                    "size": len(raw),
                    "created_at": fetched,
                }
                after = normalised_fields(fields)
                changed = (
                    []
                    if previous is None
                    else [f for f in FIELDS if normal[article_id][f] != after[f]]
                )
                diffs = {
                    f: field_diff(f, getattr(previous, f), getattr(fields, f)) for f in changed
                }
                counts = [count_words(ops) for ops in diffs.values()]
                normal[article_id] = after
                versions.append(
                    {
                        "id": next_id,
                        "article_id": article_id,
                        "number": round_ + 1,
                        "fetched_at": fetched,
                        "title": fields.title,
                        "subtitle": fields.subtitle,
                        "body": fields.body,
                        "authors": list(fields.authors),
                        "published": fields.published,
                        "fingerprint": fingerprint(fields),
                        "snapshot_sha256": sha,
                        "changed_fields": changed,
                        "words_added": sum(a for a, _ in counts),
                        "words_removed": sum(r for _, r in counts),
                        "diff": {f: ops_to_json(ops) for f, ops in diffs.items()},
                        "classes": [],
                        "kind": "new" if previous is None else "edit",
                        "origin": "fetch",
                    }
                )
                alerts.append(
                    {
                        "kind": "new" if previous is None else "edited",
                        "article_id": article_id,
                        "version_id": next_id,
                        "created_at": fetched,
                        "payload": {
                            "url": f"article {article_id}",
                            "title": fields.title,
                            "version": round_ + 1,
                            "changed_fields": changed,
                        },
                    }
                )
                previous, next_id = fields, next_id + 1
                recorded += 1
            current[article_id] = previous
            sigs = signatures(previous.body) if previous else None
            stories.append(
                {
                    "id": article_id,
                    "title": previous.title,
                    "first_article_id": article_id,
                    "created_at": now,
                }
            )
            if sigs is not None:
                signed.append(
                    {
                        "article_id": article_id,
                        "signature": b"".join(sigs[x.id].astype("<u4").tobytes() for x in SCHEMES),
                    }
                )
                bands.extend(
                    {"article_id": article_id, "scheme": scheme.id, "band": band, "hash": value}
                    for scheme in SCHEMES
                    for band, value in enumerate(band_hashes(sigs[scheme.id], scheme))
                )
            articles.append(
                {
                    "b_id": article_id,
                    "version_count": result.versions,
                    "current_version_id": next_id - 1,
                    "title": previous.title,
                    "current_fingerprint": versions[-1]["fingerprint"],
                    "last_changed_at": fetched,
                    "last_checked_at": fetched,
                    "status": "live",
                    "story_id": article_id,
                    "story_role": "first",
                }
            )
        with db.transaction() as s:
            conn = s.connection()
            conn.execute(
                insert(Snapshot).prefix_with("OR IGNORE", dialect="sqlite"),
                list(snapshots.values()),
            )
            conn.execute(insert(Story), stories)
            conn.execute(insert(Version), versions)
            conn.execute(insert(Alert), alerts)
            conn.execute(insert(MinhashBand), bands)
            if signed:
                conn.execute(insert(ArticleSignature), signed)
            a = Article.__table__  # type: ignore[attr-defined]
            conn.execute(update(a).where(a.c.id == bindparam("b_id")), articles)
            first, last = versions[0]["id"], versions[-1]["id"]
            if db.dialect == "sqlite":
                conn.execute(
                    text(
                        "INSERT INTO versions_fts(rowid, title, subtitle, body) SELECT id, title, "
                        "subtitle, body FROM versions WHERE id BETWEEN :f AND :l"
                    ),
                    {"f": first, "l": last},
                )
            else:
                # As storage.searchindex keeps them: the current text in article_search,
                # every earlier version in version_search, each document once.
                document = (
                    "to_tsvector('simple', coalesce(v.title, '') || ' ' || "
                    "coalesce(v.subtitle, '') || ' ' || v.body)"
                )
                conn.execute(
                    text(
                        "INSERT INTO version_search (version_id, article_id, document) SELECT "
                        f"v.id, v.article_id, {document} FROM versions v JOIN articles a "
                        "ON a.id = v.article_id WHERE v.id BETWEEN :f AND :l "
                        "AND a.current_version_id IS DISTINCT FROM v.id"
                    ),
                    {"f": first, "l": last},
                )
                conn.execute(
                    text(
                        "INSERT INTO article_search (article_id, version_id, document) SELECT "
                        f"a.id, v.id, {document} FROM articles a JOIN versions v "
                        "ON v.id = a.current_version_id WHERE v.id BETWEEN :f AND :l"
                    ),
                    {"f": first, "l": last},
                )
        if progress and (chunk // batch) % 10 == 0:
            rate = recorded / (time.perf_counter() - started)
            print(f"  {result.engine}: {recorded:,} versions, {rate:,.0f}/s", flush=True)
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            for table in ("versions", "alerts", "stories"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    result.ingest_seconds = time.perf_counter() - started
    result.ingest_rate = recorded / result.ingest_seconds
    return current


def record_rates(
    db: storage.Database,
    result: Result,
    corpus: Corpus,
    current: dict[int, storage.ArticleFields],
    rng: random.Random,
    n: int,
) -> None:
    """``record`` per call on the full database, the daemon's way: one transaction each, with
    ``reschedule_article`` in it. New articles (with story placement), then edits of them."""
    now = START + timedelta(days=500)
    with db.transaction() as s:
        candidates = [storage.Candidate(f"https://sample.example/news/{i}.html") for i in range(n)]
        ids = storage.add_candidates(s, source_id=None, candidates=candidates, now=now)
    fields = {i: corpus.fields(i) for i in ids}
    edits = {i: corpus.edit(f) for i, f in fields.items()}

    def one(
        article_id: int, f: storage.ArticleFields, kind: storage.OutcomeKind
    ) -> Callable[[], object]:
        def call() -> object:
            with db.transaction() as s:
                outcome = storage.record(
                    s, article_id=article_id, fields=f, snapshot=page_of(f), fetched_at=now
                )
                storage.reschedule_article(s, article_id=article_id, next_check_at=now, now=now)
            assert outcome.kind is kind, outcome
            return outcome

        return call

    samples = timed(one(i, fields[i], storage.OutcomeKind.NEW) for i in ids)
    result.record_new_rate = len(samples) / sum(samples)
    result.record_new_p50 = percentile(samples, 0.5)
    samples = timed(one(i, edits[i], storage.OutcomeKind.EDITED) for i in ids)
    result.record_edit_rate = len(samples) / sum(samples)
    result.record_edit_p50 = percentile(samples, 0.5)


def rechecks(
    db: storage.Database,
    result: Result,
    current: dict[int, storage.ArticleFields],
    rng: random.Random,
    n: int,
) -> None:
    """The daemon's unchanged recheck, exactly as ``scheduler/worker.py`` does it: one
    ``record_if_unchanged`` on a write connection (it reschedules too); then 304s, which the
    worker records once per pass with ``record_not_modified_many`` (a pass claims 32)."""
    ids = rng.sample(sorted(current), min(n, len(current)))
    now = START + timedelta(days=400)
    later = now + timedelta(hours=1)

    def one(article_id: int) -> Callable[[], object]:
        def call() -> object:
            with db.write_connection() as conn:
                outcome = storage.record_if_unchanged(
                    conn,
                    article_id=article_id,
                    fields=current[article_id],
                    fetched_at=now,
                    next_check_at=later,
                    etag='"v1"',
                )
            assert outcome is not None and outcome.kind is storage.OutcomeKind.UNCHANGED
            return outcome

        return call

    def not_modified(batch: list[int]) -> Callable[[], object]:
        def call() -> object:
            with db.transaction() as s:
                return storage.record_not_modified_many(
                    s, [storage.NotModifiedCheck(i, now, later) for i in batch]
                )

        return call

    samples = timed(one(i) for i in ids)
    result.recheck_rate = len(samples) / sum(samples)
    batches = [ids[i : i + PASS] for i in range(0, len(ids), PASS)]
    samples = timed(not_modified(batch) for batch in batches)
    result.not_modified_rate = len(ids) / sum(samples)


def reads(
    db: storage.Database, result: Result, corpus: Corpus, rng: random.Random, ids: list[int], n: int
) -> None:
    def history(article_id: int) -> Callable[[], object]:
        def call() -> object:
            with db.session() as s:
                return storage.versions_of(s, article_id)

        return call

    samples = timed(history(i) for i in rng.sample(ids, min(n, len(ids))))
    result.history_p50, result.history_p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    # Mid-frequency words (ranks 200-5,000), phrases of two, and prefixes: typical queries.
    mid = corpus.words[200:5000]
    queries = []
    for i in range(n):
        a, b = rng.choice(mid), rng.choice(mid)
        queries.append([a, f'"{a} {b}" OR {b}', f"{a[:4]}* {b}", f"{a} -{b}"][i % 4])

    def search(query: str, all_versions: bool) -> Callable[[], object]:
        def call() -> object:
            with db.session() as s:
                return storage.search(s, query, all_versions=all_versions, limit=20)

        return call

    samples = timed(search(q, False) for q in queries)
    result.search_p50, result.search_p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    samples = timed(search(q, True) for q in queries)
    result.search_all_p50 = percentile(samples, 0.5)
    result.search_all_p99 = percentile(samples, 0.99)
    listings(db, result, rng, n)


def listings(db: storage.Database, result: Result, rng: random.Random, n: int) -> None:
    """The pages the CLI, the API and the web page show: articles and recent edits, 50 a page,
    at a random depth, one outlet in four."""

    def outlet(i: int) -> str | None:
        return rng.choice(OUTLETS) if i % 4 == 0 else None

    def articles(offset: int, by: str | None) -> Callable[[], object]:
        def call() -> object:
            with db.session() as s:
                q = storage.ArticleQuery(outlet=by, limit=50, offset=offset)
                return storage.query_articles(s, q)

        return call

    def edits(offset: int, by: str | None) -> Callable[[], object]:
        def call() -> object:
            with db.session() as s:
                return storage.recent_edits(s, limit=50, offset=offset, outlet=by)

        return call

    pages = [(rng.randrange(0, 500), outlet(i)) for i in range(n)]
    samples = timed(articles(offset, by) for offset, by in pages)
    result.listing_p50, result.listing_p99 = percentile(samples, 0.5), percentile(samples, 0.99)
    samples = timed(edits(offset, by) for offset, by in pages)
    result.edits_p50, result.edits_p99 = percentile(samples, 0.5), percentile(samples, 0.99)


@contextmanager
def database(engine: str, args: argparse.Namespace) -> Iterator[storage.Database]:
    if engine == "sqlite":
        folder = Path(args.path or tempfile.mkdtemp(prefix="nw-bench-"))
        path = folder / f"bench-{uuid.uuid4().hex[:8]}.db"
        db = storage.open_database(f"sqlite:///{path}")
        try:
            yield db
        finally:
            db.close()
            if args.keep:
                print(f"kept: sqlite:///{path}", flush=True)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"nw_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.postgres_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)
    db = storage.open_database(url)
    try:
        yield db
    finally:
        db.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def size_of(db: storage.Database) -> int:
    if db.dialect == "sqlite":
        path = db.engine.url.database or ""
        return sum(
            Path(f"{path}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{path}{suffix}").exists()
        )
    with db.engine.connect() as conn:
        return int(
            conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() or 0
        )


def run(engine: str, args: argparse.Namespace) -> Result:
    result = Result(engine=engine, articles=args.articles, versions=args.versions)
    corpus, rng = Corpus(), random.Random(11)
    with database(engine, args) as db:
        print(
            f"{engine}: ingesting {args.articles:,} articles × {args.versions} versions", flush=True
        )
        build = bulk_ingest if args.ingest == "bulk" else ingest
        result.bulk = args.ingest == "bulk"
        current = build(db, result, corpus, batch=args.batch, progress=True)
        if db.dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            # On the driver's connection: SQLAlchemy would open a transaction first, and a
            # checkpoint cannot run inside one.
            raw = db.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA optimize")
                # Fold the bulk load's WAL into the file now, not during the first rechecks.
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        # Size first: what the history takes, before the samples below add to it.
        result.db_bytes = size_of(db)
        rechecks(db, result, current, rng, args.samples * 5)
        reads(db, result, corpus, rng, sorted(current), args.samples)
        record_rates(db, result, Corpus(seed=99), current, rng, args.samples)
    return result


def table(results: list[Result]) -> str:
    rows = [
        ("articles × versions", lambda r: f"{r.articles:,} × {r.versions}"),
        ("history build", lambda r: "bulk insert" if r.bulk else "record() batches"),
        ("build rate (versions/s)", lambda r: f"{r.ingest_rate:,.0f}"),
        ("build time", lambda r: f"{r.ingest_seconds / 60:.1f} min"),
        (
            "record() new, 1 tx each (/s, p50 ms)",
            lambda r: f"{r.record_new_rate:,.0f}, {r.record_new_p50:.2f}",
        ),
        (
            "record() edit, 1 tx each (/s, p50 ms)",
            lambda r: f"{r.record_edit_rate:,.0f}, {r.record_edit_p50:.2f}",
        ),
        ("unchanged recheck + reschedule (/s)", lambda r: f"{r.recheck_rate:,.0f}"),
        ("304 + reschedule (/s, 32 per tx)", lambda r: f"{r.not_modified_rate:,.0f}"),
        ("history p50 / p99 (ms)", lambda r: f"{r.history_p50:.2f} / {r.history_p99:.2f}"),
        ("search current p50 / p99 (ms)", lambda r: f"{r.search_p50:.1f} / {r.search_p99:.1f}"),
        (
            "search all versions p50 / p99 (ms)",
            lambda r: f"{r.search_all_p50:.1f} / {r.search_all_p99:.1f}",
        ),
        ("article list p50 / p99 (ms)", lambda r: f"{r.listing_p50:.1f} / {r.listing_p99:.1f}"),
        ("recent edits p50 / p99 (ms)", lambda r: f"{r.edits_p50:.1f} / {r.edits_p99:.1f}"),
        ("database size", lambda r: f"{r.db_bytes / 2**20:,.0f} MiB"),
        ("raw HTML recorded", lambda r: f"{r.raw_bytes / 2**20:,.0f} MiB"),
        ("database / raw HTML", lambda r: f"{r.db_bytes / max(r.raw_bytes, 1):.2f}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{'':{width}}  " + "  ".join(f"{r.engine:>18}" for r in results)]
    for name, cell in rows:
        lines.append(f"{name:{width}}  " + "  ".join(f"{cell(r):>18}" for r in results))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--batch", type=int, default=1000, help="articles per transaction")
    parser.add_argument(
        "--ingest",
        choices=["bulk", "record"],
        default="bulk",
        help="build the history with bulk inserts, or through record()",
    )
    parser.add_argument("--samples", type=int, default=1000, help="reads per measurement")
    parser.add_argument("--path", help="folder for the SQLite file (default: a temp folder)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the SQLite file there at the end (bench/reextract.py works on it)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "NEWSWATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    results = [run(engine, args) for engine in engines]
    print()
    print(table(results))


if __name__ == "__main__":
    main()
