"""Projections: pure folds over the touchpoints of one pair of people.

A projection is one module in this package that defines a ``projection(config)``
function returning a :class:`PairProjection`. Nothing here does I/O: the engine in
:mod:`ledger` feeds each pair's touches in time order (``t``, then touchpoint id),
persists the state after every touch, and answers "as of T" by loading the last state
at or before T and calling :meth:`PairProjection.at`. Adding a projection is adding a
module; :func:`discover` finds it.

States are frozen attrs classes whose fields are JSON values (no tuples): the engine
stores them with ``attrs.astuple`` and loads them with ``state_type(*fields)``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import attrs

from ledger.facts.kinds import Kind

__all__ = ["PairProjection", "PairTouch", "ProjectionConfig", "discover"]

MICROS_PER_DAY = 86_400_000_000


@attrs.frozen(slots=True)
class PairTouch:
    """One touchpoint as seen by one unordered pair ``(a, b)`` with ``a < b``.

    ``direction`` is +1 when a reached out to b, -1 when b reached out to a, and 0
    when neither did (a and b were introduced to each other by a third person).
    ``giver`` is +1 when a helped b, -1 when b helped a, 0 when no help changed hands.
    """

    t: int
    touchpoint_id: str
    kind: Kind
    direction: int
    giver: int = 0
    personalized: bool = False

    @property
    def order(self) -> tuple[int, str]:
        return (self.t, self.touchpoint_id)


@attrs.frozen
class ProjectionConfig:
    """Settings a projection may depend on (only decay has any today)."""

    half_life_days: float = 90.0
    weights: Mapping[str, float] = attrs.field(factory=dict)


@runtime_checkable
class PairProjection(Protocol):
    """What the engine needs from a projection."""

    name: str
    state_type: type[Any]

    def fingerprint(self) -> str:
        """Identifies the settings the stored states depend on; a change forces a rebuild."""

    def start(self) -> Any:
        """The state of a pair before any touch."""

    def step(self, state: Any, touch: PairTouch) -> Any:
        """The state after ``touch``; touches arrive in ``PairTouch.order``."""

    def at(self, state: Any, as_of: int) -> Any:
        """The projection's value at ``as_of`` (µs), given the state after the last touch
        at or before it."""


def discover(config: ProjectionConfig | None = None) -> dict[str, PairProjection]:
    """Every projection module in this package, instantiated with ``config``, by name."""
    config = config or ProjectionConfig()
    found: dict[str, PairProjection] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        factory = getattr(module, "projection", None)
        if factory is not None:
            instance = factory(config)
            found[instance.name] = instance
    return found
