"""The decay model's settings: stored in the views' meta table, overridable per query."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from ledger.projections import ProjectionConfig
from ledger.projections.decay import Decay
from ledger.projections.decay import projection as decay_projection

__all__ = ["dump_config", "load_config", "override"]

DEFAULT_HALF_LIFE_DAYS = 90.0


def load_config(
    stored: Mapping[str, str], half_life_days: float | None, weights: Mapping[str, float] | None
) -> ProjectionConfig:
    """What the caller asks for, else what the ledger remembers, else the defaults."""
    saved = orjson.loads(stored["config"]) if "config" in stored else {}
    return ProjectionConfig(
        half_life_days=float(half_life_days or saved.get("half_life_days", DEFAULT_HALF_LIFE_DAYS)),
        weights=dict(weights if weights is not None else saved.get("weights", {})),
    )


def dump_config(config: ProjectionConfig) -> str:
    return orjson.dumps(
        {"half_life_days": config.half_life_days, "weights": dict(sorted(config.weights.items()))}
    ).decode()


def override(
    model: Decay, half_life_days: float | None, weights: Mapping[str, float] | None
) -> Decay:
    """``model`` with another half-life and/or some weights changed, for one query."""
    if half_life_days is None and weights is None:
        return model
    merged = {**model.weights, **{str(k): float(v) for k, v in (weights or {}).items()}}
    return decay_projection(
        ProjectionConfig(half_life_days=half_life_days or model.half_life_days, weights=merged)
    )
