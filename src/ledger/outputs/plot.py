"""Relationships over time: the series behind the plots, and the plots (PNG files).

:func:`strength_series` and :func:`network_series` compute; :func:`plot_pair` and
:func:`plot_network` draw with matplotlib's Agg backend (no display needed) and write
the PNG atomically. matplotlib is imported only when something is drawn.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ledger import Contribution, NetworkSummary
from ledger.api import Ledger
from ledger.errors import InvalidInputError
from ledger.facts.time import from_micros, parse_time, to_micros
from ledger.outputs._files import OutputFileError, atomic_output
from ledger.projections import MICROS_PER_DAY

__all__ = [
    "OutputFileError",
    "StrengthSeries",
    "network_series",
    "plot_network",
    "plot_pair",
    "strength_series",
]

TimeLike = datetime | str | None
_ONE_MICROSECOND = timedelta(microseconds=1)
_LEVELS = ("inch_deep", "one_way", "two_way", "live", "sustained")


@attrs.frozen
class StrengthSeries:
    """A pair's strength at ``times`` (each "as of" that instant), and its touches.

    Besides ``points`` evenly spaced instants, the series holds each touch's instant
    and the microsecond before it, so a line through it shows every jump.
    """

    a: str
    b: str
    half_life_days: float
    times: tuple[datetime, ...]
    strengths: tuple[float, ...]
    touches: tuple[Contribution, ...]


def strength_series(
    book: Ledger,
    a: str,
    b: str,
    since: TimeLike = None,
    until: TimeLike = None,
    points: int = 200,
) -> StrengthSeries:
    """Strength of the pair (a, b) from ``since`` (default: their first touch) to
    ``until`` (default: now), under the ledger's decay model."""
    _check_points(points)
    end = _moment(until, "until")
    explanation = book.explain(a, b, end)
    history = explanation.contributions
    start = _start(since, history, end)
    window = tuple(c for c in history if start <= c.occurred_at <= end)
    instants = set(_grid(start, end, points))
    for touch in window:
        instants.update((touch.occurred_at - _ONE_MICROSECOND, touch.occurred_at))
    times = sorted(t for t in instants if start <= t <= end)
    strengths = _rolled(history, times, explanation.half_life_days)
    return StrengthSeries(
        a=explanation.a,
        b=explanation.b,
        half_life_days=explanation.half_life_days,
        times=tuple(times),
        strengths=tuple(strengths),
        touches=window,
    )


def network_series(
    book: Ledger,
    points: int = 24,
    since: TimeLike = None,
    until: TimeLike = None,
    on_step: Callable[[int, int], None] | None = None,
) -> list[NetworkSummary]:
    """:meth:`Ledger.network` at ``points`` evenly spaced instants from ``since``
    (default: the first touch in the ledger) to ``until`` (default: now).

    ``on_step(done, total)`` is called after each instant (for progress bars).
    """
    _check_points(points)
    end = _moment(until, "until")
    if since is None:
        firsts = [view.decay.first_touch_t for view in book.pairs(end)]
        start = min((from_micros(t) for t in firsts), default=end)
    else:
        start = _moment(since, "since")
    instants = _grid(start, end, points) if start < end else [end]
    summaries = []
    for done, moment in enumerate(instants, start=1):
        summaries.append(book.network(moment))
        if on_step is not None:
            on_step(done, len(instants))
    return summaries


def plot_pair(
    book: Ledger,
    a: str,
    b: str,
    out: str | os.PathLike[str],
    since: TimeLike = None,
    until: TimeLike = None,
    points: int = 400,
) -> StrengthSeries:
    """Draw the pair's strength over time with its touches marked; write a PNG to ``out``."""
    with atomic_output(out) as stream:
        series = strength_series(book, a, b, since, until, points)
        figure, axes = _figure(rows=1)
        (ax,) = axes
        ax.plot(series.times, series.strengths, color="#1f5f8b", linewidth=1.6, label="strength")
        _mark_touches(ax, series)
        ax.set_title(
            f"{series.a} – {series.b}: strength (half-life {series.half_life_days:g} days)"
        )
        ax.set_ylabel("strength")
        ax.set_ylim(bottom=0)
        ax.legend(loc="best", fontsize="small", ncols=2, framealpha=0.9)
        _save(figure, stream)
    return series


