"""Question 9, pictures: depth over time, and a graph of my strongest ties.

* :func:`plot_depth`: relationships by depth level (stacked) and the inch-deep and
  talked-to shares at ``points`` dates, for ``me`` or the whole ledger;
* :func:`plot_graph`: ``me`` and its ``top`` strongest relationships at ``as_of``,
  with the ties among them; line width is strength, node colour the organisation the
  person had then (grey: none known; the :data:`LEGEND_ORGS` largest organisations
  named in the legend, the others together). Spring layout with a fixed seed, so the
  same ledger draws the same picture. At most :data:`LABELS` people are labelled by
  name, strongest first, and a label that would overlap one already drawn is left out.

Without ``until``, :func:`plot_depth` ends at the last touchpoint in the ledger.

Both write a PNG atomically (nothing is left at the path on an error), drawn with
matplotlib's Agg backend like :mod:`ledger.outputs.plot`.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, tzinfo
from typing import Any

import attrs

from ledger import Ledger, PairView
from ledger.errors import InvalidInputError
from ledger.insights._common import TimeLike, moment
from ledger.insights.network_health import LEVELS
from ledger.outputs._files import Target, atomic_output
from ledger.outputs.plot import drawable, integer_ticks, last_touch_at, new_figure, save_png

__all__ = [
    "LABELS",
    "LEGEND_ORGS",
    "DepthPoint",
    "GraphSummary",
    "depth_series",
    "plot_depth",
    "plot_graph",
]

LABELS = 20
"""People labelled by name in :func:`plot_graph`, at most."""
LEGEND_ORGS = 10
"""Organisations named in :func:`plot_graph`'s legend, at most."""
_NAME_CHARACTERS = 22


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
    """Relationships by depth at ``points`` dates from the first touch to ``until``
    (default: the last touch in the ledger)."""
    if not isinstance(points, int) or points < 2:
        raise InvalidInputError("points", points, "must be a whole number >= 2")
    end = moment(until, "until") if until is not None else last_touch_at(book)
    views = _views(book, me, end)
    if not views:
        return [DepthPoint(end, dict.fromkeys(LEVELS, 0), 0.0, 0.0)]
    start = min(view.decay.first_touch_at for view in views)
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
    out: Target,
    me: str | None = None,
    points: int = 24,
    until: TimeLike = None,
    *,
    tz: tzinfo | None = None,
) -> list[DepthPoint]:
    """Draw relationships by depth, and the inch-deep share, over time; write a PNG."""
    with atomic_output(out) as stream:
        series = depth_series(book, me, points, until)
        figure, (counts, shares) = new_figure(rows=2, tz=tz)
        times = [point.as_of for point in series]
        counts.stackplot(
            times,
            [[point.counts[level] for point in series] for level in LEVELS],
            labels=[level.replace("_", " ") for level in LEVELS],
            alpha=0.85,
            step="pre",  # each interval shows the state reached at its end
        )
        who = "the whole ledger" if me is None else book.person(me).name
        counts.set_title(drawable(f"Relationships by depth: {who}"))
        counts.set_ylabel("relationships")
        counts.legend(loc="upper left", fontsize="small", ncols=5)
        integer_ticks(counts)
        steps = {"marker": "o", "markersize": 3, "drawstyle": "steps-pre"}
        shares.plot(times, [p.inch_deep_share for p in series], label="inch-deep share", **steps)
        shares.plot(times, [p.talked_to_share for p in series], label="talked-to share", **steps)
        shares.set_ylim(0, 1)
        shares.set_title("Share never talked to (inch deep) and share talked to both ways")
        shares.set_ylabel("share of relationships")
        shares.legend(loc="best", fontsize="small")
        save_png(figure, stream)
    return series


