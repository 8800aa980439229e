"""Question 9, pictures: depth over time, and a graph of my strongest ties.

* :func:`plot_depth`: relationships by depth level (stacked) and the inch-deep and
  talked-to shares at ``points`` dates, for ``me`` or the whole ledger;
* :func:`plot_graph`: ``me`` and its ``top`` strongest relationships at ``as_of``,
  with the ties among them; line width is strength, node colour the organisation the
  person had then (grey: none known). Spring layout with a fixed seed, so the same
  ledger draws the same picture.

Both write a PNG atomically (nothing is left at the path on an error), drawn with
matplotlib's Agg backend like :mod:`ledger.outputs.plot`.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime

import attrs

from ledger import PairView
from ledger.api import Ledger
from ledger.errors import InvalidInputError
from ledger.facts.time import from_micros
from ledger.insights._common import TimeLike, micros, moment
from ledger.insights.network_health import LEVELS
from ledger.outputs._files import atomic_output
from ledger.outputs.plot import _figure, _save, _whole_numbers

__all__ = ["DepthPoint", "GraphSummary", "depth_series", "plot_depth", "plot_graph"]


@attrs.frozen
class DepthPoint:
    as_of: datetime
    counts: dict[str, int]
    inch_deep_share: float
    talked_to_share: float


@attrs.frozen
class GraphSummary:
    me: str
    people: int
    ties: int
    orgs: dict[str, int]


def _views(book: Ledger, me: str | None, at: datetime) -> list[PairView]:
    return book.pairs(at) if me is None else book.relationships(me, at)


def depth_series(
    book: Ledger, me: str | None = None, points: int = 24, until: TimeLike = None
) -> list[DepthPoint]:
    """Relationships by depth at ``points`` dates from the first touch to ``until``."""
    if not isinstance(points, int) or points < 2:
        raise InvalidInputError("points", points, "must be a whole number >= 2")
    end = moment(until, "until")
    views = _views(book, me, end)
    if not views:
        return [DepthPoint(end, dict.fromkeys(LEVELS, 0), 0.0, 0.0)]
    start = from_micros(min(view.decay.first_touch_t for view in views))
    step = (end - start) / (points - 1)
    found = []
    for k in range(points):
        at = end if k == points - 1 else start + step * k
        levels = Counter(view.depth.level_name for view in _views(book, me, at))
        size = sum(levels.values())
        talked = sum(levels[name] for name in LEVELS[2:])
        found.append(
            DepthPoint(
                at,
                {name: levels.get(name, 0) for name in LEVELS},
                levels["inch_deep"] / size if size else 0.0,
                talked / size if size else 0.0,
            )
        )
    return found


def plot_depth(
    book: Ledger,
    out: str | os.PathLike[str],
    me: str | None = None,
    points: int = 24,
    until: TimeLike = None,
) -> list[DepthPoint]:
    """Draw relationships by depth, and the inch-deep share, over time; write a PNG."""
    with atomic_output(out) as stream:
        series = depth_series(book, me, points, until)
        figure, (counts, shares) = _figure(rows=2)
        times = [point.as_of for point in series]
        counts.stackplot(
            times,
            [[point.counts[level] for point in series] for level in LEVELS],
            labels=[level.replace("_", " ") for level in LEVELS],
            alpha=0.85,
            step="post",
        )
        who = "the whole ledger" if me is None else me
        counts.set_title(f"Relationships by depth: {who}")
        counts.set_ylabel("relationships")
        counts.legend(loc="upper left", fontsize="small", ncols=5)
        _whole_numbers(counts)
        steps = {"marker": "o", "markersize": 3, "drawstyle": "steps-post"}
        shares.plot(times, [p.inch_deep_share for p in series], label="inch-deep share", **steps)
        shares.plot(times, [p.talked_to_share for p in series], label="talked-to share", **steps)
        shares.set_ylim(0, 1)
        shares.set_title("Inch-deep (no exchange) and talked-to (two-way or deeper) shares")
        shares.legend(loc="best", fontsize="small")
        _save(figure, stream)
    return series


def plot_graph(
    book: Ledger, out: str | os.PathLike[str], me: str, as_of: TimeLike = None, top: int = 30
) -> GraphSummary:
    """Draw ``me`` and its ``top`` strongest ties, coloured by organisation; write a PNG."""
    if not isinstance(top, int) or top < 1:
        raise InvalidInputError("top", top, "must be a whole number >= 1")
    end = moment(as_of)
    mine = book.relationships(me, end)[:top]
    people = {me, *(view.other(me) for view in mine)}
    ties = [v for v in book.pairs(end) if v.a in people and v.b in people]
    orgs = {
        key: str(values.get("org", "")) for key, values in book.attributes_at(micros(end)).items()
    }
    with atomic_output(out) as stream:
        figure = _draw_graph(me, people, ties, orgs, end)
        _save(figure, stream)
    counted = Counter(orgs.get(key) or "(unknown)" for key in people if key != me)
    return GraphSummary(me, len(people), len(ties), dict(counted.most_common()))


def _draw_graph(
    me: str, people: set[str], ties: list[PairView], orgs: dict[str, str], end: datetime
) -> object:
    import networkx as nx  # noqa: PLC0415 - heavy
    from matplotlib import colormaps  # noqa: PLC0415

    graph = nx.Graph()
    graph.add_nodes_from(sorted(people))
    for view in ties:
        graph.add_edge(view.a, view.b, weight=max(view.strength, 1e-9))
    layout = nx.spring_layout(graph, weight="weight", seed=7)
    figure, (ax,) = _figure(rows=1)
    figure.set_size_inches(11, 8)
    ax.set_axis_off()
    strongest = max((view.strength for view in ties), default=1.0) or 1.0
    for view in ties:
        (x1, y1), (x2, y2) = layout[view.a], layout[view.b]
        ax.plot(
            [x1, x2],
            [y1, y2],
            color="#8899aa",
            zorder=1,
            linewidth=0.4 + 4.0 * view.strength / strongest,
        )
    names = sorted({orgs.get(key) or "" for key in people} - {""})
    palette = colormaps["tab20"]
    for index, name in enumerate(["", *names]):
        members = sorted(key for key in people if (orgs.get(key) or "") == name)
        colour = "#bbbbbb" if not name else palette(index % 20)
        ax.scatter(
            [layout[k][0] for k in members],
            [layout[k][1] for k in members],
            s=60,
            color=colour,
            zorder=2,
            label=name or "(unknown)",
        )
    for key in people:
        ax.annotate(
            key,
            layout[key],
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
            fontweight="bold" if key == me else "normal",
        )
    ax.set_title(f"{me}: the {len(people) - 1} strongest ties as of {end:%Y-%m-%d}")
    ax.legend(loc="upper left", fontsize="x-small", ncols=2, bbox_to_anchor=(1.0, 1.0))
    return figure
