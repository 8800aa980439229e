"""Why a pair's depth is what it is, in words a person can check."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ledger.facts.time import from_micros, to_micros
from ledger.projections.decay import Decay
from ledger.projections.depth import SUSTAINED_MONTHS, DepthLevel, DepthValue
from ledger.views._fold import Projections, touch_from_row
from ledger.views._queries import Reader
from ledger.views.results import Contribution, Explanation, TouchpointView

__all__ = ["contribution", "depth_reasons", "explanation"]

MICROS_PER_DAY = 86_400_000_000


def explanation(
    reader: Reader, projections: Projections, model: Decay, a: str, b: str, moment: datetime
) -> Explanation:
    """Pair ``(a, b)`` at ``moment``: each touchpoint's part of the strength under
    ``model`` (summing to it), and the depth with its reasons."""
    t = to_micros(moment)
    contributions = tuple(contribution(model, row, t) for row in reader.pair_history(a, b, t))
    blob = reader.state_at(a, b, t)
    depth_projection = projections.by_name["depth"]
    state = projections.decode(blob, only="depth")["depth"] if blob else depth_projection.start()
    depth: DepthValue = depth_projection.at(state, t)
    return Explanation(
        a=a,
        b=b,
        as_of=moment,
        half_life_days=model.half_life_days,
        strength=math.fsum(c.contribution for c in contributions),
        contributions=contributions,
        depth=depth,
        depth_reasons=depth_reasons(depth, a, b, reader.touchpoint),
    )


def contribution(model: Decay, row: Any, t: int) -> Contribution:
    """What the touch in ``pair_history`` row ``row`` adds to the strength at ``t``."""
    touch = touch_from_row(row)
    weight = model.weight(touch)
    factor = model.factor(t - touch.t)
    return Contribution(
        touchpoint_id=touch.touchpoint_id,
        occurred_at=from_micros(touch.t),
        kind=touch.kind.value,
        initiator=row["initiator"] if touch.direction else None,
        weight=weight,
        age_days=(t - touch.t) / MICROS_PER_DAY,
        factor=factor,
        contribution=weight * factor,
        note=row["note"],
    )


_RULES = {
    DepthLevel.INCH_DEEP: "known of or connected, no exchange",
    DepthLevel.ONE_WAY: "something said or given by one side",
    DepthLevel.TWO_WAY: "both sides reached out with a conversation or help",
    DepthLevel.LIVE: "a live conversation (call, video call or meeting)",
    DepthLevel.SUSTAINED: f"two-way contact in {SUSTAINED_MONTHS} distinct months",
}

_MISSING = {
    DepthLevel.ONE_WAY: "no one has said or given anything yet",
    DepthLevel.TWO_WAY: "only one side has reached out",
    DepthLevel.LIVE: "no call, video call or meeting yet",
    DepthLevel.SUSTAINED: "two-way contact in {months} of {needed} months so far",
}


def depth_reasons(
    depth: DepthValue, a: str, b: str, lookup: Callable[[str], TouchpointView | None]
) -> tuple[str, ...]:
    """One line per level reached (when, and which touchpoint did it), then what is
    missing for the next level."""
    reasons: list[str] = []
    for level in DepthLevel:
        t, touchpoint_id = depth.reached_t[level], depth.reached_by[level]
        if t is None or touchpoint_id is None:
            continue
        found = lookup(touchpoint_id)
        what = "" if found is None else f" {found.kind} from {found.initiator}"
        reasons.append(
            f"{level.label}: {_RULES[level]} — since {from_micros(t):%Y-%m-%d}"
            f" ({what.strip() or 'touchpoint'} {touchpoint_id[:12]})"
        )
    if not reasons:
        return (f"no touchpoints between {a} and {b} yet",)
    following = depth.level + 1
    if following <= DepthLevel.SUSTAINED:
        missing = _MISSING[DepthLevel(following)].format(
            months=depth.active_months, needed=SUSTAINED_MONTHS
        )
        reasons.append(f"not {DepthLevel(following).label}: {missing}")
    return tuple(reasons)