def plot_graph(
    book: Ledger,
    out: Target,
    me: str,
    as_of: TimeLike = None,
    top: int = 30,
    *,
    tz: tzinfo | None = None,
) -> GraphSummary:
    """Draw ``me`` and its ``top`` strongest ties, coloured by organisation; write a PNG."""
    if not isinstance(top, int) or top < 1:
        raise InvalidInputError("top", top, "must be a whole number >= 1")
    end = moment(as_of)
    mine = book.relationships(me, end)[:top]
    people = {me, *(view.other(me) for view in mine)}
    ties = [v for v in book.pairs(end) if v.a in people and v.b in people]
    attributes = book.attributes_at(end)
    orgs = {key: str(values.get("org", "")) for key, values in attributes.items()}
    names = {key: str(attributes.get(key, {}).get("name") or key) for key in people}
    order = [me, *(view.other(me) for view in mine)]  # strongest first: labelled first
    with atomic_output(out) as stream:
        figure = _draw_graph(me, order, ties, orgs, names, end.astimezone(tz or UTC))
        save_png(figure, stream)
    counted = Counter(orgs.get(key) or "(unknown)" for key in people if key != me)
    return GraphSummary(me, len(people), len(ties), dict(counted.most_common()))


def _draw_graph(
    me: str,
    order: list[str],
    ties: list[PairView],
    orgs: dict[str, str],
    names: dict[str, str],
    end: datetime,
) -> Any:
    import networkx as nx  # noqa: PLC0415 - heavy

    strongest = max((view.strength for view in ties), default=1.0) or 1.0
    graph = nx.Graph()
    graph.add_nodes_from(sorted(order))
    for view in ties:  # every tie pulls (a weak one less), so no one drifts off the page
        graph.add_edge(view.a, view.b, weight=0.25 + view.strength / strongest)
    layout = nx.spring_layout(graph, weight="weight", seed=7, k=1.5 / max(1, len(order)) ** 0.5)
    figure, (ax,) = new_figure(rows=1)
    figure.set_size_inches(11, 8)
    ax.set_axis_off()
    for view in ties:
        (x1, y1), (x2, y2) = layout[view.a], layout[view.b]
        width = 0.4 + 4.0 * view.strength / strongest
        ax.plot([x1, x2], [y1, y2], color="#8899aa", zorder=1, linewidth=width)
    _draw_people(ax, order, layout, orgs)
    _label(figure, ax, me, order, layout, names)
    title = f"{names[me]}: the {len(order) - 1} strongest ties as of {end:%Y-%m-%d}"
    ax.set_title(drawable(title + " (line width: strength)"))
    return figure


def _draw_people(ax: Any, order: list[str], layout: Any, orgs: dict[str, str]) -> None:
    """One colour per organisation; the largest named in the legend, the rest together."""
    from matplotlib import colormaps  # noqa: PLC0415

    sizes = Counter(orgs.get(key) or "" for key in order)
    named = [org for org, _ in sizes.most_common() if org][:LEGEND_ORGS]
    palette = colormaps["tab10"]
    groups: dict[str, list[str]] = {}
    for key in order:
        org = orgs.get(key) or ""
        label = org if org in named else "(other organisations)" if org else "(unknown)"
        groups.setdefault(label, []).append(key)
    for label in [*named, "(other organisations)", "(unknown)"]:
        members = groups.get(label, [])
        if not members:
            continue
        colour = palette(named.index(label) % 10) if label in named else "#bbbbbb"
        text = drawable(f"{_short(label)} ({len(members)})")
        xs, ys = [layout[k][0] for k in members], [layout[k][1] for k in members]
        ax.scatter(xs, ys, s=60, color=colour, zorder=2, label=text)
    ax.legend(loc="upper left", fontsize="x-small", bbox_to_anchor=(1.0, 1.0), title="organisation")


def _label(
    figure: Any, ax: Any, me: str, order: list[str], layout: Any, names: dict[str, str]
) -> None:
    """Name at most :data:`LABELS` people, strongest first, skipping any label that
    would overlap one already drawn."""
    renderer = figure.canvas.get_renderer()
    placed: list[Any] = []
    for key in order[:LABELS]:
        text = ax.annotate(
            drawable(_short(names[key])),
            layout[key],
            fontsize=7,
            xytext=(4, 4),
            textcoords="offset points",
            fontweight="bold" if key == me else "normal",
            zorder=3,
        )
        box = text.get_window_extent(renderer)
        if any(box.overlaps(other) for other in placed):
            text.remove()
        else:
            placed.append(box)


def _short(text: str) -> str:
    return text if len(text) <= _NAME_CHARACTERS else text[: _NAME_CHARACTERS - 1] + "…"
