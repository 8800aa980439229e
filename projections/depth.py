"""Depth: how well two people know each other, as cumulative history.

Levels, each with its rule; a pair's level is the highest rule its history meets:

====  ==========  ==============================================================
 0    inch_deep   known of or connected (a connection, an introduction by a third
                  person), but no exchange at all
 1    one_way     something was said or given, but only ever by one side
                  (messages, e-mails, comments, help, reactions, shares, endorsements)
 2    two_way     both sides reached out with a conversation or with help: each
                  initiated at least one message, e-mail, comment, favor,
                  introduction, referral or recommendation
 3    live        at least one live conversation: a call, video call or meeting
 4    sustained   two-way contact in at least 3 distinct calendar months (UTC): a
                  month counts when both sides reached out in it, or a live
                  conversation happened in it
====  ==========  ==============================================================

Consequences, by design: one-way traffic alone never reaches ``two_way`` however much
of it there is; reactions, shares and endorsements never make a pair two-way; one
video call (``live``) outranks any number of reactions; and since the rules only count
what happened, depth never goes down as time passes (only a retraction lowers it).
"""

from __future__ import annotations

import enum
import functools

import attrs
from ledger.projections import MICROS_PER_DAY, PairTouch, ProjectionConfig

from ledger.facts.kinds import CONVERSATION, GIVING, LIVE, SIGNAL
from ledger.facts.time import from_micros

__all__ = ["SUSTAINED_MONTHS", "Depth", "DepthLevel", "DepthState", "DepthValue", "projection"]

SUSTAINED_MONTHS = 3


class DepthLevel(enum.IntEnum):
    INCH_DEEP = 0
    ONE_WAY = 1
    TWO_WAY = 2
    LIVE = 3
    SUSTAINED = 4

    @property
    def label(self) -> str:
        return self.name.lower()


_REACHING_OUT = CONVERSATION | GIVING
_ONE_WAY = CONVERSATION | GIVING | SIGNAL


@attrs.frozen(slots=True)
class DepthState:
    level: int
    a_reached_out: int
    b_reached_out: int
    live: int
    month: int
    month_sides: int
    active_months: int
    reached_t: list[int | None]
    reached_by: list[str | None]


@attrs.frozen(slots=True)
class DepthValue:
    """A pair's depth, and for each level reached, when and by which touchpoint."""

    level: DepthLevel
    reached_t: tuple[int | None, ...]
    reached_by: tuple[str | None, ...]
    live_touches: int
    active_months: int

    @property
    def level_name(self) -> str:
        return self.level.label


_A, _B, _LIVE = 1, 2, 4


@attrs.frozen
class Depth:
    name: str = "depth"
    state_type: type[DepthState] = DepthState

    def fingerprint(self) -> str:
        return f"depth-v1-months{SUSTAINED_MONTHS}"

    def start(self) -> DepthState:
        empty: list[int | None] = [None] * len(DepthLevel)
        return DepthState(0, 0, 0, 0, -1, 0, 0, empty, [None] * len(DepthLevel))

    def step(self, state: DepthState, touch: PairTouch) -> DepthState:
        a_out = state.a_reached_out + (touch.direction > 0 and touch.kind in _REACHING_OUT)
        b_out = state.b_reached_out + (touch.direction < 0 and touch.kind in _REACHING_OUT)
        is_live = touch.kind in LIVE and touch.direction != 0
        month, sides, active = _months(state, touch, is_live)
        level = max(state.level, _level(touch, a_out, b_out, state.live + is_live, active))
        reached_t, reached_by = list(state.reached_t), list(state.reached_by)
        for lifted in range(state.level + 1 if state.reached_t[0] is not None else 0, level + 1):
            reached_t[lifted], reached_by[lifted] = touch.t, touch.touchpoint_id
        return DepthState(
            level, a_out, b_out, state.live + is_live, month, sides, active, reached_t, reached_by
        )

    def at(self, state: DepthState, as_of: int) -> DepthValue:
        return DepthValue(
            level=DepthLevel(state.level),
            reached_t=tuple(state.reached_t),
            reached_by=tuple(state.reached_by),
            live_touches=state.live,
            active_months=state.active_months,
        )


def _months(state: DepthState, touch: PairTouch, is_live: bool) -> tuple[int, int, int]:
    """Track which sides reached out in the touch's calendar month."""
    month = _month_index(touch.t)
    sides = state.month_sides if month == state.month else 0
    before = _two_way(sides)
    if touch.kind in _REACHING_OUT and touch.direction != 0:
        sides |= _A if touch.direction > 0 else _B
    if is_live:
        sides |= _LIVE
    active = state.active_months + (not before and _two_way(sides))
    return month, sides, active


def _two_way(sides: int) -> bool:
    return bool(sides & _LIVE) or sides & (_A | _B) == (_A | _B)


def _level(touch: PairTouch, a_out: int, b_out: int, live: int, active: int) -> int:
    if active >= SUSTAINED_MONTHS:
        return DepthLevel.SUSTAINED
    if live:
        return DepthLevel.LIVE
    if a_out and b_out:
        return DepthLevel.TWO_WAY
    if touch.direction != 0 and touch.kind in _ONE_WAY:
        return DepthLevel.ONE_WAY
    return DepthLevel.INCH_DEEP


def _month_index(micros: int) -> int:
    return _month_of_day(micros // MICROS_PER_DAY)


@functools.lru_cache(maxsize=4096)
def _month_of_day(day: int) -> int:
    """The calendar month (UTC) of day ``day`` since the epoch; cached: a replay asks
    once per touch, and touches cluster in time."""
    moment = from_micros(day * MICROS_PER_DAY)
    return moment.year * 12 + moment.month - 1


def projection(config: ProjectionConfig) -> Depth:
    del config  # depth has no settings
    return Depth()
