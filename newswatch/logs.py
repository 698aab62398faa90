"""Log setup for the front door: one line per event, its fields as key=value or as JSON.

Every line passes :class:`SecretFilter` first: libraries print URLs, payloads and exceptions
(httpx its request lines, apprise the service URL it failed to reach), and those carry tokens
and passwords. The filter masks the secrets the configuration holds and whatever looks like a
credential (see :mod:`scheduler.redact`) in the message, its fields and its traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import TextIO

from scheduler.redact import Redactor

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# uvicorn adds a copy of its message with terminal colours: noise in a log file.
_DROPPED = {"color_message"}
# Libraries whose per-request chatter drowns the daemon's lines, and which print URLs: kept at
# WARNING unless asked for by name (``--log-level DEBUG,httpx=DEBUG``).
QUIET_LIBRARIES = (
    "httpx",
    "httpcore",
    "apscheduler",
    "apprise",
    "urllib3",
    "uvicorn.access",
    "alembic",
)  # alembic: "Context impl SQLiteImpl" at every start
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and k not in _DROPPED}


class SecretFilter(logging.Filter):
    """Masks secrets in a record before any handler formats it (the record is changed in place,
    so a second handler on the same record sees the masked text too)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        mask = self._redactor.text
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string: show it rather than lose the line
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = mask(message), None
        for name, value in _fields(record).items():
            shown = value if isinstance(value, str) else str(value)
            masked = mask(shown)
            if masked != shown:
                setattr(record, name, masked)
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(f"{k}={v}" for k, v in _fields(record).items() if k != "event")
        return f"{line} {extras}".rstrip()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_text:  # the traceback as the secret filter left it
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def parse_level(spec: str) -> tuple[int, dict[str, int]]:
    """``"INFO"`` or ``"INFO,httpx=DEBUG,apprise=DEBUG"`` → the root level and per-logger ones.

    Raises ValueError naming the part that is not a level.
    """
    root: int | None = None
    named: dict[str, int] = {}
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        name, eq, level = part.rpartition("=") if "=" in part else ("", "", part)
        if level.upper() not in LEVELS or (eq and not name):
            raise ValueError(
                f"--log-level: {part!r} is not a level; write one of "
                f"{', '.join(LEVELS)}, optionally followed by logger=LEVEL parts "
                "such as DEBUG,httpx=DEBUG"
            )
        if eq:
            named[name] = logging.getLevelName(level.upper())
        else:
            root = logging.getLevelName(level.upper())
    return (logging.INFO if root is None else root), named


def configure_logging(
    level: str = "INFO",
    *,
    json_lines: bool = False,
    redactor: Redactor | None = None,
    stream: TextIO | None = None,
) -> None:
    """Send logs to stderr (stdout is for alerts and command output), secrets masked.

    ``level`` is a level name, optionally with ``logger=LEVEL`` parts (see
    :func:`parse_level`); ``redactor`` knows the configured secrets (without one, only what
    looks like a credential is masked).
    """
    root_level, named = parse_level(level)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if json_lines
        else KeyValueFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
    )
    handler.addFilter(SecretFilter(redactor or Redactor()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(root_level)
    for noisy in QUIET_LIBRARIES:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root_level))
    for name, value in named.items():
        logging.getLogger(name).setLevel(value)
