"""Tie strength: what builds a relationship, and how fast it cools without care.

The tie-decay model of Ahmad, Porter & Beguerisse-Díaz ("Tie-decay networks in
continuous time and eigenvector-based centralities"): every touch adds to the tie, and
all of it halves every half-life ``h``::

    strength(T) = Σ over the pair's touches k with t_k <= T of
                  W[kind_k] · factor_k · 2 ** (-(T - t_k) / h)

``W`` (a weight per kind) and ``h`` are the *decay model*: settings of the ledger,
applied when a question is asked (:func:`strength`), never baked into what is stored.
``factor_k`` is model-free and stored with each row: the fold below computes it from the
pair's own history, so that strength counts what builds a relationship
(``validation/FINDINGS.md`` has the measurements that chose every constant):

* **time together, with diminishing returns**: the touches of a live kind (call, video
  call, meeting) with a duration add, per pair, kind and local day, the increase of
  ``g(D) = log2(1 + D/60 s) / log2(1 + 1800 s/60 s)`` in that day's total ``D``; a
  half-hour meeting counts 1, an hour 1.20, a 20-second contact 0.08, and a meeting
  split by sensor gaps into many short ones counts what the day's total counts. A live
  touch of unknown length counts 1 (as half an hour would);
* **conversations, not messages**: the touches of a conversation kind (message, e-mail,
  comment) with gaps of at most 30 minutes form one session per pair and kind
  (whoever writes); its j-th touch adds ``f(j) - f(j - 1)`` with ``f(k) = log2(1 + k)``:
  a lone message counts 1, three in a row 2, a 160-message evening 7.3;
* **groups**: a live or conversation touch with n participants weighs ``1/(n - 1)`` for
  each pair of them, as co-authorship networks weigh a paper (Newman 2001): a
  200-person all-hands or a newsletter adds almost nothing to any one pair.

On the High School 2013 contacts (Mastrandrea, Fournet & Barrat 2015), this default
ranks the friendships the students reported at ROC AUC 0.844 among pairs that met
(total time together: 0.846; the earlier per-touch count: 0.817).

Default weights (a plain message weighs 1), after DotAlign's published score (3 points
per meeting against 1 per reciprocated e-mail) and Granovetter's ingredients of tie
strength (time together, reciprocal services): meeting 4, call or video call 3, help (a
favor or a referral) 3, an introduction or recommendation 2, a comment 0.5, public
gestures little (share 0.3, endorsement 0.3, reaction 0.1), connection bookkeeping
almost nothing; two people introduced to each other by a third, 0.5. The default
half-life is 90 days: a tie touched once a quarter keeps half its strength, one left a
year keeps a sixteenth (Burt: "nine in ten bridges this year are gone next year").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs
import numpy as np
from ledger.projections import (
    CO,
    CONVERSATION_CODES,
    DIRECT,
    INTRODUCED,
    KIND_CODE,
    KINDS,
    LIVE_CODES,
    Rows,
    Segments,
    State,
    groups,
)
from numpy.typing import NDArray

from ledger.errors import InvalidInputError, UnknownKindError
from ledger.facts.kinds import Kind
from ledger.facts.time import EPOCH as _EPOCH
from ledger.facts.time import MICROS_PER_DAY, MICROS_PER_SECOND

__all__ = [
    "DEFAULT_HALF_LIFE_DAYS",
    "DEFAULT_WEIGHTS",
    "DURATION_REFERENCE_SECONDS",
    "DURATION_SCALE_SECONDS",
    "INTRODUCED_WEIGHT",
    "SESSION_GAP_SECONDS",
    "WEIGHT_CLASSES",
    "DecayModel",
    "apply",
    "check_half_life",
    "check_weight",
    "check_weights",
    "decayed",
    "fold",
    "session_weight",
    "strength",
    "terms",
    "time_weight",
    "weight_classes",
]

DEFAULT_HALF_LIFE_DAYS = 90.0
INTRODUCED_WEIGHT = "introduced"
"""The weight key of a pair a broker introduced to each other."""
DURATION_SCALE_SECONDS = 60.0
DURATION_REFERENCE_SECONDS = 1800.0
SESSION_GAP_SECONDS = 1800

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
    INTRODUCED_WEIGHT: 0.5,
}
WEIGHT_CLASSES: tuple[str, ...] = (*(kind.value for kind in KINDS), INTRODUCED_WEIGHT)
"""What a row's weight is looked up by: its kind's code, or ``len(KINDS)`` for a pair
introduced by a broker."""
_ROLE_CODE = {"direct": DIRECT, "co": CO, "introduced": INTRODUCED}
_MAX_HALF_LIFE_DAYS = 1e6
_MAX_WEIGHT = 1e6


@attrs.frozen
class DecayModel:
    """A half-life (days) and a weight per kind (and for ``introduced``): how strength
    is computed from the stored rows. Validated on construction."""

    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    weights: Mapping[str, float] = attrs.field(factory=lambda: dict(DEFAULT_WEIGHTS))

    def __attrs_post_init__(self) -> None:
        check_half_life(self.half_life_days)
        for key, value in self.weights.items():
            check_weight(key, value)
        missing = set(WEIGHT_CLASSES) - set(self.weights)
        if missing:
            raise InvalidInputError("weights", sorted(missing), "every kind needs a weight")

    def merged(
        self, half_life_days: float | None = None, weights: Mapping[str, float] | None = None
    ) -> DecayModel:
        """This model with another half-life and/or some weights changed (each checked
        as :meth:`ledger.Ledger.set_decay` checks it)."""
        changed = {str(k): check_weight(k, v) for k, v in check_weights(weights).items()}
        half_life = self.half_life_days if half_life_days is None else half_life_days
        return DecayModel(check_half_life(half_life), {**self.weights, **changed})

    def weigh(self, facts: Sequence[Any], as_of: int) -> NDArray[np.float64]:
        """What each of ``facts`` (anything with ``kind``, ``role``, ``factor`` and ``at``
        or ``t``: e.g. :class:`ledger.PairFact`) contributes at ``as_of`` (µs) under this
        model, by :func:`terms`: the one function strength is computed by."""
        kinds = np.array([KIND_CODE[Kind(f.kind)] for f in facts], dtype=np.int8)
        roles = np.array([_ROLE_CODE.get(str(f.role), 0) for f in facts], dtype=np.int8)
        times = np.array([_micros(f) for f in facts], dtype=np.int64)
        factors = np.array([f.factor for f in facts], dtype=np.float64)
        return terms(times, weight_classes(kinds, roles), factors, as_of, self)

    def weigh_table(self, table: Mapping[str, NDArray[Any]], as_of: int) -> NDArray[np.float64]:
        """:meth:`weigh` for facts given as columns (``kind`` and ``role`` names, ``at``
        as ``datetime64``, ``factor``: e.g. :meth:`ledger.Ledger.fact_table`)."""
        codes = {kind.value: KIND_CODE[kind] for kind in KINDS}
        kinds = np.array([codes[k] for k in table["kind"].tolist()], dtype=np.int8)
        roles = np.array([_ROLE_CODE.get(r, 0) for r in table["role"].tolist()], dtype=np.int8)
        times = table["at"].astype("datetime64[us]").astype(np.int64)
        factors = table["factor"].astype(np.float64)
        return terms(times, weight_classes(kinds, roles), factors, as_of, self)

    def table(self) -> NDArray[np.float64]:
        """The weight of each weight class (see :data:`WEIGHT_CLASSES`)."""
        return np.array([float(self.weights[name]) for name in WEIGHT_CLASSES], dtype=np.float64)


def _micros(fact: Any) -> int:
    at = getattr(fact, "t", None)
    if at is not None:
        return int(at)
    delta: timedelta = fact.at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICROS_PER_SECOND + delta.microseconds


def check_half_life(value: object) -> float:
    """A half-life in days: a finite number above 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError("half_life_days", value, "expected a number of days above 0")
    number = float(value)
    if not math.isfinite(number) or not 0 < number <= _MAX_HALF_LIFE_DAYS:
        raise InvalidInputError(
            "half_life_days",
            value,
            f"must be a finite number of days above 0 (at most {_MAX_HALF_LIFE_DAYS:g})",
        )
    return number


