"""How one touchpoint touches pairs of people.

* A touchpoint from an initiator to counterparts touches each (initiator, counterpart)
  pair; counterparts of one message are not thereby in touch with each other.
* An introduction by a broker of A to B touches (broker, A) and (broker, B), both as
  help given by the broker, and the pair (A, B) with ``direction == 0``: they now know
  of each other, though neither has said anything yet.
* Help: a favor is given by the initiator unless ``giver == "counterparts"`` (the
  initiator asked and received); introductions, referrals and recommendations are
  given by the initiator.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.facts.kinds import GIVING, Kind
from ledger.projections import PairTouch

__all__ = ["ordered", "split"]


def ordered(x: str, y: str) -> tuple[str, str, int]:
    """``(a, b, sign)`` with ``a < b``; sign is +1 when x is a."""
    return (x, y, 1) if x < y else (y, x, -1)


def split(
    touchpoint_id: str,
    t: int,
    kind: Kind,
    initiator: str,
    counterparts: Sequence[str],
    personalized: bool = False,
    giver: str | None = None,
) -> list[tuple[str, str, PairTouch]]:
    """Every ``(a, b, PairTouch)`` the touchpoint contributes, ``a < b``."""
    gives = kind in GIVING
    initiator_gives = not (kind is Kind.FAVOR and giver == "counterparts")
    touches = []
    for counterpart in counterparts:
        a, b, sign = ordered(initiator, counterpart)
        given = 0 if not gives else (sign if initiator_gives else -sign)
        touches.append((a, b, PairTouch(t, touchpoint_id, kind, sign, given, personalized)))
    if kind is Kind.INTRODUCTION and len(counterparts) == 2:
        a, b, _ = ordered(counterparts[0], counterparts[1])
        touches.append((a, b, PairTouch(t, touchpoint_id, kind, 0, 0, personalized)))
    return touches