def plot_network(
    book: Ledger,
    out: str | os.PathLike[str],
    points: int = 24,
    since: TimeLike = None,
    until: TimeLike = None,
    on_step: Callable[[int, int], None] | None = None,
) -> list[NetworkSummary]:
    """Draw the network's size and its depth distribution over time; write a PNG."""
    with atomic_output(out) as stream:
        series = network_series(book, points, since, until, on_step)
        figure, (size, depth) = _figure(rows=2)
        times = [summary.as_of for summary in series]
        steps = {"marker": "o", "markersize": 3, "drawstyle": "steps-post"}
        size.plot(times, [s.people for s in series], label="people", **steps)
        size.plot(times, [s.pairs for s in series], label="pairs", **steps)
        size.set_title("Network size")
        size.set_ylabel("count")
        size.legend(loc="best", fontsize="small")
        _whole_numbers(size)
        depth.stackplot(
            times,
            [[s.depth_distribution.get(level, 0) for s in series] for level in _LEVELS],
            labels=[level.replace("_", " ") for level in _LEVELS],
            alpha=0.85,
            step="post",  # each value holds from its instant to the next one
        )
        depth.set_title("Pairs by depth")
        depth.set_ylabel("pairs")
        depth.legend(loc="best", fontsize="small", ncols=5)
        _whole_numbers(depth)
        _save(figure, stream)
    return series


# -- computing -------------------------------------------------------------------------
def _rolled(
    history: Sequence[Contribution], times: Sequence[datetime], half_life: float
) -> list[float]:
    """Strength as of each of ``times`` (ascending), rolled forward exactly as the decay
    projection folds it: S = S * 2**(-Δt/h) + w at each touch."""
    scale = half_life * MICROS_PER_DAY
    strengths: list[float] = []
    strength, last, i = 0.0, None, 0
    for moment in times:
        t = to_micros(moment)
        while i < len(history) and to_micros(history[i].occurred_at) <= t:
            touched = to_micros(history[i].occurred_at)
            decayed = 0.0 if last is None else strength * 2.0 ** (-(touched - last) / scale)
            strength, last, i = decayed + history[i].weight, touched, i + 1
        strengths.append(0.0 if last is None else strength * 2.0 ** (-(t - last) / scale))
    return strengths


def _grid(start: datetime, end: datetime, points: int) -> list[datetime]:
    if points == 1 or start >= end:
        return [end]
    step = (end - start) / (points - 1)
    return [start + step * k for k in range(points - 1)] + [end]


def _start(since: TimeLike, history: Sequence[Contribution], end: datetime) -> datetime:
    if since is not None:
        start = _moment(since, "since")
        if start > end:
            raise InvalidInputError("since", since, "must not be after until")
        return start
    if history:
        return history[0].occurred_at
    return end - timedelta(days=30)


def _check_points(points: int) -> None:
    if not isinstance(points, int) or points < 1:
        raise InvalidInputError("points", points, "must be a whole number >= 1")


def _moment(value: TimeLike, field: str) -> datetime:
    return datetime.now(UTC) if value is None else parse_time(value, field)


# -- drawing ---------------------------------------------------------------------------
def _figure(rows: int) -> tuple[Any, list[Any]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - heavy
    from matplotlib.figure import Figure  # noqa: PLC0415

    # A bare Figure on the Agg canvas: no pyplot global state, no display needed.
    figure = Figure(figsize=(10, 3.2 + 2.6 * rows), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = [figure.add_subplot(rows, 1, row + 1) for row in range(rows)]
    for ax in axes:
        _date_axis(ax)
    return figure, axes


def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates  # noqa: PLC0415

    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    ax.grid(True, alpha=0.3)


def _whole_numbers(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _mark_touches(ax: Any, series: StrengthSeries) -> None:
    """One marker per touch at the strength just after it, a colour per kind."""
    after = dict(zip(series.times, series.strengths, strict=True))
    kinds = sorted({touch.kind for touch in series.touches})
    from matplotlib import colormaps  # noqa: PLC0415

    palette = colormaps["tab10"]
    for index, kind in enumerate(kinds):
        touches = [t for t in series.touches if t.kind == kind]
        ax.scatter(
            [t.occurred_at for t in touches],
            [after[t.occurred_at] for t in touches],
            s=28,
            zorder=3,
            color=palette(index % 10),
            label=f"{kind.replace('_', ' ')} ({len(touches)})",
        )


def _save(figure: Any, stream: Any) -> None:
    figure.savefig(stream, format="png")
