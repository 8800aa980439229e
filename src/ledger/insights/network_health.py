"""Question 1: "How many of my connections have I actually talked to?"

For one person (``me``) or the whole ledger (``me=None``), as of any date: the size
of the network, its depth distribution, the inch-deep share (relationships with no
exchange at all: depth level ``inch_deep``), the one-way share, how many were ever
talked to (depth ``two_way`` or deeper: both sides reached out, or they talked live),
the share of directed links that are reciprocated (a link x→y: x opened at least one
conversation, call or help towards y) and the Garlaschelli–Loffredo reciprocity
coefficient (for one person: ``ledger.projections.reciprocity.person_coefficient``);
and the same at ``points`` evenly spaced dates from the first touch to ``as_of``, with
a verdict on growth against depth over the latest period (the last two dates):
``bigger but shallower`` when the network grew while the share of relationships
talked to fell.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

import attrs

from ledger import Ledger, PairView
from ledger.errors import InvalidInputError
from ledger.insights._common import TimeLike, moment
from ledger.projections.depth import DepthLevel
from ledger.projections.reciprocity import coefficient, person_coefficient

__all__ = ["LEVELS", "HealthPoint", "NetworkHealth", "network_health", "trend"]

LEVELS = tuple(level.label for level in DepthLevel)


@attrs.frozen
class HealthPoint:
    """The network at one date."""

    as_of: datetime
    size: int
    talked_to: int
    inch_deep_share: float
    one_way_share: float
    talked_to_share: float
    total_strength: float


@attrs.frozen
class NetworkHealth:
    """``me``'s network (or the whole ledger's, ``me is None``) as of ``as_of``."""

    me: str | None
    as_of: datetime
    size: int
    depth_distribution: dict[str, int]
    talked_to: int
    inch_deep_share: float
    one_way_share: float
    talked_to_share: float
    reciprocated_share: float | None
    reciprocity_coefficient: float | None
    history: tuple[HealthPoint, ...]
    trend: str


def network_health(
    book: Ledger, me: str | None = None, as_of: TimeLike = None, points: int = 6
) -> NetworkHealth:
    """Size, depth and reciprocity of ``me``'s relationships (all, if None) at ``as_of``,
    and at ``points`` dates up to it."""
    if not isinstance(points, int) or points < 1:
        raise InvalidInputError("points", points, "must be a whole number >= 1")
    end = moment(as_of)
    everyone = book.pairs(end)
    views = everyone if me is None else [v for v in everyone if me in (v.a, v.b)]
    levels = Counter(view.depth.level_name for view in views)
    now = _point(end, views)
    links = [(v.a, v.b, v.reciprocity.a_to_b, v.reciprocity.b_to_a) for v in everyone]
    rho = coefficient(links) if me is None else person_coefficient(me, links)
    history = tuple(_history(book, me, views, end, points))
    return NetworkHealth(
        me=me,
        as_of=end,
        size=now.size,
        depth_distribution={level: levels.get(level, 0) for level in LEVELS},
        talked_to=now.talked_to,
        inch_deep_share=now.inch_deep_share,
        one_way_share=now.one_way_share,
        talked_to_share=now.talked_to_share,
        reciprocated_share=_reciprocated(views),
        reciprocity_coefficient=rho,
        history=history,
        trend=trend(history),
    )


def _point(at: datetime, views: Sequence[PairView]) -> HealthPoint:
    size = len(views)
    levels = Counter(int(view.depth.level) for view in views)
    talked = sum(n for level, n in levels.items() if level >= DepthLevel.TWO_WAY)
    return HealthPoint(
        as_of=at,
        size=size,
        talked_to=talked,
        inch_deep_share=levels[DepthLevel.INCH_DEEP] / size if size else 0.0,
        one_way_share=levels[DepthLevel.ONE_WAY] / size if size else 0.0,
        talked_to_share=talked / size if size else 0.0,
        total_strength=math.fsum(view.strength for view in views),
    )


def _reciprocated(views: Sequence[PairView]) -> float | None:
    """The share of directed links (x reached out to y at least once) answered by one
    the other way."""
    directed = sum((v.reciprocity.a_to_b > 0) + (v.reciprocity.b_to_a > 0) for v in views)
    mutual = sum(2 * (v.reciprocity.a_to_b > 0 and v.reciprocity.b_to_a > 0) for v in views)
    return mutual / directed if directed else None


def _history(
    book: Ledger, me: str | None, views: Sequence[PairView], end: datetime, points: int
) -> list[HealthPoint]:
    if not views or points == 1:
        return [_point(end, views)]
    start = min(view.decay.first_touch_at for view in views)
    step = (end - start) / (points - 1)
    found = []
    for k in range(points):
        at = end if k == points - 1 else start + step * k
        at_views = book.pairs(at) if me is None else book.relationships(me, at)
        found.append(_point(at, at_views))
    return found


def trend(history: Sequence[HealthPoint]) -> str:
    """Growth against depth over the latest period (the last two points of
    ``history``): ``bigger but shallower``, ``bigger and deeper``, ``bigger, as deep``,
    ``smaller`` or ``steady``."""
    if len(history) < 2:
        return "steady"
    first, last = history[-2], history[-1]
    if last.size > first.size:
        if last.talked_to_share < first.talked_to_share:
            return "bigger but shallower"
        if last.talked_to_share > first.talked_to_share:
            return "bigger and deeper"
        return "bigger, as deep"
    if last.size < first.size:
        return "smaller"
    return "steady"
