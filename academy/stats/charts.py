"""Server-rendered SVG charts: the geometry here, the markup in templates/stats/_charts.html.

Charts use SVG presentation attributes and CSS classes from static/css/stats.css (the
CSP forbids inline styles), carry their numbers in ``data-value`` and ``<title>``
elements, and mirror for right-to-left pages: labels on the start side, bars growing
towards the end side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

PALETTE = ["#0b5cad", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#6b4c9a", "#4a5360"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: Any
    text: str  # the value as shown
    label: str
    series: int = 0
    key: str = ""


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    cls: str = "chart-label"


@dataclass
class Chart:
    id: str
    title: str
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    legend: list[tuple[int, str, str]] = field(default_factory=list)  # (series, label, colour)
    is_empty: bool = False

    def colour(self, series: int) -> str:
        return PALETTE[series % len(PALETTE)]


def nice_max(value: float) -> float:
    """The next "round" number at or above ``value`` (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _num(v) -> float:
    return float(v) if isinstance(v, int | float) else 0.0


def bar_chart(
    chart_id: str,
    title: str,
    items: list[tuple[str, str, Any, str]],
    *,
    rtl: bool = False,
    max_value: float | None = None,
) -> Chart:
    """Horizontal bars, one per item: (key, label, value, value as text).

    A value that is not a number (a suppressed "<5") draws no bar but keeps its label.
    """
    width, label_w, value_w, bar_h, gap, top = 640, 210, 70, 20, 8, 8
    plot_w = width - label_w - value_w
    height = top * 2 + max(1, len(items)) * (bar_h + gap)
    chart = Chart(chart_id, title, width, height, is_empty=not items)
    top_value = max_value or nice_max(max((_num(v) for _k, _l, v, _t in items), default=0))
    for i, (key, label, value, text) in enumerate(items):
        y = top + i * (bar_h + gap)
        w = plot_w * _num(value) / top_value if top_value else 0
        bar_x = (width - label_w - w) if rtl else label_w
        chart.bars.append(Bar(bar_x, y, w, bar_h, value, text, label, 0, str(key)))
        label_x = width - label_w + 8 if rtl else label_w - 8
        chart.texts.append(Text(label_x, y + bar_h * 0.7, _short(label), "start" if rtl else "end"))
        value_x = bar_x - 6 if rtl else bar_x + w + 6
        chart.texts.append(Text(value_x, y + bar_h * 0.7, text, "end" if rtl else "start", "chart-value"))
    axis_x = width - label_w if rtl else label_w
    chart.lines.append((axis_x, top - 2, axis_x, height - top + 2))
    return chart


def grouped_bar_chart(
    chart_id: str,
    title: str,
    groups: list[tuple[str, str]],
    series: list[tuple[str, str]],
    values: dict,
    texts: dict,
    *,
    rtl: bool = False,
    max_value: float | None = None,
) -> Chart:
    """Horizontal bars in groups: one group per row key, one bar per series (column key).

    ``values[(group, series)]`` is the number (or a marker), ``texts`` the same as shown.
    """
    width, label_w, value_w, bar_h, gap, group_gap, top = 640, 170, 70, 14, 2, 14, 8
    plot_w = width - label_w - value_w
    per_group = len(series) * (bar_h + gap) + group_gap
    height = top * 2 + max(1, len(groups)) * per_group
    chart = Chart(chart_id, title, width, height, is_empty=not groups or not series)
    top_value = max_value or nice_max(max((_num(v) for v in values.values()), default=0))
    for gi, (gkey, glabel) in enumerate(groups):
        gy = top + gi * per_group
        label_x = width - label_w + 8 if rtl else label_w - 8
        chart.texts.append(Text(label_x, gy + 12, _short(glabel, 24), "start" if rtl else "end"))
        for si, (skey, slabel) in enumerate(series):
            value = values.get((gkey, skey))
            y = gy + si * (bar_h + gap)
            w = plot_w * _num(value) / top_value if top_value else 0
            bar_x = (width - label_w - w) if rtl else label_w
            text = texts.get((gkey, skey), "")
            chart.bars.append(Bar(bar_x, y, w, bar_h, value, text, f"{glabel}, {slabel}", si, f"{gkey}|{skey}"))
            value_x = bar_x - 4 if rtl else bar_x + w + 4
            chart.texts.append(Text(value_x, y + bar_h * 0.78, text, "end" if rtl else "start", "chart-value small"))
    axis_x = width - label_w if rtl else label_w
    chart.lines.append((axis_x, top - 2, axis_x, height - top + 2))
    chart.legend = [(si, label, chart.colour(si)) for si, (_k, label) in enumerate(series)]
    return chart


def column_chart(
    chart_id: str,
    title: str,
    items: list[tuple[str, str, Any, str]],
    *,
    rtl: bool = False,
    fmt=lambda v: f"{v:,.0f}",
) -> Chart:
    """Vertical columns over time, oldest first (time runs with the reading direction)."""
    width, height, left, bottom, top, right = 640, 260, 48, 44, 12, 12
    n = max(1, len(items))
    plot_w, plot_h = width - left - right, height - top - bottom
    chart = Chart(chart_id, title, width, height, is_empty=not items)
    top_value = nice_max(max((_num(v) for _k, _l, v, _t in items), default=0))
    slot = plot_w / n
    every = max(1, math.ceil(n / 12))
    for i, (key, label, value, text) in enumerate(items):
        pos = (n - 1 - i) if rtl else i
        h = plot_h * _num(value) / top_value if top_value else 0
        x = left + pos * slot + slot * 0.1
        chart.bars.append(Bar(x, top + plot_h - h, slot * 0.8, h, value, text, label, 0, str(key)))
        if i % every == 0:
            chart.texts.append(Text(x + slot * 0.4, height - bottom + 16, label, "middle", "chart-label small"))
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        chart.lines.append((left, y, width - right, y))
        tick = top_value * frac
        chart.texts.append(Text(left - 6, y + 4, fmt(tick), "end", "chart-label small"))
    return chart
