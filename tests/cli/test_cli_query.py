"""The reading commands, sources management, exports and doctor, as a user types them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newswatch.cli import app
from newswatch.newsroom import Newsroom
from tests.api.populate import HOSTILE_URL, NEW_TITLE, Populated, populate
from tests.scheduler.webhooks import Receiver

runner = CliRunner()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Populated:
    return populate(tmp_path_factory.mktemp("cli"))


def invoke(filled: Populated, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--config", str(filled.config)])
    return result.exit_code, result.output


def test_article_filters_and_json(filled: Populated) -> None:
    code, output = invoke(filled, "articles", "--edited", "--json", "--limit", "100")
    assert code == 0
    urls = {a["url"] for a in json.loads(output)}
    assert urls == {filled.seed_url, filled.retitled_url, HOSTILE_URL}
    code, output = invoke(filled, "articles", "--topic", "Medinsky", "--json")
    assert [a["url"] for a in json.loads(output)] == [filled.seed_url]
    code, output = invoke(filled, "articles", "--since", "2999-01-01")
    assert code == 1
    for bad in (["--since", "soon"], ["--topic", '"open'], ["--limit", "-1"]):
        code, output = invoke(filled, "articles", *bad)
        assert code == 2, (bad, output)


def test_show_edits_search_stories_alerts_stats(filled: Populated) -> None:
    code, output = invoke(filled, "show", filled.retitled_url, "--json")
    assert code == 0 and json.loads(output)["version"]["title"] == NEW_TITLE
    code, output = invoke(filled, "show", filled.retitled_url, "--version", "1", "--json")
    assert json.loads(output)["version"]["title"] != NEW_TITLE
    assert invoke(filled, "show", filled.retitled_url, "--version", "7")[0] == 1
    assert invoke(filled, "show", "https://nowhere.example/x.html")[0] == 1
    code, output = invoke(filled, "edits", "--class", "headline", "--json")
    assert [e["title"] for e in json.loads(output)] == [NEW_TITLE]
    code, output = invoke(filled, "search", "Madinsky", "--all-versions", "--json")
    assert code == 0 and json.loads(output)[0]["current"] is False
    assert invoke(filled, "search", "Madinsky")[0] == 1
    assert invoke(filled, "search", '"unclosed')[0] == 2
    code, output = invoke(filled, "stories", "--json")
    assert code == 0 and json.loads(output)[0]["articles"] >= 2
    code, output = invoke(filled, "alerts", "pending", "--json")
    assert code == 0 and {a["state"] for a in json.loads(output)} == {"pending"}
    assert invoke(filled, "alerts", "lost")[0] == 2
    code, output = invoke(filled, "stats", "--json")
    assert json.loads(output)["edited_articles"] == 3


def test_diff_side_by_side(filled: Populated) -> None:
    code, output = invoke(filled, "diff", filled.seed_url, "--side-by-side")
    assert code == 0
    assert "version 1" in output and "version 2" in output
    assert "Madinsky" in output and "Medinsky" in output and "unchanged paragraph" in output


def test_export_jsonl_csv_and_a_warc_warcio_reads(filled: Populated, tmp_path: Path) -> None:
    warcio = pytest.importorskip("warcio.archiveiterator")
    code, output = invoke(filled, "export", "--format", "jsonl", "--edited")
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert code == 0 and len(lines) == 6  # three edited articles, two versions each
    assert {"article", "version"} == set(lines[0]) and lines[0]["version"]["number"] == 1

    target = tmp_path / "out.csv"
    assert invoke(filled, "export", "--format", "csv", "-o", str(target), "--latest")[0] == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 43 and {"url", "version", "title", "body"} <= set(rows[0])

    warc = tmp_path / "out.warc.gz"
    assert invoke(filled, "export", "--format", "warc", "-o", str(warc))[0] == 0
    records: dict[str, list[tuple[str | None, bytes]]] = {}
    with warc.open("rb") as stream:
        for record in warcio.ArchiveIterator(stream, check_digests=True):
            body = record.content_stream().read()
            records.setdefault(record.rec_type, []).append(
                (record.rec_headers.get_header("WARC-Target-URI"), body)
            )
    assert len(records["warcinfo"]) == 1
    assert len(records["metadata"]) == 46  # every version of every article
    seed_pages = [body for uri, body in records["response"] if uri == filled.seed_url]
    assert any(b"Madinsky" in body for body in seed_pages)  # the raw page, before the edit
    assert any(b"Medinsky" in body for body in seed_pages)


def test_sources_add_remove_edit_the_config_file(filled: Populated, tmp_path: Path) -> None:
    config = tmp_path / "nw.toml"
    config.write_text(filled.config.read_text(encoding="utf-8") + "\n# my comment\n")
    url = "https://example.org/rss.xml"

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, [*args, "--config", str(config)])
        return result.exit_code, result.output

    code, output = run("sources", "add", url, "--every", "10m", "--json")
    assert code == 0 and json.loads(output)["enabled"] is True
    assert json.loads(output)["origin"] == "manual"  # until a daemon starts with the file
    assert f'url = "{url}"' in config.read_text() and "# my comment" in config.read_text()
    code, output = run("sources", "list", "--json")
    assert {s["url"]: s["origin"] for s in json.loads(output)}[url] == "manual"
    assert run("sources", "add", "ftp://x")[0] == 2
    assert run("sources", "add", url, "--kind", "zine")[0] == 2
    code, output = run("sources", "remove", url)
    assert code == 0 and url not in config.read_text() and "# my comment" in config.read_text()
    code, output = run("sources", "list", "--json")
    assert {s["url"]: s["enabled"] for s in json.loads(output)}[url] is False
    assert run("sources", "remove", "https://never.example/rss")[0] == 1


def test_doctor_and_sources_check_ask_every_source(tmp_path: Path) -> None:
    room = Newsroom.with_articles().start()
    try:
        config = tmp_path / "nw.toml"
        config.write_text(f"""
