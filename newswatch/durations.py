"""Durations written the way people write them in config files: "90s", "15m", "3h", "7d"."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
# Far beyond any polling interval or age anyone means, and far enough from datetime's limits
# (year 9999) that now + a duration never overflows.
LONGEST = timedelta(days=36500)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class DurationOutOfRange(ValueError):
    """A well-written duration that is negative or longer than :data:`LONGEST`."""


def parse_duration(value: object) -> timedelta:
    """Parse "15m"-style text (or a number of seconds) into a timedelta, at most
    :data:`LONGEST`; ValueError says how to write one."""
    seconds: float | None = None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds is not None and 0 <= seconds <= LONGEST.total_seconds():
        return value if isinstance(value, timedelta) else timedelta(seconds=seconds)
    if seconds is not None and seconds == seconds:  # a number, only out of range (not NaN)
        raise DurationOutOfRange(
            f"{value!r} is out of range: a duration is between 0s and {LONGEST.days}d (100 years)"
        )
    raise ValueError(
        f"{value!r} is not a duration: write a number and a unit, e.g. 90s, 15m, 3h, 7d, 2w"
    )


def format_duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


Duration = Annotated[
    timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
