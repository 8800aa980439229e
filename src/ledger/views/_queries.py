"""Reading the views: one indexed lookup per pair, whatever the ledger's size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from ledger.facts.time import from_micros
from ledger.views._tables import PAIR_TOUCH_COLUMNS, ViewStore
from ledger.views.results import TouchpointView

__all__ = ["Reader"]

_TOUCHPOINT_COLUMNS = (
    "touchpoint_id, t, kind, initiator, counterparts, note, source, source_ref, "
    "personalized, giver, duration_seconds, retracted_reason"
)


class Reader:
    """Queries over a :class:`ViewStore`; every method is one read transaction."""

    def __init__(self, views: ViewStore) -> None:
        self.views = views

    def _rows(self, template: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self.views.read() as c:
            c.execute(self.views.sql(template), params)
            return list(c.fetchall())

    def state_at(self, a: str, b: str, t: int) -> bytes | None:
        """The projection states of pair (a, b) after its last touch at or before t."""
        rows = self._rows(
            "SELECT states FROM {pair_touches} WHERE a = ? AND b = ? AND t <= ? "
            "ORDER BY t DESC, touchpoint_id DESC LIMIT 1",
            (a, b, t),
        )
        return bytes(rows[0]["states"]) if rows else None

    def latest_t(self) -> int | None:
        rows = self._rows("SELECT MAX(t) AS t FROM {pair_last}")
        return None if rows[0]["t"] is None else int(rows[0]["t"])

    def states_at(self, t: int, person: str | None = None) -> Iterator[tuple[str, str, bytes]]:
        """``(a, b, states)`` of every pair (of ``person``, if given) as of t."""
        latest = self.latest_t()
        if latest is None:
            return iter(())
        who = "" if person is None else " AND (a = ? OR b = ?)"
        params: tuple[Any, ...] = () if person is None else (person, person)
        if t >= latest:  # the usual "as of now": every pair's last row
            rows = self._rows(f"SELECT a, b, states FROM {{pair_last}} WHERE 1 = 1{who}", params)
        else:  # one descending primary-key search per pair: no scan, no sort of every touch
            rows = self._rows(
                "SELECT a, b, states FROM (SELECT p.a, p.b, (SELECT x.states FROM "
                "{pair_touches} x WHERE x.a = p.a AND x.b = p.b AND x.t <= ? "
                "ORDER BY x.t DESC, x.touchpoint_id DESC LIMIT 1) AS states "
                f"FROM {{pair_last}} p WHERE 1 = 1{who}) AS latest WHERE states IS NOT NULL",
                (t, *params),
            )
        return ((row["a"], row["b"], bytes(row["states"])) for row in rows)

    def pair_history(self, a: str, b: str, until: int) -> list[Any]:
        """The pair's touch rows up to ``until``, in order, with each touchpoint's note."""
        return self._rows(
            f"SELECT {', '.join('p.' + c.strip() for c in PAIR_TOUCH_COLUMNS.split(','))}, "
            "tp.initiator, tp.note FROM {pair_touches} p JOIN {touchpoints} tp "
            "ON tp.touchpoint_id = p.touchpoint_id WHERE p.a = ? AND p.b = ? AND p.t <= ? "
            "ORDER BY p.t, p.touchpoint_id",
            (a, b, until),
        )

    def person_exists(self, key: str) -> bool:
        return bool(self._rows("SELECT 1 AS x FROM {people} WHERE key = ?", (key,)))

    def people(self) -> list[str]:
        return [row["key"] for row in self._rows("SELECT key FROM {people} ORDER BY key")]

    def attributes(self, key: str, t: int) -> dict[str, Any]:
        """Each attribute's value in force at t (the latest effective at or before t)."""
        values: dict[str, Any] = {}
        for row in self._rows(
            "SELECT field, value FROM {attributes} WHERE key = ? AND effective_t <= ? "
            "ORDER BY effective_t, seq",
            (key, t),
        ):
            values[row["field"]] = orjson.loads(row["value"])
        return {field: value for field, value in values.items() if value is not None}

    def touchpoint(self, touchpoint_id: str) -> TouchpointView | None:
        rows = self._rows(
            f"SELECT {_TOUCHPOINT_COLUMNS} FROM {{touchpoints}} WHERE touchpoint_id = ?",
            (touchpoint_id,),
        )
        return _touchpoint(rows[0]) if rows else None

    def timeline(
        self, person: str, other: str | None, since: int | None, until: int | None
    ) -> list[TouchpointView]:
        """Touchpoints ``person`` (and ``other``) took part in, retracted ones included."""
        where = "touchpoint_id IN (SELECT touchpoint_id FROM {participants} WHERE key = ?)"
        params: list[Any] = [person]
        if other is not None:
            where += (
                " AND touchpoint_id IN (SELECT touchpoint_id FROM {participants} WHERE key = ?)"
            )
            params.append(other)
        if since is not None:
            where += " AND t >= ?"
            params.append(since)
        if until is not None:
            where += " AND t <= ?"
            params.append(until)
        rows = self._rows(
            f"SELECT {_TOUCHPOINT_COLUMNS} FROM {{touchpoints}} WHERE {where} "
            "ORDER BY t, touchpoint_id",
            tuple(params),
        )
        return [_touchpoint(row) for row in rows]


def _touchpoint(row: Any) -> TouchpointView:
    return TouchpointView(
        touchpoint_id=row["touchpoint_id"],
        kind=row["kind"],
        initiator=row["initiator"],
        counterparts=tuple(orjson.loads(row["counterparts"])),
        occurred_at=from_micros(int(row["t"])),
        note=row["note"],
        source=row["source"],
        source_ref=row["source_ref"],
        personalized=bool(row["personalized"]),
        giver=row["giver"],
        duration_seconds=row["duration_seconds"],
        retracted_reason=row["retracted_reason"],
    )
