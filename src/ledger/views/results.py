"""What queries return: frozen attrs classes, easy to print, compare and export.

Times are timezone-aware datetimes (UTC) and spans are days or timedeltas: never the
microsecond integers the views store.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs

from ledger.projections.depth import DepthLevel
from ledger.projections.reciprocity import GIVEN
from ledger.store import RecordSummary

__all__ = [
    "Contribution",
    "DecayValue",
    "DepthValue",
    "Explanation",
    "Introduction",
    "MergeFact",
    "NetworkSummary",
    "PairFact",
    "PairView",
    "PersonView",
    "Reached",
    "ReciprocityValue",
    "RecordSummary",
    "SettingsChange",
    "SnoozeFact",
    "TouchpointView",
]


@attrs.frozen
class TouchpointView:
    """A recorded touchpoint."""

    touchpoint_id: str
    kind: str
    initiator: str
    counterparts: tuple[str, ...]
    occurred_at: datetime
    note: str | None
    source: str
    personalized: bool
    giver: str | None
    duration_seconds: int | None
    symmetric: bool
    retracted_reason: str | None

    @property
    def retracted(self) -> bool:
        return self.retracted_reason is not None


@attrs.frozen
class DecayValue:
    """A pair's tie strength at ``as_of``, under the model asked for."""

    strength: float
    touches: int
    first_touch_at: datetime
    last_touch_at: datetime
    last_exchange_at: datetime | None
    as_of: datetime

    @property
    def days_since_last_touch(self) -> float:
        return (self.as_of - self.last_touch_at) / timedelta(days=1)

    @property
    def days_since_last_exchange(self) -> float | None:
        if self.last_exchange_at is None:
            return None
        return (self.as_of - self.last_exchange_at) / timedelta(days=1)


@attrs.frozen
class Reached:
    """A depth level a pair reached: when, and by which touchpoint."""

    level: DepthLevel
    at: datetime
    touchpoint_id: str


@attrs.frozen
class DepthValue:
    """A pair's depth, and each level it reached (only those: the levels are not a
    ladder, see :mod:`ledger.projections.depth`)."""

    level: DepthLevel
    reached: tuple[Reached, ...]
    live_touches: int
    two_way_days: int

    @property
    def level_name(self) -> str:
        return self.level.label

    def reached_at(self, level: DepthLevel) -> datetime | None:
        for found in self.reached:
            if found.level is level:
                return found.at
        return None


@attrs.frozen
class ReciprocityValue:
    """A pair's openings each way, and the help each side gave (``a < b``)."""

    a_to_b: int
    b_to_a: int
    favors_a_to_b: int = 0
    favors_b_to_a: int = 0
    introductions_a_to_b: int = 0
    introductions_b_to_a: int = 0
    referrals_a_to_b: int = 0
    referrals_b_to_a: int = 0
    recommendations_a_to_b: int = 0
    recommendations_b_to_a: int = 0

    @property
    def balance(self) -> float:
        total = self.a_to_b + self.b_to_a
        return 0.0 if total == 0 else (self.a_to_b - self.b_to_a) / total

    @property
    def given_a_to_b(self) -> int:
        return sum(getattr(self, f"{name}_a_to_b") for name in GIVEN.values())

    @property
    def given_b_to_a(self) -> int:
        return sum(getattr(self, f"{name}_b_to_a") for name in GIVEN.values())


@attrs.frozen
class PairView:
    """One relationship as of a time: its strength, depth and reciprocity.

    ``a`` and ``b`` are the two people's keys, in the order the ledger numbered them;
    reciprocity's ``a_to_b`` counts what a opened.
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
    """What one touchpoint adds to a pair's strength at ``as_of``: ``weight`` (its
    kind's, in the model) × ``factor`` (``group`` × ``shape``, model-free) × ``decay``
    (``2^(−age/half-life)``) = ``contribution``. ``shape`` is explained by ``why``:
    the touch's place in a conversation session, or its day's time together."""

    touchpoint_id: str
    occurred_at: datetime
    kind: str
    initiator: str | None
    weight: float
    group: float
    shape: float
    why: str
    age_days: float
    decay: float
    contribution: float

    @property
    def factor(self) -> float:
        return self.group * self.shape


@attrs.frozen
class Explanation:
    """A pair's strength broken down into its touchpoints, and its depth's reasons.

    ``sum(c.contribution for c in contributions)`` equals ``strength`` (up to
    floating-point rounding).
    """

    a: str
    b: str
    as_of: datetime
    half_life_days: float
    weights: dict[str, float]
    strength: float
    contributions: tuple[Contribution, ...]
    depth: DepthValue
    depth_reasons: tuple[str, ...]


@attrs.frozen
class PersonView:
    """A person's attributes as of a time, their identifiers (``(kind, value)``), and
    the keys of the people merged into them (``aliases``)."""

    key: str
    as_of: datetime
    name: str
    attributes: dict[str, Any]
    identifiers: tuple[tuple[str, str], ...] = ()
    aliases: tuple[str, ...] = ()

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


@attrs.frozen(slots=True)
class PairFact:
    """One touch of a pair seen from one side, ``me``: ``direction`` +1 when me reached
    out, -1 when the other did, 0 when nobody did (co-participants, or introduced by a
    third person: ``role``); ``giver`` the same for help; ``opens`` the same for who
    opened a conversation with it; ``factor`` its model-free share of the strength (see
    :mod:`ledger.projections.decay`): :meth:`ledger.DecayModel.weigh` turns facts into
    their contributions under a model, with the function the strength is computed by."""

    other: str
    at: datetime
    kind: str
    direction: int
    role: str
    giver: int
    opens: int
    personalized: bool
    touchpoint_id: str
    factor: float


@attrs.frozen
class Introduction:
    """A broker introduced two people."""

    touchpoint_id: str
    at: datetime
    broker: str
    introduced: tuple[str, str]


@attrs.frozen
class SnoozeFact:
    """A snooze as stored: reminders about (a, b) silenced from since until until."""

    a: str
    b: str
    since: datetime
    until: datetime
    reason: str | None


@attrs.frozen
class MergeFact:
    """A merge as stored: ``other`` became ``into`` (undone since, or not)."""

    merge_id: str
    into: str
    other: str
    recorded_at: datetime
    undone: bool
    into_id: str = ""
    other_id: str = ""


@attrs.frozen
class SettingsChange:
    """One change of the ledger's settings, as stored in the log: what, when, by whom."""

    version: int
    recorded_at: datetime
    changes: dict[str, Any]
    actor: str | None
