"""A word diff laid out side by side, paragraph against paragraph, as NewsDiffs shows it.

Rows break only at newlines in *unchanged* text, where both versions start a new paragraph at
the same point; a newline inside an insertion or a deletion stays within its cell. That keeps
the two columns aligned whatever was added or removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import storage

__all__ = ["Row", "Segment", "side_by_side"]


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text in one column: ``equal``, ``delete`` (old side) or ``insert`` (new side)."""

    op: str
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    """One aligned paragraph: what the old version said and what the new one says."""

    old: tuple[Segment, ...]
    new: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in (*self.old, *self.new))


def side_by_side(ops: Sequence[storage.DiffOp]) -> list[Row]:
    """Aligned rows for a field's diff; empty rows (blank lines) are dropped."""
    rows: list[Row] = []
    old: list[Segment] = []
    new: list[Segment] = []

    def close() -> None:
        if any(s.text.strip() for s in (*old, *new)):
            rows.append(Row(old=_strip(old), new=_strip(new)))
        old.clear()
        new.clear()

    for op in ops:
        if op.op in ("delete", "insert"):
            side = old if op.op == "delete" else new
            # The space before a changed word is not part of the change: keep it unmarked.
            words = op.text.lstrip(" ")
            if len(words) < len(op.text):
                side.append(Segment("equal", op.text[: len(op.text) - len(words)]))
            side.append(Segment(op.op, words))
        else:
            parts = op.text.split("\n")
            for index, part in enumerate(parts):
                if index:
                    close()
                if part:
                    old.append(Segment("equal", part))
                    new.append(Segment("equal", part))
    close()
    return rows


def _strip(segments: list[Segment]) -> tuple[Segment, ...]:
    """Drop the leading whitespace of a paragraph's first run (it was the paragraph break)."""
    if segments:
        segments[0] = Segment(segments[0].op, segments[0].text.lstrip(" "))
    return tuple(s for s in segments if s.text)
