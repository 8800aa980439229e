"""How one touchpoint touches pairs of people.

* From an initiator to counterparts: each (initiator, counterpart) pair, ``direct``:
  the initiator reached out. Recipients of one message are not thereby in touch with
  each other.
* A live touchpoint (call, video call, meeting) with several counterparts also touches
  every pair of counterparts, as ``co``-participants: the attendees of a meeting met
  each other, though neither invited the other.
* A touchpoint nobody initiated (``symmetric``: a proximity contact, co-attendance)
  touches every pair of its participants as ``co``-participants.
* An introduction by a broker of A to B touches (broker, A) and (broker, B), as help
  given by the broker, and (A, B) as ``introduced``: they now know of each other.
* Help: a favor is given by the initiator unless the counterparts gave it (the
  initiator asked and received); introductions, referrals and recommendations are given
  by the initiator.

Each row keeps the touchpoint's size (how many took part), for the group factor.
People a merge made one count once (a touch between them touches no pair: a note to
oneself), as forgotten people do not count at all.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from numpy.typing import NDArray

from ledger.facts.events import Touches
from ledger.facts.kinds import Kind
from ledger.projections import CO, DIRECT, GIVING_CODES, INTRODUCED, KIND_CODE, LIVE_CODES
from ledger.views._decode import Batch

__all__ = ["PairRows", "pair_of", "split"]

_INTRODUCTION = KIND_CODE[Kind.INTRODUCTION]
_FAVOR = KIND_CODE[Kind.FAVOR]

PairRows = dict[str, NDArray[np.int64]]
"""Columns: pair, t, touch, kind, source, direction, role, giver, size, duration,
personalized, noted (the touch has a note)."""


def pair_of(a: NDArray[np.int64], b: NDArray[np.int64]) -> NDArray[np.int64]:
    """The pair number of people numbered ``a`` and ``b`` (either order)."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    return (low << 32) | high


def split(batch: Batch, numbers: NDArray[np.int64], sources: NDArray[np.int64]) -> PairRows:
    """The rows of every touch of ``batch``; ``numbers[i]``: the person number of the
    batch's i-th person, ``sources[i]`` the views' number of its i-th source."""
    if not len(batch):
        return {name: np.zeros(0, dtype=np.int64) for name in (*_NAMES, "source", "noted")}
    offsets = np.concatenate(([0], np.cumsum(batch.size)[:-1])).astype(np.int64)
    touch = (np.int64(batch.nid) << 20) | np.arange(len(batch), dtype=np.int64)
    simple = (batch.size == 2) & (batch.kind != _INTRODUCTION)
    parts = [_simple(batch, numbers, offsets, touch, np.flatnonzero(simple))]
    complex_rows = np.flatnonzero(~simple)
    if complex_rows.size:
        parts.append(_complex(batch, numbers, offsets, touch, complex_rows))
    found = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    row = found["touch"] & 0xFFFFF
    found["source"] = sources[batch.source[row]] if len(row) else row
    noted = np.zeros(len(batch), dtype=np.int64)
    if batch.notes:
        noted[np.array([index for index, _ in batch.notes], dtype=np.int64)] = 1
    found["noted"] = noted[row] if len(row) else row
    return found


def _simple(
    batch: Batch,
    numbers: NDArray[np.int64],
    offsets: NDArray[np.int64],
    touch: NDArray[np.int64],
    rows: NDArray[np.int64],
) -> PairRows:
    initiator = numbers[batch.who[offsets[rows]]]
    other = numbers[batch.who[offsets[rows] + 1]]
    apart = initiator != other  # two people a merge made one: a note to oneself, no pair
    if not apart.all():
        rows, initiator, other = rows[apart], initiator[apart], other[apart]
    flags = batch.flags[rows]
    symmetric = (flags & Touches.SYMMETRIC) != 0
    direction = np.where(initiator < other, 1, -1)
    direction = np.where(symmetric, 0, direction)
    kind = batch.kind[rows]
    gives = np.isin(kind, GIVING_CODES) & ~symmetric
    counterparts_gave = (kind == _FAVOR) & ((flags & Touches.COUNTERPARTS_GAVE) != 0)
    giver = np.where(gives, np.where(counterparts_gave, -direction, direction), 0)
    return {
        "pair": pair_of(initiator, other),
        "t": batch.t[rows],
        "touch": touch[rows],
        "kind": kind.astype(np.int64),
        "direction": direction.astype(np.int64),
        "role": np.where(symmetric, CO, DIRECT).astype(np.int64),
        "giver": giver.astype(np.int64),
        "size": batch.size[rows],
        "duration": batch.duration[rows],
        "personalized": ((flags & Touches.PERSONALIZED) != 0).astype(np.int64),
    }


