"""Charts as SVG written by the server: the geometry here, the markup in
``templates/_charts.html`` (escaped like every other value). No script draws them, so
a page works offline, without JavaScript, and looks the same in every browser.

Two kinds are enough for these pages: lines over time (:func:`lines`) and horizontal
bars (:func:`bars`). Colours come from the stylesheet (``series-N`` classes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import attrs

from ledger.web._ask import Clock

__all__ = ["BarChart", "LineChart", "bars", "lines", "nice_ticks"]

WIDTH, HEIGHT = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 12, 12, 28
_BAR_HEIGHT, _BAR_GAP, _LABEL_WIDTH = 18, 6, 170
_ANCHORS = ("start", "middle", "middle", "middle", "end")
_CHAR = 6.5
"""Pixels a character of a bar's value takes, to leave it room."""


@attrs.frozen
class Series:
    label: str
    points: str
    """``x,y x,y ...`` for a polyline."""
    dots: tuple[tuple[float, float, str], ...]
    css: str


@attrs.frozen
class LineChart:
    title: str
    width: int
    height: int
    series: tuple[Series, ...]
    x_ticks: tuple[tuple[float, str, str], ...]
    """``(x, label, text-anchor)``."""
    y_ticks: tuple[tuple[float, str], ...]
    left: int
    bottom: int
    right: int
    top: int
    marks: tuple[float, ...] = ()
    """x positions of events marked on the axis (touches)."""


@attrs.frozen
class Bar:
    label: str
    value: float
    shown: str
    y: float
    width: float
    css: str


@attrs.frozen
class BarChart:
    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    label_width: int
    bar_height: int


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top``."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * k for k in range(math.ceil(top / step - 1e-9) + 1)]


def _label(value: float) -> str:
    return f"{value:g}" if abs(value) >= 1 or value == 0 else f"{value:.2g}"


def lines(
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[datetime, float]]]],
    clock: Clock,
    *,
    marks: Sequence[datetime] = (),
) -> LineChart:
    """Lines over time: each series is ``(label, [(when, value), ...])``."""
    times = [t for _, points in series for t, _ in points] or [datetime.now().astimezone()]
    low, high = min(times), max(times)
    span = (high - low).total_seconds() or 1.0
    top = max([v for _, points in series for _, v in points] or [0.0])
    ticks = nice_ticks(top)
    scale_top = ticks[-1] or 1.0
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def x(at: datetime) -> float:
        return round(_LEFT + plot_w * (at - low).total_seconds() / span, 1)

    def y(value: float) -> float:
        return round(_TOP + plot_h * (1 - value / scale_top), 1)

    drawn = []
    for index, (label, points) in enumerate(series):
        dots = tuple((x(t), y(v), f"{clock.date(t)}: {v:.3g}") for t, v in points)
        text = " ".join(f"{px},{py}" for px, py, _ in dots)
        drawn.append(Series(label, text, dots if len(dots) <= 60 else (), f"series-{index % 6}"))
    x_ticks = tuple(
        (x(low + (high - low) * k / 4), clock.date(low + (high - low) * k / 4), _ANCHORS[k])
        for k in range(5)
    )
    return LineChart(
        title=title,
        width=WIDTH,
        height=HEIGHT,
        series=tuple(drawn),
        x_ticks=x_ticks if span > 1 else x_ticks[:1],
        y_ticks=tuple((y(v), _label(v)) for v in ticks),
        left=_LEFT,
        bottom=HEIGHT - _BOTTOM,
        right=WIDTH - _RIGHT,
        top=_TOP,
        marks=tuple(x(t) for t in marks if low <= t <= high),
    )


def bars(
    title: str, values: Sequence[tuple[str, float]], *, shown: Sequence[str] | None = None
) -> BarChart:
    """Horizontal bars, one per ``(label, value)``; ``shown``: each value's text."""
    top = max([v for _, v in values] or [0.0]) or 1.0
    texts = list(shown) if shown is not None else [_label(round(v, 3)) for _, v in values]
    room = WIDTH - _LABEL_WIDTH - 12 - _CHAR * max([len(t) for t in texts] or [0])
    found = []
    for index, (label, value) in enumerate(values):
        found.append(
            Bar(
                label=label,
                value=value,
                shown=texts[index],
                y=index * (_BAR_HEIGHT + _BAR_GAP),
                width=round(max(0.0, value) / top * room, 1),
                css=f"series-{index % 6}",
            )
        )
    height = max(1, len(found)) * (_BAR_HEIGHT + _BAR_GAP)
    return BarChart(title, WIDTH, height, tuple(found), _LABEL_WIDTH, _BAR_HEIGHT)
