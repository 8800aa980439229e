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
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ledger import Ledger
from ledger.errors import InvalidInputError
from ledger.insights._common import TimeLike, moment
from ledger.projections.depth import DepthLevel
from ledger.projections.reciprocity import coefficient, person_coefficient

__all__ = ["LEVELS", "HealthPoint", "NetworkHealth", "network_health", "trend"]

LEVELS = tuple(level.label for level in DepthLevel)

Table = dict[str, NDArray[Any]]


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
    # Columns, not an object per pair: the whole-ledger answer reads ``points`` tables.
    everyone = book.pair_table(end)
    table = _mine(everyone, me)
    levels = np.bincount(table["level"], minlength=len(DepthLevel))
    now = _point(end, table)
    links = list(
        zip(
            everyone["a"].tolist(),
            everyone["b"].tolist(),
            everyone["a_to_b"].tolist(),
            everyone["b_to_a"].tolist(),
            strict=True,
        )
    )
    rho = coefficient(links) if me is None else person_coefficient(me, links)
    history = tuple(_history(book, me, table, end, points))
    return NetworkHealth(
        me=me,
        as_of=end,
        size=now.size,
        depth_distribution={level.label: int(levels[level]) for level in DepthLevel},
        talked_to=now.talked_to,
        inch_deep_share=now.inch_deep_share,
        one_way_share=now.one_way_share,
        talked_to_share=now.talked_to_share,
        reciprocated_share=_reciprocated(table),
        reciprocity_coefficient=rho,
        history=history,
        trend=trend(history),
    )


def _mine(table: Table, me: str | None) -> Table:
    """The rows of ``me``'s relationships (every row if None)."""
    if me is None:
        return table
    keep = (table["a"] == me) | (table["b"] == me)
    return {name: values[keep] for name, values in table.items()}


def _point(at: datetime, table: Table) -> HealthPoint:
    size = len(table["level"])
    levels = np.bincount(table["level"], minlength=len(DepthLevel))
    talked = int(levels[DepthLevel.TWO_WAY :].sum())
    return HealthPoint(
        as_of=at,
        size=size,
        talked_to=talked,
        inch_deep_share=int(levels[DepthLevel.INCH_DEEP]) / size if size else 0.0,
        one_way_share=int(levels[DepthLevel.ONE_WAY]) / size if size else 0.0,
        talked_to_share=talked / size if size else 0.0,
        total_strength=math.fsum(table["strength"].tolist()),
    )


def _reciprocated(table: Table) -> float | None:
    """The share of directed links (x reached out to y at least once) answered by one
    the other way."""
    forth, back = table["a_to_b"] > 0, table["b_to_a"] > 0
    directed = int(forth.sum() + back.sum())
    mutual = 2 * int((forth & back).sum())
    return mutual / directed if directed else None


def _history(
    book: Ledger, me: str | None, table: Table, end: datetime, points: int
) -> list[HealthPoint]:
    if not len(table["level"]) or points == 1:
        return [_point(end, table)]
    first = table["first_touch_at"].min().astype("datetime64[us]").astype(datetime)
    start = first.replace(tzinfo=UTC)
    step = (end - start) / (points - 1)
    found = []
    for k in range(points):
        at = end if k == points - 1 else start + step * k
        found.append(_point(at, _mine(book.pair_table(at), me)))
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
