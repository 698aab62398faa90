"""Dates as pages write them: ISO 8601, RFC 2822, and day-month-year text in several languages.

Every result is timezone-aware; a date written without a zone is taken as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import NamedTuple

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "januar",
        "janvier",
        "enero",
        "gennaio",
        "janeiro",
        "januari",
        "stycznia",
        "января",
        "январь",
        "січня",
        "січень",
        "ocak",
        "jänner",
    ),
    2: (
        "february",
        "februar",
        "février",
        "fevrier",
        "febrero",
        "febbraio",
        "fevereiro",
        "februari",
        "lutego",
        "февраля",
        "февраль",
        "лютого",
        "лютий",
        "şubat",
        "subat",
    ),
    3: (
        "march",
        "märz",
        "maerz",
        "mars",
        "marzo",
        "março",
        "marco",
        "maart",
        "marca",
        "марта",
        "март",
        "березня",
        "березень",
        "mart",
    ),
    4: (
        "april",
        "avril",
        "abril",
        "aprile",
        "kwietnia",
        "апреля",
        "апрель",
        "квітня",
        "квітень",
        "nisan",
    ),
    5: (
        "may",
        "mai",
        "mayo",
        "maggio",
        "maio",
        "mei",
        "maja",
        "мая",
        "май",
        "травня",
        "травень",
        "mayıs",
        "mayis",
    ),
    6: (
        "june",
        "juni",
        "juin",
        "junio",
        "giugno",
        "junho",
        "czerwca",
        "июня",
        "июнь",
        "червня",
        "червень",
        "haziran",
    ),
    7: (
        "july",
        "juli",
        "juillet",
        "julio",
        "luglio",
        "julho",
        "lipca",
        "июля",
        "июль",
        "липня",
        "липень",
        "temmuz",
    ),
    8: (
        "august",
        "août",
        "aout",
        "agosto",
        "augustus",
        "sierpnia",
        "августа",
        "август",
        "серпня",
        "серпень",
        "ağustos",
        "agustos",
    ),
    9: (
        "september",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "setembro",
        "września",
        "сентября",
        "сентябрь",
        "вересня",
        "вересень",
        "eylül",
        "eylul",
    ),
    10: (
        "october",
        "oktober",
        "octobre",
        "octubre",
        "ottobre",
        "outubro",
        "października",
        "октября",
        "октябрь",
        "жовтня",
        "жовтень",
        "ekim",
    ),
    11: (
        "november",
        "novembre",
        "noviembre",
        "novembro",
        "listopada",
        "ноября",
        "ноябрь",
        "листопада",
        "листопад",
        "kasım",
        "kasim",
    ),
    12: (
        "december",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
        "grudnia",
        "декабря",
        "декабрь",
        "грудня",
        "грудень",
        "aralık",
        "aralik",
    ),
}


def _month_table() -> dict[str, int]:
    table: dict[str, int] = {}
    prefixes: dict[str, set[int]] = {}
    for month, names in _MONTH_NAMES.items():
        for name in names:
            table[name] = month
            prefixes.setdefault(name[:3], set()).add(month)
            prefixes.setdefault(name[:4], set()).add(month)
    # Abbreviations ("Jun.", "сент", "Haz") are prefixes; keep only the unambiguous ones.
    for prefix, months in prefixes.items():
        if len(months) == 1 and prefix not in table:
            table[prefix] = months.pop()
    table["sept"] = 9
    return table


MONTHS = _month_table()

# Zone abbreviations that news sites print; ambiguous ones (IST, CST) take the common reading.
_ZONES = {
    "utc": 0,
    "gmt": 0,
    "z": 0,
    "bst": 1,
    "cet": 1,
    "cest": 2,
    "eet": 2,
    "eest": 3,
    "msk": 3,
    "trt": 3,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
    "et": -5,
    "pt": -8,
    "ist": 5.5,
    "jst": 9,
    "kst": 9,
    "aest": 10,
    "aedt": 11,
}

_WORD = r"([^\W\d_]{3,}\.?)"
_DAY_MONTH_YEAR = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|º)?\.?\s*(?:de\s+)?"
    + _WORD
    + r",?\s*(?:de\s+)?(\d{4})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    _WORD + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)", re.IGNORECASE
)
_YMD = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?!\d)")
_TIME = re.compile(
    r"(?<!\d)(\d{1,2})[:h.](\d{2})(?::(\d{2}))?\s*([ap])?\.?\s*(?:m\.?)?(?![\w])"
    r"(?:\s*\(?\s*(?:([A-Za-z]{1,4})\b|([+-]\d{2}):?(\d{2})))?",
    re.IGNORECASE,
)
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_YEARS = range(1990, 2101)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _iso(text: str) -> datetime | None:
    found = _iso_naive(text)
    return _aware(found) if found is not None else None


def _iso_naive(text: str) -> datetime | None:
    """The ISO 8601 date in ``text`` as written: naive when it names no zone."""
    candidate = text.strip().replace(" ", "T", 1)
    # Python 3.11 accepts most of ISO 8601 but not "+0300" written after seconds with a dot.
    if candidate[-5:-4] in ("+", "-") and candidate[-4:].isdigit():
        candidate = _COMPACT_OFFSET.sub(r"\1:\2", candidate)
    try:
        found = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return found if found.year in _YEARS else None


def _zone(abbr: str | None, sign_hours: str | None, minutes: str | None) -> timezone | None:
    if sign_hours:
        hours = int(sign_hours)
        delta = timedelta(hours=abs(hours), minutes=int(minutes or 0))
        return timezone(-delta if sign_hours.startswith("-") else delta)
    if abbr and abbr.lower() in _ZONES:
        return timezone(timedelta(hours=_ZONES[abbr.lower()]))
    return None


def _with_time(day: datetime, text: str) -> tuple[datetime, bool, bool]:
    """``day`` at the time written in ``text``, and whether a time and a zone were written."""
    match = _TIME.search(text)
    if not match:
        return day, False, False
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return day, False, False
    zone = _zone(match.group(5), match.group(6), match.group(7))
    when = day.replace(hour=hour, minute=minute, second=second, tzinfo=zone or UTC)
    return when, True, zone is not None


def _make(year: int, month: int, day: int) -> datetime | None:
    if year not in _YEARS:
        return None
    try:
        return datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    return MONTHS.get(word) or MONTHS.get(word[:4]) or MONTHS.get(word[:3])


class Stamp(NamedTuple):
    """A parsed date and what its text stated: a time of day, a time zone."""

    when: datetime
    has_time: bool
    has_zone: bool


def parse_date(text: str | None, day_first: bool | None = None) -> datetime | None:
    """Parse one date as found in metadata or short visible text; None when there is none."""
    stamp = parse_stamp(text, day_first)
    return stamp.when if stamp else None


def parse_stamp(text: str | None, day_first: bool | None = None) -> Stamp | None:
    """Like ``parse_date``, also saying whether the text gave a time and a zone.

    ``day_first`` settles "05/10/2018": True for 5 October (most of the world), False for
    May 10 (the US), None to guess (day first only when the first number exceeds 12).
    """
    if not text:
        return None
    text = text.strip()[:200]
    if not text:
        return None
    if _ISO_LIKE.match(text):
        found = _iso_naive(text)
        if found is not None:
            timed = len(text) > 12 and text[10] in "T t"
            return Stamp(_aware(found), timed, timed and found.tzinfo is not None)
    if text[:3].isalpha() and "," in text[:5]:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
        else:
            return Stamp(_aware(when), True, when.tzinfo is not None)
    day = _text_day(text, day_first)
    if day is None:
        return None
    when, (start, end) = day
    # Blank the date itself so that "02.06.2025" is not read again as the time 02:06.
    return Stamp(*_with_time(when, text[:start] + " " * (end - start) + text[end:]))


def _text_day(text: str, day_first: bool | None) -> tuple[datetime, tuple[int, int]] | None:
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = _month(match.group(2))
        made = month and _make(int(match.group(3)), month, int(match.group(1)))
        if made:
            return made, match.span()
    for match in _MONTH_DAY_YEAR.finditer(text):
        month = _month(match.group(1))
        made = month and _make(int(match.group(3)), month, int(match.group(2)))
        if made:
            return made, match.span()
    ymd = _YMD.search(text)
    if ymd:
        made = _make(int(ymd.group(1)), int(ymd.group(2)), int(ymd.group(3)))
        if made:
            return made, ymd.span()
    dmy = _DMY.search(text)
    if dmy:
        first, second, year = int(dmy.group(1)), int(dmy.group(2)), int(dmy.group(3))
        # Dots or a first number over 12 mean day first; otherwise slashes follow US order
        # unless the page's language says otherwise.
        if first > 12 or (day_first is not False and ("." in dmy.group(0) or day_first)):
            made = _make(year, second, first)
        else:
            made = _make(year, first, second)
        if made:
            return made, dmy.span()
    return None


_URL_YMD = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=[/_-]|$)")
_URL_COMPACT = re.compile(r"[/_-]((?:19|20)\d{2})(\d{2})(\d{2})(?=[/_.-]|$)")
_URL_SHORT = re.compile(r"/(\d{2})(\d{2})(\d{2})(?=/)")


def date_from_url(url: str | None, now: datetime | None = None) -> datetime | None:
    """A publication day written in a URL path: /2025/06/02/, /20250602/ or /250602/ (yymmdd)."""
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    path = path.split("?", 1)[0]
    for pattern in (_URL_YMD, _URL_COMPACT):
        match = pattern.search(path)
        if match:
            made = _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            if made:
                return made
    latest = (now or datetime.now(UTC)).year + 1
    for match in _URL_SHORT.finditer(path):
        year = 2000 + int(match.group(1))
        if year <= latest:
            made = _make(year, int(match.group(2)), int(match.group(3)))
            if made:
                return made
    return None
