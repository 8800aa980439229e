"""Relationships over time: the series behind the plots, and the plots (PNG files).

:func:`strength_series` and :func:`network_series` compute; :func:`plot_pair` and
:func:`plot_network` draw with matplotlib's Agg backend (no display needed) and write
the PNG atomically (see :mod:`ledger.outputs._files`; a stream is written as it is).
matplotlib is imported only when something is drawn.

Without ``until`` a picture ends at the last touchpoint (of the pair, or of the
ledger), not at today: an old history is not drawn as a long flat line. Values
computed at instants are drawn as steps that show, over each interval, the state
reached at its end, so the last state is drawn too. Dates are shown in ``tz``
(default UTC); text is drawn only with glyphs the default font has (:func:`drawable`).

A pair's strength at each instant is what the ledger answers at that instant: its
touches' model-free facts (:meth:`ledger.Ledger.pair_facts`) weighed under the ledger's
decay model by :meth:`ledger.DecayModel.weigh`, the function every strength comes from.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import attrs

from ledger import Contribution, DecayModel, Ledger, NetworkSummary, PairFact
from ledger.errors import InvalidInputError
from ledger.facts.time import parse_time, to_micros
from ledger.outputs._files import OutputFileError, Target, atomic_output
from ledger.projections.depth import DepthLevel

__all__ = [
    "OutputFileError",
    "StrengthSeries",
    "date_axis",
    "drawable",
    "integer_ticks",
    "last_touch_at",
    "network_series",
    "new_figure",
    "plot_network",
    "plot_pair",
    "save_png",
    "strength_series",
]

TimeLike = datetime | str | None
_ONE_MICROSECOND = timedelta(microseconds=1)
_LEVELS = tuple(level.label for level in DepthLevel)


@attrs.frozen
class StrengthSeries:
    """A pair's strength at ``times`` (each "as of" that instant), and its touches.

    Besides ``points`` evenly spaced instants, the series holds each touch's instant
    and the microsecond before it, so a line through it shows every jump; unless the
    pair has more touches in the window than ``points`` (more jumps than a picture can
    show): then it is sampled at the ``points`` instants only.
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
    """Strength of the pair (a, b) (``a < b`` in the series) from ``since`` (default:
    their first touch) to ``until`` (default: their last touch, or now if they have
    none), under the ledger's decay model."""
    _check_points(points)
    end = _moment(until, "until")
    x, y = sorted((book.person(a, end).key, book.person(b, end).key))
    if x == y:
        raise InvalidInputError("b", b, "a pair is two different people")
    explanation = book.explain(x, y, end)
    if until is None and explanation.contributions:
        end = max(c.occurred_at for c in explanation.contributions)
        explanation = book.explain(x, y, end)
    history = explanation.contributions
    start = _start(since, history, end)
    window = tuple(c for c in history if start <= c.occurred_at <= end)
    instants = set(_grid(start, end, points))
    for touch in window if len(window) <= points else ():
        instants.update((touch.occurred_at - _ONE_MICROSECOND, touch.occurred_at))
    times = sorted(t for t in instants if start <= t <= end)
    facts = book.pair_facts(x, end).get(y, [])
    strengths = _strengths(book.decay_model, facts, times)
    return StrengthSeries(
        a=x,
        b=y,
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
    (default: the first touch in the ledger) to ``until`` (default: the last touch in
    the ledger, or now in an empty one).

    ``on_step(done, total)`` is called after each instant (for progress bars).
    """
    _check_points(points)
    end = _moment(until, "until") if until is not None else last_touch_at(book)
    if since is None:
        first = book.pair_table(end)["first_touch_at"]
        start = _datetime(first.min()) if len(first) else end
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
    out: Target,
    since: TimeLike = None,
    until: TimeLike = None,
    points: int = 400,
    *,
    tz: tzinfo | None = None,
) -> StrengthSeries:
    """Draw the pair's strength over time with its touches marked; write a PNG to ``out``."""
    with atomic_output(out) as stream:
        series = strength_series(book, a, b, since, until, points)
        names = {key: book.person(key).name for key in (series.a, series.b)}
        figure, axes = new_figure(rows=1, tz=tz)
        (ax,) = axes
        ax.plot(series.times, series.strengths, color="#1f5f8b", linewidth=1.6, label="strength")
        _mark_touches(ax, series)
        who = f"{names[series.a]} and {names[series.b]}"
        ax.set_title(drawable(f"How strong the relationship of {who} was"))
        ax.set_ylabel(f"strength (halves every {series.half_life_days:g} days without contact)")
        ax.set_xlabel(_zone_label(tz))
        ax.set_ylim(bottom=0)
        ax.legend(loc="best", fontsize="small", ncols=2, framealpha=0.9, title="touchpoints")
        save_png(figure, stream)
    return series


def plot_network(
    book: Ledger,
    out: Target,
    points: int = 24,
    since: TimeLike = None,
    until: TimeLike = None,
    on_step: Callable[[int, int], None] | None = None,
    *,
    tz: tzinfo | None = None,
) -> list[NetworkSummary]:
    """Draw the network's size and its depth distribution over time; write a PNG."""
    with atomic_output(out) as stream:
        series = network_series(book, points, since, until, on_step)
        figure, (size, depth) = new_figure(rows=2, tz=tz)
        times = [summary.as_of for summary in series]
        steps = {"marker": "o", "markersize": 3, "drawstyle": "steps-pre"}
        size.plot(times, [s.people for s in series], label="people in touch", **steps)
        size.plot(times, [s.pairs for s in series], label="relationships (pairs)", **steps)
        size.set_title("How many people and relationships the ledger holds")
        size.set_ylabel("count")
        size.legend(loc="upper left", fontsize="small")
        integer_ticks(size)
        depth.stackplot(
            times,
            [[s.depth_distribution.get(level, 0) for s in series] for level in _LEVELS],
            labels=[level.replace("_", " ") for level in _LEVELS],
            alpha=0.85,
            step="pre",  # each interval shows the state reached at its end
        )
        depth.set_title("Relationships by depth: inch deep (no exchange) to sustained")
        depth.set_ylabel("relationships")
        depth.set_xlabel(_zone_label(tz))
        depth.legend(loc="upper left", fontsize="small", ncols=5)
        integer_ticks(depth)
        save_png(figure, stream)
    return series


def last_touch_at(book: Ledger) -> datetime:
    """The time of the last touchpoint in the ledger (now when it has none)."""
    last = book.pair_table()["last_touch_at"]
    return _datetime(last.max()) if len(last) else datetime.now(UTC)


def _datetime(value: Any) -> datetime:
    """A numpy ``datetime64[us]`` (UTC) as an aware datetime."""
    micros = int(value.astype("datetime64[us]").astype("int64"))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


# -- computing -------------------------------------------------------------------------
def _strengths(
    model: DecayModel, facts: Sequence[PairFact], times: Sequence[datetime]
) -> list[float]:
    """The pair's strength as of each of ``times``: its touches by then, weighed by the
    model (the touches after an instant add nothing to it)."""
    found = []
    moments = [fact.at for fact in facts]
    for moment in times:
        known = facts[: bisect.bisect_right(moments, moment)]
        found.append(math.fsum(model.weigh(known, to_micros(moment)).tolist()) if known else 0.0)
    return found


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
def new_figure(rows: int, tz: tzinfo | None = None) -> tuple[Any, list[Any]]:
    """A figure of ``rows`` stacked axes with date x-axes in ``tz`` (for this module and
    :mod:`ledger.insights.pictures`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - heavy
    from matplotlib.figure import Figure  # noqa: PLC0415

    # A bare Figure on the Agg canvas: no pyplot global state, no display needed.
    figure = Figure(figsize=(10, 3.2 + 2.6 * rows), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = [figure.add_subplot(rows, 1, row + 1) for row in range(rows)]
    for ax in axes:
        date_axis(ax, tz)
    return figure, axes


def date_axis(ax: Any, tz: tzinfo | None = None) -> None:
    """Concise date ticks in ``tz`` (default UTC) and a light grid."""
    import matplotlib.dates as mdates  # noqa: PLC0415

    locator = mdates.AutoDateLocator(tz=tz or UTC)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator, tz=tz or UTC)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    ax.grid(True, alpha=0.3)


def _zone_label(tz: tzinfo | None) -> str:
    name = getattr(tz, "key", None) or (datetime.now(tz).tzname() if tz else "UTC")
    return f"date ({name})"


def drawable(text: str) -> str:
    """``text`` as matplotlib can draw it with its default font: a character the font
    has no glyph for becomes ``?`` (so no box and no warning), and ``$`` is escaped so
    that it is not read as mathematics."""
    glyphs = _glyphs()
    shown = "".join(c if c in " \n" or ord(c) in glyphs else "?" for c in text)
    return shown.replace("$", r"\$")


@functools.cache
def _glyphs() -> frozenset[int]:
    from matplotlib import font_manager  # noqa: PLC0415
    from matplotlib.ft2font import FT2Font  # noqa: PLC0415

    path = font_manager.findfont(font_manager.FontProperties())
    return frozenset(FT2Font(path).get_charmap())


def integer_ticks(ax: Any) -> None:
    """Whole-number ticks on the y-axis (counts)."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _mark_touches(ax: Any, series: StrengthSeries) -> None:
    """One marker per touch at the strength just after it (on the axis when the series
    is only sampled), a colour per kind."""
    after = dict(zip(series.times, series.strengths, strict=True))
    kinds = sorted({touch.kind for touch in series.touches})
    from matplotlib import colormaps  # noqa: PLC0415

    palette = colormaps["tab10"]
    for index, kind in enumerate(kinds):
        touches = [t for t in series.touches if t.kind == kind]
        ax.scatter(
            [t.occurred_at for t in touches],
            [after.get(t.occurred_at, 0.0) for t in touches],
            s=28,
            zorder=3,
            color=palette(index % 10),
            label=f"{kind.replace('_', ' ')} ({len(touches)})",
        )


def save_png(figure: Any, stream: Any) -> None:
    """Write ``figure`` to ``stream`` as a PNG."""
    figure.savefig(stream, format="png")
