"""Why a pair's depth is what it is, in words a person can check."""

from __future__ import annotations

from collections.abc import Callable

from ledger._time import from_micros
from ledger.projections.depth import SUSTAINED_MONTHS, DepthLevel, DepthValue
from ledger.results import TouchpointView

__all__ = ["depth_reasons"]

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
