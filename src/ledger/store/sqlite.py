"""SQLite storage: a file (the embedded default) or a private in-memory database.

``memory://`` is SQLite too (a shared-cache in-memory database private to the
process): the views then use exactly the SQL of the file ledger, and nothing touches
the disk. The events are stored by eventsourcing's SQLite recorder; the views sit in
the same database and are tracked by its ``SQLiteTrackingRecorder``.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, OperationalError, PersistenceError
from eventsourcing.sqlite import SQLiteTrackingRecorder

from ledger.errors import StorageError
from ledger.store._bulk import StoredRow
from ledger.store._storage import batches, insert_under_savepoint
from ledger.store.chain import Chain
from ledger.views._tables import TABLES, CreatedViewStore, Dialect, ViewStore

__all__ = ["DIALECT", "SQLiteStorage"]

_LOCK_TIMEOUT_SECONDS = "30"
WRITE_CHUNK = 20_000
"""Stored events inserted (and chained) per statement inside one transaction."""
_IDS_PER_SELECT = 500
_OWN_TABLES = ("stored_events", "tracking", "ledger_chain", *(f"ledger_{n}" for n in TABLES))
DIALECT = Dialect(
    placeholder="?",
    int_type="INTEGER",
    blob_type="BLOB",
    table_options=" WITHOUT ROWID",
    qualify=lambda name: name,
    # A 128 MiB page cache: the default 2 MiB thrashes on the random-order index inserts
    # of a large catch-up (measured: the view inserts of a 332k-event log took 2x longer).
    write_setup=("PRAGMA cache_size = -131072",),
)


@attrs.frozen
class SQLiteStorage:
    url: str
    db_name: str
    create_tables: bool = True

    @classmethod
    def from_url(cls, url: str) -> SQLiteStorage:
        if url.lower().startswith("memory://"):
            name = url[len("memory://") :] or uuid.uuid4().hex
            return cls(url, f"file:ledger-{name}?mode=memory&cache=shared")
        path = url[len("sqlite:///") :] if url.lower().startswith("sqlite:///") else url
        if not path or path.endswith("/"):
            raise StorageError(f"url: no SQLite file named in {url!r} (use sqlite:///PATH)")
        parent = Path(path).expanduser().resolve().parent
        if not parent.is_dir():
            raise StorageError(f"url: directory {str(parent)!r} does not exist (from {url!r})")
        if not os.access(parent, os.W_OK):
            raise StorageError(f"url: directory {str(parent)!r} is not writable (from {url!r})")
        storage = cls(url, str(Path(path).expanduser()))
        storage.create_tables_once()
        # The tables exist now; creating them again on every open is not safe against
        # other processes (see CreatedViewStore).
        return attrs.evolve(storage, create_tables=False)

    def create_tables_once(self) -> None:
        """Create a new file's tables, retrying when another process creates them too.

        eventsourcing's SQLite tracking recorder looks for its table outside the
        transaction that creates it and then records a migration row: two processes
        creating one file at once collide ("Failed to record tracking for
        __migration__ 1"). Once the tables exist, opening is safe.
        """
        from ledger.store.application import LedgerApplication  # noqa: PLC0415 - avoid a cycle

        # As long as a write lock is waited for: another process may be creating the
        # tables, or already writing a large first batch (a few retries were not enough).
        deadline = time.monotonic() + float(_LOCK_TIMEOUT_SECONDS)
        attempt = 0
        while not self._has_tables():
            try:
                app = LedgerApplication(env=self.environment())
                try:
                    self.views(app).create_tables()
                    self.chain(app).create_table()
                finally:
                    app.close()
            except (IntegrityError, OperationalError, sqlite3.OperationalError) as error:
                # Another process is creating them: look again in a moment.
                if time.monotonic() > deadline:
                    raise StorageError(f"url: cannot open ledger {self.url!r}: {error}") from None
                attempt += 1
                time.sleep(min(0.05 * attempt, 0.25))
            except (PersistenceError, sqlite3.Error) as error:
                raise StorageError(f"url: cannot open ledger {self.url!r}: {error}") from None

    def _has_tables(self) -> bool:
        try:
            with closing(sqlite3.connect(self.db_name, timeout=float(_LOCK_TIMEOUT_SECONDS))) as db:
                found = db.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                    f"({', '.join('?' * len(_OWN_TABLES))})",
                    _OWN_TABLES,
                ).fetchone()
        except sqlite3.Error as error:
            raise StorageError(f"url: cannot open ledger {self.url!r}: {error}") from None
        return bool(found[0] == len(_OWN_TABLES))

    def environment(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": self.db_name,
            "SQLITE_LOCK_TIMEOUT": _LOCK_TIMEOUT_SECONDS,
            "CREATE_TABLE": "true" if self.create_tables else "false",
        }

    def views(self, app: Any) -> ViewStore:
        recorder = app.factory.tracking_recorder(SQLiteTrackingRecorder)
        store = ViewStore if self.create_tables else CreatedViewStore
        return store(recorder, DIALECT, tracking_table="tracking")

    def chain(self, app: Any) -> Chain:
        recorder = app.recorder
        return Chain(recorder, DIALECT, recorder.events_table_name, events_id="rowid")

    @contextmanager
    def writing(self, app: Any) -> Iterator[_SQLiteWriter]:
        recorder = app.recorder
        chain = self.chain(app)
        with recorder.datastore.transaction(commit=True) as c:
            # eventsourcing begins a deferred transaction; a write, even one that changes
            # no row, takes SQLite's write lock now, before the first existence check.
            c.execute(f"UPDATE {chain.table} SET hash = hash WHERE notification_id = -1")
            yield _SQLiteWriter(recorder, c, chain)


@attrs.frozen
class _SQLiteWriter:
    recorder: Any
    cursor: Any
    chain: Chain

    def existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), _IDS_PER_SELECT):
            chunk = ids[start : start + _IDS_PER_SELECT]
            marks = ", ".join("?" * len(chunk))
            self.cursor.execute(
                f"SELECT originator_id FROM {self.recorder.events_table_name} "
                f"WHERE originator_version = 1 AND originator_id IN ({marks})",
                chunk,
            )
            found.update(row[0] for row in self.cursor.fetchall())
        return found

    def insert_new(self, stored_events: Sequence[Any]) -> bool:
        return insert_under_savepoint(self, self.cursor, stored_events, sqlite3.IntegrityError)

    def insert(self, stored_events: Sequence[Any]) -> None:
        # SQLite gives the rows rowids in insert order (see _insert_events), and the
        # write lock held since ``writing`` began keeps the chain head ours.
        for chunk in batches(stored_events, WRITE_CHUNK):
            self.chain.append(self.cursor, _insert_events(self.recorder, self.cursor, chunk), chunk)


def _row(stored: Any) -> tuple[str, int, str, bytes]:
    oid = stored.originator_id
    return (
        oid.hex if isinstance(oid, UUID) else oid,
        stored.originator_version,
        stored.topic,
        stored.state,
    )


def _insert_events(recorder: Any, c: Any, stored_events: Sequence[Any]) -> list[int]:
    """Insert with eventsourcing's statement in one ``executemany``; return the rowids.

    The recorder's own ``_insert_events`` runs one ``execute`` per event (about 3x
    slower for large batches). Under the write lock no other connection inserts, and
    SQLite gives each new row the largest rowid so far plus one: the ids are the
    contiguous run after the largest rowid before the insert.
    """
    table = recorder.events_table_name
    c.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}")
    before = int(c.fetchone()[0])
    c.executemany(
        recorder.insert_events_statement,
        [s if type(s) is StoredRow else _row(s) for s in stored_events],
    )
    c.execute(f"SELECT MAX(rowid) FROM {table}")
    last = int(c.fetchone()[0])
    if last - before != len(stored_events):
        raise AssertionError(f"rowids of one insert are not contiguous: {before}+1..{last}")
    return list(range(before + 1, last + 1))
