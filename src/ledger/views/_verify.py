"""Comparing the persisted views with a from-scratch rebuild of them.

The rebuild goes into a private in-memory SQLite store (the log is read, never
written), so verifying a ledger changes nothing in it, whatever its storage.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from ledger.store.sqlite import DIALECT
from ledger.views._catchup import Progress, catch_up
from ledger.views._fold import Projections
from ledger.views._tables import ViewStore

__all__ = ["MAX_DIFFERENCES", "differences"]

MAX_DIFFERENCES = 20

_COMPARED = {
    "people": "key, name",
    "attributes": "key, field, effective_t, seq, value",
    "touchpoints": "touchpoint_id, t, kind, initiator, counterparts, note, source, source_ref, "
    "personalized, giver, duration_seconds, retracted_reason, seq",
    "participants": "key, touchpoint_id",
    "pair_touches": "a, b, t, touchpoint_id, kind, direction, giver, personalized, states",
    "pair_last": "a, b, t, touchpoint_id, states",
}


def differences(
    app: Any, persisted: ViewStore, projections: Projections, progress: Progress | None = None
) -> list[str]:
    """Up to :data:`MAX_DIFFERENCES` readable differences; empty when consistent.
    ``progress`` is told how many events the scratch replay has read."""
    datastore = SQLiteDatastore(f"file:verify-{uuid.uuid4().hex}?mode=memory&cache=shared")
    try:
        recorder = SQLiteTrackingRecorder(datastore)
        recorder.create_table()
        scratch = ViewStore(recorder, DIALECT, tracking_table="tracking")
        scratch.create_tables()
        catch_up(app, scratch, projections, until=persisted.position(), progress=progress)
        found: list[str] = []
        for table, columns in _COMPARED.items():
            found.extend(_compare(table, columns, persisted, scratch))
            if len(found) >= MAX_DIFFERENCES:
                break
        return found[:MAX_DIFFERENCES]
    finally:
        datastore.close()


def _compare(table: str, columns: str, persisted: ViewStore, rebuilt: ViewStore) -> list[str]:
    mine = dict(_keyed(persisted, table, columns))
    fresh = dict(_keyed(rebuilt, table, columns))
    found: list[str] = []
    for key in sorted(mine.keys() | fresh.keys(), key=repr):
        if mine.get(key) == fresh.get(key):
            continue
        if key not in fresh:
            found.append(f"{table} {key}: persisted but not in the rebuild")
        elif key not in mine:
            found.append(f"{table} {key}: missing (the rebuild has {fresh[key]})")
        else:
            found.append(f"{table} {key}: persisted {mine[key]} but rebuilt {fresh[key]}")
        if len(found) >= MAX_DIFFERENCES:
            break
    return found


def _keyed(views: ViewStore, table: str, columns: str) -> Iterator[tuple[Any, Any]]:
    names = [name.strip() for name in columns.split(",")]
    width = {
        "people": 1,
        "attributes": 4,
        "touchpoints": 1,
        "participants": 2,
        "pair_touches": 4,
        "pair_last": 2,
    }[table]
    with views.read() as c:
        c.execute(views.sql(f"SELECT {columns} FROM {{{table}}}"))
        rows = c.fetchall()
    for row in rows:
        values = tuple(_plain(row[name]) for name in names)
        yield values[:width], values[width:]


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    return value
