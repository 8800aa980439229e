"""Folding pair touches through every projection, and storing the states."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import orjson

from ledger.kinds import Kind
from ledger.projections import PairProjection, PairTouch
from ledger.transcoder import dumps

__all__ = ["Projections", "TouchRow"]

TouchRow = tuple[str, str, int, str, str, int, int, int, bytes]
"""A ``pair_touches`` row: a, b, t, touchpoint_id, kind, direction, giver, personalized, states."""


class Projections:
    """The set of projections the views keep, with their state codec."""

    def __init__(self, projections: Mapping[str, PairProjection]) -> None:
        self.by_name = dict(projections)
        self._fields = {
            name: tuple(f.name for f in attrs.fields(p.state_type))
            for name, p in self.by_name.items()
        }

    def fingerprints(self) -> dict[str, str]:
        return {f"fingerprint:{name}": p.fingerprint() for name, p in self.by_name.items()}

    def start(self) -> dict[str, Any]:
        return {name: p.start() for name, p in self.by_name.items()}

    def encode(self, states: Mapping[str, Any]) -> bytes:
        fields = self._fields
        return dumps(
            {
                name: None if state is None else [getattr(state, f) for f in fields[name]]
                for name, state in states.items()
            }
        )

    def decode(self, blob: bytes, only: str | None = None) -> dict[str, Any]:
        raw = orjson.loads(blob)
        names = [only] if only is not None else list(self.by_name)
        return {
            name: None if raw[name] is None else self.by_name[name].state_type(*raw[name])
            for name in names
        }

    def fold(
        self, a: str, b: str, states: dict[str, Any], touches: Iterable[PairTouch]
    ) -> tuple[list[TouchRow], dict[str, Any]]:
        """Rows for ``touches`` (already in order) starting from ``states``."""
        rows: list[TouchRow] = []
        items = list(self.by_name.items())
        for touch in touches:
            states = {name: p.step(states[name], touch) for name, p in items}
            rows.append(
                (
                    a,
                    b,
                    touch.t,
                    touch.touchpoint_id,
                    touch.kind.value,
                    touch.direction,
                    touch.giver,
                    int(touch.personalized),
                    self.encode(states),
                )
            )
        return rows, states


def touch_from_row(row: Mapping[str, Any]) -> PairTouch:
    """The :class:`PairTouch` a ``pair_touches`` row records."""
    return PairTouch(
        int(row["t"]),
        row["touchpoint_id"],
        Kind(row["kind"]),
        int(row["direction"]),
        int(row["giver"]),
        bool(row["personalized"]),
    )
