"""Every pair's decay as of a time: the decay export's rows.

Two ways to the same rows: one primary-key search per pair in the persisted states
(the ledger's own model), or the numpy columns of every pair touch (``ledger.views._vector``,
any model). :func:`decay_values` is the fold itself, the reference for both.
"""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ledger.api import Ledger
from ledger.errors import InvalidInputError
from ledger.facts.kinds import Kind
from ledger.facts.time import from_micros, parse_time, to_micros
from ledger.projections.decay import INTRODUCED, DecayState, DecayValue
from ledger.views._fold import touch_from_row

__all__ = [
    "COLUMN_NAMES",
    "LOOKUPS_FIRST",
    "Row",
    "check_decay_model",
    "decay_export",
    "decay_row",
    "decay_values",
    "moment_of",
]

Row = dict[str, str | int | float | None]


def moment_of(as_of: datetime | str | None) -> datetime:
    """``as_of`` as a datetime; now when ``None``."""
    return datetime.now(UTC) if as_of is None else parse_time(as_of, "as_of")


COLUMN_NAMES = (
    "a",
    "b",
    "strength",
    "touches",
    "first_touch_at",
    "last_touch_at",
    "last_exchange_at",
    "days_since_last_touch",
)
"""The decay export's columns, in order (see :func:`decay_row`)."""
LOOKUPS_FIRST = True
"""Answer a ledger object's first ask by per-pair look-ups (see :func:`decay_export`)."""
_COLUMNS_WANTED: weakref.WeakSet[Ledger] = weakref.WeakSet()
"""Ledger objects that asked for every pair's decay before: their next ask loads columns."""


def decay_export(
    book: Ledger,
    moment: datetime,
    half_life_days: float | None,
    weights: Mapping[str, float] | None,
) -> dict[str, list[Any]]:
    """Every pair's decay at ``moment``, as the export's columns (pairs by (a, b)).

    A ledger object's first ask under its own model is answered by one primary-key
    search per pair (0.2 s for the 16k pairs of email-Eu-core); loading the numpy
    columns would take 0.9 s, worth it only when asked again, as a long-lived process
    does (15 ms a query then). So a one-shot ``ledger export`` never pays the load. A
    model override is a refold of every touch: always the columns.
    """
    check_decay_model(half_life_days, weights)
    overridden = half_life_days is not None or weights is not None
    if LOOKUPS_FIRST and not overridden and book not in _COLUMNS_WANTED:
        _COLUMNS_WANTED.add(book)
        rows = [decay_row(a, b, v) for a, b, v in book.projection_values("decay", moment)]
        return {name: [row[name] for row in rows] for name in COLUMN_NAMES}
    from ledger.views._vector import decay_columns  # noqa: PLC0415 - numpy; keeps the CLI fast

    _COLUMNS_WANTED.add(book)
    return decay_columns(book, to_micros(moment), book._model(half_life_days, weights))


def decay_values(
    book: Ledger,
    as_of: datetime | str | None = None,
    *,
    half_life_days: float | None = None,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[str, str, DecayValue]]:
    """``(a, b, value)`` of every pair's decay at ``as_of``, sorted by (a, b).

    Without a model override these are the ledger's own values (``book.pairs``). With
    one, each pair's touches are refolded under the overridden model: unknown weight
    keys keep the ledger's weights.
    """
    moment = moment_of(as_of)
    if half_life_days is None and weights is None:
        return book.projection_values("decay", moment)
    check_decay_model(half_life_days, weights)
    model = book._model(half_life_days, weights)
    t = to_micros(moment)
    values = []
    for (a, b), rows in itertools.groupby(
        _pair_touch_rows(book, t), key=lambda r: (r["a"], r["b"])
    ):
        state: DecayState | None = None  # Decay.start(): no touch yet
        for row in rows:
            state = model.step(state, touch_from_row(row))
        assert state is not None  # groupby never yields an empty group
        values.append((a, b, model.at(state, t)))
    return values


def check_decay_model(half_life_days: float | None, weights: Mapping[str, float] | None) -> None:
    """Raise :class:`ledger.InvalidInputError` unless the half-life is a positive number
    of days and every weight names a kind (or ``introduced``) with a weight >= 0."""
    if half_life_days is not None and not (
        isinstance(half_life_days, int | float)
        and math.isfinite(half_life_days)
        and half_life_days > 0
    ):
        raise InvalidInputError(
            "half_life_days", half_life_days, "must be a positive number of days"
        )
    known = {kind.value for kind in Kind} | {INTRODUCED}
    for key, weight in (weights or {}).items():
        if str(key) not in known:
            raise InvalidInputError(
                "weights", key, f"unknown weight key; known: {', '.join(sorted(known))}"
            )
        if not (isinstance(weight, int | float) and math.isfinite(weight) and weight >= 0):
            raise InvalidInputError(f"weights[{key}]", weight, "must be a number >= 0")


def _pair_touch_rows(book: Ledger, t: int) -> list[Any]:
    """Every pair touch at or before ``t``, ordered by pair then time (one scan)."""
    book.catch_up()
    views = book._views  # the same rows Ledger.explain folds, for all pairs at once
    with views.read() as c:
        c.execute(
            views.sql(
                "SELECT a, b, t, touchpoint_id, kind, direction, giver, personalized "
                "FROM {pair_touches} WHERE t <= ? ORDER BY a, b, t, touchpoint_id"
            ),
            (t,),
        )
        return list(c.fetchall())


def decay_row(a: str, b: str, value: DecayValue) -> Row:
    return {
        "a": a,
        "b": b,
        "strength": value.strength,
        "touches": value.touches,
        "first_touch_at": _iso(value.first_touch_t),
        "last_touch_at": _iso(value.last_touch_t),
        "last_exchange_at": _iso(value.last_exchange_t),
        "days_since_last_touch": value.days_since_last_touch,
    }


def _iso(micros: int | None) -> str | None:
    return None if micros is None else from_micros(micros).isoformat()
