"""A watched site cannot steer the daemon to an internal service.

The newsroom publishes, through every path a third party controls, links to a stand-in
internal "admin" service on loopback (IPv4 and IPv6): feed items (RSS, Atom, JSON Feed),
sitemap entries, sitemap-index children, listing-page links, redirects and canonical links,
in every encoded form an attacker would try. The daemon allows exactly the newsroom's own
address. Its ports list includes the admin services' ports, so what refuses them is the
address rule, judged after resolution (``localhost``), not the port rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

import storage
from newswatch.newsroom import Newsroom
from tests.internal_service import SECRET, InternalService

from .conftest import Clock, Pipeline, make_settings

SEED = "envoys-arrive-istanbul-second-meeting"
SECOND = "istanbul-talks-delegations-swap-rival-peace-memorandums"


class Internal:
    """The admin service on 127.0.0.1 and on ::1."""

    def __init__(self, v4: InternalService, v6: InternalService) -> None:
        self.v4, self.v6 = v4, v6

    def links(self, path: str) -> list[str]:
        """Every form of "the admin service" a hostile document would use."""
        p4 = self.v4.port
        return [
            self.v4.url(path),
            f"http://localhost:{p4}{path}",
            f"http://0x7f000001:{p4}{path}",
            f"http://2130706433:{p4}{path}",
            f"http://0177.0.0.1:{p4}{path}",
            f"http://127.1:{p4}{path}",
            f"http://[::ffff:127.0.0.1]:{p4}{path}",
            self.v6.url(path),
            f"http://169.254.169.254{path}",
            f"http://metadata.google.internal{path}",
        ]

    @property
    def requests(self) -> list[str]:
        return self.v4.requests + self.v6.requests


@pytest.fixture
def internal() -> Iterator[Internal]:
    with InternalService("127.0.0.1") as v4, InternalService("::1") as v6:
        yield Internal(v4, v6)


def pipeline(
    room: Newsroom, internal: Internal, tmp_path: Path, *, sources: list[dict[str, object]]
) -> Pipeline:
    settings = make_settings(
        room,
        tmp_path,
        sources=sources,
        fetch={
            "delay": "0s",
            "per_host": 8,
            "allow": [room.address],
            "ports": [80, 443, internal.v4.port, internal.v6.port],
        },
    )
    return Pipeline(
        room=room, settings=settings, clock=Clock(), alerts_file=tmp_path / "alerts.jsonl"
    )


def stored_urls(p: Pipeline) -> list[str]:
    """The URLs of articles with at least one version (refused candidates have none)."""
    with p.db() as db, db.session() as session:
        return [a.url for a in session.exec(select(storage.Article)).all() if a.version_count]


def stored_text(p: Pipeline) -> str:
    with p.db() as db, db.session() as session:
        versions = session.exec(select(storage.Version)).all()
        return " ".join(f"{v.title} {v.body}" for v in versions)


def fetch_log(p: Pipeline) -> list[storage.FetchLog]:
    with p.db() as db, db.session() as session:
        return list(session.exec(select(storage.FetchLog).order_by(col(storage.FetchLog.id))))


def assert_untouched(p: Pipeline, internal: Internal) -> None:
    assert internal.requests == [], "the internal service was asked"
    assert SECRET not in stored_text(p), "the internal page was stored"
    ports = {str(internal.v4.port), str(internal.v6.port)}
    assert not [u for u in stored_urls(p) if u.rsplit(":", 1)[-1].split("/")[0] in ports]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/feed.xml", "feed"),
        ("/atom.xml", "feed"),
        ("/sitemap.xml", "sitemap"),
        ("/sitemap-index.xml", "sitemap"),
        ("/", "page"),
    ],
)
def test_links_in_every_kind_of_source_never_reach_the_internal_service(
    quiet_room: Newsroom, internal: Internal, tmp_path: Path, path: str, kind: str
) -> None:
    quiet_room.publish(SEED)
    quiet_room.misbehave(path, "plant_links", urls=internal.links("/from" + path))
    p = pipeline(
        quiet_room, internal, tmp_path, sources=[{"url": quiet_room.base_url + path, "kind": kind}]
    )
    report = p.run_pass()
    assert report.errors == 0
    assert_untouched(p, internal)
    assert [a["url"] for a in p.alerts()] == [p.url(SEED)], "the newsroom's own article"
    # A name that resolves to loopback gets through discovery and is refused at connect time;
    # literal forms are dropped at discovery, and the source says so.
    refused = [line for line in fetch_log(p) if line.error_kind == "forbidden_address"]
    if kind != "page":  # a listing page keeps only its own site's links in the first place
        assert any("localhost" in line.url for line in refused), [r.url for r in refused]
        with p.db() as db, db.session() as session:
            source = session.exec(select(storage.Source)).one()
        assert "forbidden_address" in (source.last_error or ""), source.last_error


def test_a_json_feed_and_a_sitemap_index_child_are_guarded(
    quiet_room: Newsroom, internal: Internal, tmp_path: Path
) -> None:
    quiet_room.misbehave("/feed.json", "json_feed", urls=internal.links("/json"))
    quiet_room.misbehave(
        "/sitemap-index.xml",
        "plant_links",
        urls=[internal.v4.url("/child.xml"), f"http://localhost:{internal.v4.port}/child.xml"],
    )
    p = pipeline(
        quiet_room,
        internal,
        tmp_path,
        sources=[
            {"url": quiet_room.base_url + "/feed.json", "kind": "feed"},
            {"url": quiet_room.base_url + "/sitemap-index.xml", "kind": "sitemap"},
        ],
    )
    assert p.run_pass().errors == 0
    assert_untouched(p, internal)
    refused = {line.url for line in fetch_log(p) if line.error_kind == "forbidden_address"}
    # A literal address is refused before anything is asked; a name once it resolves, at its
    # first request (robots.txt).
    assert internal.v4.url("/child.xml") in refused, refused
    assert f"http://localhost:{internal.v4.port}/robots.txt" in refused, refused


@pytest.mark.parametrize("target", ["v4", "localhost", "v6", "encoded"])
def test_a_redirect_to_the_internal_service_is_refused_and_recorded(
    quiet_room: Newsroom, internal: Internal, tmp_path: Path, target: str
) -> None:
    quiet_room.publish(SEED)
    to = {
        "v4": internal.v4.url(),
        "localhost": f"http://localhost:{internal.v4.port}/admin",
        "v6": internal.v6.url(),
        "encoded": f"http://0x7f000001:{internal.v4.port}/",
    }[target]
    quiet_room.misbehave(SEED, "redirect", to=to, code=302)
    p = pipeline(
        quiet_room,
        internal,
        tmp_path,
        sources=[{"url": quiet_room.base_url + "/feed.xml", "kind": "feed"}],
    )
    assert p.run_pass().errors == 0
    assert_untouched(p, internal)
    article = p.article(SEED)
    assert (article.last_error or "").startswith("forbidden_address:"), article.last_error
    assert "[fetch] allow" in (article.last_error or ""), "the error says how to allow it"
    assert p.alerts() == []


def test_a_canonical_link_to_another_port_does_not_move_the_article(
    quiet_room: Newsroom, internal: Internal, tmp_path: Path
) -> None:
    quiet_room.publish(SEED)
    quiet_room.publish(SECOND)
    quiet_room.misbehave(SEED, "canonical_to", url=internal.v4.url("/canonical"))
    quiet_room.misbehave(
        SECOND, "canonical_to", url=f"http://localhost:{internal.v4.port}/canonical"
    )
    p = pipeline(
        quiet_room,
        internal,
        tmp_path,
        sources=[{"url": quiet_room.base_url + "/feed.xml", "kind": "feed"}],
    )
    p.run_pass()
    p.clock.advance(hours=1)
    p.run_pass()  # the recheck goes to the page's own address again
    assert_untouched(p, internal)
    assert sorted(stored_urls(p)) == sorted([p.url(SEED), p.url(SECOND)])
    assert len(quiet_room.requests_for(SEED)) == 2


def test_a_configured_source_on_a_forbidden_address_says_how_to_allow_it(
    quiet_room: Newsroom, internal: Internal, tmp_path: Path
) -> None:
    p = pipeline(
        quiet_room,
        internal,
        tmp_path,
        sources=[{"url": internal.v4.url("/feed.xml"), "kind": "feed"}],
    )
    assert p.run_pass().errors == 0
    assert internal.requests == []
    with p.db() as db, db.session() as session:
        source = session.exec(select(storage.Source)).one()
    assert (source.last_error or "").startswith("forbidden_address:"), source.last_error
    assert 'add "127.0.0.1" to [fetch] allow' in (source.last_error or "")


def test_the_port_rule_refuses_what_the_address_rule_would_allow(
    quiet_room: Newsroom, internal: Internal, tmp_path: Path
) -> None:
    """Allowed as an address (127.0.0.1, every port) but not on a port outside ``ports``...
    unless an allow entry names the address: that entry is trusted on every port."""
    quiet_room.publish(SEED)
    quiet_room.misbehave("/feed.xml", "plant_links", urls=[internal.v4.url("/p")])
    settings = make_settings(
        quiet_room,
        tmp_path,
        sources=[{"url": quiet_room.base_url + "/feed.xml", "kind": "feed"}],
        fetch={"delay": "0s", "allow_private": True, "allow": [quiet_room.address]},
    )
    p = Pipeline(
        room=quiet_room, settings=settings, clock=Clock(), alerts_file=tmp_path / "alerts.jsonl"
    )
    assert p.run_pass().errors == 0
    assert internal.requests == [], "allow_private does not open every port"
    with p.db() as db, db.session() as session:
        source = session.exec(select(storage.Source)).one()
    assert f"port {internal.v4.port} is not one of the allowed ports" in (source.last_error or "")
