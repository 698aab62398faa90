"""The publication date, on the day the page shows it.

Metadata states the instant of publication, often in UTC: an article a US site printed on
"Nov 18, 2019 at 9:24 pm ET" carries 2019-11-19T02:24Z. The instant comes from metadata (the
strongest source that states one); the page's own clock then comes from evidence that shows
the same instant in local time: a dateline under the headline, a ``<time>`` element's text, a
metadata field written in local time without a zone. Two metadata fields that disagree are
settled by the one the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from scraper.extract.dates import Stamp, date_from_url, parse_stamp
from scraper.extract.evidence import Tally

_SAME_INSTANT = 90  # seconds: pages print minutes, metadata adds seconds
_MAX_OFFSET = timedelta(hours=14)
_NEAR = timedelta(days=3)  # a visible time this close to publication shows the page's zone
_UPDATED = (
    "updated",
    "last updated",
    "last modified",
    "modified",
    "aktualisiert",
    "обновлено",
    "оновлено",
    "güncelleme",
    "güncellenme",
    "actualizado",
    "mis à jour",
    "atualizado",
    "aggiornato",
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A date the page states: where, its text, and (when it parses) what it means."""

    source: str
    signal: str
    raw: str
    row: int
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class Published:
    """The chosen publication time, its signal category, and the candidates weighed."""

    when: datetime | None
    signal: str | None
    tally: Tally


def is_update_line(text: str) -> bool:
    """Does a visible dateline give the last update rather than the publication?"""
    low = text.lstrip().lower()
    return low.startswith(_UPDATED)


class _Parser:
    """Parses each distinct date text once and records it in the tally."""

    def __init__(self, tally: Tally, day_first: bool | None) -> None:
        self.tally = tally
        self.day_first = day_first
        self._cache: dict[str, Stamp | None] = {}

    def add(self, out: list[Candidate], source: str, signal: str, raw: str | None) -> None:
        found = self.parse(source, signal, raw)
        if found is not None:
            out.append(found)

    def parse(self, source: str, signal: str, raw: str | None) -> Candidate | None:
        if not raw or not raw.strip():
            return None
        raw = raw.strip()
        if raw in self._cache:
            stamp = self._cache[raw]
        else:
            stamp = self._cache[raw] = parse_stamp(raw, self.day_first)
        row = self.tally.offer(source, raw)
        if stamp is None:
            self.tally.reject(row, "not a date")
            return None
        return Candidate(source, signal, raw, row, stamp)


# A time of day as pages print it ("10:31", "9.24", "18h30"): only printed dates with one
# can show the page's clock.
_TIMEISH = re.compile(r"\d{1,2}[:.h]\d{2}(?!\d)")


class _Printed:
    """Printed dates, parsed one at a time as the decision asks for them.

    Parsing free text costs far more than reading ISO metadata, and the first printed time
    usually settles the question: the rest are never parsed (nor shown as evidence).
    ``timed`` keeps only dates printed with a time of day, all that setting a clock needs.
    """

    def __init__(
        self, parser: _Parser, visible: Sequence[tuple[str, str]], timed: bool = False
    ) -> None:
        self._parser = parser
        self._todo = iter(visible)
        self._done: list[Candidate] = []
        self._timed = timed

    def __iter__(self) -> Iterator[Candidate]:
        yield from self._done
        for source, raw in self._todo:
            if self._timed and not _TIMEISH.search(raw):
                continue
            found = self._parser.parse(source, "text", raw)
            if found is not None:
                self._done.append(found)
                yield found


def choose_published(
    stated: Sequence[tuple[str, str, str | None]],
    visible: Sequence[tuple[str, str]],
    url: str | None,
    day_first: bool | None = None,
) -> Published:
    """The publication time.

    ``stated`` are ``(source, signal, text)`` machine-readable dates, strongest first
    (JSON-LD, ``<meta>``, microdata, ``<time datetime>``); ``visible`` are ``(source, text)``
    dates printed on the page (datelines, ``<time>`` texts), nearest the headline first.
    """
    tally = Tally("published")
    parser = _Parser(tally, day_first)
    machine: list[Candidate] = []
    for source, signal, raw in stated:
        parser.add(machine, source, signal, raw)
    # Printed dates matter only when the stated ones leave the page's clock open, and then
    # only those printed with a time, unless no stated date at all is there.
    printed = _Printed(parser, visible, timed=bool(machine))
    primary = machine[0] if machine else _first_printed(printed, tally)
    if primary is None:
        # The address is read last: a day in it is the weakest evidence, needed only here.
        from_url = date_from_url(url)
        if from_url is None:
            return Published(None, None, tally)
        tally.elect_value("url", from_url.date().isoformat(), "the only date the page gives")
        tally.settle("not a date of publication")
        return Published(from_url, "url", tally)
    when, primary, how = _on_page_clock(primary, machine, printed, tally)
    tally.elect(primary.row, how)
    tally.settle("a weaker source")
    return Published(when, primary.signal, tally)


