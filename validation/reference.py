"""Reference implementation of the recommended strength and depth, one pair at a time.

Plain Python, no dependencies: what the engine's fold must compute (FINDINGS.md, "What
the engine must compute"). hs2013.py checks it against its vectorised scores, so the
numbers FINDINGS.md quotes for the engine are this function's.

strength(T) = sum_k W[kind_k] * factor_k * 2^(-(T - t_k) / h)

factor_k = group_k * shape_k, where
- group_k = 1 / (n_k - 1) for live and conversation kinds, n_k = people on the
  touchpoint (initiator + counterparts); 1 for every other kind;
- shape_k for a touch with a duration (call, video call, meeting): the increment of
  g over the pair's time that (local) day with that kind,
      g(D) = log2(1 + D / D0) / log2(1 + D_REF / D0),
      shape_k = g(D_before + d_k) - g(D_before);
  a touch of a LIVE kind without a duration counts as one reference meeting (shape 1);
- shape_k for a message, e-mail or comment: the increment of f over the pair's current
  session of that kind (messages either way, each within GAP of the previous one),
      f(k) = log2(1 + k),  shape = f(j) - f(j - 1) for the j-th message of the session;
- shape_k = 1 for everything else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

HALF_LIFE_DAYS = 90.0
D0_SECONDS = 60.0
D_REF_SECONDS = 1800.0
SESSION_GAP_SECONDS = 1800.0
SUSTAINED_DAYS = 3
DAY = 86400

WEIGHTS = {
    "message": 1.0,
    "email": 1.0,
    "call": 3.0,
    "video_call": 3.0,
    "meeting": 4.0,
    "comment": 0.5,
    "share": 0.3,
    "reaction": 0.1,
    "introduction": 2.0,
    "favor": 3.0,
    "referral": 3.0,
    "recommendation": 2.0,
    "endorsement": 0.3,
    "connection_requested": 0.2,
    "connection_accepted": 0.2,
    "connection_declined": 0.0,
    "connection_removed": 0.0,
    "introduced": 0.5,
}
LIVE = {"call", "video_call", "meeting"}
CONVERSATION = {"message", "email", "comment"}


@dataclass(frozen=True)
class Touch:
    t: int  # seconds since the epoch (the engine uses µs: divide by 1e6)
    kind: str
    duration: float | None = None  # seconds; None when unknown
    people: int = 2  # initiator + counterparts of the touchpoint
    direction: int = 1  # +1 a -> b, -1 b -> a, 0 introduced by a third person


def g(seconds: float, d0: float = D0_SECONDS, ref: float = D_REF_SECONDS) -> float:
    return math.log2(1.0 + seconds / d0) / math.log2(1.0 + ref / d0)


def f(k: int) -> float:
    return math.log2(1.0 + k)


def factors(
    touches: list[Touch],
    tz_offset: int = 0,
    d0: float = D0_SECONDS,
    ref: float = D_REF_SECONDS,
    gap: float = SESSION_GAP_SECONDS,
) -> list[float]:
    """factor_k of each touch of one pair, touches in (t, id) order."""
    day_total: dict[tuple[str, int], float] = {}
    session: dict[str, tuple[int, int]] = {}  # kind -> (t of last message, messages so far)
    out = []
    for x in touches:
        group = 1.0 / max(x.people - 1, 1) if x.kind in LIVE | CONVERSATION else 1.0
        if x.kind in LIVE and x.duration is not None:
            key = (x.kind, (x.t + tz_offset) // DAY)
            before = day_total.get(key, 0.0)
            day_total[key] = before + x.duration
            shape = g(before + x.duration, d0, ref) - g(before, d0, ref)
        elif x.kind in CONVERSATION:
            last = session.get(x.kind)
            j = last[1] + 1 if last is not None and x.t - last[0] <= gap else 1
            session[x.kind] = (x.t, j)
            shape = f(j) - f(j - 1)
        else:
            shape = 1.0
        out.append(group * shape)
    return out


def strength(
    touches: list[Touch],
    T: int,
    half_life_days: float = HALF_LIFE_DAYS,
    weights: dict[str, float] = WEIGHTS,
    **kw: float,
) -> float:
    """The pair's strength at T (seconds) from its touches at or before T."""
    touches = sorted((x for x in touches if x.t <= T), key=lambda x: x.t)
    total = 0.0
    for x, fac in zip(touches, factors(touches, **kw)):
        w = weights["introduced" if x.direction == 0 else x.kind]
        total += w * fac * 2.0 ** (-(T - x.t) / (half_life_days * DAY))
    return total


REACHING_OUT = CONVERSATION | {"favor", "introduction", "referral", "recommendation"}


def sustained_days(touches: list[Touch], tz_offset: int = 0) -> int:
    """Distinct local days with two-way contact: a live touch that took place (duration
    unknown or > 0), or both sides reached out (a conversation or help) that day.
    Depth is `sustained` when this reaches SUSTAINED_DAYS."""
    sides: dict[int, int] = {}
    for x in touches:
        day = (x.t + tz_offset) // DAY
        if x.kind in LIVE and x.direction != 0 and (x.duration is None or x.duration > 0):
            sides[day] = 3
        elif x.direction != 0 and x.kind in REACHING_OUT:
            sides[day] = sides.get(day, 0) | (1 if x.direction > 0 else 2)
    return sum(1 for v in sides.values() if v == 3)
