"""Reading the views: people, attributes, and the rows of one pair, one person or all.

Every function takes a cursor of a read transaction (``Views.read``), so one question
reads one state of the views. A pair's rows are one search of the rows' primary key,
whatever the size of the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import orjson

from ledger.store import values_of
from ledger.store._identity import candidates
from ledger.views import _segments
from ledger.views._refold import load_segments
from ledger.views._rows import Columns
from ledger.views._schema import ROW_COLUMNS, Views

__all__ = [
    "Person",
    "attributes_at",
    "network_rows",
    "pair_rows",
    "people",
    "person_by_key",
    "person_pairs",
    "retracted",
    "rows_of_pairs",
    "settings",
    "snoozes",
    "source_names",
]

Person = tuple[int, bytes, str, str]
"""A person's number, id, key and name."""
_IN = 500
_SELECT_ROWS = f"SELECT {', '.join(ROW_COLUMNS)} FROM {{view_rows}}"


def person_by_key(views: Views, c: Any, key: str, *, own: bool = False) -> Person | None:
    """The person ``key`` names (by their key, or by an e-mail address, phone or URL it
    is, on anyone's card): the person a merge made them, unless ``own``."""
    found = _own_person(views, c, key)
    if found is None or own:
        return found
    c.execute(views.sql("SELECT canonical FROM {view_people} WHERE no = ?"), (found[0],))
    row = c.fetchone()
    if row is None or row["canonical"] is None:
        return found
    return people(views, c, [int(row["canonical"])]).get(int(row["canonical"]))


def _own_person(views: Views, c: Any, key: str) -> Person | None:
    digest = views.store.digest("key", key)
    c.execute(views.sql("SELECT no, id, key, name FROM {view_people} WHERE digest = ?"), (digest,))
    for row in c.fetchall():
        person = _person(views, row)
        if person[2] == key:
            return person
    for kind, value in candidates(key)[1:]:
        digest = views.store.digest(kind, value)
        c.execute(
            views.sql("SELECT person FROM {view_identifiers} WHERE digest = ? ORDER BY person"),
            (digest,),
        )
        row = c.fetchone()
        if row is not None:
            return people(views, c, [int(row["person"])]).get(int(row["person"]))
    return None


def identifiers(views: Views, c: Any, numbers: list[int]) -> list[tuple[str, str]]:
    """Every identifier on the cards of the people numbered ``numbers``."""
    found: dict[tuple[str, str], None] = {}
    for number in numbers:
        c.execute(
            views.sql("SELECT kind, value FROM {view_identifiers} WHERE person = ?"), (number,)
        )
        found.update(((r["kind"], views.sealed.open(r["value"])), None) for r in c.fetchall())
    return list(found)


def all_identifiers(views: Views, c: Any) -> dict[int, list[tuple[str, str]]]:
    """Every identifier on every card, by the number of the person each card's person
    is now (merged people's under the person they were merged into)."""
    c.execute(
        views.sql(
            "SELECT COALESCE(p.canonical, p.no) AS n, i.kind, i.value FROM {view_identifiers} i "
            "JOIN {view_people} p ON p.no = i.person ORDER BY n, p.no"
        )
    )
    found: dict[int, dict[tuple[str, str], None]] = defaultdict(dict)
    for row in c.fetchall():
        found[int(row["n"])][(row["kind"], views.sealed.open(row["value"]))] = None
    return {number: list(pairs) for number, pairs in found.items()}


def all_aliases(views: Views, c: Any) -> dict[int, list[int]]:
    """The people merged into each person, by that person's number."""
    c.execute(
        views.sql("SELECT no, canonical FROM {view_people} WHERE canonical IS NOT NULL ORDER BY no")
    )
    found: dict[int, list[int]] = defaultdict(list)
    for row in c.fetchall():
        found[int(row["canonical"])].append(int(row["no"]))
    return dict(found)


def merges(views: Views, c: Any) -> list[tuple[bytes, bytes, bytes, int, bool]]:
    """Every merge, ``(merge id, into id, other id, when, undone)``, in log order."""
    c.execute(
        views.sql("SELECT merge, into_id, other_id, at, undone FROM {view_merges} ORDER BY no")
    )
    return [
        (
            bytes(r["merge"]),
            bytes(r["into_id"]),
            bytes(r["other_id"]),
            int(r["at"]),
            bool(r["undone"]),
        )
        for r in c.fetchall()
    ]


def merged_into(views: Views, c: Any, number: int) -> list[int]:
    """The people merged into person ``number`` (themselves not included)."""
    c.execute(views.sql("SELECT no FROM {view_people} WHERE canonical = ? ORDER BY no"), (number,))
    return [int(r["no"]) for r in c.fetchall()]


def _person(views: Views, row: Any) -> Person:
    sealed = views.sealed
    return int(row["no"]), bytes(row["id"]), sealed.open(row["key"]), sealed.open(row["name"])


