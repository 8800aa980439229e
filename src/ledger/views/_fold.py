"""Folding pair touches through every projection, and storing the states.

A stored states blob is one JSON array with one entry per projection, in the order of
:attr:`Projections.names` (sorted module names): each entry is that projection's state
fields in ``attrs`` order, or null. No names are stored: that made the blob a tenth
larger and slower to write, and the order is pinned by :data:`STATES_FORMAT` plus the
projections' fingerprints (adding or changing a projection rebuilds the views).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter
from typing import Any

import attrs
import orjson

from ledger.facts.kinds import Kind
from ledger.projections import PairProjection, PairTouch
from ledger.store.transcoder import dumps

__all__ = ["STATES_FORMAT", "Projections", "TouchRow", "touch_from_row"]

TouchRow = tuple[str, str, int, str, str, int, int, int, bytes]
"""A ``pair_touches`` row: a, b, t, touchpoint_id, kind, direction, giver, personalized, states."""

STATES_FORMAT = "arrays-v2"
"""How a states blob is laid out; stored in ``meta`` so an older layout forces a rebuild."""


class Projections:
    """The set of projections the views keep, with their state codec."""

    def __init__(self, projections: Mapping[str, PairProjection]) -> None:
        self.by_name = dict(projections)
        self.names = tuple(self.by_name)
        self._index = {name: i for i, name in enumerate(self.names)}
        self._types = tuple(p.state_type for p in self.by_name.values())
        self._steps = tuple(p.step for p in self.by_name.values())
        self._getters = tuple(_fields_getter(p.state_type) for p in self.by_name.values())

    def fingerprints(self) -> dict[str, str]:
        found = {f"fingerprint:{name}": p.fingerprint() for name, p in self.by_name.items()}
        found["states_format"] = STATES_FORMAT
        return found

    def start(self) -> dict[str, Any]:
        return dict(zip(self.names, self.start_list(), strict=True))

    def start_list(self) -> list[Any]:
        """Every projection's start state, in :attr:`names` order."""
        return [p.start() for p in self.by_name.values()]

    def encode(self, states: Mapping[str, Any]) -> bytes:
        return self.encode_list([states[name] for name in self.names])

    def encode_list(self, states: Iterable[Any]) -> bytes:
        # An exact-size copy: orjson's own output keeps a 4 KiB buffer, and a round holds
        # 100k of these.
        return dumps(
            [
                None if state is None else get(state)
                for get, state in zip(self._getters, states, strict=True)
            ]
        )

    def decode(self, blob: bytes, only: str | None = None) -> dict[str, Any]:
        raw = orjson.loads(blob)
        names = [only] if only is not None else self.names
        found = {}
        for name in names:
            i = self._index[name]
            found[name] = None if raw[i] is None else self._types[i](*raw[i])
        return found

    def decode_list(self, blob: bytes) -> list[Any]:
        raw = orjson.loads(blob)
        return [
            None if fields is None else state_type(*fields)
            for state_type, fields in zip(self._types, raw, strict=True)
        ]

    def fold(
        self, a: str, b: str, states: list[Any], touches: Iterable[PairTouch]
    ) -> tuple[list[TouchRow], list[Any]]:
        """Rows for ``touches`` (already in order) starting from ``states`` (a list in
        :attr:`names` order, as :meth:`start_list` and :meth:`decode_list` give)."""
        rows: list[TouchRow] = []
        append, steps, encode = rows.append, self._steps, self.encode_list
        for touch in touches:
            states = [step(state, touch) for step, state in zip(steps, states, strict=True)]
            append(
                (
                    a,
                    b,
                    touch.t,
                    touch.touchpoint_id,
                    touch.kind.value,
                    touch.direction,
                    touch.giver,
                    int(touch.personalized),
                    encode(states),
                )
            )
        return rows, states


def _fields_getter(state_type: type[Any]) -> Callable[[Any], Any]:
    """A C-level getter of a state's fields as a tuple (orjson writes tuples as arrays)."""
    names = [field.name for field in attrs.fields(state_type)]
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda state: (one(state),)
    return attrgetter(*names)


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
