"""What every command shares: the typer app, the consoles, common options and lookups.

Exit codes: 0 ok, 1 nothing found, 2 usage or configuration error.
"""

from __future__ import annotations

import contextlib
import errno
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text
from sqlmodel import Session
from typer.core import TyperGroup

import storage
from newswatch.cli.errors import explain, is_typers_own
from newswatch.config import ConfigError, Settings, load_settings
from newswatch.logs import configure_logging
from newswatch.redaction import redactor_for
from scheduler.redact import Redactor
from scheduler.terminal import safe_console
from scraper.urls import InvalidURL, canonicalize_url

logger = logging.getLogger(__name__)


class _CleanErrors(TyperGroup):
    """The command group: an error no command explained is reported by :func:`explain`,
    never as a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            if is_typers_own(error) or _reader_gone(error):
                raise
            failure = explain(error)
            logger.debug("command failed", exc_info=True, extra={"event": "cli_failed"})
            complain(failure.label, failure.message)
            raise typer.Exit(failure.code) from None


def _reader_gone(error: Exception) -> bool:
    """The output's reader stopped reading (``| head``): click ends the command quietly."""
    return isinstance(error, OSError) and error.errno == errno.EPIPE


app = typer.Typer(
    cls=_CleanErrors,
    help="Watch the news about one story; keep every version of every article; report new "
    "coverage and quiet edits.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    # A crash's locals would include the settings, and with them every token and password.
    pretty_exceptions_show_locals=False,
)
# Output for people and programs goes to stdout; diagnostics to stderr, so `--json | jq` works.
# Both escape control characters and read no markup: titles and URLs come from the web.
out = safe_console()
err = safe_console(stderr=True)

# The largest id or count a database column holds (SQLite and PostgreSQL BIGINT): options
# refuse a larger number rather than let it reach a driver that cannot bind it.
MAX_ROW = 2**63 - 1

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML configuration file (default: the built-in configuration, "
        "overridden by NEWSWATCH_* variables).",
        dir_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
LogLevel = Annotated[
    str,
    typer.Option(
        "--log-level",
        help="DEBUG, INFO, WARNING or ERROR; add logger=LEVEL parts to hear a "
        "library kept at WARNING (httpx, httpcore, apprise...), e.g. DEBUG,httpx=DEBUG.",
    ),
]


def complain(label: str, message: object) -> None:
    """Say on stderr what went wrong: ``label`` in bold red, then ``message`` as it is."""
    err.print(
        Text.assemble((label, "bold red"), " ", str(message)), highlight=False, soft_wrap=True
    )


def load_config(config: Path | None) -> Settings:
    """The settings, or exit 2 with the configuration error explained."""
    try:
        return load_settings(config)
    except ConfigError as error:
        complain("configuration error", error)
        raise typer.Exit(2) from None


def start_logging(
    level: str, *, json_lines: bool = False, redactor: Redactor | None = None
) -> None:
    """Set up logging as ``--log-level`` asks, or exit 2 saying what is wrong with it."""
    try:
        configure_logging(level, json_lines=json_lines, redactor=redactor)
    except ValueError as error:
        complain("error", error)
        raise typer.Exit(2) from None


def load_redactor(config: Path | None, *, channels: bool = False) -> Redactor:
    """What masks the configuration's secrets in the output (see newswatch.redaction)."""
    return redactor_for(load_config(config), channels=channels)


def open_db(config: Path | None, *, create: bool = False) -> storage.Database:
    """The configured database, or exit 2 saying why it cannot be opened.

    Only the commands that start a history (``run``, ``init``, ``demo``, ``db upgrade``) pass
    ``create``: any other, run from another folder or with a mistyped URL, would otherwise
    leave an empty database behind and report "nothing matched" about it.
    """
    settings = load_config(config)
    try:
        return storage.open_database(settings.database.url, create=create)
    except storage.DatabaseMissing as error:
        complain("error", load_redactor(config, channels=False).text(str(error)))
        raise typer.Exit(2) from None
    except storage.StorageError as error:
        complain("database error", error)
        raise typer.Exit(2) from None


def article_or_exit(session: Session, url_or_id: str) -> storage.Article:
    """The stored article with this id or URL, or exit 1 saying there is none."""
    key: str | int = int(url_or_id) if url_or_id.isascii() and url_or_id.isdigit() else url_or_id
    if isinstance(key, str):
        with contextlib.suppress(InvalidURL):
            key = canonicalize_url(key)
    article = storage.find_article(session, key)
    if article is None:
        err.print(f"no stored article {url_or_id!r} (see `newswatch articles`)", highlight=False)
        raise typer.Exit(1)
    return article


def outlet_named(session: Session, config: Path | None, given: str | None) -> str | None:
    """The outlet key for what the user typed: a key, one of its hosts, or a display name
    (the configured ones, then those learned from the stored pages)."""
    if not given:
        return None
    from newswatch.outlets import outlet_directory

    names = load_config(config).outlets.names
    if "." in given and " " not in given.strip():
        return storage.outlet_key(given)  # a domain or host: no need to read names
    return outlet_directory(session, names).resolve(given)