def _complex(
    batch: Batch,
    numbers: NDArray[np.int64],
    offsets: NDArray[np.int64],
    touch: NDArray[np.int64],
    rows: NDArray[np.int64],
) -> PairRows:
    out: dict[str, list[int]] = {name: [] for name in _NAMES}
    live = set(LIVE_CODES.tolist())
    giving = set(GIVING_CODES.tolist())
    for row in rows.tolist():
        start = int(offsets[row])
        everyone = [
            int(numbers[i]) for i in batch.who[start : start + int(batch.size[row])].tolist()
        ]
        kind, flags = int(batch.kind[row]), int(batch.flags[row])
        # The forgotten are not counted, and people a merge made one are one.
        people = list(dict.fromkeys(number for number in everyone if number >= 0))
        size = len(people)
        if size < 2:
            continue
        if everyone[0] < 0:
            # Whoever initiated it was forgotten: what remains is what the others shared
            # (a meeting's attendees met each other); a message's recipients did not.
            if kind not in live and not flags & Touches.SYMMETRIC:
                continue
            flags |= Touches.SYMMETRIC
        common = (int(batch.t[row]), int(touch[row]), kind, size, int(batch.duration[row]))
        personalized = int(bool(flags & Touches.PERSONALIZED))
        for x, y, direction, role, giver in _pairs(people, kind, flags, live, giving):
            _append(out, pair_of_one(x, y), common, direction, role, giver, personalized)
    return {name: np.array(values, dtype=np.int64) for name, values in out.items()}


_NAMES = (
    "pair",
    "t",
    "touch",
    "kind",
    "direction",
    "role",
    "giver",
    "size",
    "duration",
    "personalized",
)


def _pairs(
    people: list[int], kind: int, flags: int, live: set[int], giving: set[int]
) -> list[tuple[int, int, int, int, int]]:
    """``(x, y, direction, role, giver)`` of each pair a touch touches (x < y)."""
    if flags & Touches.SYMMETRIC:
        return [(*sorted(p), 0, CO, 0) for p in combinations(people, 2)]  # type: ignore[misc]
    initiator, counterparts = people[0], people[1:]
    found = []
    for other in counterparts:
        direction = 1 if initiator < other else -1
        giver = 0
        if kind in giving:
            counterparts_gave = kind == _FAVOR and flags & Touches.COUNTERPARTS_GAVE
            giver = -direction if counterparts_gave else direction
        found.append((min(initiator, other), max(initiator, other), direction, DIRECT, giver))
    if kind == _INTRODUCTION and len(counterparts) == 2:
        x, y = sorted(counterparts)
        found.append((x, y, 0, INTRODUCED, 0))
    elif kind in live:
        found.extend((*sorted(p), 0, CO, 0) for p in combinations(counterparts, 2))  # type: ignore[misc]
    return found


def pair_of_one(x: int, y: int) -> int:
    return (min(x, y) << 32) | max(x, y)


def _append(
    out: dict[str, list[int]],
    pair: int,
    common: tuple[int, int, int, int, int],
    direction: int,
    role: int,
    giver: int,
    personalized: int,
) -> None:
    t, touch, kind, size, duration = common
    for name, value in zip(
        _NAMES,
        (pair, t, touch, kind, direction, role, giver, size, duration, personalized),
        strict=True,
    ):
        out[name].append(value)
