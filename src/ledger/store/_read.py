"""Reading the stored events raw, in large pages, for the views.

eventsourcing's ``select_notifications`` builds a ``Notification`` and a ``UUID`` per
row, which cost a replay more than the SQL itself. The views only need each row's
notification id, originator id (as hex), version, topic and state, so they are selected
as plain tuples. The SQL is the same as the library's (``rowid`` on SQLite,
``notification_id`` on PostgreSQL; ordered, after the tracked position).
"""

from __future__ import annotations

from typing import Any

__all__ = ["RawEvent", "RawEvents"]

RawEvent = tuple[int, str, int, str, bytes]
"""notification id, originator id (32 hex digits), originator version, topic, state."""

_NO_STOP = 2**63 - 1


class RawEvents:
    """Pages of an application recorder's stored events, as :data:`RawEvent` tuples."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        schema = getattr(recorder.datastore, "schema", None)
        self.postgres = isinstance(schema, str)
        if isinstance(schema, str):
            table = f"{_quote(schema)}.{_quote(recorder.events_table_name)}"
            self.statement = (
                "SELECT notification_id, replace(originator_id::text, '-', '') AS oid, "
                f"originator_version, topic, state FROM {table} "
                "WHERE notification_id > %s AND notification_id <= %s "
                "ORDER BY notification_id LIMIT %s"
            )
        else:
            self.statement = (
                "SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {recorder.events_table_name} WHERE rowid > ? AND rowid <= ? "
                "ORDER BY rowid LIMIT ?"
            )

    def page(self, after: int, stop: int | None, limit: int, c: Any = None) -> list[RawEvent]:
        """Up to ``limit`` events after notification ``after`` (and up to ``stop``),
        read in a transaction of their own, or with cursor ``c`` (of a transaction on the
        same database, e.g. a rebuild's: another connection would wait for its lock)."""
        if c is not None:
            return self._select(c, (after, _NO_STOP if stop is None else stop, limit))
        with self.recorder.datastore.transaction(commit=False) as own:
            return self._select(own, (after, _NO_STOP if stop is None else stop, limit))

    def _select(self, c: Any, params: tuple[int, int, int]) -> list[RawEvent]:
        if self.postgres:
            c.execute(self.statement, params, prepare=True)
            return [
                (
                    r["notification_id"],
                    r["oid"],
                    r["originator_version"],
                    r["topic"],
                    bytes(r["state"]),
                )
                for r in c.fetchall()
            ]
        # A cursor of our own on the same connection: plain tuples are cheaper than
        # sqlite3.Row, and the caller's cursor keeps its row factory.
        cursor = c.sqlite_cursor.connection.cursor()
        cursor.row_factory = None
        cursor.execute(self.statement, params)
        rows: list[RawEvent] = cursor.fetchall()
        cursor.close()
        if rows and len(rows[0][1]) != 32:
            rows = [(n, _hex(oid), v, topic, state) for n, oid, v, topic, state in rows]
        return rows


def _hex(originator_id: str) -> str:
    return originator_id.replace("-", "").lower()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
