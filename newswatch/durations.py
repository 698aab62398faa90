"""Durations written the way people write them in config files: "90s", "15m", "3h", "7d"."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object) -> timedelta:
    """Parse "15m"-style text (or a number of seconds) into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return timedelta(seconds=value)
        except (OverflowError, ValueError):
            raise ValueError(f"{value!r} seconds is not a duration") from None
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            try:
                return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
            except OverflowError:
                raise ValueError(f"{value!r} is too long a duration") from None
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
