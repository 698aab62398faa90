"""Bad input to any command ends in a clean message and exit code, never a traceback.

Exit 2: what was typed or configured is wrong (the message says what and how to write it);
exit 1: what was asked for does not exist. Each case below ended in a Python traceback (or a
wrong exit code) before: huge numbers reaching SQLite, durations past datetime's range, URLs
that urlsplit rejects, environment variables that are not JSON, unknown database drivers,
corrupt database files, ports out of range or taken, unwritable output paths...
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import storage
from newswatch.cli import app
from newswatch.cli.errors import explain

HUGE = "99999999999999999999"  # > 2**63: no database column holds it
runner = CliRunner()


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    code: int
    says: str  # a regular expression the message must match
    env: dict[str, str] = field(default_factory=dict)
    config: str | None = "good"  # which configuration file --config names (None: none)


def case(
    *args: str,
    code: int = 2,
    says: str,
    env: dict[str, str] | None = None,
    config: str | None = "good",
) -> pytest.ParameterSet:
    name = " ".join(args) + (f" {env}" if env else "") + (f" [{config}]" if config else "")
    return pytest.param(Case(args, code, says, env or {}, config), id=name)


CONFIG_CASES = [
    case("articles", config="huge_duration", says=r"daemon\.tick: .*out of range.*36500d"),
    case(
        "articles",
        env={"NEWSWATCH_SOURCES": "not json"},
        says=r"NEWSWATCH_SOURCES is not valid JSON.*NEWSWATCH_SOURCES='\[",
    ),
    case("articles", env={"NEWSWATCH_FETCH": "x"}, says=r"NEWSWATCH_FETCH is not valid JSON"),
    case("articles", config="unknown_driver", says=r"'mongodb' is not supported.*sqlite:///"),
    case("stats", config="corrupt", says=r"database error .*corrupt\.db.*not a database"),
    case("run", "--once", config="corrupt", says=r"not a database"),
    case("run", "--once", config="huge_batch", says=r"daemon\.batch: .*less than or equal"),
    case("run", "--once", config="bad_proxy", says=r"fetch\.proxy: .*not a proxy URL"),
    case("check", "page.html", config="bad_proxy", says=r"fetch\.proxy"),
    case("db", "status", config="unwritable", says=r"no newswatch database at /proc/newswatch\.db"),
    case("db", "upgrade", config="unwritable", says=r"database error .*/proc/.*unavailable"),
    case("db", "status", config="postgres_down", says=r"database error .*127\.0\.0\.1:1"),
    case("db", "upgrade", config="foreign", says=r"database error .*foreign\.db"),
    case("db", "status", config="corrupt", says=r"not a database"),
    case("articles", config="folder", says=r"is a directory"),
    case("articles", config="missing", says=r"no such file.*newswatch init"),
    case("articles", config="not_toml", says=r"not valid TOML"),
]

CLI_CASES = [
    case("articles", "--since", "99999999999d", says=r"out of range.*36500d"),
    case("articles", "--since", "0001-01-01T00:00+14:00", says=r"out of range.*years 1 and 9999"),
    case("articles", "--since", "yesterdayish", says=r"not a time: write 2025-06-02"),
    case("articles", "--limit", HUGE, says=r"--limit.*should be (less|greater) than or equal"),
    case("articles", "--offset", HUGE, says=r"--offset.*should be (less|greater) than or equal"),
    case("articles", "--source", HUGE, code=1, says=r"nothing matched"),
    case("show", HUGE, code=1, says=r"no stored article"),
    case("show", "²", code=1, says=r"no stored article '²'"),
    case("show", "1", "--at", "99999999999d", says=r"out of range"),
    case("show", "1", "--version", HUGE, says=r"--version.*should be (less|greater) than or equal"),
    case("show", "http://[::1", code=1, says=r"no stored article 'http://\[::1'"),
    case("history", HUGE, code=1, says=r"no stored article"),
    case("history", "http://[", code=1, says=r"no stored article"),
    case("diff", HUGE, code=1, says=r"no stored article"),
    case("diff", "1", "--to", "-5", says=r"--to.*should be (less|greater) than or equal"),
    case("edits", "--since", "99999999999d", says=r"out of range"),
    case("edits", "--limit", HUGE, says=r"--limit.*should be (less|greater) than or equal"),
    case("search", "x", "--limit", HUGE, says=r"--limit.*should be (less|greater) than or equal"),
    case("stories", HUGE, says=r"should be (less|greater) than or equal"),
    case("alerts", "--offset", HUGE, says=r"--offset.*should be (less|greater) than or equal"),
    case(
        "export",
        "-f",
        "csv",
        "-o",
        "/proc/no/such/out.csv",
        says=r"cannot write /proc/no/such/out\.csv",
    ),
    case("export", "-f", "csv", "-o", "/dev/full", says=r"cannot write /dev/full: No space"),
    case("export", "--since", "99999999999d", says=r"out of range"),
    case("health", "--max-age", "99999999999d", says=r"--max-age: .*out of range"),
    case("health", "--max-age", "-5m", says=r"--max-age: '-5m' is not a duration"),
    case("prune", "--fetch-logs-older-than", "99999999999d", says=r"out of range"),
    case("prune", "--forget", HUGE, "--yes", code=1, says=r"no stored article"),
    case("reextract", "--article", HUGE, code=1, says=r"no stored article"),
    case("reextract", "--article", "http://[", code=1, says=r"no stored article"),
    case(
        "sources",
        "add",
        "https://example.com/rss",
        "--every",
        "99999999999d",
        says=r"--every: .*out of range",
    ),
    case(
        "sources",
        "add",
        "https://example.com/rss",
        "--every",
        "0s",
        says=r"--every 0s: poll at most once a second",
    ),
    case("sources", "add", "http://", says=r"is not an http\(s\) URL; write the whole"),
    case("sources", "add", "http://[::1", says=r"is not an http\(s\) URL; write the whole"),
    case("sources", "remove", HUGE, code=1, says=r"no source"),
    case("sources", "check", HUGE, code=1, says=r"FAIL|cannot"),
    case("check", "http://", config=None, says=r"not an absolute http\(s\) URL"),
    case("check", "http://[::1", config=None, says=r"Invalid IPv6 URL"),
    case("check", "ftp://example.com/page", config=None, says=r"http\(s\) URL"),
    case("check", "/proc/no/such/page.html", config=None, says=r"no such file"),
    case("serve", "--port", "70000", says=r"--port.*65535"),
    case("serve", "--port", "{taken}", says=r"cannot listen on 127\.0\.0\.1:\d+: .*in use"),
    case("serve", "--host", "no-such-host.invalid", says=r"cannot listen on no-such-host"),
    case("demo", "--port", "70000", config=None, says=r"--port.*65535"),
    case("demo", "--port", "{taken}", config=None, says=r"port \d+: .*in use.*another --port"),
    case("run", "--once", "--log-level", "LOUD", says=r"'LOUD' is not a level; write one of"),
    case("serve", "--log-level", "LOUD", says=r"'LOUD' is not a level; write one of"),
    case(
        "init",
        "/proc/no/such/newswatch.toml",
        config=None,
        says=r"/proc/no/such/newswatch\.toml: No such file",
    ),
    case("init", "{folder}", config=None, says=r"is a folder: give a file name"),
]


@pytest.fixture(autouse=True)
def own_logging() -> Iterator[None]:
    """`run` points the root logger at the stderr CliRunner lends it; give the logger back, as
    a new process would have it, before the next command."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@dataclass
