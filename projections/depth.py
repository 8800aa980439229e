"""Depth: how well two people know each other, from what they did together.

Each level has its own rule; a pair's depth is the highest level whose rule its history
meets, and it never goes down as time passes (only a retraction can lower it):

====  ==========  ==============================================================
 0    inch_deep   in touch at all: connected, introduced by a third person, nothing said
 1    one_way     one side reached out (a message, an e-mail, a comment, help, a
                  reaction, a share, an endorsement, a call) and the other never did
 2    two_way     both sides reached out with a conversation or with help
 3    live        a call, video call or meeting in a group of at most
                  :data:`~ledger.projections.LIVE_GROUP_LIMIT` people, not of zero
                  length (proximity contacts count: they were face to face)
 4    sustained   two-way contact on at least :data:`SUSTAINED_DAYS` distinct days
====  ==========  ==============================================================

A day counts as *two-way* when it holds a live touch as above, or when both sides
reached out (a conversation or help) on it; days are calendar days in the ledger's time
zone. So the levels fit both a week-long proximity log and a ten-year mailbox: they
count days of real exchange, not months or messages. Three distinct two-way days mark
26% of the pairs who met in the High School 2013 week as ``sustained``, and those rank
the friendships the students reported at ROC AUC 0.71 among pairs who met (a rule of
three calendar months gave 0.50: no one could reach it); in mailboxes it marks 4-17% of
pairs (``validation/FINDINGS.md``). Little contact is not always a weak tie (Wiese et
al. 2015), so depth is read beside strength, not instead of it.

The rules are not a ladder: a ten-year correspondence that never met is ``sustained``
without ever having been ``live``; a pair's explanation names only the levels it
reached, each with the touch that reached it. The fold also marks each row that is a
*two-way exchange* (a live touch, or one side's conversation or help answering the
other's), whose latest time the queries report.
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
from ledger.projections import (
    CONVERSATION_CODES,
    DIRECT,
    GIVING_CODES,
    INTRODUCED,
    LIVE_CODES,
    LIVE_GROUP_LIMIT,
    SIGNAL_CODES,
    Rows,
    Segments,
    State,
    run_cumsum,
)
from numpy.typing import NDArray

__all__ = ["SUSTAINED_DAYS", "DepthLevel", "apply", "fold", "level_of", "live_rows"]

SUSTAINED_DAYS = 3


class DepthLevel(enum.IntEnum):
    INCH_DEEP = 0
    ONE_WAY = 1
    TWO_WAY = 2
    LIVE = 3
    SUSTAINED = 4

    @property
    def label(self) -> str:
        return self.name.lower()


_A, _B, _LIVE = 1, 2, 4


def live_rows(rows: Rows) -> NDArray[np.bool_]:
    """The rows that are live conversations (see the module's table)."""
    live: NDArray[np.bool_] = (
        np.isin(rows.kind, LIVE_CODES)
        & (rows.role != INTRODUCED)
        & (rows.size <= LIVE_GROUP_LIMIT)
        & (rows.duration != 0)
    )
    return live


def level_of(mask: NDArray[np.int64]) -> NDArray[np.int64]:
    """The depth level of reached-masks (bit L set: level L's rule met)."""
    level = np.zeros(len(mask), dtype=np.int64)
    for bit in DepthLevel:
        level = np.where(mask & (1 << bit), int(bit), level)
    return level


def fold(rows: Rows, seg: Segments, state: State) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each row's ``reached`` mask (the levels whose rule its pair met by then), whether
    it made its day two-way (``new_day``) and whether it is a two-way ``exchange``; and
    the state the pairs end in."""
    pair = rows.pair
    direct = (rows.role == DIRECT) & (rows.direction != 0)
    reaching = direct & (np.isin(rows.kind, CONVERSATION_CODES) | np.isin(rows.kind, GIVING_CODES))
    reach_a, reach_b = reaching & (rows.direction > 0), reaching & (rows.direction < 0)
    live = live_rows(rows)
    one_way = direct & (
        np.isin(rows.kind, CONVERSATION_CODES)
        | np.isin(rows.kind, GIVING_CODES)
        | np.isin(rows.kind, SIGNAL_CODES)
        | np.isin(rows.kind, LIVE_CODES)
    )
    a_out = seg.cumsum(reach_a, state["a_out"][pair])
    b_out = seg.cumsum(reach_b, state["b_out"][pair])
    lives = seg.cumsum(live, state["live"][pair])
    one_ways = seg.cumsum(one_way, np.zeros(len(pair), dtype=np.int64))
    sides, new_day = _days(rows, seg, state, reach_a, reach_b, live)
    two_way_days = seg.cumsum(new_day, state["two_way_days"][pair])
    reached = state["reached"][pair] | (1 << DepthLevel.INCH_DEEP)
    reached |= np.where(one_ways > 0, 1 << DepthLevel.ONE_WAY, 0)
    reached |= np.where((a_out > 0) & (b_out > 0), 1 << DepthLevel.TWO_WAY, 0)
    reached |= np.where(lives > 0, 1 << DepthLevel.LIVE, 0)
    reached |= np.where(two_way_days >= SUSTAINED_DAYS, 1 << DepthLevel.SUSTAINED, 0)
    exchange, last_sender = _exchanges(rows, seg, state, reaching, live)
    ends = np.append(seg.first[1:], True)
    updates = {
        "pairs": pair[ends],
        "a_out": a_out[ends],
        "b_out": b_out[ends],
        "live": lives[ends],
        "day": rows.day[ends],
        "day_sides": sides[ends],
        "two_way_days": two_way_days[ends],
        "reached": reached[ends],
        "last_sender": last_sender[ends],
    }
    outputs = {"reached": reached, "new_day": new_day, "exchange": exchange}
    return outputs, updates


def _days(
    rows: Rows,
    seg: Segments,
    state: State,
    reach_a: NDArray[np.bool_],
    reach_b: NDArray[np.bool_],
    live: NDArray[np.bool_],
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Each row's day's sides after it, and whether it made the day two-way (rows are in
    time order, so the rows of one pair's day are one run)."""
    pair, day = rows.pair, rows.day
    begins = seg.first.copy()
    if len(day):
        begins[1:] |= day[1:] != day[:-1]
    continued = seg.first & (state["day"][pair] == day)
    initial = np.where(continued, state["day_sides"][pair], 0)
    start = np.maximum.accumulate(np.where(begins, np.arange(len(day)), 0)) if len(day) else day
    initial = initial[start]
    sides = initial.copy()
    for bit, flag in ((_A, reach_a), (_B, reach_b), (_LIVE, live)):
        sides |= np.where(run_cumsum(flag, begins) > 0, bit, 0)
    before = np.empty_like(sides)
    before[1:] = sides[:-1]
    before = np.where(begins, initial, before)
    return sides, _two_way(sides) & ~_two_way(before)


def _two_way(sides: NDArray[np.int64]) -> NDArray[np.bool_]:
    two_way: NDArray[np.bool_] = ((sides & _LIVE) != 0) | ((sides & (_A | _B)) == (_A | _B))
    return two_way


def _exchanges(
    rows: Rows, seg: Segments, state: State, reaching: NDArray[np.bool_], live: NDArray[np.bool_]
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Whether each row is a two-way exchange, and the last side that reached out (as of
    each row, itself included)."""
    n = len(rows)
    latest = seg.last_where(reaching)
    previous = np.full(n, -1, dtype=np.int64)
    previous[1:] = latest[:-1]
    previous = np.where(seg.first | (previous < seg.start), -1, previous)
    direction = rows.direction.astype(np.int64)
    prior = np.where(
        previous >= 0, direction[np.maximum(previous, 0)], state["last_sender"][rows.pair]
    )
    answers = reaching & (prior != 0) & (direction == -prior)
    current = np.where(
        latest >= 0, direction[np.maximum(latest, 0)], state["last_sender"][rows.pair]
    )
    return live | answers, current


def apply(state: State, updates: dict[str, Any]) -> None:
    """Write a fold's ``updates`` into ``state``."""
    pairs = updates["pairs"]
    for name, values in updates.items():
        if name != "pairs":
            state[name][pairs] = values