[database]
url = "sqlite:///{tmp_path / "nw.db"}"

[[sources]]
url = "{room.base_url}/feed.xml"
kind = "feed"

[fetch]
allow = ["{room.address}"]
""")
        result = runner.invoke(app, ["doctor", "--config", str(config), "--json"])
        assert result.exit_code == 0, result.output
        checks = json.loads(result.output)
        assert [c["ok"] for c in checks] == [True, True, True, True]
        assert checks[2]["check"] == "alert channel console://"  # the default channel
        assert "link(s)" in checks[3]["detail"]
        result = runner.invoke(
            app,
            ["sources", "check", f"{room.base_url}/feed.xml", "--config", str(config), "--json"],
        )
        assert result.exit_code == 0 and json.loads(result.output)[0]["links"] > 0
        config.write_text(
            config.read_text()
            + """
[[sources]]
url = "http://127.0.0.1:9/feed.xml"
kind = "feed"
"""
        )
        result = runner.invoke(app, ["doctor", "--config", str(config)])
        assert result.exit_code == 1 and "FAIL" in result.output
        config.write_text(config.read_text() + '\n[[alerts]]\nurl = "jsonl://"\n')
        result = runner.invoke(app, ["doctor", "--config", str(config), "--json"])
        [alert] = [c for c in json.loads(result.output) if c["check"] == "alert channel"]
        assert (
            result.exit_code == 1 and not alert["ok"] and "needs a file path" in alert["detail"]
        ), "the channel `run` would refuse is reported"
    finally:
        room.stop()
    bad = tmp_path / "bad.toml"
    bad.write_text("[api]\nport = 'eighty'\n")
    assert runner.invoke(app, ["doctor", "--config", str(bad)]).exit_code == 2


FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>
<item><title>Envoys arrive</title><link>https://desk.example/envoys</link></item>
</channel></rss>"""


def test_doctor_and_sources_check_go_through_the_configured_proxy(tmp_path: Path) -> None:
    # Nothing listens on the source's own port: only a fetch through the proxy (the loopback
    # receiver, which answers with a feed) can read it.
    proxy = Receiver()
    proxy.page = FEED
    try:
        config = tmp_path / "nw.toml"
        config.write_text(f"""
[database]
url = "sqlite:///{tmp_path / "nw.db"}"

[[sources]]
url = "http://127.0.0.1:9/feed.xml"
kind = "feed"

[fetch]
allow = ["127.0.0.1:9"]
proxy = "http://{proxy.address}"
""")
        result = runner.invoke(app, ["doctor", "--config", str(config), "--json"])
        assert result.exit_code == 0, result.output
        [source] = [c for c in json.loads(result.output) if c["check"].startswith("source ")]
        assert source["ok"] and "1 link(s)" in source["detail"], source
        result = runner.invoke(app, ["sources", "check", "--config", str(config), "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)[0]["links"] == 1
        assert proxy.targets == ["GET http://127.0.0.1:9/feed.xml"] * 2
    finally:
        proxy.close()
