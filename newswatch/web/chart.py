"""The coverage timeline: articles per outlet per day as a stacked bar chart in inline SVG.

Server-rendered so the page needs no script, no CDN and no network; every label goes through
``markupsafe.escape`` because outlet names come from the pages newswatch fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

import storage

__all__ = ["PALETTE", "Timeline", "timeline"]

# Tableau 10: distinguishable, and readable on white.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")
_W, _H, _LEFT, _BOTTOM, _TOP = 900, 220, 36, 24, 10


@dataclass(frozen=True, slots=True)
class Timeline:
    """The chart and its legend (outlet, colour, total)."""

    svg: Markup
    legend: tuple[tuple[str, str, int], ...]
    days: int
    total: int
    first: date | None = None
    last: date | None = None


def timeline(counts: Sequence[storage.DayCount], *, max_days: int = 45) -> Timeline:
    """A chart of the last ``max_days`` days that have coverage (gaps drawn as empty days)."""
    if not counts:
        return Timeline(svg=Markup(""), legend=(), days=0, total=0)
    last = max(c.day for c in counts)
    first = max(min(c.day for c in counts), last - timedelta(days=max_days - 1))
    kept = [c for c in counts if c.day >= first]
    totals: dict[str, int] = {}
    for c in kept:
        totals[c.outlet] = totals.get(c.outlet, 0) + c.articles
    order = sorted(totals, key=lambda o: (-totals[o], o))
    colour = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(order)}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    per_day: dict[date, dict[str, int]] = {d: {} for d in days}
    for c in kept:
        per_day[c.day][c.outlet] = c.articles
    peak = max(sum(v.values()) for v in per_day.values()) or 1
    svg = _draw(days, per_day, order, colour, peak)
    legend = tuple((o, colour[o], totals[o]) for o in order)
    return Timeline(svg=svg, legend=legend, days=len(days), total=sum(totals.values()),
                    first=first, last=last)


def _draw(days: list[date], per_day: dict[date, dict[str, int]], order: list[str],
          colour: dict[str, str], peak: int) -> Markup:
    plot_w, plot_h = _W - _LEFT - 8, _H - _BOTTOM - _TOP
    slot = plot_w / len(days)
    bar = max(min(slot * 0.8, 40), 1)
    parts = [f'<svg class="timeline" viewBox="0 0 {_W} {_H}" role="img" '
             f'aria-label="Articles per outlet per day" xmlns="http://www.w3.org/2000/svg">']
    for frac in (0.0, 0.5, 1.0):
        y = _TOP + plot_h * (1 - frac)
        parts.append(f'<line x1="{_LEFT}" x2="{_W - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'class="grid"/><text x="{_LEFT - 6}" y="{y + 4:.1f}" class="axis" '
                     f'text-anchor="end">{round(peak * frac)}</text>')
    label_every = max(1, len(days) // 10)
    for i, day in enumerate(days):
        x = _LEFT + i * slot + (slot - bar) / 2
        y = _TOP + plot_h
        for outlet in order:
            n = per_day[day].get(outlet, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            tip = escape(f"{day:%a %d %b %Y} · {outlet}: {n} article{'s' if n > 1 else ''}")
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{colour[outlet]}"><title>{tip}</title></rect>')
        if i % label_every == 0 or i == len(days) - 1:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{_H - 6}" class="axis" '
                         f'text-anchor="middle">{day:%d %b}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every interpolated label is escaped above)
