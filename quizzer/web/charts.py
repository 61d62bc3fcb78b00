"""Server-rendered SVG charts: no JavaScript, no inline styles, readable in light and dark mode.

Colours come from CSS classes styled in app.css (``.chart ...``), which follow
the page's light/dark variables. Every chart is a standalone, well-formed SVG
with ``role="img"``, a ``<title>`` and a ``<desc>`` for screen readers; every
bar and heatmap cell carries its own ``<title>`` ("label · series: value"),
which browsers show on hover.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 60, 8, 24, 30
CELL, GAP = 11, 2
HEAT_LEVELS = 4


@dataclass(frozen=True)
class Series:
    """One row of bar values; ``css`` names the class that colours it (e.g. ``s-new``)."""

    name: str
    css: str
    values: tuple[float | None, ...]


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def _tick(value: float) -> str:
    """An axis label: ticks are round numbers (halves of nice_ceiling's), shown exactly, so a quarter
    minute reads "0.25", not "0.2"."""
    return f"{value:,.6g}" if isinstance(value, float) and abs(value) < 1e5 else _number(value)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k that is >= value (1 for nothing to show)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _axis(top: float, unit: str) -> list[str]:
    parts = []
    for fraction in (0, 0.5, 1):
        y = HEIGHT - BOTTOM - fraction * (HEIGHT - TOP - BOTTOM)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="lbl" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{escape(_tick(top * fraction) + unit)}</text>')
    return parts


def _legend(series: list[Series]) -> list[str]:
    parts, x = [], LEFT
    for s in series:
        parts.append(f'<rect class="bar {s.css}" x="{x}" y="6" width="10" height="10" rx="2"/>'
                     f'<text class="lbl" x="{x + 14}" y="15">{escape(s.name)}</text>')
        x += 24 + 7 * len(s.name)
    return parts


def bar_chart(chart_id: str, title: str, desc: str, labels: list[str], series: list[Series], *,
              unit: str = "", stacked: bool = True, label_every: int = 1, top: float | None = None) -> Markup:
    """Bars per label: the series stacked, or side by side (``stacked=False``). None draws no bar.

    The value axis runs to ``top``, by default a round number above the highest bar.
    """
    totals = ([sum(s.values[i] or 0 for s in series) for i in range(len(labels))] if stacked
              else [v or 0 for s in series for v in s.values])
    top = top or nice_ceiling(max(totals, default=0))
    plot_h, band = HEIGHT - TOP - BOTTOM, (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    parts = _open(chart_id, title, desc, WIDTH, HEIGHT) + _axis(top, unit)
    if len(series) > 1:
        parts += _legend(series)
    for i, label in enumerate(labels):
        base, width = float(HEIGHT - BOTTOM), band * 0.8 / (1 if stacked else len(series))
        for k, s in enumerate(series):
            value = s.values[i]
            height = (value or 0) / top * plot_h
            x = LEFT + i * band + band * 0.1 + (0 if stacked else k * width)
            text = f"{label} · {s.name}: " + ("no data" if value is None else _number(value) + unit)
            parts.append(f'<rect class="bar {s.css}" x="{x:.1f}" y="{base - height:.1f}" width="{width:.1f}" '
                         f'height="{height:.1f}"><title>{escape(text)}</title></rect>')
            base -= height if stacked else 0
        if i % label_every == 0:
            parts.append(f'<text class="lbl" x="{LEFT + (i + 0.5) * band:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("\n".join(parts))


def heat_level(count: int, highest: int) -> int:
    """0 for no answers, else 1..4 by the share of the busiest day."""
    return 0 if count <= 0 else max(1, math.ceil(HEAT_LEVELS * count / max(1, highest)))


def heatmap_chart(chart_id: str, title: str, desc: str, start: date, counts: list[int], unit: str) -> Markup:
    """A calendar: one column per week (Monday on top), one cell per day from ``start``."""
    weeks = math.ceil(len(counts) / 7)
    width, height = 30 + weeks * (CELL + GAP), 20 + 7 * (CELL + GAP)
    parts = _open(chart_id, title, desc, width, height)
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        parts.append(f'<text class="lbl" x="0" y="{20 + row * (CELL + GAP) + 9}">{name}</text>')
    highest = max(counts, default=0)
    for i, count in enumerate(counts):
        day = start + timedelta(days=i)
        x, y = 30 + (i // 7) * (CELL + GAP), 20 + (i % 7) * (CELL + GAP)
        if i % 7 == 0 and day.day <= 7:  # the first week column of a month
            parts.append(f'<text class="lbl" x="{x}" y="12">{day.strftime("%b")}</text>')
        parts.append(f'<rect class="heat h{heat_level(count, highest)}" x="{x}" y="{y}" width="{CELL}" '
                     f'height="{CELL}" rx="2"><title>{day.isoformat()}: {count:,} {escape(unit)}</title></rect>')
    parts.append("</svg>")
    return Markup("\n".join(parts))
