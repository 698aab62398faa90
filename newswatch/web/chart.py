"""The coverage timeline: articles per outlet per day as a stacked bar chart in inline SVG.

Server-rendered so the page needs no script, no CDN and no network; every label goes through
``markupsafe.escape`` because outlet names come from the pages newswatch fetched. With many
outlets only the largest get a colour of their own (``top``); the rest share one grey band,
"other outlets", so fifty outlets still read as a handful of bands and a legend of a line or
two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

import storage

__all__ = ["OTHERS", "PALETTE", "Timeline", "timeline"]

# Tableau 10 without its grey: distinguishable, and readable on white; grey is for the rest.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
OTHERS = "#bab0ac"
_W, _H, _LEFT, _BOTTOM, _TOP = 900, 220, 36, 24, 10


@dataclass(frozen=True, slots=True)
class LegendItem:
    """One band of the chart: its label, colour, articles, and the outlet key to filter by
    (``None`` for the grouped rest)."""

    label: str
    colour: str
    total: int
    outlet: str | None
    outlets: int = 1


@dataclass(frozen=True, slots=True)
class Timeline:
    """The chart and its legend."""

    svg: Markup
    legend: tuple[LegendItem, ...]
    days: int
    total: int
    outlets: int = 0
    first: date | None = None
    last: date | None = None


def timeline(
    counts: Sequence[storage.DayCount],
    *,
    max_days: int = 45,
    top: int = 9,
    key: Callable[[str], str] = str,
    name: Callable[[str], str] = str,
) -> Timeline:
    """A chart of the last ``max_days`` days that have coverage (gaps drawn as empty days):
    one band per outlet (``key`` groups hosts into outlets, ``name`` labels them) for the
    ``top`` largest, one grey band for all the others."""
    if not counts:
        return Timeline(svg=Markup(""), legend=(), days=0, total=0)
    last = max(c.day for c in counts)
    first = max(min(c.day for c in counts), last - timedelta(days=max_days - 1))
    per_outlet: dict[date, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for c in counts:
        if c.day < first:
            continue
        outlet = key(c.outlet)
        totals[outlet] = totals.get(outlet, 0) + c.articles
        on_day = per_outlet.setdefault(c.day, {})
        on_day[outlet] = on_day.get(outlet, 0) + c.articles
    order = sorted(totals, key=lambda o: (-totals[o], o))
    shown, rest = order[:top], order[top:]
    if len(rest) == 1:  # one "other" band would only hide a name
        shown, rest = order, []
    bands = [
        LegendItem(name(o), PALETTE[i % len(PALETTE)], totals[o], o) for i, o in enumerate(shown)
    ]
    if rest:
        bands.append(
            LegendItem(
                f"{len(rest)} other outlets",
                OTHERS,
                sum(totals[o] for o in rest),
                None,
                outlets=len(rest),
            )
        )
    band_of = {o: i for i, o in enumerate(shown)} | {o: len(shown) for o in rest}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    per_day: dict[date, list[int]] = {d: [0] * len(bands) for d in days}
    for day, outlets in per_outlet.items():
        for outlet, n in outlets.items():
            per_day[day][band_of[outlet]] += n
    peak = max(sum(v) for v in per_day.values()) or 1
    return Timeline(
        svg=_draw(days, per_day, bands, peak),
        legend=tuple(bands),
        days=len(days),
        total=sum(totals.values()),
        outlets=len(order),
        first=first,
        last=last,
    )


def _draw(
    days: list[date], per_day: dict[date, list[int]], bands: list[LegendItem], peak: int
) -> Markup:
    plot_w, plot_h = _W - _LEFT - 8, _H - _BOTTOM - _TOP
    slot = plot_w / len(days)
    bar = max(min(slot * 0.8, 40), 1)
    parts = [
        f'<svg class="timeline" viewBox="0 0 {_W} {_H}" role="img" '
        f'aria-label="Articles per outlet per day" xmlns="http://www.w3.org/2000/svg">'
    ]
    # Whole numbers drawn where they belong (a "2" halfway up a peak of 3 would lie).
    for value in sorted({0, peak // 2, peak} - ({peak // 2} if peak < 4 else set())):
        y = _TOP + plot_h * (1 - value / peak)
        parts.append(
            f'<line x1="{_LEFT}" x2="{_W - 8}" y1="{y:.1f}" y2="{y:.1f}" '
            f'class="grid"/><text x="{_LEFT - 6}" y="{y + 4:.1f}" class="axis" '
            f'text-anchor="end">{value}</text>'
        )
    label_every = max(1, len(days) // 10)
    for i, day in enumerate(days):
        x = _LEFT + i * slot + (slot - bar) / 2
        y = _TOP + plot_h
        for band, n in zip(bands, per_day[day], strict=True):
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            tip = escape(f"{day:%a %d %b %Y} · {band.label}: {n} article{'s' if n > 1 else ''}")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{band.colour}"><title>{tip}</title></rect>'
            )
        # The last day is labelled too, unless that would crowd the label before it.
        if i % label_every == 0 or (i == len(days) - 1 and i % label_every > label_every // 2):
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{_H - 6}" class="axis" '
                f'text-anchor="middle">{day:%d %b}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every interpolated label is escaped above)
