"""Projections: pure folds over the touches of each pair of people.

Nothing here does I/O. The engine (:mod:`ledger.views`) hands a fold the *rows* of one
round: the touches of many pairs, each pair's in order (``t``, then ``touch``), as
numpy columns (:class:`Rows`), together with each pair's state after its earlier rows
(:class:`State`). A fold returns what it derives for every row (its *outputs*, stored
beside the rows) and each pair's state after them, so that the next round continues
where this one stopped. Queries then read the rows and outputs of a pair, or of every
pair, up to any time T.

The folds, in the order they run (each may use the outputs of those before it):

* :mod:`.decay`: each row's *factor*, its model-free share of the tie strength
  (conversations, time together per day, group size); the tie strength itself is one
  function of rows, factors and a decay model, :func:`.decay.strength`;
* :mod:`.reciprocity`: which side each row *opens* a conversation for, and the
  Garlaschelli-Loffredo coefficient;
* :mod:`.depth`: how well the two know each other: the levels reached, two-way days,
  the last two-way exchange.

A fold is written over whole columns (numpy), not row by row: replaying ten million
touches through Python code per row would take minutes. ``tests/test_folds.py`` checks
every output against a plain one-row-at-a-time reference written in the test.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ledger.facts.kinds import CONVERSATION, GIVING, LIVE, SIGNAL, Kind

__all__ = [
    "CO",
    "DIRECT",
    "INTRODUCED",
    "KINDS",
    "KIND_CODE",
    "LIVE_GROUP_LIMIT",
    "NO_TIME",
    "Rows",
    "Segments",
    "State",
    "codes",
    "groups",
    "run_cumsum",
]

KINDS: tuple[Kind, ...] = tuple(Kind)
"""Every kind, in the order of their codes (the ``kind`` column)."""
KIND_CODE: dict[Kind, int] = {kind: code for code, kind in enumerate(KINDS)}
DIRECT, CO, INTRODUCED = 0, 1, 2
"""A row's ``role``: one of them reached out to the other (``direct``); both took part
in something nobody initiated between them, a meeting's attendees or two people near
each other (``co``); a third person introduced them (``introduced``)."""
LIVE_GROUP_LIMIT = 10
"""A live touch makes a pair ``live`` only in a group of at most this many people: two
of the 200 at an all-hands have not talked."""
NO_TIME = -(2**62)
"""A time before every real one (the state of a pair with no rows yet)."""


def codes(kinds: frozenset[Kind]) -> NDArray[np.int8]:
    """The codes of ``kinds``, for ``np.isin``."""
    return np.array(sorted(KIND_CODE[kind] for kind in kinds), dtype=np.int8)


LIVE_CODES = codes(LIVE)
CONVERSATION_CODES = codes(CONVERSATION)
GIVING_CODES = codes(GIVING)
SIGNAL_CODES = codes(SIGNAL)


@attrs.frozen(eq=False)
class Rows:
    """The rows of one round, sorted by (``pair``, ``t``, ``touch``).

    ``pair`` numbers each row's pair 0..P-1 in this round; ``direction`` is +1 when
    the pair's first person (``a``) reached out to the second, -1 the other way, 0
    when neither did; ``giver`` the same for help; ``size`` how many people took part
    in the touchpoint; ``duration`` seconds, or -1 when unknown; ``day`` the calendar
    day of ``t`` in the ledger's time zone (days since 1970-01-01).
    """

    pair: NDArray[np.int64]
    t: NDArray[np.int64]
    touch: NDArray[np.int64]
    kind: NDArray[np.int8]
    direction: NDArray[np.int8]
    role: NDArray[np.int8]
    giver: NDArray[np.int8]
    size: NDArray[np.int32]
    duration: NDArray[np.int64]
    day: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.t)


STATE_FIELDS = (
    # decay: the open conversation of each conversation kind, the day total of each
    # live kind (three each, in the order of ``CONVERSATION_CODES`` / ``LIVE_CODES``)
    "session_t",
    "session_j",
    "total_day",
    "total_seconds",
    # reciprocity and depth
    "a_out",
    "b_out",
    "live",
    "day",
    "day_sides",
    "two_way_days",
    "reached",
    "last_sender",
)
_WIDE = {"session_t": 3, "session_j": 3, "total_day": 3, "total_seconds": 3}


@attrs.define(eq=False)
class State:
    """Every pair's fold state, one entry (or, for the wide fields, one row of three)
    per pair; a pair with no rows yet has :meth:`empty`'s values."""

    values: dict[str, NDArray[np.int64]]

    @classmethod
    def empty(cls, pairs: int) -> State:
        values = {}
        for name in STATE_FIELDS:
            shape: Any = (pairs, _WIDE[name]) if name in _WIDE else pairs
            fill = NO_TIME if name in ("session_t", "total_day", "day") else 0
            values[name] = np.full(shape, fill, dtype=np.int64)
        return cls(values)

    @classmethod
    def from_lists(cls, states: list[list[int]]) -> State:
        """States as stored (:meth:`to_lists`), one flat list of ints per pair."""
        state = cls.empty(len(states))
        if states:
            flat = np.array(states, dtype=np.int64)
            column = 0
            for name in STATE_FIELDS:
                width = _WIDE.get(name, 1)
                part = flat[:, column : column + width]
                state.values[name] = part.copy() if name in _WIDE else part[:, 0].copy()
                column += width
        return state

    def to_lists(self) -> list[list[int]]:
        parts = [
            self.values[name] if name in _WIDE else self.values[name][:, None]
            for name in STATE_FIELDS
        ]
        if not parts or not len(parts[0]):
            return []
        lists: list[list[int]] = np.hstack(parts).tolist()
        return lists

    def __getitem__(self, name: str) -> NDArray[np.int64]:
        return self.values[name]