def check_weights(weights: object) -> Mapping[Any, Any]:
    """Weights as given: a mapping of kinds (or ``introduced``) to weights, or None."""
    if weights is None:
        return {}
    if not isinstance(weights, Mapping):
        raise InvalidInputError("weights", weights, "expected a mapping of kind to weight")
    return weights


def check_weight(key: object, value: object) -> float:
    """A weight: a known kind (or ``introduced``) and a finite number, at least 0."""
    if key not in WEIGHT_CLASSES:
        raise UnknownKindError(
            "weights", key, f"unknown kind; known kinds: {', '.join(WEIGHT_CLASSES)}"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"weights[{key}]", value, "expected a number, at least 0")
    number = float(value)
    if not math.isfinite(number) or not 0 <= number <= _MAX_WEIGHT:
        raise InvalidInputError(
            f"weights[{key}]", value, f"must be a finite number from 0 to {_MAX_WEIGHT:g}"
        )
    return number


# -- the model-free factor -----------------------------------------------------------------
def time_weight(seconds: NDArray[np.float64]) -> NDArray[np.float64]:
    """``g``: what a day's total time together counts (1 for half an hour)."""
    scale, reference = DURATION_SCALE_SECONDS, DURATION_REFERENCE_SECONDS
    return np.log2(1.0 + seconds / scale) / math.log2(1.0 + reference / scale)


