"""The fault suite: the newsroom misbehaves in one way per test, the daemon's pass survives.

Every test ends the same way (:meth:`Scene.check`): the pass raised nothing (the daemon is
alive), the failure is in the fetch log and in the article's or source's ``last_error`` under
the right ``kind``, the item is pushed out (backoff, Retry-After, robots retry) instead of being
retried at once, and a second, healthy newsroom, a different host polled in the same pass,
still yields its article. Timeouts and backoffs are made small in the settings, so nothing here
waits long and nothing sleeps.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import col, select

import storage
from newswatch.newsroom import Newsroom
from scheduler.worker import PassReport
from scraper.urls import canonicalize_url

from .conftest import Clock, Pipeline, make_settings

SEED = "envoys-arrive-istanbul-second-meeting"
HEALTHY = "istanbul-talks-delegations-swap-rival-peace-memorandums"
MiB = 1024 * 1024


@dataclass
class Scene:
    """A faulty newsroom and a healthy one (another host), watched by one pipeline."""

    faulty: Newsroom
    healthy: Newsroom
    tmp_path: Path
    clock: Clock = field(default_factory=Clock)
    pipeline: Pipeline | None = None
    report: PassReport | None = None

    def configure(self, *, sources: list[dict[str, object]] | None = None, **fetch: object) -> None:
        faulty_sources = (
            sources
            if sources is not None
            else [{"url": f"{self.faulty.base_url}/feed.xml", "kind": "feed"}]
        )
        settings = make_settings(
            self.faulty,
            self.tmp_path,
            sources=[*faulty_sources, {"url": f"{self.healthy.base_url}/feed.xml", "kind": "feed"}],
        )
        base = settings.model_dump()["fetch"]
        # The guard refuses loopback: both newsrooms, and each faulty source's own port.
        allow = [
            self.faulty.address,
            self.healthy.address,
            *(
                urlsplit(str(s["url"])).netloc
                for s in faulty_sources
                if str(s["url"]).startswith("http://127.0.0.1:")
            ),
        ]
        settings = make_settings(
            self.faulty,
            self.tmp_path,
            sources=[*faulty_sources, {"url": f"{self.healthy.base_url}/feed.xml", "kind": "feed"}],
            fetch={**base, "allow": allow, **fetch},
        )
        self.pipeline = Pipeline(
            room=self.faulty,
            settings=settings,
            clock=self.clock,
            alerts_file=self.tmp_path / "alerts.jsonl",
        )

    def run(self) -> PassReport:
        if self.pipeline is None:
            self.configure()
        assert self.pipeline is not None
        self.report = self.pipeline.run_pass()
        return self.report

    def fetch_log(self) -> list[storage.FetchLog]:
        assert self.pipeline is not None
        with self.pipeline.db() as db, db.session() as session:
            return list(
                session.exec(select(storage.FetchLog).order_by(col(storage.FetchLog.id))).all()
            )

    def source(self, url: str) -> storage.Source:
        assert self.pipeline is not None
        with self.pipeline.db() as db, db.session() as session:
            found = session.exec(
                select(storage.Source).where(col(storage.Source.url) == url)
            ).first()
        assert found is not None, url
        return found

    def article(self, slug: str) -> storage.Article:
        assert self.pipeline is not None
        return self.pipeline.article(slug)

    def check(
        self,
        *,
        kind: str,
        logged: str | None = None,
        article: str | None = None,
        source: str | None = None,
        at_least: timedelta = timedelta(0),
    ) -> None:
        """The four promises of the fault suite."""
        now = self.clock()
        assert self.report is not None and self.report.errors == 0, "the pass survived"
        log = self.fetch_log()
        kinds = {(line.url.rsplit("/", 1)[-1], line.error_kind) for line in log}
        assert any(
            line.error_kind == kind and (logged is None or line.url.endswith(logged))
            for line in log
        ), f"no {kind!r} in the fetch log: {sorted(kinds, key=str)}"
        if article is not None:
            row = self.article(article)
            assert (row.last_error or "").startswith(f"{kind}:"), row.last_error
            assert row.next_check_at is not None and row.next_check_at > now + at_least
        if source is not None:
            src = self.source(source)
            assert (src.last_error or "").startswith(f"{kind}:"), src.last_error
            assert src.next_check_at > now + at_least
        healthy = canonicalize_url(self.healthy.url_of(HEALTHY))
        assert healthy in {a["url"] for a in self.pipeline.alerts()}, "healthy host unaffected"  # type: ignore[union-attr]


@pytest.fixture
def scene(quiet_room: Newsroom, tmp_path: Path) -> Iterator[Scene]:
    healthy = Newsroom().start()
    try:
        quiet_room.publish(SEED)
        healthy.publish(HEALTHY)
        yield Scene(faulty=quiet_room, healthy=healthy, tmp_path=tmp_path)
    finally:
        healthy.stop()


def article_fault(
    scene: Scene,
    mode: str,
    kind: str,
    *,
    at_least: timedelta = timedelta(0),
    fetch: dict[str, object] | None = None,
    **opts: object,
) -> None:
    scene.faulty.misbehave(SEED, mode, **opts)
    scene.configure(**(fetch or {}))
    scene.run()
    scene.check(
        kind=kind,
        article=SEED,
        logged=scene.faulty.path_of(SEED).rsplit("/", 1)[-1],
        at_least=at_least,
    )


# -- the connection ------------------------------------------------------------------------------


def test_connection_refused(scene: Scene) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    scene.configure(sources=[{"url": url, "kind": "feed"}])
    scene.run()
    scene.check(kind="connect", logged="robots.txt", source=url)


def test_dns_failure(scene: Scene) -> None:
    url = "http://newsroom.invalid/feed.xml"  # .invalid never resolves (RFC 2606)
    scene.configure(sources=[{"url": url, "kind": "feed"}])
    scene.run()
    scene.check(kind="dns", logged="robots.txt", source=url)


def test_connect_timeout(scene: Scene) -> None:
    # A listening socket that never accepts, its backlog filled: the kernel drops our SYN.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        try:
            url = f"http://127.0.0.1:{port}/feed.xml"
            scene.configure(sources=[{"url": url, "kind": "feed"}], connect_timeout="200ms")
            scene.run()
        finally:
            for filler in fillers:
                filler.close()
    scene.check(kind="connect_timeout", logged="robots.txt", source=url)


def test_slow_drip_body_hits_the_total_timeout(scene: Scene) -> None:
    article_fault(
        scene, "drip", "timeout", chunk=64, interval=0.05, fetch={"total_timeout": "300ms"}
    )


def test_read_timeout(scene: Scene) -> None:
    article_fault(scene, "slow", "read_timeout", seconds=3, fetch={"timeout": "200ms"})


# -- statuses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 502])
def test_server_errors(scene: Scene, code: int) -> None:
    article_fault(scene, "status", "http_status", code=code)
    [line] = [x for x in scene.fetch_log() if x.error_kind == "http_status"]
    assert line.status == code


def test_503_with_retry_after(scene: Scene) -> None:
    article_fault(
        scene, "status", "http_status", code=503, retry_after=900, at_least=timedelta(seconds=899)
    )


def test_429_with_retry_after_in_seconds(scene: Scene) -> None:
    article_fault(
        scene, "status", "http_status", code=429, retry_after=600, at_least=timedelta(seconds=599)
    )


def test_429_with_retry_after_as_an_http_date(scene: Scene) -> None:
    when = datetime.now(UTC) + timedelta(minutes=20)
    article_fault(
        scene, "status", "http_status", code=429, retry_after=when, at_least=timedelta(minutes=19)
    )


def test_403(scene: Scene) -> None:
    article_fault(scene, "status", "http_status", code=403)


# -- redirects -----------------------------------------------------------------------------------


def test_redirect_loop(scene: Scene) -> None:
    article_fault(scene, "redirect_loop", "redirects")


def test_too_many_redirects(scene: Scene) -> None:
    article_fault(scene, "redirect_chain", "redirects", hops=30)


def test_redirect_to_a_non_http_scheme(scene: Scene) -> None:
    article_fault(scene, "redirect_scheme", "bad_redirect")


# -- bodies --------------------------------------------------------------------------------------


def test_body_over_the_size_cap(scene: Scene) -> None:
    article_fault(scene, "huge", "too_large", size=3 * MiB, length=False, fetch={"max_bytes": MiB})


# The newsroom builds a bomb on first use (brotli at quality 11 takes a while): the timeouts
# are generous here so only the size cap can end the fetch.
BOMB_LIMITS = {"max_bytes": MiB, "timeout": "60s", "total_timeout": "120s"}


def test_gzip_bomb(scene: Scene) -> None:
    article_fault(scene, "gzip_bomb", "too_large", size=64 * MiB, fetch=BOMB_LIMITS)


def test_brotli_bomb(scene: Scene) -> None:
    article_fault(scene, "brotli_bomb", "too_large", size=64 * MiB, fetch=BOMB_LIMITS)


def test_truncated_body(scene: Scene) -> None:
    article_fault(scene, "truncated", "protocol")


def test_html_served_as_octet_stream(scene: Scene) -> None:
    article_fault(scene, "octet_stream", "content_type")


def test_empty_200(scene: Scene) -> None:
    article_fault(scene, "empty", "empty")


@pytest.mark.parametrize("mode", ["wrong_charset", "invalid_utf8"])
def test_charset_faults_are_recovered_not_failed(scene: Scene, mode: str) -> None:
    """A lying charset or a few broken bytes are read correctly: nothing to back off from."""
    scene.faulty.misbehave(SEED, mode)
    scene.run()
    assert scene.report is not None and scene.report.errors == 0
    article = scene.article(SEED)
    assert article.status == "live" and article.last_error is None
    [version] = scene.pipeline.versions(SEED)  # type: ignore[union-attr]
    with scene.pipeline.db() as db, db.session() as session:  # type: ignore[union-attr]
        stored = storage.get_version(session, article.id, version.number)
    assert stored is not None and "Istanbul" in (stored.title or "")
    assert "Ã" not in stored.body, "UTF-8 was not re-read as Latin-1"
    assert canonicalize_url(scene.healthy.url_of(HEALTHY)) in {
        a["url"] for a in scene.pipeline.alerts()
    }  # type: ignore[union-attr]


# Python codec names that are not text encodings, and text encodings no browser honours: a page
# naming one gets no say in how it is read (the WHATWG Encoding Standard's labels only).
FOREIGN_LABELS = [
    "hex",
    "rot13",
    "undefined",
    "base64",
    "zlib",
    "utf-7",
    "bz2",
    "uu",
    "quopri",
    "unicode_escape",
    "raw_unicode_escape",
    "idna",
    "punycode",
    "utf-32",
    "x-user-defined",
    "replacement",
    "no-such-codec",
]


@pytest.mark.parametrize("label", FOREIGN_LABELS)
def test_article_declaring_a_foreign_charset_is_read_once(scene: Scene, label: str) -> None:
    """Bytes that are not UTF-8 under a label like hex: the label is ignored, the bytes are
    guessed, the article is recorded in the one pass and rescheduled by the policy."""
    scene.faulty.misbehave(SEED, "wrong_charset", charset=label, meta=True, encode_as="cp1252")
    scene.run()
    assert scene.report is not None and scene.report.errors == 0, "no unexpected error"
    article = scene.article(SEED)
    assert article.status == "live" and article.last_error is None, article.last_error
    assert article.next_check_at is not None
    assert article.next_check_at >= scene.clock() + timedelta(minutes=15), "not retried at once"
    with scene.pipeline.db() as db, db.session() as session:  # type: ignore[union-attr]
        stored = storage.get_version(session, article.id, 1)
    assert stored is not None and "Istanbul" in (stored.title or "")
    assert "Çırağan Palace" in stored.body
    assert len(scene.faulty.requests_for(scene.faulty.path_of(SEED))) == 1


@pytest.mark.parametrize("path,kind", [("/feed.xml", "feed"), ("/sitemap.xml", "sitemap")])
@pytest.mark.parametrize("label", ["hex", "undefined", "utf-7", "zlib"])
def test_feed_declaring_a_foreign_charset_is_read(
    scene: Scene, label: str, path: str, kind: str
) -> None:
    """The header and the XML declaration both name the label: the document is still read."""
    scene.faulty.misbehave(path, "wrong_charset", charset=label, meta=True, encode_as="cp1252")
    url = f"{scene.faulty.base_url}{path}"
    scene.configure(sources=[{"url": url, "kind": kind}])
    scene.run()
    assert scene.report is not None and scene.report.errors == 0
    src = scene.source(url)
    assert src.last_error is None, src.last_error
    assert scene.article(SEED).status == "live", "its article was found and recorded"


# -- robots.txt ----------------------------------------------------------------------------------


def test_robots_disallow_is_recorded_and_never_fetched(scene: Scene) -> None:
    scene.faulty.set_robots("User-agent: *\nDisallow: /en/\n")
    scene.configure()
    scene.run()
    scene.check(kind="disallowed", article=SEED, at_least=timedelta(hours=23))
    assert scene.faulty.requests_for(SEED) == [], "the disallowed page was never requested"
    assert scene.article(SEED).last_error == "disallowed: disallowed by robots.txt"


def test_robots_txt_that_is_itself_a_500(scene: Scene) -> None:
    scene.faulty.misbehave("/robots.txt", "status", code=500)
    feed = f"{scene.faulty.base_url}/feed.xml"
    scene.configure()
    scene.run()
    scene.check(kind="robots_unavailable", source=feed, at_least=timedelta(minutes=29))
    [robots] = [
        line
        for line in scene.fetch_log()
        if line.url.endswith("/robots.txt") and line.status == 500
    ]
    assert robots.error_kind == "http_status"
    assert scene.faulty.requests_for("/feed.xml") == [], "disallow-all until robots.txt answers"


# -- feeds and sitemaps --------------------------------------------------------------------------


def test_malformed_feed_xml_is_salvaged_and_reported(scene: Scene) -> None:
    scene.faulty.publish_all()
    scene.faulty.misbehave("/feed.xml", "malformed_xml")
    feed = f"{scene.faulty.base_url}/feed.xml"
    scene.configure()
    scene.run()
    assert scene.report is not None and scene.report.errors == 0
    src = scene.source(feed)
    assert (src.last_error or "").startswith("partial: feed is not well-formed")
    assert src.next_check_at > scene.clock() + timedelta(minutes=4)
    assert scene.report.outcomes.get("new", 0) > 1, "the readable entries were used"


def test_feed_with_an_entity_expansion_attack(scene: Scene) -> None:
    scene.faulty.misbehave("/feed.xml", "xml_bomb")
    feed = f"{scene.faulty.base_url}/feed.xml"
    scene.configure()
    scene.run()
    assert scene.report is not None and scene.report.errors == 0
    src = scene.source(feed)
    assert (src.last_error or "").startswith("unsafe_xml:"), src.last_error
    assert src.next_check_at > scene.clock()
    [line] = [x for x in scene.fetch_log() if x.url == feed]
    assert line.status == 200 and line.bytes < 10_000, "fetched, then refused unexpanded"


def test_sitemap_index_that_points_to_itself(scene: Scene) -> None:
    scene.faulty.misbehave("/sitemap-index.xml", "sitemap_self_index")
    index = f"{scene.faulty.base_url}/sitemap-index.xml"
    scene.configure(sources=[{"url": index, "kind": "sitemap"}])
    scene.run()
    assert scene.report is not None and scene.report.errors == 0
    src = scene.source(index)
    assert (src.last_error or "").startswith("sitemap_loop:"), src.last_error
    assert src.next_check_at > scene.clock()
    assert len(scene.faulty.requests_for("/sitemap-index.xml")) == 1, "read once, not looped"


# -- delays a server asks for ---------------------------------------------------------------------

SIX_HOURS = timedelta(hours=6)


@pytest.mark.parametrize("retry_after", ["9" * 30, "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_an_absurd_retry_after_pauses_the_host_six_hours_at_most(
    scene: Scene, retry_after: str
) -> None:
    """One header must not switch a site's monitoring off: not for years, not by an overflow
    that breaks every later item of the host, and not through the pause the daemons share."""
    started = scene.clock()
    scene.faulty.misbehave(SEED, "status", code=429, retry_after=retry_after)
    scene.configure(delay="1ms")  # a delay: the host's pause goes through the shared ledger
    scene.run()
    scene.check(kind="http_status", article=SEED, at_least=SIX_HOURS - timedelta(minutes=1))
    assert scene.article(SEED).next_check_at <= started + SIX_HOURS + timedelta(minutes=1)  # type: ignore[operator]
    assert scene.pipeline is not None
    with scene.pipeline.db() as db, db.session() as session:
        slot = session.get(storage.HostSlot, f"http://{scene.faulty.address}")
    assert slot is not None and slot.paused_until is not None
    assert slot.paused_until <= datetime.now(UTC) + SIX_HOURS + timedelta(minutes=1)

    # The next daemon start (a new runtime) meets the stored pause: the host's feed is put off
    # until the pause ends, with no error and no lease left behind.
    scene.clock.advance(minutes=20)
    report = scene.run()
    assert report.errors == 0
    feed = scene.source(f"{scene.faulty.base_url}/feed.xml")
    assert feed.lease_owner is None and (feed.last_error or "").startswith("paused:")
    assert feed.next_check_at <= scene.clock() + SIX_HOURS + timedelta(minutes=1)


def test_a_pause_stored_until_the_year_9999_ends_within_six_hours(scene: Scene) -> None:
    """An older version believed Retry-After blindly and stored it: it heals on read."""
    scene.configure(delay="1ms")
    assert scene.pipeline is not None
    with scene.pipeline.db() as db, db.transaction() as session:
        session.add(
            storage.HostSlot(
                host=f"http://{scene.faulty.address}",
                next_start=datetime.now(UTC),
                paused_until=datetime(9999, 12, 31, tzinfo=UTC),
                pause_reason="HTTP 429 Retry-After forever",
            )
        )
    report = scene.run()
    assert report.errors == 0
    feed = scene.source(f"{scene.faulty.base_url}/feed.xml")
    assert (feed.last_error or "").startswith("paused:"), feed.last_error
    assert feed.next_check_at <= scene.clock() + SIX_HOURS + timedelta(minutes=1)
