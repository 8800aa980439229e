"""Read-only queries over the persisted views for the insights (many pairs at once).

The core API answers one pair or one snapshot at a time; reminders, givers and
invitations need every touch of many pairs. These read the view tables directly
(``ledger_pair_touches``, ``ledger_touchpoints``, ``ledger_attributes``, see
:mod:`ledger.views._tables`), after a catch-up, in one read transaction each. Retracted
touchpoints are already gone from ``pair_touches``; they are filtered out of
``touchpoints`` here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import orjson

from ledger.facts.kinds import Kind
from ledger.views._tables import ViewStore

__all__ = [
    "Introduction",
    "Step",
    "all_steps",
    "attributes_at",
    "introductions",
    "person_steps",
    "touched_after",
]


@attrs.frozen(slots=True)
class Step:
    """One touch of a pair seen from one side, ``me``: ``direction`` +1 when me reached
    out, -1 when the other did, 0 when a third person introduced them; ``giver`` the
    same for help."""

    t: int
    kind: Kind
    direction: int
    giver: int
    personalized: bool
    touchpoint_id: str


@attrs.frozen(slots=True)
class Introduction:
    touchpoint_id: str
    t: int
    broker: str
    introduced: tuple[str, str]


def _rows(views: ViewStore, template: str, params: Sequence[Any] = ()) -> list[Any]:
    with views.read() as c:
        c.execute(views.sql(template), tuple(params))
        return list(c.fetchall())


def person_steps(views: ViewStore, person: str, until: int) -> dict[str, list[Step]]:
    """Every touch up to ``until`` of every pair of ``person``, by the other person,
    in time order."""
    rows = _rows(
        views,
        "SELECT a, b, t, touchpoint_id, kind, direction, giver, personalized "
        "FROM {pair_touches} WHERE (a = ? OR b = ?) AND t <= ? ORDER BY t, touchpoint_id",
        (person, person, until),
    )
    found: dict[str, list[Step]] = defaultdict(list)
    for row in rows:
        sign = 1 if row["a"] == person else -1
        other = row["b"] if sign == 1 else row["a"]
        found[other].append(_step(row, sign))
    return dict(found)


def all_steps(
    views: ViewStore, until: int, kinds: Sequence[Kind]
) -> Iterator[tuple[str, str, Step]]:
    """``(a, b, step)`` (seen from a) of every touch of ``kinds`` up to ``until``, each
    pair's in time order."""
    marks = ", ".join("?" * len(kinds))
    rows = _rows(
        views,
        "SELECT a, b, t, touchpoint_id, kind, direction, giver, personalized "
        f"FROM {{pair_touches}} WHERE t <= ? AND kind IN ({marks}) "
        "ORDER BY a, b, t, touchpoint_id",
        (until, *[k.value for k in kinds]),
    )
    return ((row["a"], row["b"], _step(row, 1)) for row in rows)


def _step(row: Any, sign: int) -> Step:
    return Step(
        t=int(row["t"]),
        kind=Kind(row["kind"]),
        direction=int(row["direction"]) * sign,
        giver=int(row["giver"]) * sign,
        personalized=bool(row["personalized"]),
        touchpoint_id=row["touchpoint_id"],
    )


def attributes_at(views: ViewStore, until: int) -> dict[str, dict[str, Any]]:
    """Every person's attributes in force at ``until`` (cleared ones left out)."""
    rows = _rows(
        views,
        "SELECT key, field, value FROM {attributes} WHERE effective_t <= ? "
        "ORDER BY key, field, effective_t, seq",
        (until,),
    )
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in rows:
        found[row["key"]][row["field"]] = orjson.loads(row["value"])
    return {
        key: {field: value for field, value in values.items() if value is not None}
        for key, values in found.items()
    }


def introductions(views: ViewStore, until: int) -> list[Introduction]:
    """Introductions of two people (not retracted) up to ``until``, in time order."""
    rows = _rows(
        views,
        "SELECT touchpoint_id, t, initiator, counterparts FROM {touchpoints} "
        "WHERE kind = ? AND retracted_reason IS NULL AND t <= ? ORDER BY t, touchpoint_id",
        (Kind.INTRODUCTION.value, until),
    )
    found = []
    for row in rows:
        people = orjson.loads(row["counterparts"])
        if len(people) == 2:
            found.append(
                Introduction(row["touchpoint_id"], int(row["t"]), row["initiator"], tuple(people))
            )
    return found


def touched_after(views: ViewStore, a: str, b: str, after: int, until: int) -> tuple[int, int]:
    """How many touches (in which one of a, b reached out) the pair had in
    ``(after, until]``, and the first one's time (0 when none)."""
    x, y = sorted((a, b))
    rows = _rows(
        views,
        "SELECT COUNT(*) AS n, MIN(t) AS first FROM {pair_touches} "
        "WHERE a = ? AND b = ? AND direction <> 0 AND t > ? AND t <= ?",
        (x, y, after, until),
    )
    return int(rows[0]["n"]), int(rows[0]["first"] or 0)
