"""The persisted views: tables beside the events, written with a tracking position.

Every write to the views happens in one transaction with eventsourcing's tracking
row for the notification it has reached (``TrackingRecorder._insert_tracking``), so the
views and their position can never disagree. SQLite and PostgreSQL share the SQL;
a :class:`Dialect` supplies placeholders, types and qualified table names.

Tables (all derived, all rebuildable from the events):

* ``people``, ``attributes``: who is in the ledger, and each attribute from when;
* ``touchpoints``: every recorded touchpoint, with its retraction if any, and
  ``participants``: who took part in which (for timelines);
* ``pair_touches``: per unordered pair ``a < b``, each touch in time order with the
  state of every projection just after it: an as-of query is one index lookup;
* ``pair_last``: the latest row of each pair (catch-up appends without reading back);
* ``meta``: the projections' fingerprints; ``lock``: one row that serialises catch-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
from eventsourcing.persistence import Tracking

__all__ = ["UPSTREAM", "CreatedViewStore", "Dialect", "ViewStore"]

UPSTREAM = "Ledger"
"""The application name the views track (the notification log they follow)."""

TABLES = (
    "people",
    "attributes",
    "touchpoints",
    "participants",
    "pair_touches",
    "pair_last",
    "meta",
    "lock",
)


@attrs.frozen
class Dialect:
    """The few things SQLite and PostgreSQL spell differently."""

    placeholder: str
    int_type: str
    blob_type: str
    table_options: str
    qualify: Callable[[str], str]
    write_setup: tuple[str, ...] = ()
    """Run at the start of each catch-up transaction (e.g. SQLite's page cache size)."""

    def sql(self, template: str) -> str:
        names = {name: self.qualify(f"ledger_{name}") for name in TABLES}
        return template.format(**names).replace("?", self.placeholder)


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS {people} (key TEXT PRIMARY KEY, name TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {attributes} (key TEXT NOT NULL, field TEXT NOT NULL, "
    "effective_t INT NOT NULL, seq INT NOT NULL, value TEXT, "
    "PRIMARY KEY (key, field, effective_t, seq))",
    "CREATE TABLE IF NOT EXISTS {touchpoints} (touchpoint_id TEXT PRIMARY KEY, t INT NOT NULL, "
    "kind TEXT NOT NULL, initiator TEXT NOT NULL, counterparts TEXT NOT NULL, note TEXT, "
    "source TEXT NOT NULL, source_ref TEXT NOT NULL, personalized INT NOT NULL, giver TEXT, "
    "duration_seconds INT, retracted_reason TEXT, seq INT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {participants} (key TEXT NOT NULL, touchpoint_id TEXT NOT NULL, "
    "PRIMARY KEY (key, touchpoint_id))",
    "CREATE TABLE IF NOT EXISTS {pair_touches} (a TEXT NOT NULL, b TEXT NOT NULL, t INT NOT NULL, "
    "touchpoint_id TEXT NOT NULL, kind TEXT NOT NULL, direction INT NOT NULL, giver INT NOT NULL, "
    "personalized INT NOT NULL, states BLOB NOT NULL, PRIMARY KEY (a, b, t, touchpoint_id))",
    "CREATE INDEX IF NOT EXISTS ledger_pair_touches_by_b ON {pair_touches} (b, a, t)",
    "CREATE TABLE IF NOT EXISTS {pair_last} (a TEXT NOT NULL, b TEXT NOT NULL, t INT NOT NULL, "
    "touchpoint_id TEXT NOT NULL, states BLOB NOT NULL, PRIMARY KEY (a, b))",
    "CREATE INDEX IF NOT EXISTS ledger_pair_last_by_b ON {pair_last} (b)",
    "CREATE TABLE IF NOT EXISTS {meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {lock} (id INT PRIMARY KEY, n INT NOT NULL)",
)

PAIR_TOUCH_COLUMNS = "a, b, t, touchpoint_id, kind, direction, giver, personalized, states"


class ViewStore:
    """Reads and writes the views through an eventsourcing tracking recorder."""

    def __init__(self, recorder: Any, dialect: Dialect, tracking_table: str) -> None:
        self.recorder = recorder
        self.dialect = dialect
        self.tracking_table = tracking_table

    def sql(self, template: str) -> str:
        return self.dialect.sql(template)

    def create_tables(self) -> None:
        with self.write() as c:
            for statement in _SCHEMA:
                ddl = statement.replace(" INT ", f" {self.dialect.int_type} ")
                ddl = ddl.replace(" BLOB ", f" {self.dialect.blob_type} ")
                if ddl.startswith("CREATE TABLE") and "PRIMARY KEY (" in ddl:
                    ddl += self.dialect.table_options
                c.execute(self.sql(ddl))
            c.execute(self.sql("INSERT INTO {lock} (id, n) VALUES (1, 0) ON CONFLICT DO NOTHING"))

    @contextmanager
    def read(self) -> Iterator[Any]:
        with self.recorder.datastore.transaction(commit=False) as cursor:
            yield cursor

    @contextmanager
    def write(self) -> Iterator[Any]:
        with self.recorder.datastore.transaction(commit=True) as cursor:
            yield cursor

    @contextmanager
    def locked(self) -> Iterator[tuple[Any, int]]:
        """A write transaction holding the catch-up lock, and the tracked position.

        Taking the lock is a write, so SQLite grants its write lock up front (waiting
        out other writers) instead of failing on a read-to-write upgrade later.
        """
        with self.write() as c:
            for statement in self.dialect.write_setup:
                c.execute(statement)
            c.execute(self.sql("UPDATE {lock} SET n = n + 1 WHERE id = 1"))
            yield c, self.recorder._max_tracking_id(UPSTREAM, c) or 0

    def position(self) -> int:
        return int(self.recorder.max_tracking_id(UPSTREAM) or 0)

    def advance(self, c: Any, notification_id: int) -> None:
        self.recorder._insert_tracking(c, Tracking(UPSTREAM, notification_id))

    def reset(self, c: Any) -> None:
        """Empty every view and forget the tracked position (for a rebuild)."""
        for name in TABLES:
            if name != "lock":
                c.execute(self.sql(f"DELETE FROM {{{name}}}"))
        c.execute(
            f"DELETE FROM {self.tracking_table} WHERE application_name = "
            f"{self.dialect.placeholder}",
            (UPSTREAM,),
        )

    def meta(self, c: Any) -> dict[str, str]:
        c.execute(self.sql("SELECT key, value FROM {meta}"))
        return {row["key"]: row["value"] for row in c.fetchall()}

    def set_meta(self, c: Any, values: dict[str, str]) -> None:
        c.executemany(
            self.sql(
                "INSERT INTO {meta} (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            list(values.items()),
        )

    def executemany(self, c: Any, template: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            c.executemany(self.sql(template), rows)


class CreatedViewStore(ViewStore):
    """A view store whose tables the storage created when it was opened."""

    def create_tables(self) -> None:
        # Nothing to create. Re-running the DDL in every process that opens the ledger
        # fails under concurrency: on SQLite its read-then-write transaction gets "database
        # is locked" at once; on PostgreSQL, CREATE INDEX IF NOT EXISTS still locks the
        # table and deadlocks against a catch-up.
        return
