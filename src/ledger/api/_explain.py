"""A pair's strength broken into its touchpoints, and its depth's reasons.

Every number can be checked by hand: each touchpoint's contribution is its kind's
weight × its group factor × its shape (its share of a conversation session or of a
day's time together) × ``2^(−age/half-life)``, computed by the same function the
strength is (:func:`ledger.projections.decay.terms`).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from ledger.api._convert import pair_views
from ledger.facts.time import MICROS_PER_DAY, from_micros, to_micros
from ledger.projections import (
    CONVERSATION_CODES,
    INTRODUCED,
    KINDS,
    LIVE_CODES,
    Segments,
    State,
    decay,
)
from ledger.projections.decay import DecayModel
from ledger.projections.depth import SUSTAINED_DAYS, DepthLevel
from ledger.views._rows import Columns, to_fold, unpack
from ledger.views._values import as_of, values
from ledger.views.results import Contribution, DepthValue, Explanation

__all__ = ["explanation"]

_LIVE = frozenset(LIVE_CODES.tolist())
_CONVERSATION = frozenset(CONVERSATION_CODES.tolist())

_RULES = {
    DepthLevel.INCH_DEEP: "in touch",
    DepthLevel.ONE_WAY: "one side reached out",
    DepthLevel.TWO_WAY: "both sides reached out with a conversation or help",
    DepthLevel.LIVE: "a call, video call or meeting",
    DepthLevel.SUSTAINED: f"two-way contact on {SUSTAINED_DAYS} distinct days",
}


def explanation(
    pair: int,
    rows: Columns,
    keys: dict[int, str],
    ids: dict[int, str],
    moment: datetime,
    model: DecayModel,
    zone: str,
) -> Explanation:
    t = to_micros(moment)
    live = as_of(rows, t)
    a, b = keys.get(pair >> 32, ""), keys.get(pair & 0xFFFFFFFF, "")
    contributions = _contributions(live, a, b, ids, t, model, zone)
    found = values(rows, t, model)
    depth = pair_views(found, keys, ids, moment)[0].depth if len(found) else _none()
    return Explanation(
        a=a,
        b=b,
        as_of=moment,
        half_life_days=model.half_life_days,
        weights=dict(model.weights),
        strength=math.fsum(c.contribution for c in contributions),
        contributions=tuple(contributions),
        depth=depth,
        depth_reasons=tuple(_reasons(depth)),
    )


def _none() -> DepthValue:
    return DepthValue(level=DepthLevel.INCH_DEEP, reached=(), live_touches=0, two_way_days=0)


def _contributions(
    rows: Columns, a: str, b: str, ids: dict[int, str], t: int, model: DecayModel, zone: str
) -> list[Contribution]:
    if not len(rows["t"]):
        return []
    flags = unpack(rows["flags"])
    columns = {**rows, **flags}
    folded = to_fold(columns, np.zeros(len(rows["t"]), dtype=np.int64), zone)
    details, _ = decay.fold(folded, Segments.of(folded.pair), State.empty(1))
    classes = decay.weight_classes(rows["kind"], flags["role"])
    terms = decay.terms(rows["t"], classes, rows["factor"], t, model)
    weights = model.table()[classes]
    left = decay.decayed(t - rows["t"], model)
    found = []
    for i in range(len(rows["t"])):
        size, factor = int(rows["size"][i]), float(rows["factor"][i])
        grouped = size > 2 and _is_grouped(int(rows["kind"][i]), int(flags["role"][i]))
        group = 1.0 / (size - 1) if grouped else 1.0
        direction = int(flags["direction"][i])
        age = (t - int(rows["t"][i])) / MICROS_PER_DAY
        found.append(
            Contribution(
                touchpoint_id=ids.get(int(rows["touch"][i]), ""),
                occurred_at=from_micros(int(rows["t"][i])),
                kind=KINDS[int(rows["kind"][i])].value,
                initiator=None if direction == 0 else (a if direction > 0 else b),
                weight=float(weights[i]),
                group=group,
                shape=factor / group if group else 0.0,
                why=_why(
                    int(details["session"][i]),
                    int(details["day_seconds"][i]),
                    int(rows["duration"][i]),
                ),
                age_days=age,
                decay=float(left[i]),
                contribution=float(terms[i]),
            )
        )
    return found


def _is_grouped(kind: int, role: int) -> bool:
    """Whether the group factor applies (see :mod:`ledger.projections.decay`)."""
    return role != INTRODUCED and (kind in _LIVE or kind in _CONVERSATION)


def _why(session: int, day_seconds: int, duration: int) -> str:
    if session > 0:
        return f"touch {session} of a conversation session (log2(1 + j) - log2(j))"
    if day_seconds >= 0:
        return f"{duration / 60:g} min, {day_seconds / 60:g} min together that day so far"
    return ""


def _reasons(depth: DepthValue) -> list[str]:
    reasons = []
    for reached in sorted(depth.reached, key=lambda r: r.level, reverse=True):
        reasons.append(
            f"{reached.level.label}: {_RULES[reached.level]}, since "
            f"{reached.at:%Y-%m-%d %H:%M} UTC (touchpoint {reached.touchpoint_id})"
        )
    return reasons
