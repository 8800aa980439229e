"""Reading the stored events raw, in large pages, for the views and the audit.

eventsourcing's ``select_notifications`` builds a ``Notification`` and a ``UUID`` per
row, which cost a replay more than the SQL itself. The views need each row's
notification id, originator id (as 32 hex digits), version, topic and state, so they
are selected as plain tuples, in notification order, from any id on: a forged row with
an id of 0 or less is read like any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["RawEvent", "pages", "read_events", "values_of"]

RawEvent = tuple[int, str, int, str, bytes]
"""notification id, originator id (32 hex digits), originator version, topic, state."""


def read_events(storage: Any, c: Any, after: int, stop: int, limit: int) -> list[RawEvent]:
    """Up to ``limit`` stored events with ``after < id <= stop``, with cursor ``c``."""
    table, column = storage.events_table, storage.events_id
    if storage.dialect.postgres:
        c.execute(
            "SELECT notification_id, replace(originator_id::text, '-', '') AS oid, "
            f"originator_version, topic, state FROM {table} "
            "WHERE notification_id > %s AND notification_id <= %s "
            "ORDER BY notification_id LIMIT %s",
            (after, stop, limit),
            prepare=True,
        )
        return [
            (r["notification_id"], r["oid"], r["originator_version"], r["topic"], bytes(r["state"]))
            for r in c.fetchall()
        ]
    # A cursor of our own on the same connection: plain tuples are cheaper than
    # sqlite3.Row, and the caller's cursor keeps its row factory.
    cursor = c.sqlite_cursor.connection.cursor()
    cursor.row_factory = None
    cursor.execute(
        f"SELECT {column}, originator_id, originator_version, topic, state FROM {table} "
        f"WHERE {column} > ? AND {column} <= ? ORDER BY {column} LIMIT ?",
        (after, stop, limit),
    )
    rows: list[RawEvent] = cursor.fetchall()
    cursor.close()
    if rows and len(rows[0][1]) != 32:
        rows = [(n, str(oid).replace("-", "").lower(), v, t, s) for n, oid, v, t, s in rows]
    return rows


def pages(c: Any, size: int = 10_000) -> Iterator[list[Any]]:
    """The rows of the statement ``c`` just executed, ``size`` at a time (eventsourcing's
    SQLite cursor has no ``fetchmany``: its sqlite3 cursor does)."""
    cursor = getattr(c, "sqlite_cursor", c)
    while rows := cursor.fetchmany(size):
        yield rows


def values_of(row: Any) -> tuple[Any, ...]:
    """A row's values in column order, whichever driver read it (psycopg's rows are
    dicts here, sqlite3's are sequences)."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)