@attrs.frozen(eq=False)
class Segments:
    """Where each pair's rows start and end in a :class:`Rows` (pairs with rows only)."""

    start: NDArray[np.int64]
    """Per row: the index of its pair's first row."""
    first: NDArray[np.bool_]
    """Per row: whether it is its pair's first row in this round."""

    @classmethod
    def of(cls, pair: NDArray[np.int64]) -> Segments:
        n = len(pair)
        first = np.ones(n, dtype=bool)
        if n:
            first[1:] = pair[1:] != pair[:-1]
        index = np.arange(n, dtype=np.int64)
        start = np.maximum.accumulate(np.where(first, index, 0)) if n else index
        return cls(start=start, first=first)

    def cumsum(self, values: NDArray[Any], initial: NDArray[Any]) -> NDArray[np.int64]:
        """Per row: ``initial[pair]`` plus the sum of ``values`` over its pair's rows up
        to and including it."""
        total = np.cumsum(values, dtype=np.int64)
        before = total[self.start] - values[self.start]
        found: NDArray[np.int64] = total - before + initial
        return found

    def last_where(self, condition: NDArray[np.bool_]) -> NDArray[np.int64]:
        """Per row: the index of the latest row at or before it, in its pair, where
        ``condition`` holds; -1 if none."""
        index = np.where(condition, np.arange(len(condition), dtype=np.int64), -1)
        latest = np.maximum.accumulate(index) if len(index) else index
        return np.where(latest >= self.start, latest, -1)


def run_cumsum(values: NDArray[Any], begins: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Per row: the sum of ``values`` from the start of its run (``begins`` marks the
    first row of each run of consecutive rows) up to and including it."""
    total = np.cumsum(values, dtype=np.int64)
    start = (
        np.maximum.accumulate(np.where(begins, np.arange(len(total)), 0)) if len(total) else total
    )
    return total - (total[start] - np.asarray(values, dtype=np.int64)[start])


def groups(*keys: NDArray[Any]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """A stable order of rows grouped by ``keys`` (most significant first), and, in that
    order, whether each row begins a group. Rows keep their time order within a group."""
    order = np.lexsort(tuple(reversed(keys))) if len(keys[0]) else np.arange(0, dtype=np.int64)
    begins = np.ones(len(order), dtype=bool)
    if len(order):
        same = np.ones(len(order) - 1, dtype=bool)
        for key in keys:
            ordered = key[order]
            same &= ordered[1:] == ordered[:-1]
        begins[1:] = ~same
    return order.astype(np.int64), begins
