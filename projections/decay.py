"""Tie decay: how strong a relationship is now, and how fast it cools.

The tie-decay model of Ahmad, Porter & Beguerisse-Díaz ("Tie-decay networks in
continuous time and eigenvector-based centralities"): every touchpoint adds its weight,
and all of it halves every half-life::

    strength(T) = sum over touches k with t_k <= T of  w(kind_k) * 2 ** (-(T - t_k) / h)

The sum can be rolled forward exactly from any checkpoint (S_k = S_{k-1} * 2**(-Δt/h)
+ w_k), which is what the fold keeps; a query at T rolls the last state forward.

Default weights (a plain message weighs 1), chosen after the published scores:
DotAlign counts 3 points per meeting against 1 per reciprocated e-mail, and Granovetter
names time together and reciprocal services among the parts of tie strength. So a
meeting weighs 4, a call or video call 3, help (a favor or a referral) 3, an
introduction or recommendation 2, an e-mail 1, a comment 0.5, public gestures
(share 0.3, endorsement 0.3, reaction 0.1) little, and connection bookkeeping almost
nothing. Being introduced to someone by a mutual contact (the introduced pair) weighs
0.5. The default half-life is 90 days: a relationship touched once a quarter keeps
half its strength, and one left a year keeps a sixteenth, in line with Burt's "nine in
ten bridges this year are gone next year".

Besides the strength, the fold keeps the time of the last touch and of the last
two-way exchange: a live touch (call, video call, meeting), or a conversation or help
from one side that answers the other side's.
"""

from __future__ import annotations

import json

import attrs
from ledger.projections import MICROS_PER_DAY, PairTouch, ProjectionConfig

from ledger.facts.kinds import CONVERSATION, GIVING, LIVE, Kind

__all__ = ["DEFAULT_WEIGHTS", "INTRODUCED", "Decay", "DecayState", "DecayValue", "projection"]

INTRODUCED = "introduced"
"""The weight key for the pair a broker introduced to each other (``direction == 0``)."""

DEFAULT_WEIGHTS: dict[str, float] = {
    Kind.MESSAGE: 1.0,
    Kind.EMAIL: 1.0,
    Kind.CALL: 3.0,
    Kind.VIDEO_CALL: 3.0,
    Kind.MEETING: 4.0,
    Kind.COMMENT: 0.5,
    Kind.SHARE: 0.3,
    Kind.REACTION: 0.1,
    Kind.INTRODUCTION: 2.0,
    Kind.FAVOR: 3.0,
    Kind.REFERRAL: 3.0,
    Kind.RECOMMENDATION: 2.0,
    Kind.ENDORSEMENT: 0.3,
    Kind.CONNECTION_REQUESTED: 0.2,
    Kind.CONNECTION_ACCEPTED: 0.2,
    Kind.CONNECTION_DECLINED: 0.0,
    Kind.CONNECTION_REMOVED: 0.0,
    INTRODUCED: 0.5,
}

_EXCHANGE_KINDS = CONVERSATION | GIVING


@attrs.frozen(slots=True)
class DecayState:
    strength: float
    t: int
    first_t: int
    touches: int
    last_exchange_t: int | None
    last_sender: int


@attrs.frozen(slots=True)
class DecayValue:
    """A pair's tie strength at ``as_of`` (all times in µs since the epoch)."""

    strength: float
    touches: int
    first_touch_t: int
    last_touch_t: int
    last_exchange_t: int | None
    as_of: int

    @property
    def days_since_last_touch(self) -> float:
        return (self.as_of - self.last_touch_t) / MICROS_PER_DAY

    @property
    def days_since_last_exchange(self) -> float | None:
        if self.last_exchange_t is None:
            return None
        return (self.as_of - self.last_exchange_t) / MICROS_PER_DAY


@attrs.frozen
class Decay:
    half_life_days: float
    weights: dict[str, float]
    name: str = "decay"
    state_type: type[DecayState] = DecayState

    def fingerprint(self) -> str:
        return json.dumps([self.half_life_days, sorted(self.weights.items())])

    def weight(self, touch: PairTouch) -> float:
        key = INTRODUCED if touch.direction == 0 else touch.kind
        return self.weights[key]

    def factor(self, elapsed_micros: int) -> float:
        """How much of a weight is left after ``elapsed_micros``."""
        return float(2.0 ** (-elapsed_micros / (self.half_life_days * MICROS_PER_DAY)))

    def start(self) -> None:
        return None

    def step(self, state: DecayState | None, touch: PairTouch) -> DecayState:
        if state is None:
            state = DecayState(0.0, touch.t, touch.t, 0, None, 0)
        rolled = state.strength * self.factor(touch.t - state.t) + self.weight(touch)
        return DecayState(
            strength=rolled,
            t=touch.t,
            first_t=state.first_t,
            touches=state.touches + 1,
            last_exchange_t=_exchange_at(state.last_exchange_t, state.last_sender, touch),
            last_sender=_sender(state.last_sender, touch),
        )

    def at(self, state: DecayState, as_of: int) -> DecayValue:
        return DecayValue(
            strength=state.strength * self.factor(as_of - state.t),
            touches=state.touches,
            first_touch_t=state.first_t,
            last_touch_t=state.t,
            last_exchange_t=state.last_exchange_t,
            as_of=as_of,
        )


def _exchange_at(previous: int | None, last_sender: int, touch: PairTouch) -> int | None:
    if touch.kind in LIVE and touch.direction != 0:
        return touch.t
    if touch.kind in _EXCHANGE_KINDS and touch.direction == -last_sender != 0:
        return touch.t
    return previous


def _sender(previous: int, touch: PairTouch) -> int:
    if touch.kind in _EXCHANGE_KINDS and touch.direction != 0:
        return touch.direction
    return previous


def projection(config: ProjectionConfig) -> Decay:
    weights = {str(k): float(v) for k, v in DEFAULT_WEIGHTS.items()}
    for key, value in config.weights.items():
        weights[str(key)] = float(value)
    return Decay(half_life_days=float(config.half_life_days), weights=weights)