def session_weight(j: NDArray[np.float64]) -> NDArray[np.float64]:
    """``f``: what the first ``j`` touches of a conversation session count together."""
    return np.log2(1.0 + j)


_SLOT = np.full(len(KINDS), -1, dtype=np.int64)
"""A conversation or live kind's column in the per-kind parts of the state."""
for _slot, _code in enumerate(CONVERSATION_CODES):
    _SLOT[_code] = _slot
for _slot, _code in enumerate(LIVE_CODES):
    _SLOT[_code] = _slot


def fold(rows: Rows, seg: Segments, state: State) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each row's ``factor`` (and ``session``: its place in its conversation session,
    0 for other rows; ``day_seconds``: its day's total time together after it, -1 when
    it has none), and the state the pairs end in."""
    n = len(rows)
    shape = np.ones(n, dtype=np.float64)
    session = np.zeros(n, dtype=np.int64)
    day_seconds = np.full(n, -1, dtype=np.int64)
    updates: dict[str, Any] = {}
    _sessions(rows, state, shape, session, updates)
    _time_together(rows, state, shape, day_seconds, updates)
    grouped = np.isin(rows.kind, LIVE_CODES) | np.isin(rows.kind, CONVERSATION_CODES)
    grouped &= (rows.role != INTRODUCED) & (rows.size > 2)
    group = np.where(grouped, 1.0 / np.maximum(rows.size - 1, 1), 1.0)
    outputs = {"factor": group * shape, "session": session, "day_seconds": day_seconds}
    return outputs, updates


def _sessions(
    rows: Rows,
    state: State,
    shape: NDArray[np.float64],
    session: NDArray[np.int64],
    updates: dict[str, Any],
) -> None:
    """Conversation sessions per pair and kind: ``shape`` and ``session`` of their rows."""
    index = np.flatnonzero(np.isin(rows.kind, CONVERSATION_CODES) & (rows.role != INTRODUCED))
    if not index.size:
        return
    slot = _SLOT[rows.kind[index]]
    order, begins = groups(rows.pair[index], slot)
    rows_of, slot = index[order], slot[order]
    pair, t = rows.pair[rows_of], rows.t[rows_of]
    before_t = state["session_t"][pair, slot]
    before_j = state["session_j"][pair, slot]
    previous = np.empty_like(t)
    previous[1:] = t[:-1]
    previous = np.where(begins, before_t, previous)
    new = (t - previous) > SESSION_GAP_SECONDS * MICROS_PER_SECOND
    anchor = new | begins
    k = np.arange(len(t), dtype=np.int64)
    last = np.maximum.accumulate(np.where(anchor, k, 0))
    base = np.where(new, 0, before_j)
    j = k - last + 1 + base[last]
    counted = j.astype(np.float64)
    shape[rows_of] = session_weight(counted) - session_weight(counted - 1.0)
    session[rows_of] = j
    ends = np.append(begins[1:], True)
    updates["session"] = (pair[ends], slot[ends], t[ends], j[ends])


def _time_together(
    rows: Rows,
    state: State,
    shape: NDArray[np.float64],
    day_seconds: NDArray[np.int64],
    updates: dict[str, Any],
) -> None:
    """Time together per pair, live kind and day: ``shape`` of the rows with a duration."""
    index = np.flatnonzero(
        np.isin(rows.kind, LIVE_CODES) & (rows.role != INTRODUCED) & (rows.duration >= 0)
    )
    if not index.size:
        return
    slot = _SLOT[rows.kind[index]]
    order, begins = groups(rows.pair[index], slot, rows.day[index])
    rows_of, slot = index[order], slot[order]
    pair, day, seconds = rows.pair[rows_of], rows.day[rows_of], rows.duration[rows_of]
    continued = state["total_day"][pair, slot] == day
    initial = np.where(continued, state["total_seconds"][pair, slot], 0)
    total = np.cumsum(seconds)
    start = np.maximum.accumulate(np.where(begins, np.arange(len(total)), 0))
    after = total - (total[start] - seconds[start]) + initial[start]
    before = after - seconds
    shape[rows_of] = time_weight(after.astype(np.float64)) - time_weight(before.astype(np.float64))
    day_seconds[rows_of] = after
    ends = np.ones(len(pair), dtype=bool)  # the last row of each pair and kind
    ends[:-1] = (pair[1:] != pair[:-1]) | (slot[1:] != slot[:-1])
    updates["total"] = (pair[ends], slot[ends], day[ends], after[ends])


def apply(state: State, updates: dict[str, Any]) -> None:
    """Write a fold's ``updates`` into ``state`` (the engine's copy for this round)."""
    if "session" in updates:
        pair, slot, t, j = updates["session"]
        state["session_t"][pair, slot] = t
        state["session_j"][pair, slot] = j
    if "total" in updates:
        pair, slot, day, seconds = updates["total"]
        state["total_day"][pair, slot] = day
        state["total_seconds"][pair, slot] = seconds


# -- the one function: strength under a model ------------------------------------------------
def weight_classes(kind: NDArray[np.int8], role: NDArray[np.int8]) -> NDArray[np.int64]:
    """Each row's weight class: its kind's code, or ``introduced``."""
    return np.where(role == INTRODUCED, len(KINDS), kind.astype(np.int64))


def terms(
    t: NDArray[np.int64],
    classes: NDArray[np.int64],
    factor: NDArray[np.float64],
    as_of: int,
    model: DecayModel,
) -> NDArray[np.float64]:
    """Each row's contribution to its pair's strength at ``as_of`` (µs): 0 for rows
    after it. The strength of a pair is the sum of its rows' terms."""
    weight = model.table()[classes]
    return np.where(t <= as_of, weight * factor * decayed(as_of - t, model), 0.0)


def decayed(elapsed: NDArray[np.int64], model: DecayModel) -> NDArray[np.float64]:
    """What is left of one unit after ``elapsed`` µs: ``2 ** (-elapsed / h)``, 1 for
    times not yet past. Every decay in the ledger, :func:`terms` and the explanations,
    is this one."""
    half_life = model.half_life_days * MICROS_PER_DAY
    return np.exp2(-np.maximum(elapsed.astype(np.float64), 0.0) / half_life)


def strength(
    pair: NDArray[np.int64],
    t: NDArray[np.int64],
    classes: NDArray[np.int64],
    factor: NDArray[np.float64],
    as_of: int,
    model: DecayModel,
    pairs: int,
) -> NDArray[np.float64]:
    """The strength of each of ``pairs`` pairs at ``as_of``, from their rows."""
    contributions = terms(t, classes, factor, as_of, model)
    return np.bincount(pair, weights=contributions, minlength=pairs).astype(np.float64)