def _first_printed(printed: _Printed, tally: Tally) -> Candidate | None:
    for candidate in printed:
        if is_update_line(candidate.raw):
            tally.reject(candidate.row, "an update, not the publication")
            continue
        return candidate
    return None


def _disagree(machine: list[Candidate]) -> bool:
    """Do the stated times name different instants (one of them mislabelled)?"""
    if not machine or not machine[0].stamp.has_time:
        return False
    first = machine[0].stamp.when
    return any(
        m.stamp.has_time
        and m.stamp.has_zone
        and abs((m.stamp.when - first).total_seconds()) > _SAME_INSTANT
        and _wall_offset(m.stamp, first) is not None
        for m in machine[1:]
    )


def _utcish(stamp: Stamp) -> bool:
    """Written in UTC or without a zone: the page's own clock is still unknown."""
    return not stamp.has_zone or stamp.when.utcoffset() == timedelta(0)


def _wall_offset(shown: Stamp, instant: datetime) -> timezone | None:
    """The offset under which ``instant`` reads as ``shown``'s wall clock, if a plausible one."""
    wall = shown.when.replace(tzinfo=None)
    utc = instant.astimezone(UTC).replace(tzinfo=None)
    offset = wall - utc
    seconds = offset.total_seconds()
    # Whole quarter hours (zones are), give or take the seconds metadata adds.
    rest = seconds % 900
    if abs(offset) > _MAX_OFFSET or min(rest, 900 - rest) > _SAME_INSTANT:
        return None
    return timezone(timedelta(minutes=round(seconds / 60)))


def _on_page_clock(
    primary: Candidate, machine: list[Candidate], printed: _Printed, tally: Tally
) -> tuple[datetime, Candidate, str]:
    """The publication instant on the page's clock, the candidate that stated it, and why."""
    if not _utcish(primary.stamp) and not _disagree(machine):
        return primary.stamp.when, primary, "the strongest source, in the page's time zone"
    # A printed time (with its zone) that shows one of the stated instants settles both the
    # instant and the clock: "Nov 19, 2019, 10:31 pm CST" confirms 04:31Z, not 10:31Z.
    for shown in printed:
        if not shown.stamp.has_time or is_update_line(shown.raw):
            continue
        for stated in machine:
            if not stated.stamp.has_time:
                continue
            gap = abs((shown.stamp.when - stated.stamp.when).total_seconds())
            zone = _wall_offset(shown.stamp, stated.stamp.when)
            if zone is not None and (gap <= 3600 + _SAME_INSTANT or not shown.stamp.has_zone):
                tally.reject(shown.row, "shows this time: gives the page's clock")
                _reject_others(tally, machine, stated, "not the time the page shows")
                return stated.stamp.when.astimezone(zone), stated, f"shown as {shown.raw!r}"
    if not _utcish(primary.stamp):
        return primary.stamp.when, primary, "the strongest source, in the page's time zone"
    # A stated field in local time without a zone: "2019-11-18 20:58:46" beside 04:58:46Z.
    for other in machine[1:]:
        if other.stamp.has_time and (not other.stamp.has_zone or not _utcish(other.stamp)):
            zone = _wall_offset(other.stamp, primary.stamp.when)
            if zone is not None and zone.utcoffset(None) != timedelta(0):
                tally.reject(other.row, "the same instant in local time: gives the page's clock")
                local = primary.stamp.when.astimezone(zone)
                return local, primary, f"on the page's clock {local.isoformat()}"
    # Times printed in a named zone near the publication show the page's clock.
    for shown in printed:
        stamp = shown.stamp
        if stamp.has_zone and not _utcish(stamp) and abs(stamp.when - primary.stamp.when) < _NEAR:
            tally.reject(shown.row, "the page prints times in this zone")
            local = primary.stamp.when.astimezone(stamp.when.tzinfo)
            return local, primary, f"on the page's clock {local.isoformat()}"
    return primary.stamp.when, primary, "the strongest source"


def _reject_others(tally: Tally, machine: list[Candidate], kept: Candidate, note: str) -> None:
    for stated in machine:
        if stated is not kept and stated.stamp.has_time:
            gap = abs((stated.stamp.when - kept.stamp.when).total_seconds())
            if gap > _SAME_INSTANT:
                tally.reject(stated.row, note)