def people(views: Views, c: Any, numbers: list[int] | None = None) -> dict[int, Person]:
    """Everyone (or the people numbered ``numbers``), by number."""
    if numbers is None:  # everyone who is their own person (not merged into another)
        c.execute(views.sql("SELECT no, id, key, name FROM {view_people} WHERE canonical IS NULL"))
        rows = c.fetchall()
    else:
        rows = []
        unique = sorted(set(numbers))
        for start in range(0, len(unique), _IN):
            chunk = unique[start : start + _IN]
            marks = ", ".join("?" * len(chunk))
            c.execute(
                views.sql(f"SELECT no, id, key, name FROM {{view_people}} WHERE no IN ({marks})"),
                chunk,
            )
            rows.extend(c.fetchall())
    return {int(r["no"]): _person(views, r) for r in rows}


def attributes_at(
    views: Views, c: Any, t: int, person: int | None = None
) -> dict[int, dict[str, Any]]:
    """Each person's attributes in force at ``t`` (the latest effective at or before it),
    cleared ones left out."""
    where, params = "effective_t <= ?", [t]
    if person is not None:
        where, params = "person = ? AND effective_t <= ?", [person, t]
    c.execute(
        views.sql(
            f"SELECT person, field, value FROM {{view_attributes}} WHERE {where} "
            "ORDER BY person, field, effective_t, seq"
        ),
        params,
    )
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in c.fetchall():
        found[int(row["person"])][row["field"]] = orjson.loads(views.sealed.open(row["value"]))
    return {
        number: {field: value for field, value in values.items() if value is not None}
        for number, values in found.items()
    }


def _columns(rows: list[Any]) -> Columns:
    if not rows:
        return {
            name: np.zeros(0, dtype=np.float64 if name == "factor" else np.int64)
            for name in ROW_COLUMNS
        }
    data = list(zip(*(values_of(r) for r in rows), strict=True))
    return {
        name: np.array(values, dtype=np.float64 if name == "factor" else np.int64)
        for name, values in zip(ROW_COLUMNS, data, strict=True)
    }


def pair_rows(views: Views, c: Any, pair: int, until: int | None = None) -> Columns:
    """The rows of ``pair`` (up to ``until``), in order."""
    if until is None:
        c.execute(views.sql(f"{_SELECT_ROWS} WHERE pair = ? ORDER BY t, touch"), (pair,))
    else:
        c.execute(
            views.sql(f"{_SELECT_ROWS} WHERE pair = ? AND t <= ? ORDER BY t, touch"), (pair, until)
        )
    return _columns(c.fetchall())


def person_pairs(views: Views, c: Any, person: int) -> list[int]:
    """Every pair ``person`` is in."""
    low, high = person << 32, (person << 32) | 0xFFFFFFFF
    c.execute(
        views.sql("SELECT pair FROM {view_pairs} WHERE pair BETWEEN ? AND ? OR b = ?"),
        (low, high, person),
    )
    return sorted(int(row["pair"]) for row in c.fetchall())


def rows_of_pairs(views: Views, c: Any, pairs: list[int], until: int | None = None) -> Columns:
    """The rows of several pairs, sorted by pair, time and touch."""
    parts = []
    for start in range(0, len(pairs), _IN):
        chunk = pairs[start : start + _IN]
        marks = ", ".join("?" * len(chunk))
        where = f"pair IN ({marks})" + ("" if until is None else " AND t <= ?")
        params = [*chunk] + ([] if until is None else [until])
        c.execute(views.sql(f"{_SELECT_ROWS} WHERE {where} ORDER BY pair, t, touch"), params)
        parts.append(_columns(c.fetchall()))
    if not parts:
        return _columns([])
    return {name: np.concatenate([p[name] for p in parts]) for name in ROW_COLUMNS}


def network_rows(views: Views, c: Any) -> Columns:
    """Every row that stands, from the segments, sorted by pair, time and touch."""
    segments, voided = load_segments(views, c)
    return _segments.live_rows(segments, voided)


def retracted(views: Views, c: Any, touches: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(touches), _IN):
        chunk = touches[start : start + _IN]
        marks = ", ".join("?" * len(chunk))
        c.execute(
            views.sql(f"SELECT touch, reason FROM {{view_retracted}} WHERE touch IN ({marks})"),
            chunk,
        )
        found.update((int(r["touch"]), views.sealed.open(r["reason"])) for r in c.fetchall())
    return found


def source_names(views: Views, c: Any) -> dict[int, str]:
    c.execute(views.sql("SELECT no, name FROM {view_sources}"))
    return {int(r["no"]): views.sealed.open(r["name"]) for r in c.fetchall()}


def settings(views: Views, c: Any) -> dict[str, Any]:
    c.execute(views.sql("SELECT key, value FROM {view_settings}"))
    return {r["key"]: orjson.loads(r["value"]) for r in c.fetchall()}


def snoozes(views: Views, c: Any) -> list[tuple[int, int, int, int, int, str | None]]:
    """Every snooze, ``(no, a, b, since, until, reason)``, in log order."""
    c.execute(views.sql("SELECT no, a, b, since, until, reason FROM {view_snoozes} ORDER BY no"))
    return [
        (
            int(r["no"]),
            int(r["a"]),
            int(r["b"]),
            int(r["since"]),
            int(r["until"]),
            views.sealed.open_maybe(r["reason"]),
        )
        for r in c.fetchall()
    ]
