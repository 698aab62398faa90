"""``newswatch check``: why each metadata field has its value, candidate by candidate."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from newswatch.render import cell
from scraper import Evidence, Extracted

# The fields extraction decides by weighing candidates, in the order a reader meets them.
FIELDS = ("title", "authors", "published", "language")


def evidence_rows(found: Extracted) -> list[Evidence]:
    """The evidence of ``found``, grouped by field, the winner first in each group."""
    rows: list[Evidence] = []
    for name in FIELDS:
        group = [item for item in found.evidence if item.field == name]
        rows += [item for item in group if item.won] + [item for item in group if not item.won]
    return rows


def evidence_table(found: Extracted) -> Table:
    """One row per candidate: the field, where the page said it, what it said, how it fared.

    The winner of each field comes first, marked "won", with the reason it won; every other
    candidate follows with the reason it lost (a site name, an SEO title, a CMS user…).
    """
    table = Table("field", "", "source", "value", "why", box=None)
    previous = None
    for item in evidence_rows(found):
        shown_field = item.field if item.field != previous else ""
        previous = item.field
        mark = Text("won", style="bold green") if item.won else Text("lost", style="dim")
        table.add_row(shown_field, mark, cell(item.source), cell(item.value), cell(item.note))
    present = {item.field for item in found.evidence}
    for name in FIELDS:
        if name not in present:
            table.add_row(name, Text("-"), "", "", "the page offers no candidate")
    return table
