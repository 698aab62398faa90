"""Recording the candidates of a metadata field as it is decided, for ``newswatch check``."""

from __future__ import annotations

from scraper.types import Evidence

_MAX_VALUE = 160  # characters of a candidate kept for display


class Tally:
    """The candidates of one field, in the order they were weighed, and the one elected.

    Candidates are cheap tuples until ``evidence()`` turns them into values, so that a page
    pays a few list appends per field, not an object per candidate it never shows.
    """

    __slots__ = ("field", "_rows", "_winner")

    def __init__(self, field: str) -> None:
        self.field = field
        self._rows: list[list[str]] = []
        self._winner: int | None = None

    def offer(self, source: str, value: str, note: str = "") -> int:
        """Record a candidate; returns its index for ``reject`` or ``elect``."""
        self._rows.append([source, value, note])
        return len(self._rows) - 1

    def reject(self, index: int, note: str) -> None:
        """Say why a candidate lost (the first reason given is kept)."""
        row = self._rows[index]
        if not row[2]:
            row[2] = note

    def elect(self, index: int, note: str = "") -> None:
        self._winner = index
        if note:
            self._rows[index][2] = note

    def elect_value(self, source: str, value: str, note: str = "") -> None:
        """Elect a value that no single candidate stated (a merge, a conversion)."""
        self.elect(self.offer(source, value), note)

    def settle(self, note: str) -> None:
        """Give ``note`` to every losing candidate that has no reason of its own."""
        for index, row in enumerate(self._rows):
            if index != self._winner and not row[2]:
                row[2] = note

    @property
    def winner(self) -> int | None:
        return self._winner

    def evidence(self) -> list[Evidence]:
        out = []
        for index, (source, value, note) in enumerate(self._rows):
            shown = value if len(value) <= _MAX_VALUE else value[: _MAX_VALUE - 1] + "…"
            out.append(Evidence(self.field, source, shown, index == self._winner, note))
        return out
