"""From the views' arrays to the public results: keys, datetimes, touchpoint ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ledger.facts.time import MICROS_PER_DAY, from_micros, to_micros
from ledger.projections import NO_TIME
from ledger.projections.depth import DepthLevel
from ledger.projections.reciprocity import GIVEN
from ledger.views._values import PairValues
from ledger.views.results import DecayValue, DepthValue, PairView, Reached, ReciprocityValue

__all__ = ["pair_columns", "pair_views", "touch_numbers"]


def touch_numbers(found: PairValues) -> list[int]:
    """The touches that reached a level, for looking up their ids."""
    return sorted({int(t) for t in found.reached_touch.ravel().tolist() if t >= 0})


def pair_views(
    found: PairValues, keys: dict[int, str], ids: dict[int, str], moment: datetime
) -> list[PairView]:
    """One :class:`PairView` per pair; ``keys``: person number to key, ``ids``: touch
    number to touchpoint id."""
    views = []
    given = {name: (a.tolist(), b.tolist()) for name, (a, b) in found.given.items()}
    columns = _columns(found)
    for i, pair in enumerate(found.pair.tolist()):
        a, b = keys[pair >> 32], keys[pair & 0xFFFFFFFF]
        views.append(
            PairView(
                a=a,
                b=b,
                as_of=moment,
                decay=_decay(columns, i, moment),
                depth=_depth(columns, i, ids),
                reciprocity=_reciprocity(columns, given, i),
            )
        )
    return views


def _columns(found: PairValues) -> dict[str, Any]:
    return {
        "strength": found.strength.tolist(),
        "touches": found.touches.tolist(),
        "first_t": found.first_t.tolist(),
        "last_t": found.last_t.tolist(),
        "last_exchange_t": found.last_exchange_t.tolist(),
        "level": found.level.tolist(),
        "reached_t": found.reached_t.tolist(),
        "reached_touch": found.reached_touch.tolist(),
        "live_touches": found.live_touches.tolist(),
        "two_way_days": found.two_way_days.tolist(),
        "a_to_b": found.a_to_b.tolist(),
        "b_to_a": found.b_to_a.tolist(),
    }


def _decay(columns: dict[str, Any], i: int, moment: datetime) -> DecayValue:
    exchanged = columns["last_exchange_t"][i]
    return DecayValue(
        strength=columns["strength"][i],
        touches=columns["touches"][i],
        first_touch_at=from_micros(columns["first_t"][i]),
        last_touch_at=from_micros(columns["last_t"][i]),
        last_exchange_at=None if exchanged == NO_TIME else from_micros(exchanged),
        as_of=moment,
    )


def _depth(columns: dict[str, Any], i: int, ids: dict[int, str]) -> DepthValue:
    reached = tuple(
        Reached(
            level,
            from_micros(columns["reached_t"][i][level]),
            ids.get(columns["reached_touch"][i][level], ""),
        )
        for level in DepthLevel
        if columns["reached_touch"][i][level] >= 0
    )
    return DepthValue(
        level=DepthLevel(columns["level"][i]),
        reached=reached,
        live_touches=columns["live_touches"][i],
        two_way_days=columns["two_way_days"][i],
    )


def _reciprocity(columns: dict[str, Any], given: dict[str, Any], i: int) -> ReciprocityValue:
    helped = {}
    for name in GIVEN.values():
        forth, back = given[name]
        helped[f"{name}_a_to_b"], helped[f"{name}_b_to_a"] = forth[i], back[i]
    return ReciprocityValue(a_to_b=columns["a_to_b"][i], b_to_a=columns["b_to_a"][i], **helped)


def pair_columns(
    found: PairValues, keys: dict[int, str], moment: datetime
) -> dict[str, NDArray[Any]]:
    """Every pair's values as columns, one row per pair with ``a < b`` in key order
    (reciprocity turned to match), rows sorted by ``(a, b)``. Times are
    ``datetime64[us]`` (UTC; ``NaT`` for none), keys are str arrays."""
    numbers = np.array(sorted(keys), dtype=np.int64)
    names = np.array([keys[int(n)] for n in numbers], dtype=str)
    first = names[np.searchsorted(numbers, found.pair >> 32)] if len(found) else names[:0]
    second = names[np.searchsorted(numbers, found.pair & 0xFFFFFFFF)] if len(found) else first
    swap = first > second
    a, b = np.where(swap, second, first), np.where(swap, first, second)
    order = np.lexsort((b, a))

    def turned(forth: NDArray[Any], back: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        return np.where(swap, back, forth)[order], np.where(swap, forth, back)[order]

    def times(t: NDArray[np.int64]) -> NDArray[Any]:
        stamps = t.astype("datetime64[us]")
        return np.where(t == NO_TIME, np.datetime64("NaT", "us"), stamps)[order]

    columns: dict[str, NDArray[Any]] = {
        "a": a[order],
        "b": b[order],
        "strength": found.strength[order],
        "touches": found.touches[order],
        "first_touch_at": times(found.first_t),
        "last_touch_at": times(found.last_t),
        "last_exchange_at": times(found.last_exchange_t),
        "days_since_last_touch": (to_micros(moment) - found.last_t[order]) / MICROS_PER_DAY,
        "level": found.level[order],
        "live_touches": found.live_touches[order],
        "two_way_days": found.two_way_days[order],
    }
    columns["a_to_b"], columns["b_to_a"] = turned(found.a_to_b, found.b_to_a)
    given_forth = np.zeros(len(found), dtype=np.int64)
    given_back = np.zeros(len(found), dtype=np.int64)
    for name in GIVEN.values():
        forth, back = found.given[name]
        columns[f"{name}_a_to_b"], columns[f"{name}_b_to_a"] = turned(forth, back)
        given_forth, given_back = given_forth + forth, given_back + back
    columns["given_a_to_b"], columns["given_b_to_a"] = turned(given_forth, given_back)
    return columns
