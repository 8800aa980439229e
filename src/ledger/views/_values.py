"""Every pair's values as of T, from its rows: one computation for one pair and for all.

``pair``, ``relationships``, ``pairs``, ``network``, the exports and the insights all
come here, and the strength always comes from :func:`ledger.projections.decay.strength`
under the model asked for: there is one decay, computed when asked.
"""

from __future__ import annotations

import attrs
import numpy as np
from numpy.typing import NDArray

from ledger.projections import NO_TIME, decay, depth, reciprocity
from ledger.projections.decay import DecayModel
from ledger.projections.depth import DepthLevel
from ledger.views._rows import RETRACTED_BIT, Columns, to_fold, unpack
from ledger.views._segments import segment_starts

__all__ = ["PairValues", "as_of", "values"]

_LEVELS = len(DepthLevel)
_NONE = np.iinfo(np.int64).max


@attrs.frozen(eq=False)
class PairValues:
    """One entry per pair in touch by the time asked about (arrays, sorted by pair)."""

    pair: NDArray[np.int64]
    strength: NDArray[np.float64]
    touches: NDArray[np.int64]
    first_t: NDArray[np.int64]
    last_t: NDArray[np.int64]
    last_exchange_t: NDArray[np.int64]
    """``NO_TIME`` when the pair never had a two-way exchange."""
    reached: NDArray[np.int64]
    level: NDArray[np.int64]
    reached_t: NDArray[np.int64]
    """Per pair and level: when its rule was first met (``NO_TIME``: never)."""
    reached_touch: NDArray[np.int64]
    """Per pair and level: the touch that met it (-1: never)."""
    live_touches: NDArray[np.int64]
    two_way_days: NDArray[np.int64]
    a_to_b: NDArray[np.int64]
    b_to_a: NDArray[np.int64]
    given: dict[str, tuple[NDArray[np.int64], NDArray[np.int64]]]

    def __len__(self) -> int:
        return len(self.pair)


def as_of(columns: Columns, t: int) -> Columns:
    """The rows at or before ``t`` that stand (not retracted), sorted as given."""
    keep = (columns["t"] <= t) & (((columns["flags"] >> RETRACTED_BIT) & 1) == 0)
    if keep.all():
        return columns
    return {name: values[keep] for name, values in columns.items()}


def values(columns: Columns, t: int, model: DecayModel) -> PairValues:
    """The values at ``t`` (µs) of every pair in ``columns`` (stored rows, sorted by
    pair, time and touch), strength under ``model``."""
    rows = as_of(columns, t)
    pair = rows["pair"]
    starts = segment_starts(pair)
    index = np.cumsum(np.concatenate(([False], pair[1:] != pair[:-1]))) if len(pair) else pair
    count = len(starts)
    flags = unpack(rows["flags"])
    classes = decay.weight_classes(rows["kind"], flags["role"])
    strength = decay.strength(index, rows["t"], classes, rows["factor"], t, model, count)
    touches = np.bincount(index, minlength=count).astype(np.int64)
    ends = starts + touches - 1
    counted = _reciprocity(index, rows, flags, count)
    return PairValues(
        pair=pair[starts],
        strength=strength,
        touches=touches,
        first_t=rows["t"][starts],
        last_t=rows["t"][ends],
        last_exchange_t=_reduce_max(np.where(flags["exchange"], rows["t"], NO_TIME), starts),
        reached=flags["reached"][ends],
        level=depth.level_of(flags["reached"][ends]),
        reached_t=_first_per_level(flags["reached"], rows["t"], starts, NO_TIME),
        reached_touch=_first_per_level(flags["reached"], rows["touch"], starts, -1),
        live_touches=_count(index, _live(rows, flags), count),
        two_way_days=_count(index, flags["new_day"], count),
        a_to_b=counted.a_to_b,
        b_to_a=counted.b_to_a,
        given=counted.given,
    )


def _reduce_max(values: NDArray[np.int64], starts: NDArray[np.int64]) -> NDArray[np.int64]:
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    return np.maximum.reduceat(values, starts)


def _first_per_level(
    reached: NDArray[np.int64], what: NDArray[np.int64], starts: NDArray[np.int64], none: int
) -> NDArray[np.int64]:
    """Per pair and level, ``what`` of the first row whose mask has that level."""
    found = np.full((len(starts), _LEVELS), none, dtype=np.int64)
    if not len(starts):
        return found
    positions = np.arange(len(reached), dtype=np.int64)
    for level in range(_LEVELS):
        first = np.minimum.reduceat(np.where(reached & (1 << level), positions, _NONE), starts)
        hit = first != _NONE
        found[hit, level] = what[first[hit]]
    return found


def _count(index: NDArray[np.int64], condition: NDArray[np.bool_], count: int) -> NDArray[np.int64]:
    return np.bincount(index[condition], minlength=count).astype(np.int64)


def _live(rows: Columns, flags: Columns) -> NDArray[np.bool_]:
    columns = {**rows, **flags}
    return depth.live_rows(to_fold(columns, np.zeros(len(rows["t"]), dtype=np.int64), "UTC"))


def _reciprocity(
    index: NDArray[np.int64], rows: Columns, flags: Columns, count: int
) -> reciprocity.ReciprocityCounts:
    return reciprocity.counts(
        index,
        rows["kind"].astype(np.int8),
        flags["role"].astype(np.int8),
        flags["giver"].astype(np.int8),
        flags["opens"].astype(np.int8),
        np.ones(len(index), dtype=bool),
        count,
    )
