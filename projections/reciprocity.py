"""Reciprocity: does the relationship give and take both ways?

Per pair (``a < b``): touchpoints each side initiated (``a_to_b``, ``b_to_a``), and the
help each side gave the other: favors, introductions (a broker introducing one of the
pair to a third person counts as given to that one), referrals and recommendations.
``balance = (a_to_b - b_to_a) / (a_to_b + b_to_a)`` lies in [-1, 1]: 1 when only a
reaches out, -1 when only b does, 0 when even (or when neither reached out, as for two
people introduced to each other who have not spoken yet).

Across people, :func:`coefficient` is the reciprocity of Garlaschelli & Loffredo
(2004): with a directed link a→b wherever a initiated at least one touchpoint to b,
``rho = (r - abar) / (1 - abar)`` where r is the share of links whose reverse link
also exists and ``abar = L / (N (N - 1))`` the density. rho > 0 means more
reciprocity than chance, rho < 0 less. :func:`person_coefficient` applies the same
correction to the links of one person (r_i: the share of the person's links, in or
out, that are reciprocated), against the whole network's density.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from operator import attrgetter

import attrs
from ledger.projections import PairTouch, ProjectionConfig

from ledger.facts.kinds import Kind

__all__ = [
    "Reciprocity",
    "ReciprocityState",
    "ReciprocityValue",
    "coefficient",
    "person_coefficient",
    "projection",
]

_GIVEN = {
    Kind.FAVOR: "favors",
    Kind.INTRODUCTION: "introductions",
    Kind.REFERRAL: "referrals",
    Kind.RECOMMENDATION: "recommendations",
}


@attrs.frozen(slots=True)
class ReciprocityState:
    a_to_b: int
    b_to_a: int
    favors_a_to_b: int
    favors_b_to_a: int
    introductions_a_to_b: int
    introductions_b_to_a: int
    referrals_a_to_b: int
    referrals_b_to_a: int
    recommendations_a_to_b: int
    recommendations_b_to_a: int


_FIELDS = tuple(field.name for field in attrs.fields(ReciprocityState))
_COUNTS = attrgetter(*_FIELDS)
_GIVEN_SLOT = {kind: _FIELDS.index(f"{name}_a_to_b") for kind, name in _GIVEN.items()}
"""Where each kind of help is counted: the ``_a_to_b`` slot; ``_b_to_a`` follows it."""


@attrs.frozen(slots=True)
class ReciprocityValue(ReciprocityState):
    """A pair's counts each way; see the module docs for ``balance``."""

    @property
    def balance(self) -> float:
        total = self.a_to_b + self.b_to_a
        return 0.0 if total == 0 else (self.a_to_b - self.b_to_a) / total

    @property
    def given_a_to_b(self) -> int:
        return sum(getattr(self, f"{name}_a_to_b") for name in _GIVEN.values())

    @property
    def given_b_to_a(self) -> int:
        return sum(getattr(self, f"{name}_b_to_a") for name in _GIVEN.values())


@attrs.frozen
class Reciprocity:
    name: str = "reciprocity"
    state_type: type[ReciprocityState] = ReciprocityState

    def fingerprint(self) -> str:
        return "reciprocity-v1"

    def start(self) -> ReciprocityState:
        return ReciprocityState(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    def step(self, state: ReciprocityState, touch: PairTouch) -> ReciprocityState:
        # Positional copies, not attrs.evolve: this runs once per touch of every replay.
        counts = list(_COUNTS(state))
        if touch.direction > 0:
            counts[0] += 1
        elif touch.direction < 0:
            counts[1] += 1
        given = _GIVEN_SLOT.get(touch.kind)
        if given is not None and touch.giver != 0:
            counts[given + (0 if touch.giver > 0 else 1)] += 1
        return ReciprocityState(*counts)

    def at(self, state: ReciprocityState, as_of: int) -> ReciprocityValue:
        return ReciprocityValue(*attrs.astuple(state))


def coefficient(links: Iterable[tuple[str, str, ReciprocityValue]]) -> float | None:
    """Garlaschelli–Loffredo rho over pairs ``(a, b, value)``; None below two people."""
    people: set[str] = set()
    directed = mutual = 0
    for a, b, value in links:
        people.update((a, b))
        directed += (value.a_to_b > 0) + (value.b_to_a > 0)
        mutual += 2 * (value.a_to_b > 0 and value.b_to_a > 0)
    return _rho(mutual, directed, len(people), directed)


def person_coefficient(
    person: str, links: Iterable[tuple[str, str, ReciprocityValue]]
) -> float | None:
    """rho for one person's links, corrected by the whole network's density."""
    people: set[str] = set()
    directed = 0
    own: Counter[str] = Counter()
    for a, b, value in links:
        people.update((a, b))
        directed += (value.a_to_b > 0) + (value.b_to_a > 0)
        if person in (a, b):
            count = (value.a_to_b > 0) + (value.b_to_a > 0)
            own["links"] += count
            own["mutual"] += count if count == 2 else 0
    return _rho(own["mutual"], own["links"], len(people), directed)


def _rho(mutual: int, links: int, people: int, all_links: int) -> float | None:
    if people < 2 or links == 0:
        return None
    density = all_links / (people * (people - 1))
    if density >= 1.0:
        return None
    return (mutual / links - density) / (1.0 - density)


def projection(config: ProjectionConfig) -> Reciprocity:
    del config  # reciprocity has no settings
    return Reciprocity()