class World:
    folder: Path
    configs: dict[str, Path]
    taken: int


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("errors")
    good_url = f"sqlite:///{folder / 'good.db'}"
    now = datetime.now(UTC)
    with storage.open_database(good_url) as db, db.transaction() as session:
        [article_id] = storage.add_candidates(
            session,
            candidates=[storage.Candidate(url="https://a.example/1.html")],
            source_id=None,
            now=now,
        )
        for n, body in enumerate(("Talks begin.", "Talks begin again.")):
            storage.record(
                session,
                article_id=article_id,
                fields=storage.ArticleFields(title="Talks", body=body),
                snapshot=body.encode(),
                fetched_at=now + timedelta(minutes=n),
            )
    (folder / "corrupt.db").write_bytes(bytes(range(256)) * 64)
    (folder / "foreign.db").write_bytes(b"")
    import sqlite3

    with sqlite3.connect(folder / "foreign.db") as foreign:
        foreign.execute("CREATE TABLE articles (x)")  # another program's database
    (folder / "page.html").write_text("<html><title>x</title><p>text</p></html>")
    texts = {
        "good": f'[database]\nurl = "{good_url}"\n',
        "huge_duration": '[daemon]\ntick = "99999999999d"\n',
        "unknown_driver": '[database]\nurl = "mongodb://localhost/news"\n',
        "corrupt": f'[database]\nurl = "sqlite:///{folder / "corrupt.db"}"\n',
        "huge_batch": f'[database]\nurl = "{good_url}"\n[daemon]\nbatch = {HUGE}\n',
        "bad_proxy": f'[database]\nurl = "{good_url}"\n[fetch]\nproxy = "not a proxy"\n',
        "unwritable": '[database]\nurl = "sqlite:////proc/newswatch.db"\n',
        "postgres_down": '[database]\nurl = "postgresql+psycopg://nw@127.0.0.1:1/nw"\n',
        "foreign": f'[database]\nurl = "sqlite:///{folder / "foreign.db"}"\n',
        "not_toml": "[database\nurl =",
    }
    configs = {name: folder / f"{name}.toml" for name in texts}
    for name, text in texts.items():
        configs[name].write_text(text, encoding="utf-8")
    configs["folder"] = folder / "a-folder.toml"
    configs["folder"].mkdir()
    configs["missing"] = folder / "missing.toml"
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield World(folder, configs, listener.getsockname()[1])


def run(world: World, given: Case) -> tuple[int, str, BaseException | None]:
    args = [a.format(taken=world.taken, folder=world.folder) for a in given.args]
    if given.config is not None:
        args += ["--config", str(world.configs[given.config])]
    env = {"COLUMNS": "300", "NEWSWATCH_DATABASE_URL": None, **given.env}
    result = runner.invoke(app, args, env=env)  # type: ignore[arg-type]
    return result.exit_code, result.output, result.exception


@pytest.mark.parametrize("given", CONFIG_CASES + CLI_CASES)
def test_bad_input_gets_a_clean_error(world: World, given: Case) -> None:
    code, output, exception = run(world, given)
    assert exception is None or isinstance(exception, SystemExit), repr(exception)
    assert "Traceback" not in output
    flat = " ".join(output.split())
    assert code == given.code, flat
    assert re.search(given.says, flat), flat
    # One or two lines of message (typer's usage errors come boxed, a few lines more).
    assert len(output.strip().splitlines()) <= 8, output


def test_there_are_at_least_as_many_cases_as_the_issue_counted() -> None:
    assert len(CONFIG_CASES) >= 8 and len(CLI_CASES) >= 20


def test_an_error_nobody_expected_is_reported_as_a_bug() -> None:
    failure = explain(RuntimeError("the impossible happened"))
    assert failure.code == 1 and failure.label == "unexpected error"
    assert "RuntimeError: the impossible happened" in failure.message
    assert "please report it" in failure.message
