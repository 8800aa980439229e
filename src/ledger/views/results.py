"""What queries return: frozen attrs classes, easy to print, compare and export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ledger.projections.decay import DecayValue
from ledger.projections.depth import DepthLevel, DepthValue
from ledger.projections.reciprocity import ReciprocityValue

__all__ = [
    "Contribution",
    "Explanation",
    "NetworkSummary",
    "PairView",
    "PersonView",
    "RecordSummary",
    "TouchpointView",
]


@attrs.frozen
class TouchpointView:
    """A recorded touchpoint as the views hold it."""

    touchpoint_id: str
    kind: str
    initiator: str
    counterparts: tuple[str, ...]
    occurred_at: datetime
    note: str | None
    source: str
    source_ref: str
    personalized: bool
    giver: str | None
    duration_seconds: int | None
    retracted_reason: str | None

    @property
    def retracted(self) -> bool:
        return self.retracted_reason is not None


@attrs.frozen
class PairView:
    """One relationship as of a time: its strength, depth and reciprocity.

    ``a < b`` in string order; reciprocity's ``a_to_b`` counts what a initiated.
    """

    a: str
    b: str
    as_of: datetime
    decay: DecayValue
    depth: DepthValue
    reciprocity: ReciprocityValue

    @property
    def strength(self) -> float:
        return self.decay.strength

    @property
    def level(self) -> DepthLevel:
        return self.depth.level

    @property
    def balance(self) -> float:
        return self.reciprocity.balance

    def other(self, person: str) -> str:
        return self.b if person == self.a else self.a


@attrs.frozen
class Contribution:
    """What one touchpoint adds to a pair's strength at ``as_of``."""

    touchpoint_id: str
    occurred_at: datetime
    kind: str
    initiator: str | None
    weight: float
    age_days: float
    factor: float
    contribution: float
    note: str | None


@attrs.frozen
class Explanation:
    """A pair's strength broken down into its touchpoints, and its depth's reasons.

    ``sum(c.contribution for c in contributions)`` equals ``strength`` (up to
    floating-point rounding; ``strength`` is computed by that sum).
    """

    a: str
    b: str
    as_of: datetime
    half_life_days: float
    strength: float
    contributions: tuple[Contribution, ...]
    depth: DepthValue
    depth_reasons: tuple[str, ...]


@attrs.frozen
class PersonView:
    """A person's attributes as of a time."""

    key: str
    as_of: datetime
    name: str
    attributes: dict[str, Any]

    def get(self, field: str, default: Any = None) -> Any:
        return self.attributes.get(field, default)


@attrs.frozen
class NetworkSummary:
    """The whole network as of a time."""

    as_of: datetime
    people: int
    pairs: int
    depth_distribution: dict[str, int]
    inch_deep_share: float
    one_way_share: float
    reciprocity_coefficient: float | None
    total_strength: float


@attrs.frozen
class RecordSummary:
    """What a batch record did: touchpoints added, already-recorded ones ignored."""

    added: int
    ignored: int
    people_added: int
    touchpoint_ids: tuple[str, ...]
